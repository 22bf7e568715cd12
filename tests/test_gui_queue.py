"""The triage queue driven with real events: it fills, filters, sorts, marks and opens rows."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mailview.core.verdict import Assessment
from mailview.gui.message_tab import READY, MessageTab
from mailview.gui.queue.marks import FILE_NAME, MarkStore
from mailview.gui.queue.model import ASSESSMENT, ASSESSMENT_RANK, CAMPAIGN, MARK, SUBJECT
from mailview.gui.queue.view import QueueTab
from mailview.gui.window import MainWindow
from tests.campaign_families import lure_bases, resend
from tests.corpus import corpus_files
from tests.gui_window_helpers import OFFSCREEN_NOISE, drop, file_mime, make_window

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)]
ENVELOPE = b"From sender@example.org Mon Jan  1 10:00:00 2024\n"


def corpus_folder(tmp_path: Path, count: int) -> Path:
    files = [p for p in corpus_files() if "bounces" not in p.parts][:count]
    if len(files) < count:
        pytest.skip("the corpus is absent")
    folder = tmp_path / "reports"
    folder.mkdir()
    for n, path in enumerate(files):
        shutil.copy(path, folder / f"{n:03d}-{path.name}")
    return folder


def synthetic_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    subjects = ["Quarterly numbers", "Lunch on Friday", "Verify your mailbox now", "Invoice"]
    for n, subject in enumerate(subjects):
        (folder / f"{n}.eml").write_bytes(
            f"From: Sender {n} <s{n}@example{n}.org>\nTo: me@example.net\n"
            f"Subject: {subject}\nDate: Mon, {n + 1} Jun 2025 10:00:00 +0000\n\nbody {n}\n".encode()
        )
    return folder


def open_queue(qtbot: QtBot, window: MainWindow, paths: list[Path], jobs: int = 0) -> QueueTab:
    window.queue_jobs = jobs
    window.open_paths([str(p) for p in paths])
    queue = window.tabs.currentWidget()
    assert isinstance(queue, QueueTab)
    qtbot.waitUntil(lambda: queue.done, timeout=60000)
    return queue


def test_a_folder_of_fifty_messages_fills_a_queue_of_fifty_rows(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = corpus_folder(tmp_path, 50)
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [folder], jobs=2)  # the real process pool
    assert queue.row_count() == 50
    assert window.tab_count() == 1 and window.tabs.tabText(0) == "Queue: reports"
    assert queue.progress.value() == 50
    labels = {Path(row.label).name for row in queue.model.rows}
    assert labels == {p.name for p in folder.iterdir()}
    assert all(row.assessment or row.error for row in queue.model.rows)


def test_an_mbox_of_several_messages_opens_a_queue(qtbot: QtBot, tmp_path: Path) -> None:
    box = tmp_path / "box.mbox"
    box.write_bytes(
        b"".join(ENVELOPE + f"From: a@x.org\nSubject: n{n}\n\nb\n\n".encode() for n in range(3))
    )
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [box])
    assert [row.subject for row in queue.model.rows] == ["n0", "n1", "n2"]


def test_the_filter_box_and_quick_filters_narrow_the_rows(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [synthetic_folder(tmp_path)])
    QTest.keyClicks(queue.filter_box, "mailbox")
    assert [r.subject for r in queue.visible_rows()] == ["Verify your mailbox now"]
    queue.filter_box.clear()
    assert len(queue.visible_rows()) == 4
    wanted = queue.model.rows[0].assessment
    queue.assessment_box.setCurrentIndex(queue.assessment_box.findData(wanted))
    shown = queue.visible_rows()
    assert shown and all(r.assessment == wanted for r in shown)
    other = next(a.value for a in Assessment if a.value != wanted)
    queue.assessment_box.setCurrentIndex(queue.assessment_box.findData(other))
    assert all(r.assessment == other for r in queue.visible_rows())


def test_a_header_click_sorts_the_rows(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [synthetic_folder(tmp_path)])
    header = queue.table.horizontalHeader()
    x = header.sectionViewportPosition(SUBJECT) + header.sectionSize(SUBJECT) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    subjects = [r.subject for r in queue.visible_rows()]
    assert subjects == sorted(subjects, key=str.lower)
    x = header.sectionViewportPosition(ASSESSMENT) + header.sectionSize(ASSESSMENT) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    ranks = [ASSESSMENT_RANK[r.assessment] for r in queue.visible_rows()]
    assert ranks == sorted(ranks)


def test_marks_are_kept_beside_the_settings_and_survive_reopening(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = synthetic_folder(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [folder])
    queue.table.setFocus()
    queue.select_source_row(2)
    QTest.keyClick(queue.table, Qt.Key.Key_M)
    QTest.keyClick(queue.table, Qt.Key.Key_Down)
    QTest.keyClick(queue.table, Qt.Key.Key_B)
    marked = {queue.model.rows[2].sha256: "malicious", queue.model.rows[3].sha256: "benign"}
    assert queue.model.index(2, MARK).data().endswith("malicious")
    window.close_tab(0)
    sidecar = tmp_path / "config" / FILE_NAME
    saved = json.loads(sidecar.read_text())
    assert {sha: entry["mark"] for sha, entry in saved.items()} == marked
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # input untouched
    again = open_queue(qtbot, window, [folder])
    shown = {r.sha256: again.model.index(n, MARK).data() for n, r in enumerate(again.model.rows)}
    for sha, mark in marked.items():
        assert shown[sha].endswith(mark)
    sha = hashlib.sha256(before["2.eml"]).hexdigest()
    assert MarkStore(sidecar).get(sha) == ("malicious", "")


def test_the_same_mark_key_again_clears_the_mark(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [synthetic_folder(tmp_path)])
    queue.select_source_row(0)
    QTest.keyClick(queue.table, Qt.Key.Key_U)
    assert queue.model.index(0, MARK).data().endswith("unsure")
    QTest.keyClick(queue.table, Qt.Key.Key_U)
    assert queue.model.index(0, MARK).data() == ""


def test_enter_opens_the_row_as_a_message_tab(qtbot: QtBot, tmp_path: Path) -> None:
    box = tmp_path / "box.mbox"
    box.write_bytes(
        b"".join(ENVELOPE + f"From: a@x.org\nSubject: n{n}\n\nb\n\n".encode() for n in range(3))
    )
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [box])
    queue.table.setFocus()
    queue.select_source_row(0)
    QTest.keyClick(queue.table, Qt.Key.Key_Down)
    QTest.keyClick(queue.table, Qt.Key.Key_Return)
    assert window.tab_count() == 2
    tab = window.tabs.currentWidget()
    assert isinstance(tab, MessageTab)
    qtbot.waitUntil(lambda: tab.state == READY, timeout=5000)
    assert tab.report is not None and tab.report.message.subject == "n1"


def test_campaigns_show_as_a_column_with_their_size(qtbot: QtBot, tmp_path: Path) -> None:
    bases = lure_bases(2)
    if len(bases) < 2:
        pytest.skip("the corpus is absent")
    folder = tmp_path / "runs"
    folder.mkdir()
    for b, base in enumerate(bases):
        for n in range(3):
            (folder / f"{b}-{n}.eml").write_bytes(resend(base.read_bytes(), n + 10 * b))
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [folder])
    texts = {queue.model.index(n, CAMPAIGN).data() for n in range(6)}
    assert len(texts) == 2 and all(t.endswith("(3)") for t in texts)
    assert queue.model.index(0, CAMPAIGN).data(Qt.ItemDataRole.DecorationRole) is not None
    queue.campaign_box.setCurrentIndex(2)  # after "All messages" and "In any campaign"
    assert len(queue.visible_rows()) == 3


def test_a_single_message_still_opens_as_a_tab(qtbot: QtBot, tmp_path: Path) -> None:
    one = synthetic_folder(tmp_path) / "0.eml"
    window = make_window(qtbot, tmp_path)
    assert drop(window, file_mime(one))
    qtbot.waitUntil(lambda: window.tab_count() == 1)
    assert isinstance(window.tabs.widget(0), MessageTab)


def test_cancel_stops_filling(qtbot: QtBot, tmp_path: Path) -> None:
    box = tmp_path / "big.mbox"
    box.write_bytes(
        b"".join(ENVELOPE + f"From: a@x.org\nSubject: n{n}\n\nb\n\n".encode() for n in range(400))
    )
    window = make_window(qtbot, tmp_path)
    window.queue_jobs = 0
    window.open_paths([str(box)])
    queue = window.tabs.currentWidget()
    assert isinstance(queue, QueueTab)
    QTest.mouseClick(queue.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: queue.done, timeout=20000)
    assert queue.row_count() < 400
    assert "cancelled" in queue.progress.format()


def test_the_queue_exports_the_rows_shown_with_marks(qtbot: QtBot, tmp_path: Path) -> None:
    folder = synthetic_folder(tmp_path)
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [folder])
    queue.select_source_row(1)
    QTest.keyClick(queue.table, Qt.Key.Key_M)
    QTest.keyClicks(queue.filter_box, "friday")
    out = tmp_path / "queue.csv"
    assert queue.export_csv(str(out)) is None
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["subject"], r["mark"]) for r in rows] == [("Lunch on Friday", "malicious")]
    assert queue.export_csv(str(folder / "inside.csv")) is not None  # never into the input
    assert not (folder / "inside.csv").exists()


@pytest.mark.parametrize("jobs", [0, 1])
def test_rows_name_the_origin_network_owner_from_the_apps_geo_data(
    qtbot: QtBot, tmp_path: Path, jobs: int
) -> None:
    folder = tmp_path / "geo"
    folder.mkdir()
    for n in range(2):
        (folder / f"{n}.eml").write_bytes(
            b"Received: from mail.example.org (mail.example.org [8.8.8.8]) by mx.example.net"
            b" with ESMTP id 1; Mon, 2 Jun 2025 10:00:05 +0000\n"
            + f"From: s{n}@example.org\nTo: me@example.net\nSubject: hi {n}\n".encode()
            + b"Date: Mon, 2 Jun 2025 10:00:00 +0000\n\nbody\n"
        )
    window = make_window(qtbot, tmp_path)
    queue = open_queue(qtbot, window, [folder], jobs=jobs)  # in the thread and in a worker
    rows = queue.model.rows
    assert len(rows) == 2
    # The embedded network data names 8.8.8.8's owner: the workers analysed with geo on.
    assert all(row.owner and "AS15169" in row.owner for row in rows), [r.owner for r in rows]
    assert all("AS15169" in row.origin_text for row in rows)


def test_closing_a_queue_tab_while_it_fills_ends_its_feeder_quietly(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(200):
        (folder / f"{n}.eml").write_bytes(
            f"From: s{n}@example.org\nTo: me@example.net\nSubject: note {n}\n\nbody\n".encode()
        )
    window = make_window(qtbot, tmp_path)
    window.queue_jobs = 0  # the feeder's own thread does the work: it is busy when closed
    window.open_paths([str(folder)])
    queue = window.tabs.currentWidget()
    assert isinstance(queue, QueueTab)
    feeder = queue.feeder
    thread = feeder._thread
    window.close_tab(0)
    QTest.qWait(50)  # deleteLater runs: the feeder is gone while its thread still works
    assert thread is not None
    thread.join(30)
    # An emit on the deleted feeder raised in the thread before; pytest turns an
    # exception in a thread into a failure of this test.
    assert not thread.is_alive()
    assert window.tab_count() == 0
