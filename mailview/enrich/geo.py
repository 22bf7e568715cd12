"""Where a public address is: MaxMind-format (.mmdb) databases read offline.

Strategy: `find_databases` lists candidate files in precedence order (explicit
`--geoip-db` paths, then `MAILVIEW_GEOIP_DB`, then the usual system places and the app's
data folder, then the GeoLite2-City copy embedded in the `_geoip_geolite2` package), so the
database a user deliberately installed beats the stale embedded one. `GeoDatabases` opens
nothing until the first question (files are memory-mapped, so opening is cheap, but an
analysis that never asks for geo should not even touch the disk), sorts each file by its
`database_type` metadata into "location" (City or Country) and "asn" databases, and answers
a lookup by merging the first location answer with the first ASN answer. The embedded
database is dropped as soon as another City database opens: its 2019 answers would only
contradict the newer ones. Every failure to read a file becomes a problem sentence, never
an exception, because a database is untrusted input like the mail itself.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import maxminddb
from geoip2.database import Reader
from geoip2.errors import AddressNotFoundError

from mailview.core.enrichment import GeoSource
from mailview.core.ipscope import EXTERNAL_SCOPES, IPAddress, parse_ip, scope_of
from mailview.core.model import GeoInfo, Scope

__all__ = [
    "EMBEDDED_ATTRIBUTION",
    "ENV_VAR",
    "USUAL_DIRS",
    "DatabaseInfo",
    "GeoDatabases",
    "embedded_database",
    "find_databases",
    "open_geo",
]

# CC BY-SA 4.0 requires the attribution wherever the embedded data is shown or shipped.
EMBEDDED_ATTRIBUTION = (
    "This product includes GeoLite2 data created by MaxMind, available from "
    "https://www.maxmind.com (CC BY-SA 4.0; database built 2019-12-24, from before "
    "MaxMind's licence change)."
)

ENV_VAR = "MAILVIEW_GEOIP_DB"
# Where geoipupdate (and Debian/Fedora's geoip packages) put the databases.
USUAL_DIRS: tuple[Path, ...] = (Path("/usr/share/GeoIP"), Path("/var/lib/GeoIP"))

_EMBEDDED_PACKAGE = "_geoip_geolite2"
_EMBEDDED_FILE = "GeoLite2-City.mmdb"

# Documentation (RFC 5737/3849) and benchmark (RFC 2544) blocks count as external for the
# route, but no database knows anything true about them: asking would only invite a
# bogus answer from a database that happens to cover them.
_LOOKED_UP_SCOPES = EXTERNAL_SCOPES - {Scope.DOCUMENTATION, Scope.BENCHMARK}

# The C extension memory-maps too and answers ~4x faster than the pure-Python reader
# (~27 µs instead of ~105 µs for a City record); the pure-Python mmap mode is the fallback
# for builds where the extension is missing (e.g. some frozen apps).
_MODE = (
    maxminddb.MODE_MMAP_EXT
    if importlib.util.find_spec("maxminddb.extension") is not None
    else maxminddb.MODE_MMAP
)

# A message has a handful of distinct addresses, a mailbox sweep a few thousand: enough
# to make repeated addresses free without letting a huge sweep grow the cache unbounded.
_CACHE_SIZE = 4096

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Kind = Literal["city", "country", "asn"]


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """One database in use: what it is, when it was built, where it lives."""

    path: Path
    database_type: str  # metadata database_type, e.g. "GeoLite2-City", "DBIP-City-Lite"
    built: date  # build_epoch as a UTC date
    kind: Kind
    embedded: bool

    @property
    def label(self) -> str:
        """How reports name it: "GeoLite2-City 2019-12-24 (embedded)"."""
        suffix = " (embedded)" if self.embedded else ""
        return f"{self.database_type} {self.built.isoformat()}{suffix}"


@dataclass(slots=True)
class _Opened:
    info: DatabaseInfo
    reader: Reader
    broken: bool = False  # set when a lookup hit corrupt data: the file is not asked again


@dataclass(frozen=True, slots=True)
class _Location:
    country: str | None
    country_name: str | None
    city: str | None
    latitude: float | None
    longitude: float | None

    @property
    def empty(self) -> bool:
        return self.country is None and self.city is None and self.latitude is None


@dataclass(frozen=True, slots=True)
class _Asn:
    number: int | None
    organization: str | None

    @property
    def empty(self) -> bool:
        return self.number is None and not self.organization


def embedded_database() -> Path | None:
    """The embedded GeoLite2-City file, located without importing its package."""
    # find_spec on a top-level name reads the import path only; importing the package
    # would gain nothing (its `loader` wants the old `geoip` API we do not use).
    try:
        spec = importlib.util.find_spec(_EMBEDDED_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / _EMBEDDED_FILE
        if candidate.is_file():
            return candidate
    return None


def find_databases(
    explicit: Sequence[Path] = (),
    env: Mapping[str, str] = os.environ,
    app_data_dir: Path | None = None,
    *,
    usual_dirs: Sequence[Path] = USUAL_DIRS,
    embedded: Path | Literal["auto"] | None = "auto",
) -> list[Path]:
    """Candidate database files, the one to prefer first; the embedded one comes last.

    Explicit and environment paths are kept even when missing, so that opening them
    reports the mistake; folders contribute only the `*.mmdb` files they hold.
    """
    candidates: list[Path] = [Path(p).expanduser() for p in explicit]
    candidates += [Path(p).expanduser() for p in env.get(ENV_VAR, "").split(os.pathsep) if p]
    for folder in (*usual_dirs, *([app_data_dir] if app_data_dir is not None else [])):
        candidates += _mmdb_files(folder)
    fallback = embedded_database() if embedded == "auto" else embedded
    if fallback is not None:
        candidates.append(fallback)
    return _unique(candidates)


def _mmdb_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.glob("*.mmdb") if p.is_file())
    except OSError:  # unreadable folder: as good as absent
        return []


def _unique(paths: list[Path]) -> list[Path]:
    """The first mention of each file wins (the same file may be both explicit and usual)."""
    seen: set[Path] = set()
    kept: list[Path] = []
    for path in paths:
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop: keep it, opening will report it
            key = path
        if key not in seen:
            seen.add(key)
            kept.append(path)
    return kept


def open_geo(
    explicit: Sequence[Path] = (),
    env: Mapping[str, str] = os.environ,
    app_data_dir: Path | None = None,
) -> GeoDatabases:
    """The databases found by `find_databases`, ready to open on first use."""
    return GeoDatabases(find_databases(explicit, env, app_data_dir))


class GeoDatabases(GeoSource):
    """A `GeoSource` over MaxMind-format files, opened lazily and closed by `close()`."""

    def __init__(self, paths: Sequence[Path], *, embedded: Path | Literal["auto"] | None = "auto"):
        self._paths = [Path(p) for p in paths]
        self._embedded = embedded_database() if embedded == "auto" else embedded
        self._lock = threading.Lock()  # the GUI asks from worker threads
        self._opened: list[_Opened] | None = None
        self._problems: list[str] = []
        self._cache: OrderedDict[str, GeoInfo | None] = OrderedDict()

    def __enter__(self) -> GeoDatabases:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the GeoSource protocol -------------------------------------------------------

    def lookup(self, ip: str) -> GeoInfo | None:
        """Geo facts for a public address; None for anything else or an unknown one."""
        with self._lock:
            if ip in self._cache:
                self._cache.move_to_end(ip)
                return self._cache[ip]
        answer = self._lookup_uncached(ip)
        with self._lock:
            self._cache[ip] = answer
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return answer

    def describe(self) -> str:
        """The databases in use and their build dates, most preferred first."""
        labels = [info.label for info in self.databases()]
        return "; ".join(labels) if labels else "no geo database"

    # -- for the report, the CLI and the UI ---------------------------------------------

    def databases(self) -> list[DatabaseInfo]:
        """The databases in use (opening them if not yet done)."""
        return [opened.info for opened in self._ensure_open() if not opened.broken]

    def problems(self) -> list[str]:
        """One sentence per file that could not be used (opening them if not yet done)."""
        self._ensure_open()
        with self._lock:
            return list(self._problems)

    def age_phrase(self) -> str:
        """The month of the oldest City database in use: "geo data from Dec 2019"."""
        infos = self.databases()
        dated = [i.built for i in infos if i.kind == "city"] or [i.built for i in infos]
        if not dated:
            return "no geo data"
        oldest = min(dated)
        return f"geo data from {_MONTHS[oldest.month - 1]} {oldest.year}"

    def close(self) -> None:
        """Unmap every file; a later lookup opens them again."""
        with self._lock:
            opened, self._opened = self._opened, None
            self._problems = []
            self._cache.clear()
        for entry in opened or []:
            entry.reader.close()

    # -- opening ------------------------------------------------------------------------

    def _ensure_open(self) -> list[_Opened]:
        with self._lock:
            if self._opened is None:
                self._opened = self._open_all()
            return self._opened

    def _open_all(self) -> list[_Opened]:
        """Open every candidate but the embedded one, which only fills a missing City."""
        opened: list[_Opened] = []
        embedded_path: Path | None = None
        for path in self._paths:
            if self._is_embedded(path):
                embedded_path = embedded_path or path
                continue
            entry = self._open_one(path, embedded=False)
            if entry is not None:
                opened.append(entry)
        if embedded_path is not None and not any(e.info.kind == "city" for e in opened):
            entry = self._open_one(embedded_path, embedded=True)
            if entry is not None:
                opened.append(entry)
        return opened

    def _is_embedded(self, path: Path) -> bool:
        if self._embedded is None:
            return False
        try:
            return path.resolve() == self._embedded.resolve()
        except (OSError, RuntimeError):
            return False

    def _open_one(self, path: Path, *, embedded: bool) -> _Opened | None:
        try:
            reader = Reader(str(path), mode=_MODE)
        except FileNotFoundError:
            self._problems.append(f"Geo database {path} does not exist; it is not used.")
            return None
        # A database is untrusted bytes parsed by third-party code, which fails with
        # OSError, ValueError, InvalidDatabaseError (a RuntimeError) or worse depending on
        # the damage and on C versus pure-Python mode: all of it means "not usable".
        except Exception as error:
            self._problems.append(
                f"Geo database {path} could not be read ({_reason(error)}); it is not used."
            )
            return None
        try:
            info = _describe(path, reader, embedded=embedded)
        except Exception as error:  # metadata of the wrong types, a build date out of range
            info = f"Geo database {path} has unusable metadata ({_reason(error)}); it is not used."
        if isinstance(info, str):
            reader.close()
            self._problems.append(info)
            return None
        return _Opened(info, reader)

    # -- answering ----------------------------------------------------------------------

    def _lookup_uncached(self, ip: str) -> GeoInfo | None:
        address = _public_address(ip)
        if address is None:
            return None
        location: _Location | None = None
        asn: _Asn | None = None
        labels: dict[str, str] = {}  # kind of answer -> the database that gave it
        for entry in self._ensure_open():
            if entry.broken or (asn if entry.info.kind == "asn" else location) is not None:
                continue
            found = self._ask(entry, address)
            if isinstance(found, _Asn):
                asn, labels["asn"] = found, entry.info.label
            elif found is not None:
                location, labels["location"] = found, entry.info.label
        if location is None and asn is None:
            return None
        return GeoInfo(
            country=location.country if location else None,
            country_name=location.country_name if location else None,
            city=location.city if location else None,
            latitude=location.latitude if location else None,
            longitude=location.longitude if location else None,
            asn=asn.number if asn else None,
            as_org=asn.organization if asn else None,
            # Location first whatever the file order: it reads as "City data, ASN data".
            source=", ".join(labels[k] for k in ("location", "asn") if k in labels),
        )

    def _ask(self, entry: _Opened, address: IPAddress) -> _Location | _Asn | None:
        """One database's answer, None when it knows nothing of the address."""
        try:
            return _read(entry, address)
        except AddressNotFoundError:
            return None
        except ValueError:  # an IPv6 address asked of an IPv4-only database
            return None
        # Corrupt data deep in the file surfaces only when a lookup reaches it (see
        # `_open_one` for why anything goes); the file is retired, the lookup goes on.
        except Exception as error:
            with self._lock:
                entry.broken = True
                self._problems.append(
                    f"Geo database {entry.info.path} failed during a lookup "
                    f"({_reason(error)}); it is no longer used."
                )
            return None


def _describe(path: Path, reader: Reader, *, embedded: bool) -> DatabaseInfo | str:
    """What the file is, or the problem sentence when it is not a kind we read."""
    metadata = reader.metadata()
    database_type = str(metadata.database_type)
    kind = _kind_of(database_type)
    if kind is None:
        return (
            f"Geo database {path} is a {database_type!r} database, not a City, Country or "
            "ASN one; it is not used."
        )
    built = datetime.fromtimestamp(metadata.build_epoch, tz=UTC).date()
    return DatabaseInfo(path, database_type, built, kind, embedded)


def _kind_of(database_type: str) -> Kind | None:
    # The same substring tests geoip2's Reader applies before city()/country()/asn(), so
    # DB-IP's "DBIP-City-Lite" and "DBIP-ASN-Lite (compat=GeoLite2-ASN)" qualify as well.
    if "City" in database_type:
        return "city"
    if "Country" in database_type:
        return "country"
    if "GeoLite2-ASN" in database_type:
        return "asn"
    return None


def _read(entry: _Opened, address: IPAddress) -> _Location | _Asn | None:
    reader, kind = entry.reader, entry.info.kind
    found: _Location | _Asn
    if kind == "asn":
        asn = reader.asn(address)
        found = _Asn(asn.autonomous_system_number, asn.autonomous_system_organization)
    elif kind == "city":
        city = reader.city(address)
        found = _Location(
            city.country.iso_code,
            city.country.name,
            city.city.name,
            city.location.latitude,
            city.location.longitude,
        )
    else:
        country = reader.country(address).country
        found = _Location(country.iso_code, country.name, None, None, None)
    # A record with nothing we show (some networks carry only a registered country):
    # let a later database answer instead.
    return None if found.empty else found


def _public_address(ip: str) -> IPAddress | None:
    """The address to look up, or None when `ip` is not a public address."""
    address = parse_ip(ip)
    if address is None or scope_of(address) not in _LOOKED_UP_SCOPES:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        # Look through to the IPv4 inside, as scope_of does: MaxMind's own files alias
        # these ranges to the IPv4 tree, but IPv4-only files (DB-IP, ours) cannot.
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return inner
    return address


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
