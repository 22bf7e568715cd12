"""Where a public address is and who owns its network: offline databases, read lazily.

Strategy: `find_databases` lists candidate files in precedence order (explicit
`--geoip-db` paths, then `MAILVIEW_GEOIP_DB`, then the usual system places and the app's
data folder, then the embedded plevin network database from the `plevin-db-network`
package), so a database the user deliberately installed beats the embedded one.
`GeoDatabases` opens nothing until the first question, then answers each address fact by
fact: the location (country, city, coordinates) comes from the first file that places the
address, the network owner (ASN and organisation) from the first file that knows it. So a
user's GeoLite2-ASN wins for the owner while the embedded file still gives the country,
and a user's City file wins for the country while the embedded file still names the
owner. Where no file knows the owner, mailview's own list of provider ranges (Microsoft
365, Google) names it. Every answer records which file gave which fact and that file's
build date. Every failure to read a file becomes a problem sentence, never an exception,
because a database is untrusted input like the mail itself.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from mailview.core.enrichment import GeoSource
from mailview.core.ipscope import EXTERNAL_SCOPES, IPAddress, parse_ip, scope_of
from mailview.core.model import GeoFactSource, GeoInfo, Scope
from mailview.core.providers import provider_of_address
from mailview.core.record import mutable_record
from mailview.enrich.geo_readers import (
    Answer,
    DatabaseInfo,
    Reader,
    UnusableDatabase,
    open_reader,
)

__all__ = [
    "EMBEDDED_ATTRIBUTION",
    "ENV_VAR",
    "PROVIDER_RANGES",
    "USUAL_DIRS",
    "DatabaseInfo",
    "GeoDatabases",
    "embedded_database",
    "find_databases",
    "open_geo",
]

# The sources the embedded file was built from ask to be credited wherever it is shown.
EMBEDDED_ATTRIBUTION = (
    "Network owners and registry countries: plevin network database (Apache-2.0 reader, "
    "https://github.com/tn3w/plevin), built from RIPE NCC RIS routing data, RIR delegation "
    "statistics, RIPE NCC AS names, CAIDA AS Organizations and PeeringDB (CC BY 4.0)."
)

# How a fact answered by mailview's own provider list names its source.
PROVIDER_RANGES = "known provider ranges"

ENV_VAR = "MAILVIEW_GEOIP_DB"
# Where geoipupdate (and Debian/Fedora's geoip packages) put the databases.
USUAL_DIRS: tuple[Path, ...] = (Path("/usr/share/GeoIP"), Path("/var/lib/GeoIP"))
_PATTERNS = ("*.mmdb", "*.plv")

_EMBEDDED_PACKAGE = "plevin_db_network"
_EMBEDDED_FILE = Path("data") / "plevin.network.plv"

# Documentation (RFC 5737/3849) and benchmark (RFC 2544) blocks count as external for the
# route, but no database knows anything true about them: asking would only invite a
# bogus answer from a database that happens to cover them.
_LOOKED_UP_SCOPES = EXTERNAL_SCOPES - {Scope.DOCUMENTATION, Scope.BENCHMARK}

# A message has a handful of distinct addresses, a mailbox sweep a few thousand: enough
# to make repeated addresses free without letting a huge sweep grow the cache unbounded.
_CACHE_SIZE = 4096

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@mutable_record
class _Opened:
    reader: Reader
    broken: bool = False  # set when a lookup hit corrupt data: the file is not asked again

    @property
    def info(self) -> DatabaseInfo:
        return self.reader.info


def embedded_database() -> Path | None:
    """The embedded plevin network file, located without importing its package."""
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
    reports the mistake; folders contribute only the `*.mmdb` and `*.plv` files they hold.
    """
    candidates: list[Path] = [Path(p).expanduser() for p in explicit]
    candidates += [Path(p).expanduser() for p in env.get(ENV_VAR, "").split(os.pathsep) if p]
    for folder in (*usual_dirs, *([app_data_dir] if app_data_dir is not None else [])):
        candidates += _database_files(folder)
    fallback = embedded_database() if embedded == "auto" else embedded
    if fallback is not None:
        candidates.append(fallback)
    return _unique(candidates)


def _database_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for pattern in _PATTERNS for p in folder.glob(pattern) if p.is_file())
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
    """A `GeoSource` over database files, opened lazily and closed by `close()`."""

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
        """The month of the oldest database in use: "geo data from Oct 2026"."""
        dated = [i.built for i in self.databases()]
        if not dated:
            return "no geo data"
        oldest = min(dated)
        return f"geo data from {_MONTHS[oldest.month - 1]} {oldest.year}"

    def close(self) -> None:
        """Close every file; a later lookup opens them again."""
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
        opened: list[_Opened] = []
        for path in self._paths:
            entry = self._open_one(path, embedded=self._is_embedded(path))
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
            return _Opened(open_reader(path, embedded=embedded))
        except FileNotFoundError:
            self._problems.append(f"Geo database {path} does not exist; it is not used.")
        except UnusableDatabase as error:
            self._problems.append(f"Geo database {path} {error}; it is not used.")
        # A database is untrusted bytes parsed by third-party code, which fails with
        # OSError, ValueError, InvalidDatabaseError (a RuntimeError), LZMAError or worse
        # depending on the damage and the reader: all of it means "not usable".
        except Exception as error:
            self._problems.append(
                f"Geo database {path} could not be read ({_reason(error)}); it is not used."
            )
        return None

    # -- answering ----------------------------------------------------------------------

    def _lookup_uncached(self, ip: str) -> GeoInfo | None:
        address = _public_address(ip)
        if address is None:
            return None
        location: tuple[Answer, DatabaseInfo] | None = None
        network: tuple[Answer, DatabaseInfo] | None = None
        for entry in self._ensure_open():
            if location is not None and network is not None:
                break
            if entry.broken:
                continue
            found = self._ask(entry, address)
            if found is None:
                continue
            if location is None and found.has_location:
                location = (found, entry.info)
            if network is None and found.has_network:
                network = (found, entry.info)
        return _merge(location, network, _provider_network(address) if network is None else None)

    def _ask(self, entry: _Opened, address: IPAddress) -> Answer | None:
        """One database's answer, None when it knows nothing of the address."""
        try:
            return entry.reader.read(address)
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


def _provider_network(address: IPAddress) -> Answer | None:
    provider = provider_of_address(address)
    if provider is None or (provider.asn is None and provider.as_org is None):
        return None
    return Answer(asn=provider.asn, as_org=provider.as_org)


def _merge(
    location: tuple[Answer, DatabaseInfo] | None,
    network: tuple[Answer, DatabaseInfo] | None,
    provider: Answer | None,
) -> GeoInfo | None:
    """One GeoInfo from the location answer and the network answer, naming both sources."""
    where = location[0] if location else Answer()
    owner = network[0] if network else (provider or Answer())
    sources: list[GeoFactSource] = []
    if location is not None:
        facts = ("country", "city") if where.city else ("country",)
        sources.append(_source(facts, location[1]))
    if network is not None:
        sources.append(_source(("asn",), network[1]))
    elif provider is not None:
        sources.append(GeoFactSource(("asn",), PROVIDER_RANGES, None, True))
    if not sources:
        return None
    sources = _joined(sources)
    return GeoInfo(
        country=where.country,
        country_name=where.country_name,
        city=where.city,
        latitude=where.latitude,
        longitude=where.longitude,
        asn=owner.asn,
        as_org=owner.as_org,
        source=", ".join(_label(s) for s in sources),
        sources=tuple(sources),
    )


def _source(facts: tuple[str, ...], info: DatabaseInfo) -> GeoFactSource:
    return GeoFactSource(facts, info.database_type, info.built, info.embedded)


def _joined(sources: list[GeoFactSource]) -> list[GeoFactSource]:
    """One entry per database: the embedded file answering both kinds is named once."""
    if len(sources) == 2 and _same_file(*sources):
        first, second = sources
        facts = (*first.facts, *second.facts)
        return [GeoFactSource(facts, first.name, first.built, first.embedded)]
    return sources


def _same_file(first: GeoFactSource, second: GeoFactSource) -> bool:
    return (first.name, first.built, first.embedded) == (second.name, second.built, second.embedded)


def _label(source: GeoFactSource) -> str:
    built = f" {source.built.isoformat()}" if source.built else ""
    suffix = " (embedded)" if source.embedded and source.built else ""
    return f"{source.name}{built}{suffix}"


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
