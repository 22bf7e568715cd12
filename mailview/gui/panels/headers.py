"""Every header field in order: number, name, decoded value and raw value, with a filter.

The model keeps the report's order (it is evidence: the order of Received lines is the
route), so the proxy only filters, never sorts. Cells show one line; the full raw field
is in the tooltip, the hop details pane and the source view.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mailview.core.model import HeaderField
from mailview.core.summary import decode_words
from mailview.gui.panels import monospace_font

COLUMNS = ("#", "Name", "Value (decoded)", "Raw value")
COL_INDEX, COL_NAME, COL_DECODED, COL_RAW = range(4)
_CELL_LIMIT = 1000  # characters drawn in a cell; a 100 kB header would stall layout
_TOOLTIP_LIMIT = 3000

_AnyIndex = QModelIndex | QPersistentModelIndex


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _CELL_LIMIT else flat[: _CELL_LIMIT - 1] + "…"


class HeaderTableModel(QAbstractTableModel):
    """The header fields of one message, read-only."""

    def __init__(self, headers: tuple[HeaderField, ...] = ()) -> None:
        super().__init__()
        self._headers = headers
        # Decoded once, up front: data() is called for every repaint.
        self._decoded = [_one_line(decode_words(h.value)) for h in headers]
        self._raw = [_one_line(h.value) for h in headers]

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def header_at(self, row: int) -> HeaderField:
        return self._headers[row]

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        field = self._headers[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_INDEX:
                return str(field.index + 1)
            if column == COL_NAME:
                return field.name
            return self._decoded[row] if column == COL_DECODED else self._raw[row]
        if role == Qt.ItemDataRole.FontRole and column == COL_RAW:
            return monospace_font()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_INDEX:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_DECODED, COL_RAW):
            # Tooltips guess at rich text, so the message's text is escaped and wrapped.
            text = field.raw if column == COL_RAW else decode_words(field.value)
            if len(text) > _TOOLTIP_LIMIT:
                text = text[:_TOOLTIP_LIMIT] + "…"
            return f"<pre style='white-space: pre-wrap'>{html.escape(text)}</pre>"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None


class HeaderFilterProxy(QSortFilterProxyModel):
    """Keeps the rows whose name, decoded or raw value contains the filter text.

    Plain substring matching (case-folded), not a regular expression: analysts type
    addresses and host names, full of dots.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _AnyIndex) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        for column in (COL_NAME, COL_DECODED, COL_RAW):
            value = model.data(model.index(source_row, column, source_parent))
            if isinstance(value, str) and self._needle in value.casefold():
                return True
        return False


class HeadersPanel(QWidget):
    """The headers table with its filter box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HeaderTableModel()
        self.proxy = HeaderFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QLineEdit()
        self.filter.setObjectName("headerFilter")
        self.filter.setPlaceholderText("Filter headers by name or value")
        self.filter.setAccessibleName("Filter headers")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAcceptDrops(False)  # a dropped file opens a tab, not a filter
        self.filter.textChanged.connect(self._on_filter)
        self.count = QLabel()
        self.count.setTextFormat(Qt.TextFormat.PlainText)

        self.table = QTableView()
        self.table.setObjectName("headersTable")
        self.table.setAccessibleName("Header fields")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        # The number column is as wide as its widest number, set in set_headers: Qt's
        # ResizeToContents would ask the model for every row's cell on each layout.
        header.setSectionResizeMode(COL_INDEX, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_DECODED, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(COL_NAME, 190)
        header.resizeSection(COL_DECODED, 380)
        self._fit_number_column()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._update_count()

    def set_headers(self, headers: tuple[HeaderField, ...]) -> None:
        self.model = HeaderTableModel(headers)
        self.proxy.setSourceModel(self.model)
        self._fit_number_column()
        self._update_count()

    def _fit_number_column(self) -> None:
        """Size the number column as ResizeToContents would: the delegate's width for the
        longest number (digits are equally wide), a pixel of grid, and at least the
        header's own label."""
        header = self.table.horizontalHeader()
        width = header.sectionSizeHint(COL_INDEX)
        rows = self.model.rowCount()
        if rows:
            longest = max(range(rows), key=lambda row: len(str(self.model.header_at(row).index)))
            option = QStyleOptionViewItem()
            self.table.initViewItemOption(option)
            index = self.model.index(longest, COL_INDEX)
            cell = self.table.itemDelegate().sizeHint(option, index).width()
            width = max(width, cell + (1 if self.table.showGrid() else 0))
        header.resizeSection(COL_INDEX, width)

    def visible_header_indices(self) -> list[int]:
        """Header indices (0-based) of the rows the filter lets through, in order."""
        rows = (
            self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            for r in range(self.proxy.rowCount())
        )
        return [self.model.header_at(row).index for row in rows]

    def selected_header_indices(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows()
        source_rows = sorted(self.proxy.mapToSource(index).row() for index in rows)
        return [self.model.header_at(row).index for row in source_rows]

    def select_header_indices(self, indices: Iterable[int]) -> None:
        """Select the rows of these header fields and scroll to the first.

        When the filter hides one of them, the filter is cleared: evidence the user
        asked to see must not stay invisible.
        """
        wanted = set(indices)
        rows = [
            row for row in range(self.model.rowCount()) if self.model.header_at(row).index in wanted
        ]
        if any(not self.proxy.mapFromSource(self.model.index(row, 0)).isValid() for row in rows):
            self.filter.clear()
        selection = QItemSelection()
        for row in rows:
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
            selection.select(proxy_index, proxy_index)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection_model = self.table.selectionModel()
        selection_model.select(selection, flags)
        if rows:
            first = self.proxy.mapFromSource(self.model.index(rows[0], 0))
            selection_model.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _on_filter(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        noun = "field" if total == 1 else "fields"
        self.count.setText(f"{total} {noun}" if shown == total else f"{shown} of {total} {noun}")
