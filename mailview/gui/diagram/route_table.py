"""The route as a compact table, one row per hand-over, for people who think in MHA's table.

Columns: hop, time (UTC), delay with a bar, from → by, IP, place, protocol/TLS, trusted or
claimed. The words come from the same shared rows the Markdown and HTML reports print, so
the table and a report never disagree. The delay bar is on a log scale: a 2-day re-send
and a 1-second hop are both visible.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from mailview.core.model import Report
from mailview.export.markdown import hop_rows

COLUMNS = ("#", "time (UTC)", "delay", "from → by", "IP", "place", "protocol / TLS", "written by")
DELAY_COLUMN = 2
SECONDS = Qt.ItemDataRole.UserRole + 1  # the delay in seconds, for the bar
_LOG_TOP = math.log10(7 * 86400 + 1)  # a week fills the bar


class _DelayBar(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        seconds = index.data(SECONDS)
        if isinstance(seconds, float) and seconds != 0:
            rect: QRect = option.rect.adjusted(2, 3, -2, -3)
            share = min(math.log10(abs(seconds) + 1) / _LOG_TOP, 1.0)
            bar = QRect(rect.x(), rect.y(), max(2, int(rect.width() * share)), rect.height())
            colour = QColor("#d1242f" if seconds < 0 else "#d4a72c" if seconds >= 60 else "#4ac26b")
            colour.setAlpha(90)
            painter.fillRect(bar, colour)
        super().paint(painter, option, index)


class RouteTable(QTableWidget):
    """Emits `hopActivated(index)` when a row is picked, like the diagram."""

    hopActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("routeTable")
        self.setAccessibleName("Route table")
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setItemDelegateForColumn(DELAY_COLUMN, _DelayBar(self))
        self.itemSelectionChanged.connect(self._picked)
        self._report: Report | None = None
        self._filled = True
        self._selected: int | None = None

    def set_report(self, report: Report | None) -> None:
        """Remember the route; the rows are built when the table is first shown (most
        analyses are read as a diagram, and a drop should not pay for both)."""
        self._report = report
        self._filled = False
        if self.isVisible():
            self._fill()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._filled:
            self._fill()

    def _fill(self) -> None:
        self._filled = True
        report = self._report
        self.blockSignals(True)
        self.setRowCount(0)
        if report is not None:
            rows = hop_rows(report)
            self.setRowCount(len(rows))
            for r, (row, hop) in enumerate(zip(rows, report.hops, strict=True)):
                by = f"{row.from_} → {row.by}"
                if row.boundary_before:
                    by = "▶ trust boundary · " + by
                ip = f"{row.ip} ({row.scope})" if row.ip and row.scope != "public" else row.ip
                values = (
                    str(row.index),
                    row.time,
                    row.delay,
                    by,
                    ip,
                    row.place,
                    row.protocol,
                    "receiver (trusted)" if row.trusted else "sender (claimed)",
                )
                for c, value in enumerate(values):
                    item = QTableWidgetItem(value)
                    item.setToolTip(hop.raw if c == 3 else value)
                    if c == DELAY_COLUMN and hop.delay_seconds is not None:
                        item.setData(SECONDS, float(hop.delay_seconds))
                    self.setItem(r, c, item)
        self.blockSignals(False)
        if self._selected is not None:
            self.select_hop(self._selected)

    def select_hop(self, index: int | None) -> None:
        self._selected = index
        if not self._filled:
            return  # applied when the rows are built
        self.blockSignals(True)
        self.clearSelection()
        if index is not None and 0 < index <= self.rowCount():
            self.selectRow(index - 1)
        self.blockSignals(False)

    def _picked(self) -> None:
        rows = {i.row() for i in self.selectedIndexes()}
        if len(rows) == 1:
            self.hopActivated.emit(rows.pop() + 1)
