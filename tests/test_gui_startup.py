"""Start-up: the window is on screen before the analysis core loads, then fills in; the
tab a drop opens is built ahead of need and shows that drop's message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot

from mailview.core.analyze import analyze_bytes
from mailview.gui.message_tab import PANES, READY, MessageTab
from mailview.gui.panels.headers import COL_INDEX, HeadersPanel
from mailview.gui.settings import Settings
from mailview.gui.window import PANE_TITLES, MainWindow
from tests.gui_window_helpers import OFFSCREEN_NOISE, SAMPLE, SAMPLE_SUBJECT, drop, file_mime

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)]


class PaintLog(QObject):
    """Records, for each paint of the watched widget, how many tabs the window had."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.tab_counts: list[int] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.tab_counts.append(self.window.tab_count())
        return False


def new_window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    window = MainWindow(Settings(tmp_path / "config" / "mailview.ini"))
    qtbot.addWidget(window)
    return window


def test_the_window_is_painted_opening_the_file_before_its_tab_exists(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = new_window(qtbot, tmp_path)
    paints = PaintLog(window)
    window.opening.installEventFilter(paints)
    window.start([str(SAMPLE)])
    assert window.isVisible()
    assert window.stack.currentWidget() is window.opening
    assert window.opening.text() == f"Opening {SAMPLE.name}…"
    assert window.tab_count() == 0  # nothing heavy happens before the first frame
    qtbot.waitUntil(lambda: window.tab_count() == 1 and window.tab(0).state == READY)
    assert paints.tab_counts and paints.tab_counts[0] == 0  # painted before the tab came
    tab = window.tab(0)
    assert window.stack.currentWidget() is window.tabs
    assert tab.summary.value("Subject") == SAMPLE_SUBJECT
    assert tab.diagram.hop_item_count() > 0


def test_a_start_without_files_shows_the_welcome_and_prepares_a_tab(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = new_window(qtbot, tmp_path)
    window.start([])
    assert window.stack.currentIndex() == 0  # the welcome page
    qtbot.waitUntil(lambda: window._spare is not None)
    spare = window._spare
    assert drop(window, file_mime(SAMPLE))
    tab = window.tab(0)
    assert tab is spare  # the drop did not wait for a tab to be built
    assert window.tabs.tabText(0) == SAMPLE.name
    qtbot.waitUntil(lambda: tab.state == READY)
    assert tab.path == str(SAMPLE)
    assert tab.summary.value("Subject") == SAMPLE_SUBJECT
    assert tab.diagram.hop_item_count() > 0
    qtbot.waitUntil(lambda: window._spare is not None and window._spare is not tab)


def test_each_drop_draws_its_own_message_in_a_prepared_tab(qtbot: QtBot, tmp_path: Path) -> None:
    other = tmp_path / "other.eml"
    other.write_bytes(
        b"Received: from a.example.org (a.example.org [192.0.2.1]) by b.example.net with "
        b"ESMTP; Tue, 12 Nov 2024 09:14:41 +0000\r\nSubject: Second message\r\n"
        b"From: x@example.org\r\n\r\nbody\r\n"
    )
    window = new_window(qtbot, tmp_path)
    window.start([])
    tabs: list[MessageTab] = []
    for path in (SAMPLE, other):
        qtbot.waitUntil(lambda: window._spare is not None)
        assert drop(window, file_mime(path))
        tabs.append(window.tab(window.tab_count() - 1))
        qtbot.waitUntil(lambda: tabs[-1].state == READY)
    assert [t.summary.value("Subject") for t in tabs] == [SAMPLE_SUBJECT, "Second message"]
    assert [window.tabs.tabText(i) for i in range(2)] == [SAMPLE.name, "other.eml"]
    assert all(t.diagram.hop_item_count() > 0 for t in tabs)


def test_the_window_module_does_not_load_the_analysis_core() -> None:
    code = (
        "import sys, mailview.gui.app\n"
        "heavy = [m for m in ('mailview.core.analyze', 'mailview.gui.message_tab', "
        "'mailview.layout.diagram', 'mailview.enrich.pipeline', 'dkim', 'dns.resolver') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


def test_the_number_column_is_as_wide_as_qt_would_size_it(qtbot: QtBot) -> None:
    fields = "".join(f"X-Field-{n}: value {n}\r\n" for n in range(120))
    report = analyze_bytes(f"Subject: many\r\n{fields}\r\nbody\r\n".encode(), "many.eml")
    panel = HeadersPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 300)
    panel.set_headers(report.headers)
    panel.show()
    qtbot.waitExposed(panel)
    header = panel.table.horizontalHeader()
    ours = header.sectionSize(COL_INDEX)
    header.setSectionResizeMode(COL_INDEX, QHeaderView.ResizeMode.ResizeToContents)
    assert ours == header.sectionSize(COL_INDEX)
    assert ours > header.sectionSizeHint(COL_INDEX)  # three digits need more than "#"


def test_the_window_names_the_same_panes_as_a_tab() -> None:
    # The window knows the pane names without loading the tab's module.
    assert tuple(PANE_TITLES) == PANES
