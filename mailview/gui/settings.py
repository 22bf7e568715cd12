"""What the app remembers between runs: window geometry and layout, recent files, and the
user's preferences (geo databases, online look-ups, own domains and networks, display).

Strategy: one IniFormat QSettings file at a known path — `$MAILVIEW_CONFIG_DIR` when set
(tests point it at a temporary folder; a user can keep a portable config), otherwise
Qt's per-user application config folder. Every read is defensive: an ini file edited by
hand or cut short by a crash may hold anything, and a bad value must fall back to the
default rather than stop the app from starting. A file that is not text at all, that Qt
cannot parse, that a newer (or unknown) format version wrote, or whose known keys hold
values of the wrong type is moved aside as `mailview.ini.bad-<timestamp>` and the app
starts on defaults; `reset_notice()` says so once for the window to show, because
silently forgetting a user's preferences would look like a bug.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Literal, TypeVar, get_args

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from mailview.enrich.zones import DEFAULT_DNSBL_ZONES

log = logging.getLogger(__name__)

CONFIG_DIR_ENV = "MAILVIEW_CONFIG_DIR"
FILE_NAME = "mailview.ini"
KEY_FOLDER = "dkim-keys"  # beside the settings file: SELECTOR._domainkey.DOMAIN.txt records
MAX_RECENT = 10
# The layout of the file; bump when a key changes meaning. A file without a version was
# written before versions existed and is read as version 1.
FORMAT_VERSION = 1
BAD_SUFFIX = ".bad-"

TimeDisplay = Literal["utc", "local", "original"]
Theme = Literal["system", "light", "dark"]
TIME_DISPLAYS: tuple[TimeDisplay, ...] = get_args(TimeDisplay)
THEMES: tuple[Theme, ...] = get_args(Theme)
DEFAULT_TIME_DISPLAY: TimeDisplay = "original"
DEFAULT_THEME: Theme = "system"

_VERSION = "meta/version"
_GEOMETRY = "window/geometry"
_STATE = "window/state"
_LAYOUT = "layout/"  # + splitter name
_RECENT = "files/recent"
_LAST_DIR = "files/last_dir"
_GEOIP = "geoip/databases"
_ONLINE_DEFAULT = "online/default"
_RESOLVER = "online/resolver"
_DNSBL = "online/dnsbl_zones"
_OWN_DOMAINS = "own/domains"
_OWN_NETWORKS = "own/networks"
_TIME = "display/time"
_THEME = "display/theme"

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
# Text that no hand-edited ini file holds: NUL and the C0 controls other than whitespace.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_Choice = TypeVar("_Choice", bound=str)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9-]+$")


def config_dir() -> Path:
    """The folder holding mailview's settings file."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    location = QStandardPaths.StandardLocation.AppConfigLocation
    return Path(QStandardPaths.writableLocation(location))


# --- value checks: what each known key may hold in a healthy file ---------------------------


def _is_text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_text_list(value: object) -> bool:
    # A one-item list comes back as a plain string, an empty one as None.
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return _is_text(value)


def _is_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE | _FALSE
    return value is None or isinstance(value, bool)


def _is_bytes(value: object) -> bool:
    # An empty QByteArray is written as an empty string and read back as one.
    return value is None or value == "" or isinstance(value, QByteArray | bytes)


def _is_version(value: object) -> bool:
    text = str(value).strip() if isinstance(value, str | int) else ""
    return text.isdigit() and 1 <= int(text) <= FORMAT_VERSION


_CHECKS: dict[str, Callable[[object], bool]] = {
    _VERSION: _is_version,
    _GEOMETRY: _is_bytes,
    _STATE: _is_bytes,
    _RECENT: _is_text_list,
    _LAST_DIR: _is_text,
    _GEOIP: _is_text_list,
    _ONLINE_DEFAULT: _is_bool,
    _RESOLVER: _is_text,
    _DNSBL: _is_text_list,
    _OWN_DOMAINS: _is_text_list,
    _OWN_NETWORKS: _is_text_list,
    _TIME: _is_text,
    _THEME: _is_text,
}


def _check_for(key: str) -> Callable[[object], bool] | None:
    return _is_bytes if key.startswith(_LAYOUT) else _CHECKS.get(key)


def _looks_binary(path: Path) -> bool:
    """True when the file is not UTF-8 text (what Qt 6 writes) or holds control bytes."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError:  # unreadable: QSettings will not read it either, nothing to reset
        log.warning("settings file %s could not be opened", path, exc_info=True)
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return _BINARY.search(text) is not None


def _backup_name(path: Path) -> Path:
    """`mailview.ini.bad-<timestamp>`, numbered when one of that second already exists
    (an earlier backup is the user's data too, so never overwrite it)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}{BAD_SUFFIX}{stamp}")
    number = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}{BAD_SUFFIX}{stamp}-{number}")
        number += 1
    return backup


def parse_network(text: str) -> str | None:
    """A CIDR block in canonical form ("10.1.2.3/8" → "10.0.0.0/8"), or None if not one."""
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return None


def parse_domain(text: str) -> str | None:
    """A domain name in the form the analysis compares ("Contoso.COM." → "contoso.com")."""
    name = text.strip().lower().rstrip(".")
    return name if _DOMAIN.match(name) else None


class Settings:
    """Typed access to the settings file; no method raises on a corrupt value."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME
        self._notice: str | None = None
        if _looks_binary(self.path):
            self._reset("it is not a text file")
        self._qt = QSettings(str(self.path), QSettings.Format.IniFormat)
        problem = self._problem()
        if problem:
            self._reset(problem)
            # Qt keeps its parsed copy of the old file: start again from an empty one.
            self._qt = QSettings(str(self.path), QSettings.Format.IniFormat)
            self._qt.clear()

    def reset_notice(self) -> str | None:
        """A sentence for the user when the file was unreadable and reset on opening."""
        return self._notice

    def _problem(self) -> str | None:
        """Why the file as read cannot be trusted, or None when it is healthy."""
        if self._qt.status() == QSettings.Status.FormatError:
            return "Qt could not parse it"
        for key in self._qt.allKeys():
            check = _check_for(key)
            if check is not None and not check(self._read(key)):
                return f"the value of {key} has the wrong type or version"
        return None

    def _reset(self, reason: str) -> None:
        """Move the bad file aside (kept for the user) so the app starts on defaults."""
        backup = _backup_name(self.path)
        log.warning("settings file %s reset: %s", self.path, reason)
        try:
            self.path.replace(backup)
        except OSError:
            log.warning("could not keep the old settings as %s", backup, exc_info=True)
            self._notice = "Your settings file could not be read and was reset to the defaults."
            return
        self._notice = (
            f"Your settings file could not be read and was reset; the old one was kept as {backup}."
        )

    # --- window ---------------------------------------------------------------------

    def key_folder(self) -> Path:
        """Where the user keeps DKIM/ARC public keys for offline verification."""
        return self.path.parent / KEY_FOLDER

    def geometry(self) -> QByteArray | None:
        return self._bytes(_GEOMETRY)

    def set_geometry(self, value: QByteArray) -> None:
        self._set(_GEOMETRY, value)

    def window_state(self) -> QByteArray | None:
        return self._bytes(_STATE)

    def set_window_state(self, value: QByteArray) -> None:
        self._set(_STATE, value)

    def layout(self, name: str) -> QByteArray | None:
        """The saved state of the splitter called `name` (QSplitter.saveState)."""
        return self._bytes(_LAYOUT + name)

    def set_layout(self, name: str, value: QByteArray) -> None:
        self._set(_LAYOUT + name, value)

    # --- files ----------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        """Recently opened files, newest first; files that no longer exist are left out."""
        paths = self._text_list(_RECENT)
        return [path for path in dict.fromkeys(paths) if os.path.isfile(path)][:MAX_RECENT]

    def add_recent_file(self, path: str) -> None:
        absolute = os.path.abspath(path)
        others = [p for p in self.recent_files() if p != absolute]
        self._set(_RECENT, [absolute, *others][:MAX_RECENT])

    def clear_recent_files(self) -> None:
        self._set(_RECENT, [])

    def last_dir(self) -> str:
        value = self._read(_LAST_DIR)
        if isinstance(value, str) and os.path.isdir(value):
            return value
        return str(Path.home())

    def set_last_dir(self, path: str) -> None:
        self._set(_LAST_DIR, path)

    # --- geo ------------------------------------------------------------------------

    def geoip_databases(self) -> list[Path]:
        """The .mmdb files the user added, in the order of preference."""
        return [Path(p) for p in dict.fromkeys(self._text_list(_GEOIP))]

    def set_geoip_databases(self, paths: Iterable[Path | str]) -> None:
        self._set(_GEOIP, list(dict.fromkeys(str(p) for p in paths if str(p))))

    # --- online ---------------------------------------------------------------------

    def online_by_default(self) -> bool:
        """Whether the app starts with online look-ups on (off unless the user said so)."""
        value = self._read(_ONLINE_DEFAULT)
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.strip().lower() in _TRUE

    def set_online_by_default(self, on: bool) -> None:
        self._set(_ONLINE_DEFAULT, bool(on))

    def resolver(self) -> str | None:
        """The DNS server for online look-ups (`[online] resolver=ADDRESS[:PORT]` in the
        ini file); None: the system's."""
        value = self._read(_RESOLVER)
        return value.strip() or None if isinstance(value, str) else None

    def set_resolver(self, server: str | None) -> None:
        """ADDRESS[:PORT], already checked by the caller; None or blank: the system's."""
        self._set(_RESOLVER, (server or "").strip())

    def dnsbl_zones(self) -> list[str]:
        """Blocklist zones to ask; the built-in ones until the user saved a list (even an
        empty one: that means "ask no blocklist")."""
        if not self._qt.contains(_DNSBL):
            return list(DEFAULT_DNSBL_ZONES)
        return self._clean(self._text_list(_DNSBL), parse_domain, "DNSBL zone")

    def set_dnsbl_zones(self, zones: Iterable[str]) -> None:
        self._set(_DNSBL, self._clean(zones, parse_domain, "DNSBL zone"))

    # --- own systems ----------------------------------------------------------------

    def own_domains(self) -> list[str]:
        """Domains the user's organisation receives mail for (the trust boundary)."""
        return self._clean(self._text_list(_OWN_DOMAINS), parse_domain, "own domain")

    def set_own_domains(self, domains: Iterable[str]) -> None:
        self._set(_OWN_DOMAINS, self._clean(domains, parse_domain, "own domain"))

    def own_networks(self) -> list[str]:
        """CIDR blocks of the user's own mail systems; invalid entries are dropped."""
        return self._clean(self._text_list(_OWN_NETWORKS), parse_network, "own network")

    def set_own_networks(self, networks: Iterable[str]) -> None:
        self._set(_OWN_NETWORKS, self._clean(networks, parse_network, "own network"))

    # --- display --------------------------------------------------------------------

    def time_display(self) -> TimeDisplay:
        """How times are shown: in UTC, in local time, or as the header wrote them."""
        value = self._choice(_TIME, TIME_DISPLAYS)
        return value if value is not None else DEFAULT_TIME_DISPLAY

    def set_time_display(self, value: TimeDisplay) -> None:
        self._set(_TIME, value if value in TIME_DISPLAYS else DEFAULT_TIME_DISPLAY)

    def theme(self) -> Theme:
        value = self._choice(_THEME, THEMES)
        return value if value is not None else DEFAULT_THEME

    def set_theme(self, value: Theme) -> None:
        self._set(_THEME, value if value in THEMES else DEFAULT_THEME)

    def sync(self) -> None:
        """Write pending changes to disk now (Qt also does so on its own, later)."""
        self._qt.sync()
        if self._qt.status() == QSettings.Status.AccessError:
            log.warning("settings could not be written to %s", self.path)

    # --- defensive reads ------------------------------------------------------------

    def _set(self, key: str, value: object) -> None:
        # Stamped on every write so a later version can tell this layout from its own.
        self._qt.setValue(_VERSION, FORMAT_VERSION)
        self._qt.setValue(key, value)

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

    def _text_list(self, key: str) -> list[str]:
        value = self._read(key)
        if isinstance(value, str):  # QSettings gives a one-item list back as a string
            value = [value]
        if not isinstance(value, list):
            return []
        return [item.strip() for item in value if isinstance(item, str) and item.strip()]

    def _choice(self, key: str, choices: tuple[_Choice, ...]) -> _Choice | None:
        value = self._read(key)
        for choice in choices:
            if isinstance(value, str) and value.strip().lower() == choice:
                return choice
        if value is not None:
            log.warning("ignoring setting %s=%r: not one of %s", key, value, ", ".join(choices))
        return None

    @staticmethod
    def _clean(items: Iterable[str], parse: Callable[[str], str | None], what: str) -> list[str]:
        """Each item in canonical form, duplicates and invalid ones dropped (and logged)."""
        kept: list[str] = []
        for item in items:
            parsed = parse(item)
            if parsed is None:
                log.warning("ignoring invalid %s %r in the settings", what, item)
            elif parsed not in kept:
                kept.append(parsed)
        return kept
