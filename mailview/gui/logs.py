"""Where the desktop app writes its log: a small rotating file per user.

Strategy: the root logger gets one RotatingFileHandler (1 MB, three old files kept), so
every module's `logging.getLogger(__name__)` ends up on disk without knowing about it, and
a crash report can point at a file that outlives the session. The folder follows the
settings: `$MAILVIEW_CONFIG_DIR/logs` when that is set (tests, portable configs), else
Qt's per-user local data folder. Setting up twice adds no second handler.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from mailview.gui.settings import CONFIG_DIR_ENV

LOG_FILE = "mailview.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _MailviewFileHandler(RotatingFileHandler):
    """Our handler, told apart from any other file handler on the root logger."""


def log_dir() -> Path:
    """The folder holding mailview's log files."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override) / "logs"
    location = QStandardPaths.StandardLocation.AppLocalDataLocation
    return Path(QStandardPaths.writableLocation(location)) / "logs"


def setup_logging() -> Path:
    """Send the root logger's records (INFO and up) to the log file; returns its path.

    A log folder that cannot be created leaves logging as it was: no log is better than
    an app that does not start.
    """
    path = log_dir() / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _MailviewFileHandler):
            if Path(handler.baseFilename) == path.absolute():
                return path
            root.removeHandler(handler)  # the folder moved (another config dir)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _MailviewFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        logging.getLogger(__name__).warning("cannot write the log to %s", path, exc_info=True)
        return path
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    return path


def teardown_logging() -> None:
    """Remove and close the handler `setup_logging` added (for tests and clean exits)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _MailviewFileHandler):
            root.removeHandler(handler)
            handler.close()
