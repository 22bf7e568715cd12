"""What the filters on the way decided: one group per decoded vendor header.

Two widgets share one `set_report`, like the authentication ones: `VendorStrip`, one
line under the summary naming the verdict that explains where the message landed, and
`VerdictsPanel`, the full account in the lower tabs. Each group there gives the
vendor, its summary sentence, and every field as a row of key, value as written and
meaning in words. Fields mailview does not know are listed under their own heading
with their raw value: a verdict never loses a field.

Microsoft's "(combined)" verdict, a summary over several of its headers, comes first:
it answers "why did it land where it landed". Everything shown came out of the message,
so labels and items are plain text and tooltips are escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mailview.core.model import Report
from mailview.core.vendors.model import VendorField, VendorVerdict
from mailview.gui.panels import plain_label

EMPTY = "No vendor verdicts in this message."
HINT = "Click: select its header in the Headers tab. Double-click or Enter: go there."
FIELD_COLUMNS = ("Field", "Value as written", "Meaning")
UNRECOGNISED = "unrecognised — mailview does not know these fields; shown as written"
UNKNOWN_MEANING = "—"
# A raw value wider than this is elided in its column (the tooltip has all of it), so
# one long blob cannot push the meanings out of sight.
MAX_VALUE_WIDTH = 320


# --- words ----------------------------------------------------------------------------------


def is_combined(verdict: VendorVerdict) -> bool:
    return verdict.header_index is None


def ordered(vendors: Sequence[VendorVerdict]) -> list[VendorVerdict]:
    """Combined verdicts first (they say where the message landed), then the core's order."""
    return sorted(vendors, key=lambda v: not is_combined(v))


def lead_verdict(vendors: Sequence[VendorVerdict]) -> VendorVerdict | None:
    return next(iter(ordered(vendors)), None)


def strip_text(vendors: Sequence[VendorVerdict]) -> str:
    """`Microsoft 365: Delivered to Junk — SCL 5. Also: SpamAssassin.`"""
    lead = lead_verdict(vendors)
    if lead is None:
        return EMPTY
    text = f"{lead.vendor}: {lead.summary}"
    others = list(dict.fromkeys(v.vendor for v in vendors if v.vendor != lead.vendor))
    if others:
        text += f"  ·  Also: {', '.join(others)}."
    return text


def group_title(verdict: VendorVerdict) -> str:
    """`Microsoft 365 · X-Forefront-Antispam-Report · header #12`."""
    index = verdict.header_index
    if index is None:
        return f"{verdict.vendor} · combined verdict, from several of its headers"
    return f"{verdict.vendor} · {verdict.header} · header #{index + 1}"


def header_indices(verdict: VendorVerdict, vendors: Sequence[VendorVerdict]) -> list[int]:
    """The headers behind a verdict: its own, or for a combined one, its vendor's others."""
    if verdict.header_index is not None:
        return [verdict.header_index]
    return sorted(
        {
            v.header_index
            for v in vendors
            if v.vendor == verdict.vendor and v.header_index is not None
        }
    )


def field_row(field: VendorField) -> list[str]:
    return [field.key, field.raw, UNKNOWN_MEANING if field.meaning is None else field.meaning]


# --- widgets ----------------------------------------------------------------------------------


class VendorStrip(QFrame):
    """The lead verdict in one line under the summary; a click opens the Verdicts tab."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vendorStrip")
        self.caption = QLabel("Filters")
        self.caption.setEnabled(False)  # muted, like the other strips' captions
        self.sentence = plain_label(selectable=False)
        self.sentence.setObjectName("vendorSentence")
        # Wrapped rather than cut at the window's edge: the sentence is the point of the strip.
        self.sentence.setWordWrap(True)
        self.sentence.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("<p>Open the Verdicts tab: every field of every filter's verdict.</p>")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 2)
        layout.setSpacing(8)
        layout.addWidget(self.caption)
        layout.addWidget(self.sentence, 1)

    def set_vendors(self, vendors: Sequence[VendorVerdict]) -> None:
        text = strip_text(vendors)
        self.sentence.setText(text)
        self.setAccessibleName(f"Filters: {text}")
        self.setVisible(bool(vendors))  # no line at all rather than a line saying nothing

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class FieldsTable(QTreeWidget):
    """One verdict's fields; as tall as its rows, so the page scrolls and not the table."""

    def __init__(self, verdict: VendorVerdict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vendorFields")
        self.setAccessibleName(f"{verdict.vendor} fields")
        self.setColumnCount(len(FIELD_COLUMNS))
        self.setHeaderLabels(list(FIELD_COLUMNS))
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setAllColumnsShowFocus(True)
        self.setRootIsDecorated(False)  # recognised fields start at the left edge
        self.setItemsExpandable(False)  # the height is fixed: nothing may fold away
        self.setIndentation(14)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.header().setStretchLastSection(True)
        self._fill(verdict)
        self._fit_columns()
        self._fit_height()

    def _fill(self, verdict: VendorVerdict) -> None:
        known = [f for f in verdict.fields if f.meaning is not None]
        self.addTopLevelItems([_field_item(f, verdict) for f in known])
        unknown = verdict.unrecognised
        if unknown:
            heading = QTreeWidgetItem([f"{UNRECOGNISED} ({len(unknown)})"])
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            heading.setToolTip(0, f"<p>{html.escape(heading.text(0))}</p>")
            bold = QFont(self.font())
            bold.setBold(True)
            heading.setFont(0, bold)
            heading.addChildren([_field_item(f, verdict) for f in unknown])
            self.addTopLevelItem(heading)
            heading.setFirstColumnSpanned(True)
            heading.setExpanded(True)
        if not verdict.fields:
            empty = QTreeWidgetItem(["No fields."])
            empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.addTopLevelItem(empty)
            empty.setFirstColumnSpanned(True)

    def rows(self) -> list[QTreeWidgetItem]:
        """Every field row, recognised first, then the unrecognised ones."""
        items: list[QTreeWidgetItem] = []
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            if top is None:
                continue
            if top.childCount():
                items += [c for c in (top.child(j) for j in range(top.childCount())) if c]
            elif top.flags() & Qt.ItemFlag.ItemIsSelectable:
                items.append(top)
        return items

    def _fit_columns(self) -> None:
        metrics = self.fontMetrics()
        rows = self.rows()
        for column, cap in ((0, None), (1, MAX_VALUE_WIDTH)):
            texts = [FIELD_COLUMNS[column]] + [row.text(column) for row in rows]
            width = max(metrics.horizontalAdvance(t) for t in texts) + 16
            if column == 0 and rows and rows[-1].parent() is not None:
                width += self.indentation()  # the unrecognised fields sit one level in
            self.setColumnWidth(column, width if cap is None else min(width, cap))

    def showEvent(self, event: QShowEvent) -> None:
        # Rows measure taller before the style has polished the view: measure again.
        super().showEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        count = sum(1 + item.childCount() for item in self._tops())
        measured = self.sizeHintForRow(0)  # -1 when there is no row to measure
        row = measured if measured > 0 else self.fontMetrics().height() + 4
        header = self.header().sizeHint().height()
        self.setFixedHeight(header + count * row + 2 * self.frameWidth() + 2)

    def _tops(self) -> list[QTreeWidgetItem]:
        tops = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item for item in tops if item is not None]


def _field_item(field: VendorField, verdict: VendorVerdict) -> QTreeWidgetItem:
    values = field_row(field)
    item = QTreeWidgetItem(values)
    where = group_title(verdict)
    for column, value in enumerate(values):
        # The whole value first: a narrow column elides it. Escaped: shown as written.
        item.setToolTip(column, f"<p>{html.escape(value)}</p><p>{html.escape(where)}<br>{HINT}</p>")
    return item


class GroupHeading(QFrame):
    """Vendor and header above the summary sentence; clicking it selects the whole group."""

    activated = Signal(bool)  # whether to go to the Headers tab

    def __init__(self, verdict: VendorVerdict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vendorHeading")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"{group_title(verdict)}. {verdict.summary}")
        self.title = plain_label(group_title(verdict), wrap=True, selectable=False)
        self.title.setObjectName("vendorTitle")
        self.summary = plain_label(verdict.summary, wrap=True, selectable=False)
        self.summary.setObjectName("vendorSummary")
        font = self.summary.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.summary.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(1)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(False)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.activated.emit(True)
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(event.key() != Qt.Key.Key_Space)
            return
        super().keyPressEvent(event)


class VendorGroup(QFrame):
    """One verdict: its heading and summary, then the table of its fields."""

    picked = Signal(object, bool)  # self, whether to go to the Headers tab

    def __init__(self, verdict: VendorVerdict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict = verdict
        self.setObjectName("vendorGroup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = GroupHeading(verdict)
        self.table = FieldsTable(verdict)
        self.heading.activated.connect(self._on_heading)
        self.table.itemClicked.connect(lambda item, _c: self._on_row(item, reveal=False))
        self.table.itemActivated.connect(lambda item, _c: self._on_row(item, reveal=True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 6)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.table)
        self.set_selected(False)

    def set_selected(self, selected: bool) -> None:
        """The heading shows the group is selected; the table shows which row."""
        border = "2px solid palette(highlight)" if selected else "2px solid transparent"
        self.heading.setStyleSheet(
            f"QFrame#vendorHeading {{ border: {border}; border-radius: 4px; }}"
        )
        if not selected:
            self.table.clearSelection()

    def _on_heading(self, reveal: bool) -> None:
        self.table.clearSelection()
        self.picked.emit(self, reveal)

    def _on_row(self, item: QTreeWidgetItem, *, reveal: bool) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsSelectable:
            self.picked.emit(self, reveal)


class VerdictsPanel(QWidget):
    """Every decoded vendor verdict, the combined one first."""

    headersActivated = Signal(object, bool)  # list[int] header indices, go to Headers tab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strip = VendorStrip()
        self.empty = plain_label(EMPTY, wrap=True)
        self.empty.setObjectName("vendorsEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._vendors: tuple[VendorVerdict, ...] = ()
        self._groups: list[VendorGroup] = []
        self._page = QWidget()
        self._page_layout = QVBoxLayout(self._page)
        self._page_layout.setContentsMargins(0, 0, 4, 0)
        self._page_layout.setSpacing(8)
        self.area = QScrollArea()
        self.area.setObjectName("vendorsScroll")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setWidget(self._page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.area, 1)
        self.set_report(None)

    def set_report(self, report: Report | None) -> None:
        self.strip.set_vendors(() if report is None else report.vendors)
        self.set_details(report)

    def set_details(self, report: Report | None) -> None:
        """The panel's own content without the strip (a message tab fills it when shown)."""
        self._vendors = () if report is None else report.vendors
        self._clear()
        for verdict in ordered(self._vendors):
            group = VendorGroup(verdict)
            group.picked.connect(self._on_picked)
            self._groups.append(group)
            self._page_layout.addWidget(group)
        self._page_layout.addStretch(1)
        self.empty.setVisible(not self._vendors)
        self.area.setVisible(bool(self._vendors))

    def _clear(self) -> None:
        self._groups = []
        while (item := self._page_layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()

    # --- reading and selecting ------------------------------------------------------------

    def groups(self) -> list[VendorGroup]:
        """The groups in display order."""
        return list(self._groups)

    def select_group(self, row: int, *, reveal: bool = False) -> None:
        """Select the `row`-th group as a whole (the strip was clicked)."""
        if 0 <= row < len(self._groups):
            group = self._groups[row]
            self.area.ensureWidgetVisible(group.heading)
            group.heading.setFocus()
            self._on_picked(group, reveal)

    def _on_picked(self, group: VendorGroup, reveal: bool) -> None:
        for other in self._groups:
            other.set_selected(other is group)
        self.headersActivated.emit(header_indices(group.verdict, self._vendors), reveal)
