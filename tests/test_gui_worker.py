"""The worker: analysis off the GUI thread, results on it, stale results dropped."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QUrl
from pytestqt.qtbot import QtBot

from mailview.core.errors import InputError
from mailview.gui import worker as worker_module
from mailview.gui.inputs import (
    BytesSource,
    PathSource,
    Source,
    TextSource,
    can_accept,
    sources_from_mime,
)
from mailview.gui.message_tab import READY
from mailview.gui.worker import Analysis, Worker, analyze_source
from tests.gui_window_helpers import (
    OFFSCREEN_NOISE,
    PASTED_HEADERS,
    SAMPLE,
    SAMPLE_SUBJECT,
    drop,
    make_window,
)

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)]


def test_the_analysis_never_runs_on_the_gui_thread(qtbot: QtBot) -> None:
    threads: list[threading.Thread] = []
    delivered_on: list[threading.Thread] = []

    def recording(source: Source) -> Analysis:
        threads.append(threading.current_thread())
        return analyze_source(source)

    worker = Worker(analyze=recording)
    worker.succeeded.connect(lambda *_: delivered_on.append(threading.current_thread()))
    with qtbot.waitSignal(worker.succeeded, timeout=5000) as signal:
        job = worker.submit(PathSource(str(SAMPLE)))
    assert signal.args is not None and signal.args[0] == job
    assert threads and threads[0] is not threading.main_thread()
    # Listeners — a lambda included — are called on the GUI thread.
    assert delivered_on == [threading.main_thread()]
    assert worker.pending() == 0


def test_a_stale_result_is_discarded(qtbot: QtBot, tmp_path: Path) -> None:
    """Two jobs on one tab; the first finishes last and must not overwrite the second."""
    release_first = threading.Event()

    def slow_first(source: Source) -> Analysis:
        if isinstance(source, TextSource) and "first" in source.text:
            release_first.wait(5)
        return analyze_source(source)

    worker = Worker(analyze=slow_first)
    window = make_window(qtbot, tmp_path, worker)
    first = PASTED_HEADERS.replace("Pasted headers test", "first")
    second = PASTED_HEADERS.replace("Pasted headers test", "second")
    tab = window.open_source(TextSource(first))
    first_job = tab.job_id
    with qtbot.waitSignal(worker.succeeded, timeout=5000):
        window.analyze_into(tab, TextSource(second))
    qtbot.waitUntil(lambda: tab.state == READY)
    assert tab.summary.value("Subject") == "second"

    with qtbot.waitSignal(
        worker.succeeded, timeout=5000, check_params_cb=lambda job, _: job == first_job
    ):
        release_first.set()
    assert tab.summary.value("Subject") == "second"
    assert not tab.accept(first_job or 0, analyze_source(TextSource(first)))


def test_an_input_error_comes_back_as_its_sentence(qtbot: QtBot) -> None:
    worker = Worker()
    with qtbot.waitSignal(worker.failed, timeout=5000) as signal:
        worker.submit(TextSource("   "))
    assert signal.args is not None
    assert signal.args[1] == "The pasted text is empty, not an email message."


def test_a_bug_comes_back_as_a_message_not_a_traceback(qtbot: QtBot) -> None:
    def broken(source: Source) -> Analysis:
        raise ZeroDivisionError("division by zero")

    worker = Worker(analyze=broken)
    with qtbot.waitSignal(worker.failed, timeout=5000) as signal:
        worker.submit(TextSource("x"))
    assert signal.args is not None
    assert "internal error (ZeroDivisionError: division by zero)" in signal.args[1]


def test_a_huge_source_is_cut_short_for_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "SOURCE_VIEW_LIMIT", 200)
    data = SAMPLE.read_bytes()
    analysis = analyze_source(BytesSource(data))
    assert analysis.report.message.subject == SAMPLE_SUBJECT  # analysed in full
    assert len(analysis.source_text) <= 200
    assert analysis.source_note is not None and "first" in analysis.source_note


def test_invalid_utf8_is_shown_with_replacement_marks() -> None:
    data = SAMPLE.read_bytes().replace(b"John Doe", b"John \xff\xfe Doe", 1)
    analysis = analyze_source(BytesSource(data))
    assert "John \ufffd\ufffd Doe" in analysis.source_text
    assert analysis.source_note is None


def test_an_unreadable_path_raises_input_error() -> None:
    with pytest.raises(InputError, match="does not exist"):
        analyze_source(PathSource("/nonexistent/message.eml"))


# --- inputs: Qt's drag payloads become plain Python ----------------------------------


def test_local_file_urls_become_paths(qtbot: QtBot, tmp_path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.eml")), QUrl("https://example.com/x")])
    mime.setText("file:///ignored")
    assert can_accept(mime)
    assert sources_from_mime(mime) == [PathSource(str(tmp_path / "a.eml"))]


def test_remote_urls_alone_are_not_fetched(qtbot: QtBot) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/message.eml")])
    assert sources_from_mime(mime) == []


def test_a_drop_of_a_link_explains_itself(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/message.eml")])
    assert not drop(window, mime)
    assert window.tab_count() == 0
    assert "Links are not downloaded" in window.message_text()


@pytest.mark.parametrize("kind", ["message/rfc822", "application/octet-stream"])
def test_message_bytes_become_a_dropped_message(qtbot: QtBot, kind: str) -> None:
    mime = QMimeData()
    mime.setData(kind, b"Subject: hi\r\n\r\n")
    assert can_accept(mime)
    assert sources_from_mime(mime) == [BytesSource(b"Subject: hi\r\n\r\n", "dropped message")]


def test_text_becomes_a_text_source_and_blank_text_nothing(qtbot: QtBot) -> None:
    mime = QMimeData()
    mime.setText("Subject: hi\n")
    assert sources_from_mime(mime, "pasted headers") == [
        TextSource("Subject: hi\n", "pasted headers")
    ]
    blank = QMimeData()
    blank.setText("  \n")
    assert sources_from_mime(blank) == []
    assert not can_accept(QMimeData())
