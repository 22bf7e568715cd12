"""The queue's rows as a Qt table model, and the filter/sort proxy over it.

The model keeps the compact `QueueRow`s in arrival order (never Reports), the analyst's
marks from the `MarkStore`, and each row's campaign once the feeder has grouped them.
Sorting uses `SORT_ROLE` (numbers for counts and times, ranks for the assessment), so
"worst first" is one click.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from mailview.core.campaigns import Campaign, Grouping
from mailview.core.verdict import Assessment
from mailview.gui.queue.marks import MarkStore
from mailview.present.triage import QueueRow

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the QueueRow itself
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = (
    "Mark",
    "Assessment",
    "Arrived (UTC)",
    "Sender",
    "Subject",
    "Origin",
    "SPF",
    "DKIM",
    "DMARC",
    "Service",
    "Campaign",
    "H / M / L",
)
(
    MARK,
    ASSESSMENT,
    ARRIVED,
    SENDER,
    SUBJECT,
    ORIGIN,
    SPF,
    DKIM,
    DMARC,
    SERVICE,
    CAMPAIGN,
    FINDINGS,
) = range(len(COLUMNS))
# Worst first: the order an analyst works the queue in.
ASSESSMENT_RANK = {
    Assessment.LIKELY_MALICIOUS.value: 0,
    Assessment.SUSPICIOUS.value: 1,
    Assessment.UNWANTED.value: 2,
    Assessment.INSUFFICIENT_DATA.value: 3,
    Assessment.NO_CONCERNS.value: 4,
    "": 5,
}
ASSESSMENT_COLOURS = {
    Assessment.LIKELY_MALICIOUS.value: "#c62828",
    Assessment.SUSPICIOUS.value: "#ef6c00",
    Assessment.UNWANTED.value: "#8d6e63",
    Assessment.NO_CONCERNS.value: "#2e7d32",
}
MARK_WORDS = {"malicious": "⚑ malicious", "benign": "✓ benign", "unsure": "? unsure"}
_RESULT_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "softfail": "#ef6c00"}


def campaign_colour(campaign_id: str) -> QColor:
    """A steady colour per campaign: the same id is the same hue in every session."""
    hue = int(hashlib.sha256(campaign_id.encode()).hexdigest()[:4], 16) % 360
    return QColor.fromHsl(hue, 150, 140)


class QueueModel(QAbstractTableModel):
    def __init__(self, marks: MarkStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.marks = marks
        self.rows: list[QueueRow] = []
        self.campaign_of: list[str | None] = []
        self.campaigns: dict[str, Campaign] = {}

    # --- filling ------------------------------------------------------------------------

    def add_rows(self, rows: list[QueueRow]) -> None:
        if not rows:
            return
        start = len(self.rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self.rows += rows
        self.campaign_of += [None] * len(rows)
        self.endInsertRows()

    def set_grouping(self, grouping: Grouping) -> None:
        count = min(len(grouping.assignment), len(self.rows))
        self.campaign_of[:count] = grouping.assignment[:count]
        self.campaigns = grouping.by_id()
        if self.rows:
            self.dataChanged.emit(self.index(0, CAMPAIGN), self.index(len(self.rows) - 1, CAMPAIGN))

    def set_mark(self, row: int, mark: str | None = None, note: str | None = None) -> None:
        self.marks.set(self.rows[row].sha256, mark, note)
        self.dataChanged.emit(self.index(row, MARK), self.index(row, MARK))

    def campaign(self, row: int) -> Campaign | None:
        ident = self.campaign_of[row]
        return None if ident is None else self.campaigns.get(ident)

    # --- Qt model -----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), row, column)
        if role == SORT_ROLE:
            return self._sort_key(index.row(), row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == CAMPAIGN:
            ident = self.campaign_of[index.row()]
            return None if ident is None else campaign_colour(ident)
        return None

    def _text(self, position: int, row: QueueRow, column: int) -> str:
        if column == MARK:
            mark, note = self.marks.get(row.sha256)
            return MARK_WORDS.get(mark, "") + (" ✎" if note else "")
        if column == CAMPAIGN:
            campaign = self.campaign(position)
            return "" if campaign is None else f"{campaign.id} ({campaign.size})"
        if column == FINDINGS:
            high, medium, low, _ = row.counts
            return f"{high} / {medium} / {low}"
        return _PLAIN[column](row)

    def _sort_key(self, position: int, row: QueueRow, column: int) -> Any:
        if column == ASSESSMENT:
            return ASSESSMENT_RANK.get(row.assessment, 5)
        if column == ARRIVED:
            return row.arrived if row.arrived is not None else 0.0
        if column == FINDINGS:
            return row.counts[0] * 1_000_000 + row.counts[1] * 1000 + row.counts[2]
        if column == CAMPAIGN:
            campaign = self.campaign(position)
            return "" if campaign is None else f"{100000 - campaign.size:06d}{campaign.id}"
        return self._text(position, row, column).lower()

    def _tooltip(self, position: int, row: QueueRow, column: int) -> str | None:
        if column == CAMPAIGN and (campaign := self.campaign(position)) is not None:
            return campaign.explanation
        if column == ASSESSMENT:
            return row.error or row.sentence or None
        if column == MARK:
            return self.marks.get(row.sha256)[1] or None
        if column == FINDINGS:
            return f"Findings by severity: high / medium / low (info: {row.counts[3]})"
        text = self._text(position, row, column)
        return text or None

    def _foreground(self, row: QueueRow, column: int) -> QBrush | None:
        colour = None
        if column == ASSESSMENT:
            colour = ASSESSMENT_COLOURS.get(row.assessment)
        elif column in (SPF, DKIM, DMARC):
            colour = _RESULT_COLOURS.get(_PLAIN[column](row))
        return None if colour is None else QBrush(QColor(colour))


_PLAIN: dict[int, Callable[[QueueRow], str]] = {
    ASSESSMENT: lambda r: r.assessment_text,
    ARRIVED: lambda r: r.arrived_text,
    SENDER: lambda r: r.sender,
    SUBJECT: lambda r: r.subject or r.error or "",
    ORIGIN: lambda r: r.origin_text,
    SPF: lambda r: r.spf,
    DKIM: lambda r: "no key" if r.dkim == "unverifiable" else r.dkim,
    DMARC: lambda r: r.dmarc,
    SERVICE: lambda r: r.service,
}


class QueueFilter(QSortFilterProxyModel):
    """Free text over sender, subject, origin and campaign; quick filters by assessment,
    campaign and mark."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.assessment = ""  # Assessment value, "" for any
        self.campaign = ""  # campaign id, "*" for any campaign, "" for all rows
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)  # rows arriving must not reshuffle under the cursor

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.strip().lower()
        self.endFilterChange()

    def set_assessment(self, value: str) -> None:
        self.beginFilterChange()
        self.assessment = value
        self.endFilterChange()

    def set_campaign(self, value: str) -> None:
        self.beginFilterChange()
        self.campaign = value
        self.endFilterChange()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        assert isinstance(model, QueueModel)
        row = model.rows[source_row]
        if self.assessment and row.assessment != self.assessment:
            return False
        ident = model.campaign_of[source_row]
        if self.campaign == "*" and ident is None:
            return False
        if self.campaign not in ("", "*") and ident != self.campaign:
            return False
        if not self.text:
            return True
        haystack = " ".join(
            (
                row.sender,
                row.subject,
                row.origin_text,
                row.service,
                row.label,
                ident or "",
                row.assessment_text,
                model.marks.get(row.sha256)[0],
            )
        ).lower()
        return self.text in haystack
