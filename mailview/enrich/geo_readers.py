"""One offline geo database file, whatever its format, answering one address at a time.

Strategy: two formats are read. MaxMind's `.mmdb` (GeoLite2/GeoIP2 City, Country and
ASN, DB-IP's lite files, …) through geoip2's Reader, and plevin's `.plv` (the embedded
network database, or a full plevin file a user installs) through the `plevin` package.
`open_reader` tells them apart by the file's first bytes, not its name, and wraps either
in a `Reader` that says what the file is (`DatabaseInfo`: name, build date, which facts
it can answer) and turns one address into an `Answer` with the fields mailview shows.
Reading is the only thing done here: which file wins for which fact is `geo.py`'s job.
"""

from __future__ import annotations

import importlib.util
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mailview.core.ipscope import IPAddress
from mailview.core.record import record
from mailview.enrich.plevin_network import NetworkColumns, Owner
from mailview.lazy_import import import_for_good

if TYPE_CHECKING:
    from geoip2.database import Reader as MmdbFile
    from plevin import Plevin
    from plevin.models import Network, Place

__all__ = ["FACTS", "Answer", "DatabaseInfo", "Reader", "UnusableDatabase", "open_reader"]

# What a database can tell about an address, in the order faces show them.
FACTS = ("country", "city", "asn")
_FACT_WORDS = {"country": "country", "city": "city", "asn": "network owner (ASN)"}

PLEVIN_MAGIC = b"PLEVIN\0"

# maxminddb's open mode; None until the first MaxMind file is opened (see `_mmdb_mode`),
# so that a run using only the embedded plevin file never imports geoip2 or maxminddb.
_MODE: int | None = None


class UnusableDatabase(Exception):
    """The file is readable but not a database mailview can use; the message says why."""


@record
class DatabaseInfo:
    """One database in use: what it is, when it was built, what it answers, where it lives."""

    path: Path
    database_type: str  # "GeoLite2-City", "DBIP-City-Lite", "plevin network", …
    built: date  # the build day the file records, as a UTC date
    kind: str  # "city", "country", "asn" (MaxMind types) or "network", "place", "full"
    embedded: bool
    answers: tuple[str, ...] = ()  # the facts of FACTS it can give

    @property
    def label(self) -> str:
        """How reports name it: "plevin network 2026-10-04 (embedded)"."""
        suffix = " (embedded)" if self.embedded else ""
        return f"{self.database_type} {self.built.isoformat()}{suffix}"

    @property
    def answers_text(self) -> str:
        """ "country, network owner (ASN)" """
        return ", ".join(_FACT_WORDS[f] for f in self.answers) or "nothing mailview shows"


@record
class Answer:
    """What one database says of one address; None where it says nothing."""

    country: str | None = None
    country_name: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    asn: int | None = None
    as_org: str | None = None

    @property
    def has_location(self) -> bool:
        return self.country is not None or self.city is not None

    @property
    def has_network(self) -> bool:
        return self.asn is not None or bool(self.as_org)


class Reader(Protocol):
    info: DatabaseInfo

    def read(self, address: IPAddress) -> Answer | None:
        """The database's answer; None when it knows nothing of the address."""
        ...

    def close(self) -> None: ...


def open_reader(path: Path, *, embedded: bool) -> Reader:
    """The file at `path` opened for lookups.

    Raises FileNotFoundError, UnusableDatabase, or whatever the format's own reader raises
    on damaged bytes (the caller treats anything as "not usable").
    """
    with path.open("rb") as handle:
        head = handle.read(len(PLEVIN_MAGIC))
    if head == PLEVIN_MAGIC:
        return _PlevinReader(path, embedded=embedded)
    return _MmdbReader(path, embedded=embedded)


# -- MaxMind format ----------------------------------------------------------------------

_MMDB_FACTS = {"city": ("country", "city"), "country": ("country",), "asn": ("asn",)}


def _mmdb_mode() -> int:
    """The C extension memory-maps too and answers ~4x faster than the pure-Python reader
    (~27 µs instead of ~105 µs for a City record); the pure-Python mmap mode is the
    fallback for builds where the extension is missing (e.g. some frozen apps)."""
    import maxminddb  # noqa: PLC0415 - loaded with the first MaxMind file

    if _MODE is not None:
        return _MODE
    if importlib.util.find_spec("maxminddb.extension") is not None:
        return int(maxminddb.MODE_MMAP_EXT)
    return int(maxminddb.MODE_MMAP)


class _MmdbReader:
    def __init__(self, path: Path, *, embedded: bool) -> None:
        from geoip2.database import Reader as MmdbFile  # noqa: PLC0415 - MaxMind files only

        self._file = MmdbFile(str(path), mode=_mmdb_mode())
        try:
            self.info = _mmdb_info(self._file, path, embedded)
        except UnusableDatabase:
            self._file.close()
            raise
        except Exception as error:  # metadata of the wrong types, a build date out of range
            self._file.close()
            raise UnusableDatabase(f"has unusable metadata ({_reason(error)})") from error

    def read(self, address: IPAddress) -> Answer | None:
        from geoip2.errors import AddressNotFoundError  # noqa: PLC0415 - loaded by __init__

        try:
            found = self._answer(address)
        except AddressNotFoundError:
            return None
        except ValueError:  # an IPv6 address asked of an IPv4-only database
            return None
        # A record with nothing we show (some networks carry only a registered country):
        # let a later database answer instead.
        return found if found.has_location or found.has_network else None

    def _answer(self, address: IPAddress) -> Answer:
        kind = self.info.kind
        if kind == "asn":
            asn = self._file.asn(address)
            number, org = asn.autonomous_system_number, asn.autonomous_system_organization
            return Answer(asn=number, as_org=org)
        if kind == "city":
            city = self._file.city(address)
            return Answer(
                country=city.country.iso_code,
                country_name=city.country.name,
                city=city.city.name,
                latitude=city.location.latitude,
                longitude=city.location.longitude,
            )
        country = self._file.country(address).country
        return Answer(country=country.iso_code, country_name=country.name)

    def close(self) -> None:
        self._file.close()


def _mmdb_info(file: MmdbFile, path: Path, embedded: bool) -> DatabaseInfo:
    metadata = file.metadata()
    database_type = str(metadata.database_type)
    kind = _mmdb_kind(database_type)
    if kind is None:
        raise UnusableDatabase(f"is a {database_type!r} database, not a City, Country or ASN one")
    built = datetime.fromtimestamp(metadata.build_epoch, tz=UTC).date()
    return DatabaseInfo(path, database_type, built, kind, embedded, _MMDB_FACTS[kind])


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _mmdb_kind(database_type: str) -> str | None:
    # The same substring tests geoip2's Reader applies before city()/country()/asn(), so
    # DB-IP's "DBIP-City-Lite" and "DBIP-ASN-Lite (compat=GeoLite2-ASN)" qualify as well.
    if "City" in database_type:
        return "city"
    if "Country" in database_type:
        return "country"
    if "GeoLite2-ASN" in database_type:
        return "asn"
    return None


# -- plevin format -----------------------------------------------------------------------


class _PlevinReader:
    """A `.plv` file: place fields give country and city, network fields the owner.

    A network-only file (the embedded one) still knows the country each block is
    registered to; that is what it answers for "country".
    """

    def __init__(self, path: Path, *, embedded: bool) -> None:
        plevin = import_for_good("plevin")  # 70 ms to import: only when first asked
        self._file: Plevin = plevin.Plevin(path)
        self._lock = threading.Lock()  # its block caches are not safe across threads
        fields = set(self._file.fields)
        answers = tuple(f for f in FACTS if _plevin_has(fields, f))
        if not answers:
            raise UnusableDatabase("is a plevin database without country, city or network")
        selection = str(self._file.selection) or "full"
        try:
            built = date.fromisoformat(str(self._file.built)[:10])
        except ValueError as error:
            raise UnusableDatabase(f"has unusable metadata ({_reason(error)})") from error
        self.info = DatabaseInfo(path, f"plevin {selection}", built, selection, embedded, answers)
        self._columns = NetworkColumns.from_file(self._file)  # None: a layout it leaves alone

    def read(self, address: IPAddress) -> Answer | None:
        with self._lock:
            owner = self._read_columns(address)
            found = self._file.lookup(str(address)) if owner is None else None
        if owner is not None:
            answer = _owner_answer(owner)
        elif found:
            answer = _plevin_answer(found.place, found.network)
        else:
            return None
        return answer if answer.has_location or answer.has_network else None

    def _read_columns(self, address: IPAddress) -> Owner | None:
        if self._columns is None:
            return None
        return self._columns.owner(int(address), address.version == 6)

    def close(self) -> None:
        # The file is memory-mapped by plevin and unmapped when the reader is collected.
        pass


def _plevin_has(fields: set[str], fact: str) -> bool:
    if fact == "country":
        return bool(fields & {"place.country", "place.country.code", "network.country"}) or any(
            f.startswith("place.city") for f in fields
        )
    if fact == "city":
        return any(f.startswith("place.city") for f in fields)
    return "network.asn" in fields


def _owner_answer(owner: Owner) -> Answer:
    """`_plevin_answer` of the network `owner` describes, with no place."""
    return Answer(
        country=owner.country,
        asn=owner.asn,
        as_org=(owner.operator_brand or owner.operator_company) or owner.handle,
    )


def _plevin_answer(place: Place | None, network: Network | None) -> Answer:
    country = place.country if place is not None else None
    city = place.city if place is not None else None
    operator = network.operator if network is not None else None
    owner = ((operator.brand or operator.company) if operator is not None else None) or (
        network.handle if network is not None else None
    )
    return Answer(
        country=(country.code if country is not None else None)
        or (network.country if network is not None else None),
        country_name=country.name if country is not None else None,
        city=city.name if city is not None else None,
        latitude=place.lat if place is not None else None,
        longitude=place.lon if place is not None else None,
        asn=network.asn if network is not None else None,
        as_org=owner,
    )
