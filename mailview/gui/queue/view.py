"""The queue tab: a filter bar, the table of messages, and the selected row's campaign.

Keys on the table: Up/Down move, Enter opens the message as a tab of its own, M/B/U mark
it malicious/benign/unsure (the same key again clears it), N writes a note. The tab
asks the window to open a message by emitting `openRequested(label, sha256)`; reading
the message bytes again is the window's (worker's) business, so the queue keeps no
report in memory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mailview.core.campaigns import Grouping
from mailview.core.verdict import WORDS, Assessment
from mailview.export.queue_csv import write_queue_csv
from mailview.gui.queue.feeder import QueueFeeder, Setup
from mailview.gui.queue.marks import MarkStore
from mailview.gui.queue.model import (
    ARRIVED,
    ASSESSMENT,
    CAMPAIGN,
    DKIM,
    DMARC,
    FINDINGS,
    MARK,
    ORIGIN,
    ROW_ROLE,
    SENDER,
    SERVICE,
    SPF,
    SUBJECT,
    QueueFilter,
    QueueModel,
    campaign_colour,
)
from mailview.present.triage import QueueRow

MARK_KEYS = {Qt.Key.Key_M: "malicious", Qt.Key.Key_B: "benign", Qt.Key.Key_U: "unsure"}
_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_WIDTHS = {
    MARK: 92,
    ASSESSMENT: 135,
    ARRIVED: 128,
    SENDER: 150,
    SUBJECT: 170,
    ORIGIN: 130,
    SPF: 48,
    DKIM: 54,
    DMARC: 54,
    SERVICE: 90,
    CAMPAIGN: 130,
    FINDINGS: 70,
}


class QueueTable(QTableView):
    """The table; Enter and the mark keys act on the current row."""

    activatedRow = Signal(int)  # source row
    markRequested = Signal(int, str)  # source row, mark
    noteRequested = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        source = self._current_source_row()
        if source is not None and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            if key in _OPEN_KEYS:
                self.activatedRow.emit(source)
                return
            if key in MARK_KEYS:
                self.markRequested.emit(source, MARK_KEYS[key])
                return
            if key == Qt.Key.Key_N:
                self.noteRequested.emit(source)
                return
        super().keyPressEvent(event)

    def _current_source_row(self) -> int | None:
        index = self.currentIndex()
        proxy = self.model()
        if not index.isValid() or not isinstance(proxy, QueueFilter):
            return None
        return proxy.mapToSource(index).row()


class QueueTab(QWidget):
    openRequested = Signal(str, str)  # label ("box.mbox#3" or a path), sha256

    def __init__(
        self,
        paths: Sequence[str],
        marks: MarkStore,
        jobs: int | None = None,
        parent: QWidget | None = None,
        setup: Setup | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("queueTab")
        self.paths = list(paths)
        self.model = QueueModel(marks, self)
        self.proxy = QueueFilter(self)
        self.proxy.setSourceModel(self.model)
        self.total = 0
        self.done = False
        bar = self._build_bar()
        self.table = self._build_table()
        self.detail = QLabel("Analysing…")
        self.detail.setObjectName("queueDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = QLabel("Enter opens · M malicious · B benign · U unsure · N note")
        hint.setObjectName("queueHint")
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.detail, 1)
        foot.addWidget(hint)
        layout.addLayout(foot)

        self.feeder = QueueFeeder(self.paths, jobs, self, setup)
        self.feeder.rowsReady.connect(self._on_rows)
        self.feeder.totalKnown.connect(self._on_total)
        self.feeder.campaignsReady.connect(self._on_campaigns)
        self.feeder.finished.connect(self._on_finished)
        self.feeder.failed.connect(self._on_failed)
        self.problem: str | None = None

    def _build_bar(self) -> QHBoxLayout:
        self.filter_box = QLineEdit()
        self.filter_box.setObjectName("queueFilter")
        self.filter_box.setPlaceholderText("Filter: sender, subject, origin, campaign…")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self.proxy.set_text)
        self.assessment_box = QComboBox()
        self.assessment_box.setObjectName("queueAssessment")
        self.assessment_box.addItem("All assessments", "")
        for value in Assessment:
            self.assessment_box.addItem(WORDS[value], value.value)
        self.assessment_box.currentIndexChanged.connect(
            lambda: self.proxy.set_assessment(self.assessment_box.currentData())
        )
        self.campaign_box = QComboBox()
        self.campaign_box.setObjectName("queueCampaign")
        self.campaign_box.addItem("All messages", "")
        # Sized once: measuring every campaign's text as hundreds arrive would stall.
        self.campaign_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.campaign_box.setMinimumContentsLength(26)
        self.campaign_box.currentIndexChanged.connect(
            lambda: self.proxy.set_campaign(self.campaign_box.currentData() or "")
        )
        self.progress = QProgressBar()
        self.progress.setObjectName("queueProgress")
        self.progress.setFormat("%v of %m")
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("queueCancel")
        self.cancel_button.clicked.connect(self.cancel)

        bar = QHBoxLayout()
        bar.addWidget(self.filter_box, 3)
        bar.addWidget(self.assessment_box)
        bar.addWidget(self.campaign_box, 1)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("queueExport")
        self.export_button.setToolTip("The queue with campaigns, marks and notes; links defanged")
        self.export_button.clicked.connect(self.ask_export)
        bar.addWidget(self.export_button)
        return bar

    def _build_table(self) -> QueueTable:
        table = QueueTable()
        table.setObjectName("queueTable")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # arrival order until asked
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(24)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in _WIDTHS.items():
            table.setColumnWidth(column, width)
        table.activatedRow.connect(self.open_row)
        table.doubleClicked.connect(lambda i: self.open_row(self.proxy.mapToSource(i).row()))
        table.markRequested.connect(self.toggle_mark)
        table.noteRequested.connect(self.ask_note)
        table.selectionModel().currentRowChanged.connect(self._show_detail)
        return table

    @property
    def title(self) -> str:
        return _title(self.paths)

    def start(self) -> None:
        self.feeder.start()

    def cancel(self) -> None:
        self.feeder.cancel()
        self.cancel_button.setEnabled(False)

    def row_count(self) -> int:
        return self.model.rowCount()

    # --- rows arriving ------------------------------------------------------------------

    def _on_total(self, total: int) -> None:
        self.total = total
        self.progress.setMaximum(max(total, 1))

    def _on_rows(self, rows: list[QueueRow]) -> None:
        first = self.model.rowCount() == 0
        self.model.add_rows(rows)
        count = self.model.rowCount()
        if count > self.progress.maximum():
            self.progress.setMaximum(count)
        self.progress.setValue(count)
        if first:
            self.table.selectRow(0)
            self.table.setFocus()  # Up/Down and the mark keys work at once
        self._show_detail()

    def _on_campaigns(self, grouping: Grouping) -> None:
        self.model.set_grouping(grouping)
        current = self.campaign_box.currentData()
        self.campaign_box.blockSignals(True)
        self.campaign_box.clear()
        self.campaign_box.addItem("All messages", "")
        self.campaign_box.addItem(f"In any campaign ({len(grouping.campaigns)})", "*")
        for campaign in grouping.campaigns:
            self.campaign_box.addItem(f"{campaign.id} · {campaign.size} messages", campaign.id)
            last = self.campaign_box.count() - 1
            self.campaign_box.setItemData(last, campaign.explanation, Qt.ItemDataRole.ToolTipRole)
            self.campaign_box.setItemData(
                last, campaign_colour(campaign.id), Qt.ItemDataRole.DecorationRole
            )
        found = self.campaign_box.findData(current)
        self.campaign_box.setCurrentIndex(max(found, 0))
        self.campaign_box.blockSignals(False)
        self._show_detail()

    def _on_finished(self, cancelled: bool) -> None:
        self.done = True
        self.cancel_button.setEnabled(False)
        self.progress.setMaximum(max(self.model.rowCount(), 1))
        self.progress.setValue(self.model.rowCount())
        if cancelled:
            self.progress.setFormat("%v (cancelled)")
        self._show_detail()

    def _on_failed(self, sentence: str) -> None:
        self.problem = sentence
        self._show_detail()

    def _show_detail(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.detail.setText(self._status())
            return
        source = self.proxy.mapToSource(index).row()
        row = self.model.rows[source]
        campaign = self.model.campaign(source)
        parts = [row.error or row.sentence or row.assessment_text]
        if campaign is not None:
            parts.append(f"Campaign {campaign.id}: {campaign.explanation}")
        _, note = self.model.marks.get(row.sha256)
        if note:
            parts.append(f"Note: {note}")
        if self.problem:
            parts.append(self.problem)
        self.detail.setText("\n".join(p for p in parts if p))

    def _status(self) -> str:
        if self.problem:
            return self.problem
        count = self.model.rowCount()
        if not self.done:
            return f"Analysing… {count:,} messages so far"
        return f"{count:,} messages, {len(self.model.campaigns):,} campaigns"

    # --- acting on a row ----------------------------------------------------------------

    def open_row(self, source_row: int) -> None:
        row = self.model.rows[source_row]
        self.openRequested.emit(row.label, row.sha256)

    def toggle_mark(self, source_row: int, mark: str) -> None:
        current, _ = self.model.marks.get(self.model.rows[source_row].sha256)
        self.model.set_mark(source_row, "" if current == mark else mark)
        self._show_detail()

    def ask_note(self, source_row: int) -> None:
        row = self.model.rows[source_row]
        _, note = self.model.marks.get(row.sha256)
        text, ok = QInputDialog.getMultiLineText(self, "Note", f"Note on “{row.subject}”:", note)
        if ok:
            self.model.set_mark(source_row, note=text.strip())
            self._show_detail()

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the queue", "queue.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> str | None:
        """Write the rows shown (filtered, in their order) as CSV; the problem in words, or
        None. Never over one of the queue's inputs; atomic, so a failure leaves no half file."""
        target = os.path.abspath(path)
        problem: str | None
        if any(target == p or target.startswith(p.rstrip(os.sep) + os.sep) for p in self.paths):
            problem = (
                "The CSV would be written over or inside the queue's input: pick another place."
            )
        else:
            problem = self._write_csv(target)
        self.detail.setText(problem or f"Wrote {target}")
        return problem

    def _write_csv(self, target: str) -> str | None:
        rows = []
        for r in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            rows.append((self.model.rows[source], self.model.campaign_of[source]))
        marks = self.model.marks.all()
        folder = os.path.dirname(target) or "."
        try:
            handle, temporary = tempfile.mkstemp(prefix=".queue-", suffix=".csv", dir=folder)
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                write_queue_csv(rows, self.model.campaigns, out, marks=marks)
            os.replace(temporary, target)
        except OSError as err:
            return f"The CSV could not be written: {(err.strerror or str(err)).lower()}."
        return None

    def select_source_row(self, source_row: int) -> None:
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        self.table.setCurrentIndex(index)

    def visible_rows(self) -> list[QueueRow]:
        return [
            self.proxy.index(r, 0).data(ROW_ROLE) for r in range(self.proxy.rowCount(QModelIndex()))
        ]


def _title(paths: Sequence[str]) -> str:
    if len(paths) == 1:
        return os.path.basename(os.path.normpath(paths[0])) or paths[0]
    return f"{len(paths)} files"
