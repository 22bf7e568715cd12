"""A message tab fills the height the window gives it, and its word-wrapped labels are
still wrapped in full: real drops on a narrow window, then the heights the user sees."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from mailview.gui.message_tab import FAILED, READY, MessageTab
from mailview.gui.window import MainWindow
from tests.gui_window_helpers import drop, file_mime, make_window

# A phishing-looking message: its judgement names several findings, so it wraps.
MESSAGE = b"""\
Received: from mx.example.org (unknown [203.0.113.9]) by in.example.net with ESMTP id 1;
 Tue, 12 Nov 2024 09:14:41 +0000
Authentication-Results: in.example.net; spf=fail smtp.mailfrom=example.org;
 dkim=fail header.d=example.org; dmarc=fail header.from=paypal.com
From: "PayPal Security" <service@paypal.com>
Reply-To: collect@example.org
To: bob@example.net
Subject: Your account is limited: verify your identity now to restore full access
Date: Tue, 12 Nov 2024 09:14:00 +0000
Message-ID: <x1@example.org>

Hello.
""".replace(b"\n", b"\r\n")


def dropped(qtbot: QtBot, window: MainWindow, path: Path, state: str) -> MessageTab:
    assert drop(window, file_mime(path))
    tab = window.tab(window.tabs.currentIndex())
    qtbot.waitUntil(lambda: tab.state == state, timeout=10000)
    qtbot.wait(50)  # the layout requests the result posted are handled
    return tab


def assert_wrapped_in_full(label: QLabel) -> None:
    """The label is as tall as its text needs at the width it has: no line cut off."""
    assert label.isVisible() and label.text()
    needed = label.heightForWidth(label.width())
    assert needed > label.fontMetrics().height()  # it does wrap at this width
    assert label.height() >= needed


def test_the_tab_takes_the_windows_height_and_the_summary_still_wraps(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(qtbot, tmp_path)
    window.resize(560, 700)
    path = tmp_path / "phish.eml"
    path.write_bytes(MESSAGE)
    tab = dropped(qtbot, window, path, READY)
    # The tab answers no height-for-width (each layout pass would wrap every label of
    # both its pages only to drop the heights); its analysis page still does.
    assert not tab.pages.hasHeightForWidth()
    page = tab.pages.currentWidget()
    assert page is not None and page.hasHeightForWidth()
    assert tab.pages.height() == tab.contentsRect().height() - 8  # its 4 px margins
    assert_wrapped_in_full(tab.summary.judgement)


def test_a_long_error_sentence_wraps_in_full_on_the_status_page(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(qtbot, tmp_path)
    window.resize(480, 600)
    path = tmp_path / ("a-file-that-is-no-message-at-all-" * 3 + ".eml")
    path.write_bytes(b"\x00\x01\x02 not a message \xff" * 40)
    tab = dropped(qtbot, window, path, FAILED)
    assert_wrapped_in_full(tab.status)
