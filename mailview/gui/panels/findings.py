"""The findings list, grouped by severity, and the selected finding's explanation.

Severity is shown three ways at once — a word (the group heading, with its count), an
icon shape and a colour — so that it reads in a dark theme, on a grey-scale printout and
for colour-blind analysts alike. Each finding says in words how well it is proven: a
second, muted line under its title.
"""

from __future__ import annotations

import functools
import html

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
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
    QApplication,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mailview.core.model import Finding, Report, Severity
from mailview.gui.panels import monospace_font

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
STRENGTH_WORDS = {
    "direct": "stated by a trusted system",
    "correlated": "several facts agree",
    "heuristic": "a pattern — worth a look",
}
_ROLE_FINDING = Qt.ItemDataRole.UserRole
_ROLE_STRENGTH = Qt.ItemDataRole.UserRole + 1
_AnyIndex = QModelIndex | QPersistentModelIndex


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
    return sorted(findings, key=lambda f: f.severity.rank)


def strength_words(strength: str) -> str:
    """How well a finding is proven, in words; an unknown strength as written."""
    return STRENGTH_WORDS.get(strength, strength)


def severity_groups(findings: tuple[Finding, ...]) -> list[tuple[Severity, list[Finding]]]:
    """(severity, its findings) for each severity present, most severe first."""
    groups: dict[Severity, list[Finding]] = {}
    for item in by_severity(findings):
        groups.setdefault(item.severity, []).append(item)
    return list(groups.items())


def group_title(severity: Severity, count: int) -> str:
    """`HIGH (2)`: the word and the count, never the colour alone."""
    return f"{SEVERITY_WORD[severity]} ({count})"


def evidence_hops(report: Report, finding: Finding) -> list[int]:
    """The hops (1-based) whose Received header is part of the finding's evidence."""
    headers = {e.header_index for e in finding.evidence if e.header_index is not None}
    return [hop.index for hop in report.hops if hop.header_index in headers]


class FindingDelegate(QStyledItemDelegate):
    """A finding row on two lines: its title, and under it, muted, how well it is proven.

    Rows without a strength (the severity headings) are drawn the usual way.
    """

    def sizeHint(self, option: QStyleOptionViewItem, index: _AnyIndex) -> QSize:
        size = super().sizeHint(option, index)
        if isinstance(index.data(_ROLE_STRENGTH), str):
            size.setHeight(max(size.height(), 2 * option.fontMetrics.height() + 6))
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _AnyIndex) -> None:
        strength = index.data(_ROLE_STRENGTH)
        if not isinstance(strength, str):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        element = QStyle.SubElement.SE_ItemViewItemText
        box = style.subElementRect(element, opt, widget).adjusted(2, 2, -2, -2)
        title = opt.text
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        self._draw_lines(painter, opt, box, title, strength)

    @staticmethod
    def _draw_lines(
        painter: QPainter, opt: QStyleOptionViewItem, box: QRect, title: str, strength: str
    ) -> None:
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        ink = palette.highlightedText() if selected else palette.text()
        muted = palette.highlightedText() if selected else palette.placeholderText()
        metrics = opt.fontMetrics
        line = metrics.height()
        top = QRect(box.left(), box.top(), box.width(), line)
        bottom = QRect(box.left(), box.top() + line, box.width(), line)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.save()
        painter.setPen(QPen(ink.color()))
        elide = Qt.TextElideMode.ElideRight
        painter.drawText(top, flags, metrics.elidedText(title, elide, box.width()))
        painter.setPen(QPen(muted.color()))
        painter.drawText(bottom, flags, metrics.elidedText(strength, elide, box.width()))
        painter.restore()


def _finding_row(finding: Finding) -> QTreeWidgetItem:
    strength = strength_words(finding.strength)
    row = QTreeWidgetItem([finding.title])
    row.setIcon(0, severity_icon(finding.severity))
    row.setData(0, _ROLE_FINDING, finding)
    row.setData(0, _ROLE_STRENGTH, strength)
    spoken = f"{SEVERITY_WORD[finding.severity]}: {finding.title}. Evidence: {strength}."
    row.setData(0, Qt.ItemDataRole.AccessibleTextRole, spoken)
    # Tooltips guess at rich text: escaped, the title shows as written.
    row.setToolTip(0, f"<p>{html.escape(finding.title)}<br><i>{html.escape(strength)}</i></p>")
    return row


def _group_row(severity: Severity, count: int, font: QFont) -> QTreeWidgetItem:
    heading = QTreeWidgetItem([group_title(severity, count)])
    heading.setIcon(0, severity_icon(severity))
    bold = QFont(font)
    bold.setBold(True)
    heading.setFont(0, bold)
    heading.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading, not a finding
    return heading


class FindingsPanel(QWidget):
    """The list of findings above the selected one's explanation and evidence."""

    findingSelected = Signal(object)  # Finding | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: Report | None = None
        self.list = QTreeWidget()
        self.list.setObjectName("findingsList")
        self.list.setAccessibleName("Findings by severity")
        self.list.setColumnCount(1)
        self.list.setHeaderHidden(True)  # the headings say what the rows are
        self.list.setIndentation(14)
        self.list.setUniformRowHeights(False)  # headings one line, findings two
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setItemDelegate(FindingDelegate(self.list))
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
        groups = severity_groups(report.findings) if report is not None else []
        for severity, members in groups:
            heading = _group_row(severity, len(members), self.list.font())
            heading.addChildren([_finding_row(item) for item in members])
            self.list.addTopLevelItem(heading)
            heading.setExpanded(True)
        self._show_placeholder()

    def group_titles(self) -> list[str]:
        """The severity headings, in list order."""
        return [item.text(0) for item in self._groups()]

    def finding_items(self) -> list[QTreeWidgetItem]:
        """The finding rows (not the headings), in list order."""
        rows = (group.child(i) for group in self._groups() for i in range(group.childCount()))
        return [row for row in rows if row is not None]

    def findings(self) -> list[Finding]:
        """The findings in list order."""
        return [item.data(0, _ROLE_FINDING) for item in self.finding_items()]

    def strength_of(self, item: QTreeWidgetItem) -> str:
        """The strength line shown under a finding's title."""
        return str(item.data(0, _ROLE_STRENGTH) or "")

    def select_row(self, row: int) -> None:
        """Select the `row`-th finding, counting findings only (not headings)."""
        items = self.finding_items()
        if 0 <= row < len(items):
            self.list.setCurrentItem(items[row])

    def current_finding(self) -> Finding | None:
        items = self.list.selectedItems()
        finding = items[0].data(0, _ROLE_FINDING) if items else None
        return finding if isinstance(finding, Finding) else None

    def _groups(self) -> list[QTreeWidgetItem]:
        tops = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [item for item in tops if item is not None]

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
        strength = strength_words(finding.strength)
        cursor.insertText(
            f"\n{SEVERITY_WORD[finding.severity]} · evidence: {strength}\n\n", heading
        )
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
