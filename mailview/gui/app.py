"""Application set-up and the entry point `mailview FILE...` ends in: `run(paths)`.

The names set here decide where Qt keeps per-user files (QStandardPaths, and through
it `settings.py`): everything lives under "mailview". An exception that escapes a slot
is logged and told in the window's message bar instead of passing silently on stderr
(PySide's default) or killing the app: a bug in one panel must not lose the others.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from mailview import __version__
from mailview.gui.crash import install_crash_handler
from mailview.gui.icons import APP_ID, app_icon
from mailview.gui.logs import setup_logging
from mailview.gui.settings import Settings
from mailview.gui.theme import apply_theme
from mailview.gui.window import MainWindow

log = logging.getLogger(__name__)

APP_NAME = "mailview"
SMOKE_TEST_ENV = "MAILVIEW_SMOKE_TEST"  # "1": quit a moment after the window shows
SMOKE_TEST_MS = 1500
# Milliseconds to let running analyses finish on quit, so no pool thread outlives the
# interpreter; an analysis still running after that is abandoned.
SHUTDOWN_WAIT_MS = 5000


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication, created once, with mailview's names set."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or [APP_NAME]))
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    # The .desktop entry's id: desktops match the running window to its entry and icon.
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    return app


def run(paths: list[str]) -> int:
    """Show the main window with one tab per path; returns the exit code."""
    app = create_application(sys.argv[:1])
    setup_logging()
    settings = Settings()
    apply_theme(app, settings.theme())
    window = MainWindow(settings)
    crash_handler = install_crash_handler(window)
    try:
        window.start(paths)  # painted first; the files open once it is on screen
        if os.environ.get(SMOKE_TEST_ENV) == "1":
            # Packaging checks start the built app and need it to leave by itself once
            # the window and the first tab's analysis are up.
            QTimer.singleShot(SMOKE_TEST_MS, app.quit)
        return app.exec()
    finally:
        crash_handler.uninstall()
        pool = QThreadPool.globalInstance()
        pool.clear()  # jobs not started yet are dropped
        pool.waitForDone(SHUTDOWN_WAIT_MS)
