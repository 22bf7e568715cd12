"""Crash handling and the log file: an unexpected exception shows one dialog with the
traceback and the app carries on; the log goes to the config folder's logs/."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mailview import __version__
from mailview.gui import crash
from mailview.gui.crash import CrashDialog, CrashHandler, install_crash_handler
from mailview.gui.logs import LOG_FILE, log_dir, setup_logging, teardown_logging
from mailview.gui.settings import CONFIG_DIR_ENV
from mailview.gui.window import MainWindow
from tests.gui_window_helpers import make_window

pytestmark = pytest.mark.gui


class _Boom(RuntimeError):
    pass


@pytest.fixture
def handled(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, CrashHandler]]:
    window = make_window(qtbot, tmp_path)
    handler = install_crash_handler(window)
    yield window, handler
    handler.uninstall()
    if handler.dialog is not None:
        handler.dialog.close()


def _raise_and_hook(message: str = "the panel broke") -> None:
    try:
        raise _Boom(message)
    except _Boom:
        sys.excepthook(*sys.exc_info())


def _dialogs() -> list[CrashDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()
    ]


def test_an_exception_shows_the_dialog_and_the_app_carries_on(
    qtbot: QtBot, handled: tuple[MainWindow, CrashHandler]
) -> None:
    window, handler = handled
    _raise_and_hook()
    qtbot.waitUntil(lambda: len(_dialogs()) == 1)
    dialog = handler.dialog
    assert dialog is not None and not dialog.isModal()
    text = dialog.details.toPlainText()
    assert "Traceback (most recent call last)" in text
    assert "_Boom: the panel broke" in text
    assert dialog.details.isReadOnly()
    QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert f"mailview {__version__}" in copied
    assert "_Boom: the panel broke" in copied and "Python 3." in copied
    QTest.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: handler.dialog is None)
    assert window.isVisible()
    window.paste()  # the window still works: an empty clipboard paste is told in the bar
    assert _dialogs() == []


@pytest.mark.qt_no_exception_capture
def test_a_slot_that_raises_is_caught(
    qtbot: QtBot, handled: tuple[MainWindow, CrashHandler]
) -> None:
    window, handler = handled

    def broken_slot() -> None:
        raise _Boom("timer slot")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: handler.dialog is not None)
    assert handler.dialog is not None
    assert "_Boom: timer slot" in handler.dialog.details.toPlainText()
    assert window.isVisible()


# Raising the open dialog over the window is a no-op the offscreen platform warns about.
@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")
def test_the_same_crash_repeated_shows_one_dialog(
    qtbot: QtBot, handled: tuple[MainWindow, CrashHandler]
) -> None:
    _window, handler = handled
    for _ in range(20):
        _raise_and_hook()
    _raise_and_hook("something else")
    qtbot.waitUntil(
        lambda: "something else" in (handler.dialog.details.toPlainText() if handler.dialog else "")
    )
    assert len(_dialogs()) == 1
    text = handler.dialog.details.toPlainText() if handler.dialog else ""
    assert text.count("the panel broke") == 1


def test_the_same_crash_later_is_shown_again(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    now = [100.0]
    handler = CrashHandler(window, clock=lambda: now[0])
    handler.install()
    try:
        _raise_and_hook()
        qtbot.waitUntil(lambda: handler.dialog is not None)
        assert handler.dialog is not None
        handler.dialog.close()
        qtbot.waitUntil(lambda: handler.dialog is None)
        _raise_and_hook()  # within the repeat window: not shown again
        qtbot.wait(50)
        assert handler.dialog is None
        now[0] += crash.REPEAT_SECONDS + 1
        _raise_and_hook()
        qtbot.waitUntil(lambda: handler.dialog is not None)
    finally:
        handler.uninstall()
        if handler.dialog is not None:
            handler.dialog.close()


def test_a_worker_thread_exception_reaches_the_dialog(
    qtbot: QtBot, handled: tuple[MainWindow, CrashHandler]
) -> None:
    _window, handler = handled

    def work() -> None:
        raise _Boom("in a thread")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: handler.dialog is not None)
    assert handler.dialog is not None
    assert "_Boom: in a thread" in handler.dialog.details.toPlainText()


def test_the_banner_tells_when_no_dialog_can_be_shown(
    qtbot: QtBot, handled: tuple[MainWindow, CrashHandler], monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _handler = handled

    def no_dialog(*_args: object) -> None:
        raise RuntimeError("no dialogs today")

    monkeypatch.setattr(crash, "CrashDialog", no_dialog)
    _raise_and_hook()
    qtbot.waitUntil(lambda: "_Boom: the panel broke" in window.message_text())
    assert window.message_text().startswith("Something went wrong inside mailview")


def test_uninstall_restores_the_previous_hooks(qtbot: QtBot, tmp_path: Path) -> None:
    before, before_thread = sys.excepthook, threading.excepthook
    handler = install_crash_handler(make_window(qtbot, tmp_path))
    assert sys.excepthook == handler.excepthook
    handler.uninstall()
    assert (sys.excepthook, threading.excepthook) == (before, before_thread)


# --- logs ------------------------------------------------------------------------------


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    teardown_logging()
    root.setLevel(level)


def test_logging_writes_to_the_config_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, root_logging: None
) -> None:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path))
    assert log_dir() == tmp_path / "logs"
    path = setup_logging()
    assert path == tmp_path / "logs" / LOG_FILE
    assert setup_logging() == path  # idempotent: one handler, one line per record
    logging.getLogger("mailview.test").info("hello from the test")
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = [line for line in path.read_text().splitlines() if "hello from the test" in line]
    assert len(lines) == 1 and "INFO mailview.test" in lines[0]


def test_a_crash_is_logged(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    root_logging: None,
    handled: tuple[MainWindow, CrashHandler],
) -> None:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path))
    path = setup_logging()
    _raise_and_hook("logged crash")
    qtbot.waitUntil(lambda: len(_dialogs()) == 1)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "unexpected error" in text and "_Boom: logged crash" in text
