"""What the user sees when mailview itself fails: one dialog with the details, and the
app carries on.

Strategy: `install_crash_handler` replaces `sys.excepthook` (which PySide calls for an
exception escaping a slot) and `threading.excepthook` (worker threads). Either may run on
any thread, so the handler only formats and logs there and hands the text to the GUI
thread through a queued signal. There, one `CrashDialog` at a time is shown, non-modal:
a second different failure is added to the open dialog, and the same failure again within
a few seconds (a timer or a paint event failing over and over) is logged but not shown
again, so a bug cannot bury the window under dialogs. When no dialog can be shown, the
window's message bar says it instead (the behaviour before this module existed).
"""

from __future__ import annotations

import contextlib
import logging
import platform
import sys
import threading
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import QObject, Qt, Signal, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mailview import __version__

if TYPE_CHECKING:
    from mailview.gui.window import MainWindow

log = logging.getLogger(__name__)

# The same failure again within this many seconds is logged but shown no second time.
REPEAT_SECONDS = 5.0
_SEPARATOR = "\n" + "-" * 72 + "\n"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def environment_text() -> str:
    """The versions a bug report needs, one per line."""
    return (
        f"mailview {__version__}\n"
        f"Python {platform.python_version()} ({platform.python_implementation()})\n"
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}\n"
        f"{platform.platform()}"
    )


class CrashDialog(QDialog):
    """The details of one or more unexpected errors, with a button to copy them."""

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("mailview ran into a problem")
        self.setModal(False)
        sentence = QLabel(
            "Something went wrong inside mailview. Your open messages are not affected "
            "and you can carry on; the details below were also written to the log. "
            "Please include them when you report the problem."
        )
        sentence.setTextFormat(Qt.TextFormat.PlainText)
        sentence.setWordWrap(True)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setMinimumSize(560, 240)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("Copy report")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.copy_button.clicked.connect(self.copy_report)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(sentence)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    def add_details(self, details: str) -> None:
        """Another failure while the dialog is open: added below, no second dialog."""
        self.details.appendPlainText(_SEPARATOR + details)

    def report_text(self) -> str:
        return f"{environment_text()}\n\n{self.details.toPlainText()}"

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())


class CrashHandler(QObject):
    """Turns uncaught exceptions into (at most) one dialog at a time; see the module doc."""

    _crashed = Signal(str)

    def __init__(self, window: MainWindow, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._window = window
        self._clock = clock
        self._last_shown: dict[str, float] = {}
        self.dialog: CrashDialog | None = None
        self._previous_hook: ExceptHook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        # Queued: the hooks may run on a worker thread, widgets only on the GUI thread.
        self._crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        """Put back the hooks found at install time (when still ours)."""
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous_thread_hook

    def excepthook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):  # Ctrl+C in the terminal: not a bug
            self._previous_hook(kind, error, tb)
            return
        try:
            details = "".join(traceback.format_exception(kind, error, tb))
            log.error("unexpected error", exc_info=(kind, error, tb))
            self._crashed.emit(details)
        except Exception:  # the handler itself must never raise into Qt or Python
            self._previous_hook(kind, error, tb)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return  # what threading's own hook ignores too
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, details: str) -> None:
        now = self._clock()
        last = self._last_shown.get(details)
        self._last_shown[details] = now
        if last is not None and now - last < REPEAT_SECONDS:
            return  # the same failure again right away: logged already, shown already
        try:
            self._show_dialog(details)
        except Exception:
            log.warning("the crash dialog could not be shown", exc_info=True)
            self._show_banner(details)

    def _show_dialog(self, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_details(details)
            self.dialog.raise_()
            return
        dialog = CrashDialog(details, self._parent())
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.dialog = dialog
        dialog.show()

    def _closed(self, dialog: CrashDialog) -> None:
        # A later failure may already have opened the next dialog: forget only this one.
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _parent(self) -> QWidget | None:
        try:
            self._window.objectName()  # raises when the window is already deleted
        except RuntimeError:
            return None
        return self._window

    def _show_banner(self, details: str) -> None:
        last_line = details.strip().splitlines()[-1] if details.strip() else "unknown error"
        with contextlib.suppress(RuntimeError):  # the window is already gone
            self._window.show_message(
                f"Something went wrong inside mailview ({last_line}). "
                "The open tabs are not affected; the details were written to the log."
            )


def install_crash_handler(window: MainWindow) -> CrashHandler:
    """Show uncaught exceptions in a `CrashDialog` over `window`; `uninstall()` undoes it."""
    handler = CrashHandler(window)
    handler.setParent(window)  # lives (and is deleted) with the window
    handler.install()
    return handler
