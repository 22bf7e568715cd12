"""What the app remembers between runs: window geometry and layout, recent files.

Strategy: one IniFormat QSettings file at a known path — `$MAILVIEW_CONFIG_DIR` when set
(tests point it at a temporary folder; a user can keep a portable config), otherwise
Qt's per-user application config folder. Every read is defensive: an ini file edited by
hand or cut short by a crash may hold anything, and a bad value must fall back to the
default rather than stop the app from starting.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

log = logging.getLogger(__name__)

CONFIG_DIR_ENV = "MAILVIEW_CONFIG_DIR"
FILE_NAME = "mailview.ini"
KEY_FOLDER = "dkim-keys"  # beside the settings file: SELECTOR._domainkey.DOMAIN.txt records
MAX_RECENT = 10

_GEOMETRY = "window/geometry"
_STATE = "window/state"
_LAYOUT = "layout/"  # + splitter name
_RECENT = "files/recent"
_LAST_DIR = "files/last_dir"


def config_dir() -> Path:
    """The folder holding mailview's settings file."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    location = QStandardPaths.StandardLocation.AppConfigLocation
    return Path(QStandardPaths.writableLocation(location))


class Settings:
    """Typed access to the settings file; no method raises on a corrupt value."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME
        self._qt = QSettings(str(self.path), QSettings.Format.IniFormat)
        if self._qt.status() != QSettings.Status.NoError:
            # QSettings reads what it can of a damaged file; say so in the log only.
            log.warning("settings file %s could not be read fully", self.path)

    # --- window ---------------------------------------------------------------------

    def resolver(self) -> str | None:
        """The DNS server for online look-ups (`[online] resolver=ADDRESS[:PORT]` in the
        ini file); None: the system's."""
        value = self._read("online/resolver")
        return value.strip() or None if isinstance(value, str) else None

    def key_folder(self) -> Path:
        """Where the user keeps DKIM/ARC public keys for offline verification."""
        return self.path.parent / KEY_FOLDER

    def geometry(self) -> QByteArray | None:
        return self._bytes(_GEOMETRY)

    def set_geometry(self, value: QByteArray) -> None:
        self._qt.setValue(_GEOMETRY, value)

    def window_state(self) -> QByteArray | None:
        return self._bytes(_STATE)

    def set_window_state(self, value: QByteArray) -> None:
        self._qt.setValue(_STATE, value)

    def layout(self, name: str) -> QByteArray | None:
        """The saved state of the splitter called `name` (QSplitter.saveState)."""
        return self._bytes(_LAYOUT + name)

    def set_layout(self, name: str, value: QByteArray) -> None:
        self._qt.setValue(_LAYOUT + name, value)

    # --- files ----------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        """Recently opened files, newest first; files that no longer exist are left out."""
        value = self._read(_RECENT)
        if isinstance(value, str):  # QSettings gives a one-item list back as a string
            value = [value]
        if not isinstance(value, list):
            return []
        paths = [item for item in value if isinstance(item, str) and item]
        return [path for path in dict.fromkeys(paths) if os.path.isfile(path)][:MAX_RECENT]

    def add_recent_file(self, path: str) -> None:
        absolute = os.path.abspath(path)
        others = [p for p in self.recent_files() if p != absolute]
        self._qt.setValue(_RECENT, [absolute, *others][:MAX_RECENT])

    def clear_recent_files(self) -> None:
        self._qt.setValue(_RECENT, [])

    def last_dir(self) -> str:
        value = self._read(_LAST_DIR)
        if isinstance(value, str) and os.path.isdir(value):
            return value
        return str(Path.home())

    def set_last_dir(self, path: str) -> None:
        self._qt.setValue(_LAST_DIR, path)

    def sync(self) -> None:
        """Write pending changes to disk now (Qt also does so on its own, later)."""
        self._qt.sync()
        if self._qt.status() == QSettings.Status.AccessError:
            log.warning("settings could not be written to %s", self.path)

    # --- defensive reads ------------------------------------------------------------

    def _read(self, key: str) -> object:
        try:
            return self._qt.value(key)
        except Exception:  # a value Qt cannot turn into a Python object
            log.warning("ignoring unreadable setting %s", key, exc_info=True)
            return None

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._read(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes) and value:
            return QByteArray(value)
        return None
