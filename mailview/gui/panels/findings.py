"""The findings list (severity icon, word, title) and the selected finding's explanation.

Severity is shown three ways at once — a word, an icon shape and a colour — so that
it reads in a dark theme, on a grey-scale printout and for colour-blind analysts alike.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSplitter,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mailview.core.model import Finding, Report, Severity
from mailview.gui.panels import monospace_font

SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}
SEVERITY_WORD = {
    Severity.HIGH: "HIGH",
    Severity.MEDIUM: "MEDIUM",
    Severity.LOW: "LOW",
    Severity.INFO: "INFO",
}
# Fill colours chosen to be told apart on light and dark backgrounds; each has its own
# text colour with enough contrast (white on red and slate, black on orange and yellow).
SEVERITY_FILL = {
    Severity.HIGH: QColor("#c62828"),
    Severity.MEDIUM: QColor("#f57c00"),
    Severity.LOW: QColor("#fbc02d"),
    Severity.INFO: QColor("#607d8b"),
}
SEVERITY_INK = {
    Severity.HIGH: QColor("#ffffff"),
    Severity.MEDIUM: QColor("#000000"),
    Severity.LOW: QColor("#000000"),
    Severity.INFO: QColor("#ffffff"),
}
_STRENGTH = {
    "direct": "direct evidence",
    "correlated": "correlated evidence",
    "heuristic": "a heuristic: worth a look, not proof",
}
_ROLE_FINDING = Qt.ItemDataRole.UserRole


@functools.cache
def severity_icon(severity: Severity, size: int = 16) -> QIcon:
    """A drawn icon whose shape differs per severity: octagon, triangle, circle, 'i'.

    Drawn once per severity and size: a route with hundreds of findings reuses them.
    """
    ratio = 2.0  # drawn at twice the size so it stays sharp on high-DPI screens
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(SEVERITY_FILL[severity].darker(140), 1))
    painter.setBrush(QBrush(SEVERITY_FILL[severity]))
    box = QRectF(1, 1, size - 2, size - 2)
    if severity is Severity.HIGH:
        path = QPainterPath()
        cut = box.width() * 0.29
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(box.left() + cut, box.top()),
                    QPointF(box.right() - cut, box.top()),
                    QPointF(box.right(), box.top() + cut),
                    QPointF(box.right(), box.bottom() - cut),
                    QPointF(box.right() - cut, box.bottom()),
                    QPointF(box.left() + cut, box.bottom()),
                    QPointF(box.left(), box.bottom() - cut),
                    QPointF(box.left(), box.top() + cut),
                ]
            )
        )
        path.closeSubpath()
        painter.drawPath(path)
    elif severity is Severity.MEDIUM:
        triangle = QPolygonF(
            [
                QPointF(box.center().x(), box.top()),
                QPointF(box.right(), box.bottom()),
                QPointF(box.left(), box.bottom()),
            ]
        )
        painter.drawPolygon(triangle)
    else:
        painter.drawEllipse(box)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.7))
    painter.setFont(font)
    painter.setPen(SEVERITY_INK[severity])
    mark = "i" if severity is Severity.INFO else "!"
    text_box = box.adjusted(0, size * 0.12, 0, 0) if severity is Severity.MEDIUM else box
    painter.drawText(text_box, Qt.AlignmentFlag.AlignCenter, mark)
    painter.end()
    return QIcon(pixmap)


def by_severity(findings: tuple[Finding, ...]) -> list[Finding]:
    """Most severe first; the core's order is kept within a severity."""
    return sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])


def evidence_hops(report: Report, finding: Finding) -> list[int]:
    """The hops (1-based) whose Received header is part of the finding's evidence."""
    headers = {e.header_index for e in finding.evidence if e.header_index is not None}
    return [hop.index for hop in report.hops if hop.header_index in headers]


class FindingsPanel(QWidget):
    """The list of findings above the selected one's explanation and evidence."""

    findingSelected = Signal(object)  # Finding | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: Report | None = None
        self.list = QTreeWidget()
        self.list.setObjectName("findingsList")
        self.list.setAccessibleName("Findings")
        self.list.setColumnCount(2)
        self.list.setHeaderLabels(["Severity", "Finding"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(True)
        self.list.itemSelectionChanged.connect(self._on_selection)

        self.detail = QTextEdit()
        self.detail.setObjectName("findingDetail")
        self.detail.setAccessibleName("Finding explanation and evidence")
        self.detail.setReadOnly(True)
        self.detail.setAcceptRichText(False)
        self.detail.setAcceptDrops(False)
        self.detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("findings")
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._show_placeholder()

    def set_report(self, report: Report | None) -> None:
        self._report = report
        self.list.clear()
        findings = by_severity(report.findings) if report is not None else []
        for item in findings:
            row = QTreeWidgetItem([SEVERITY_WORD[item.severity], item.title])
            row.setIcon(0, severity_icon(item.severity))
            row.setData(0, _ROLE_FINDING, item)
            self.list.addTopLevelItem(row)
        self._show_placeholder()

    def findings(self) -> list[Finding]:
        """The findings in list order."""
        items = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [item.data(0, _ROLE_FINDING) for item in items if item is not None]

    def select_row(self, row: int) -> None:
        item = self.list.topLevelItem(row)
        if item is not None:
            self.list.setCurrentItem(item)

    def current_finding(self) -> Finding | None:
        items = self.list.selectedItems()
        return items[0].data(0, _ROLE_FINDING) if items else None

    def _on_selection(self) -> None:
        finding = self.current_finding()
        if finding is None:
            self._show_placeholder()
        else:
            self._show_finding(finding)
        self.findingSelected.emit(finding)

    def _show_placeholder(self) -> None:
        self.detail.clear()
        if self._report is None:
            return
        if not self._report.findings:
            self.detail.setPlainText("No findings: nothing in these headers looks wrong.")
        else:
            self.detail.setPlainText(
                "Select a finding to read what it means and see the header lines that "
                "prove it; they are highlighted in the diagram and the headers table."
            )

    def _show_finding(self, finding: Finding) -> None:
        """Builds the text with QTextCursor.insertText: message text is never parsed as HTML."""
        self.detail.clear()
        cursor = QTextCursor(self.detail.document())
        body = QTextCharFormat()
        title = QTextCharFormat()
        title.setFontWeight(QFont.Weight.Bold)
        title.setFontPointSize(self.font().pointSizeF() * 1.15)
        heading = QTextCharFormat()
        heading.setFontWeight(QFont.Weight.Bold)
        quoted = QTextCharFormat()
        quoted.setFont(monospace_font())

        cursor.insertText(finding.title, title)
        strength = _STRENGTH.get(finding.strength, finding.strength)
        cursor.insertText(f"\n{SEVERITY_WORD[finding.severity]} · {strength}\n\n", heading)
        cursor.insertText(finding.detail, body)
        hops = evidence_hops(self._report, finding) if self._report is not None else []
        if hops:
            names = ", ".join(str(i) for i in hops)
            cursor.insertText(f"\n\nIn the diagram: hop {names}.", body)
        if finding.evidence:
            cursor.insertText("\n\nEvidence", heading)
        for item in finding.evidence:
            where = (
                "the input as a whole"
                if item.header_index is None
                else f"header #{item.header_index + 1}"
                + (f" ({item.header_name})" if item.header_name else "")
            )
            cursor.insertText(f"\n{where}:\n", body)
            cursor.insertText(item.text, quoted)
        self.detail.moveCursor(QTextCursor.MoveOperation.Start)
