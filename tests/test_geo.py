"""GeoDatabases over tiny database files written here, and over the embedded one.

The MaxMind-format fixtures are built with mmdb_writer, shaped like MaxMind's own records,
and the plevin ones with tests/plv_writer.py, so the answers below are exactly what we put
in. The embedded plevin network answers were read with plevin's own reader by hand
(2026-10-04 build).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from mailview.core.model import GeoFactSource, GeoInfo
from mailview.enrich import geo, geo_readers
from mailview.enrich.geo import (
    EMBEDDED_ATTRIBUTION,
    ENV_VAR,
    PROVIDER_RANGES,
    GeoDatabases,
    embedded_database,
    find_databases,
    open_geo,
)
from tests.plv_writer import PlvNetwork, write_plv

CITY_BUILT = "2024-05-07"
ASN_BUILT = "2024-05-14"
OLD_CITY_BUILT = "2021-03-02"
PLV_BUILT = "2026-10-04"

AMSTERDAM: dict[str, Any] = {
    "country": {"iso_code": "NL", "names": {"en": "Netherlands", "de": "Niederlande"}},
    "city": {"names": {"en": "Amsterdam"}},
    "location": {"latitude": 52.37, "longitude": 4.89},
}
LONDON: dict[str, Any] = {
    "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
    "city": {"names": {"en": "London"}},
    "location": {"latitude": 51.5, "longitude": -0.12},
}
BOGUS: dict[str, Any] = {"country": {"iso_code": "AQ", "names": {"en": "Antarctica"}}}


class _Writer(MMDBWriter):
    """MMDBWriter stamps the current time as build_epoch; the tests need a fixed date."""

    def __init__(self, built: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._epoch = int(datetime.fromisoformat(built).replace(tzinfo=UTC).timestamp())

    def _build_meta(self) -> dict[str, Any]:
        return {**super()._build_meta(), "build_epoch": self._epoch}


def _city_db(path: Path, built: str, networks: dict[str, dict[str, Any]]) -> Path:
    # IPv6 with the IPv4 tree at ::/96, as MaxMind ships its City databases.
    writer = _Writer(built, ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City")
    for cidr, record in networks.items():
        writer.insert_network(IPSet([cidr]), record)
    writer.to_db_file(str(path))
    return path


def _asn_db(path: Path) -> Path:
    # IPv4-only like DB-IP's files, so asking it an IPv6 address must be handled.
    writer = _Writer(ASN_BUILT, ip_version=4, database_type="GeoLite2-ASN")
    writer.insert_network(
        IPSet(["145.100.0.0/16"]),
        {"autonomous_system_number": 1101, "autonomous_system_organization": "SURF B.V."},
    )
    writer.insert_network(
        IPSet(["13.104.0.0/14"]),
        {
            "autonomous_system_number": 8075,
            "autonomous_system_organization": "Microsoft Corporation",
        },
    )
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("geo")
    city = _city_db(
        folder / "GeoLite2-City.mmdb",
        CITY_BUILT,
        {
            "145.100.0.0/16": AMSTERDAM,
            "2001:610::/32": AMSTERDAM,
            # Planted in ranges that must never be asked: any of these answers leaking
            # through would show that the scope filter was skipped.
            "192.0.2.0/24": BOGUS,
            "10.0.0.0/8": BOGUS,
            "198.18.0.0/15": BOGUS,
            "127.0.0.0/8": BOGUS,
        },
    )
    old_city = _city_db(folder / "Old-City.mmdb", OLD_CITY_BUILT, {"81.2.0.0/16": LONDON})
    asn = _asn_db(folder / "GeoLite2-ASN.mmdb")
    isp_writer = _Writer(ASN_BUILT, ip_version=4, database_type="GeoIP2-ISP")
    isp_writer.insert_network(IPSet(["145.100.0.0/16"]), {"isp": "SURF"})
    isp = folder / "GeoIP2-ISP.mmdb"
    isp_writer.to_db_file(str(isp))
    plv = write_plv(
        folder / "network.plv",
        [
            PlvNetwork("145.100.0.0/16", 1101, "SURFNET-NL", "SURF B.V.", "NL"),
            PlvNetwork("81.2.0.0/16", 20712, "AS-ANDREWS", "Andrews & Arnold Ltd", "GB"),
            PlvNetwork("40.92.0.0/15", 8075, "MICROSOFT-CORP", "Microsoft Corporation", "US"),
        ],
        built=PLV_BUILT,
    )
    return {"city": city, "old_city": old_city, "asn": asn, "isp": isp, "plv": plv}


def _day(text: str) -> date:
    return date.fromisoformat(text)


CITY_SRC = GeoFactSource(("country", "city"), "GeoLite2-City", _day(CITY_BUILT), False)
ASN_SRC = GeoFactSource(("asn",), "GeoLite2-ASN", _day(ASN_BUILT), False)
CITY_LABEL = f"GeoLite2-City {CITY_BUILT}"
ASN_LABEL = f"GeoLite2-ASN {ASN_BUILT}"
PLV_LABEL = f"plevin network {PLV_BUILT}"


def _plv_src(*facts: str, embedded: bool = False) -> GeoFactSource:
    return GeoFactSource(facts, "plevin network", _day(PLV_BUILT), embedded)


EMBEDDED = embedded_database() or Path("plevin-db-network is not installed")
AMSTERDAM_CITY = ("NL", "Netherlands", "Amsterdam", 52.37, 4.89)


def test_city_and_asn_answers_merge(dbs: dict[str, Path]) -> None:
    with GeoDatabases([dbs["city"], dbs["asn"]], embedded=None) as geo_dbs:
        merged = GeoInfo(
            *AMSTERDAM_CITY,
            1101,
            "SURF B.V.",
            f"{CITY_LABEL}, {ASN_LABEL}",
            (CITY_SRC, ASN_SRC),
        )
        assert geo_dbs.lookup("145.100.7.9") == merged
        # Brackets and the IPv4-mapped form name the same address.
        assert geo_dbs.lookup("[145.100.7.9]") == merged
        assert geo_dbs.lookup("::ffff:145.100.7.9") == merged
        # Only the ASN file knows Microsoft's range; only the City file knows IPv6.
        assert geo_dbs.lookup("13.107.6.152") == GeoInfo(
            None, None, None, None, None, 8075, "Microsoft Corporation", ASN_LABEL, (ASN_SRC,)
        )
        assert geo_dbs.lookup("2001:610:1:40ba::3") == GeoInfo(
            *AMSTERDAM_CITY, None, None, CITY_LABEL, (CITY_SRC,)
        )
        assert geo_dbs.lookup("8.8.8.8") is None  # public, but in neither file
        assert geo_dbs.describe() == f"{CITY_LABEL}; {ASN_LABEL}"
        assert geo_dbs.age_phrase() == "geo data from May 2024"
        assert geo_dbs.problems() == []


def test_earlier_database_wins_and_later_fills_gaps(dbs: dict[str, Path]) -> None:
    with GeoDatabases([dbs["old_city"], dbs["city"]], embedded=None) as geo_dbs:
        old = GeoFactSource(("country", "city"), "GeoLite2-City", _day(OLD_CITY_BUILT), False)
        assert geo_dbs.lookup("81.2.69.142") == GeoInfo(
            "GB",
            "United Kingdom",
            "London",
            51.5,
            -0.12,
            None,
            None,
            "GeoLite2-City 2021-03-02",
            (old,),
        )
        assert geo_dbs.lookup("145.100.7.9") == GeoInfo(
            *AMSTERDAM_CITY, None, None, CITY_LABEL, (CITY_SRC,)
        )
        # The oldest database sets the age the UI shows.
        assert geo_dbs.age_phrase() == "geo data from Mar 2021"


def test_plevin_file_answers_country_and_owner(dbs: dict[str, Path]) -> None:
    with GeoDatabases([dbs["plv"]], embedded=None) as geo_dbs:
        (info,) = geo_dbs.databases()
        assert (info.database_type, info.built, info.kind) == (
            "plevin network",
            _day(PLV_BUILT),
            "network",
        )
        assert info.answers == ("country", "asn")
        assert info.answers_text == "country, network owner (ASN)"
        # One file gave both facts: it is named once, for both. The owner is plevin's
        # short brand of the company ("SURF B.V." -> "SURF").
        assert geo_dbs.lookup("145.100.7.9") == GeoInfo(
            "NL", None, None, None, None, 1101, "SURF", PLV_LABEL, (_plv_src("country", "asn"),)
        )
        assert geo_dbs.lookup("145.101.0.1") is None  # just past the range
        assert geo_dbs.lookup("2001:610::1") is None  # the file holds no IPv6 spine
        assert geo_dbs.problems() == []


def test_each_fact_comes_from_the_first_database_that_knows_it(dbs: dict[str, Path]) -> None:
    """A user's ASN file wins for the owner while the embedded file still gives the
    country; a user's City file wins for the place while the embedded file names the owner."""
    embedded = dbs["plv"]
    with GeoDatabases([dbs["asn"], embedded], embedded=embedded) as geo_dbs:
        answer = geo_dbs.lookup("145.100.7.9")
        assert answer == GeoInfo(
            "NL",
            None,
            None,
            None,
            None,
            1101,
            "SURF B.V.",
            f"{PLV_LABEL} (embedded), {ASN_LABEL}",
            (_plv_src("country", embedded=True), ASN_SRC),
        )
        # Where the user's ASN file knows nothing, the embedded file answers both.
        london = geo_dbs.lookup("81.2.69.142")
        assert london is not None
        assert (london.country, london.asn, london.as_org) == ("GB", 20712, "Andrews & Arnold")
        assert london.sources == (_plv_src("country", "asn", embedded=True),)
    with GeoDatabases([dbs["city"], embedded], embedded=embedded) as geo_dbs:
        assert geo_dbs.lookup("145.100.7.9") == GeoInfo(
            *AMSTERDAM_CITY,
            1101,
            "SURF",
            f"{CITY_LABEL}, {PLV_LABEL} (embedded)",
            (CITY_SRC, _plv_src("asn", embedded=True)),
        )


def test_known_provider_ranges_name_the_owner_without_a_database(dbs: dict[str, Path]) -> None:
    with GeoDatabases([dbs["city"]], embedded=None) as geo_dbs:
        for ip in ("40.92.74.29", "2a01:111:f400:7e1b::1", "209.85.220.41"):
            answer = geo_dbs.lookup(ip)
            assert answer is not None
            assert answer.country is None
            assert answer.sources == (GeoFactSource(("asn",), PROVIDER_RANGES, None, True),)
            assert answer.source == PROVIDER_RANGES
        assert geo_dbs.lookup("40.92.74.29") == GeoInfo(
            None,
            None,
            None,
            None,
            None,
            8075,
            "Microsoft",
            PROVIDER_RANGES,
            (GeoFactSource(("asn",), PROVIDER_RANGES, None, True),),
        )
        google = geo_dbs.lookup("209.85.220.41")
        assert google is not None and (google.asn, google.as_org) == (15169, "Google")
    # A database that knows the range wins over the list.
    with GeoDatabases([dbs["plv"]], embedded=None) as geo_dbs:
        answer = geo_dbs.lookup("40.92.74.29")
        assert answer is not None
        assert (answer.asn, answer.as_org, answer.country) == (8075, "Microsoft", "US")
        assert answer.sources == (_plv_src("country", "asn"),)


@pytest.mark.parametrize(
    "ip",
    [
        "10.1.2.3",  # RFC 1918
        "127.0.0.1",
        "::1",
        "192.0.2.7",  # RFC 5737 documentation
        "2001:db8::5",  # RFC 3849 documentation
        "198.18.0.1",  # RFC 2544 benchmark
        "100.64.0.1",  # CGNAT
        "fe80::1",
        "::ffff:10.1.2.3",
        "2002:a05:6a10:d0d2::",  # 6to4 of 10.5.106.16
        "mail.example.com",
        "",
        "999.1.1.1",
    ],
)
def test_non_public_addresses_never_reach_a_reader(
    dbs: dict[str, Path], ip: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def counting_reader(*args: Any, **kwargs: Any) -> Any:
        opened.append(str(args[0]))
        raise AssertionError("a reader was opened for a non-public address")

    monkeypatch.setattr(geo, "open_reader", counting_reader)
    geo_dbs = GeoDatabases([dbs["city"], dbs["asn"], dbs["plv"]])
    assert geo_dbs.lookup(ip) is None
    assert opened == []


def test_non_public_addresses_are_not_asked_of_an_open_reader(dbs: dict[str, Path]) -> None:
    # The City file holds answers for these ranges; None proves they were never asked.
    with GeoDatabases([dbs["city"]], embedded=None) as geo_dbs:
        assert geo_dbs.lookup("145.100.7.9") is not None  # the file is open and answers
        for ip in ("10.1.2.3", "192.0.2.7", "198.18.0.1", "127.0.0.1"):
            assert geo_dbs.lookup(ip) is None


def test_unusable_files_become_problems(dbs: dict[str, Path], tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    garbage = tmp_path / "garbage.mmdb"
    garbage.write_bytes(b"\x00\xff not a database " * 100)
    empty = tmp_path / "empty.mmdb"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.mmdb"
    folder = tmp_path / "folder.mmdb"
    folder.mkdir()
    # plevin's magic, then nonsense: the reader must refuse it, not crash the lookup.
    bad_plv = tmp_path / "bad.plv"
    bad_plv.write_bytes(b"PLEVIN\0\x02\xff\xff\x00\x00{not json")
    paths = [garbage, empty, missing, folder, dbs["isp"], bad_plv, dbs["city"]]
    with GeoDatabases(paths, embedded=None) as geo_dbs:
        assert geo_dbs.lookup("145.100.7.9") == GeoInfo(
            *AMSTERDAM_CITY, None, None, CITY_LABEL, (CITY_SRC,)
        )
        problems = geo_dbs.problems()
        assert len(problems) == 6
        assert problems[0].startswith(f"Geo database {garbage} could not be read (")
        assert problems[0].endswith("); it is not used.")
        assert problems[1].startswith(f"Geo database {empty} could not be read (")
        assert problems[2] == f"Geo database {missing} does not exist; it is not used."
        assert problems[3].startswith(f"Geo database {folder} could not be read (")
        assert problems[4] == (
            f"Geo database {dbs['isp']} is a 'GeoIP2-ISP' database, not a City, Country or "
            "ASN one; it is not used."
        )
        assert problems[5].startswith(f"Geo database {bad_plv} could not be read (")
        assert geo_dbs.describe() == CITY_LABEL


def test_corruption_found_during_lookup_retires_the_file(
    dbs: dict[str, Path], tmp_path: Path
) -> None:
    tmp_path.mkdir(exist_ok=True)
    # Intact metadata at the end (so it opens) behind a search tree overwritten with 0xFF:
    # every record then points far outside the file, which only a lookup discovers.
    good = dbs["asn"].read_bytes()
    assert good.index(b"\xab\xcd\xefMaxMind.com") > 60  # the metadata is left alone
    broken = tmp_path / "broken-ASN.mmdb"
    broken.write_bytes(b"\xff" * 60 + good[60:])
    with GeoDatabases([broken, dbs["city"]], embedded=None) as geo_dbs:
        assert geo_dbs.problems() == []
        answer = geo_dbs.lookup("145.100.7.9")
        assert answer is not None
        assert (answer.country, answer.asn, answer.source) == ("NL", None, CITY_LABEL)
        (problem,) = geo_dbs.problems()
        assert problem.startswith(f"Geo database {broken} failed during a lookup (")
        assert problem.endswith("); it is no longer used.")
        assert geo_dbs.describe() == CITY_LABEL


def test_damaged_plevin_blocks_retire_the_file(dbs: dict[str, Path], tmp_path: Path) -> None:
    # Intact header and block tables in front of an address index whose LZMA block is
    # noise: opening works, the first lookup that decodes the block fails.
    good = dbs["plv"].read_bytes()
    size = int.from_bytes(good[8:12], "little")
    spine = json.loads(good[12 : 12 + size])["sections"]["spine.v4"]
    start = 12 + size + spine["offset"] + 20  # block count, key width, 2 offsets, 1 key
    end = 12 + size + spine["offset"] + spine["bytes"]
    noise = bytes(b ^ 0x5A for b in good[start:end])
    broken = tmp_path / "broken.plv"
    broken.write_bytes(good[:start] + noise + good[end:])
    with GeoDatabases([broken, dbs["city"]], embedded=None) as geo_dbs:
        assert geo_dbs.problems() == []
        answer = geo_dbs.lookup("145.100.7.9")
        assert answer is not None and answer.source == CITY_LABEL
        (problem,) = geo_dbs.problems()
        assert problem.startswith(f"Geo database {broken} failed during a lookup (")


def test_precedence_of_places(dbs: dict[str, Path], tmp_path: Path) -> None:
    usual_a, usual_b, app = tmp_path / "share", tmp_path / "var", tmp_path / "app"
    for folder in (usual_a, usual_b, app):
        folder.mkdir()
    (usual_a / "b.mmdb").write_bytes(b"x")
    (usual_a / "a.mmdb").write_bytes(b"x")
    (usual_a / "notes.txt").write_bytes(b"x")  # not a database name: ignored
    (usual_b / "c.mmdb").write_bytes(b"x")
    (app / "d.mmdb").write_bytes(b"x")
    (app / "e.plv").write_bytes(b"x")
    env = {ENV_VAR: f"{tmp_path / 'env1.mmdb'}:{tmp_path / 'env2.mmdb'}:"}
    embedded = embedded_database()
    assert embedded is not None
    found = find_databases(
        [tmp_path / "explicit.mmdb", usual_b / "c.mmdb"],  # c is also a usual file: once
        env,
        app,
        usual_dirs=[usual_a, usual_b, tmp_path / "absent"],
    )
    assert found == [
        tmp_path / "explicit.mmdb",
        usual_b / "c.mmdb",
        tmp_path / "env1.mmdb",
        tmp_path / "env2.mmdb",
        usual_a / "a.mmdb",
        usual_a / "b.mmdb",
        app / "d.mmdb",
        app / "e.plv",
        embedded,
    ]
    assert find_databases(env={}, usual_dirs=[], embedded=None) == []
    assert find_databases(env={}, usual_dirs=[]) == [embedded]


def test_open_geo_reads_the_environment(dbs: dict[str, Path]) -> None:
    with open_geo(env={ENV_VAR: str(dbs["asn"])}) as geo_dbs:
        answer = geo_dbs.lookup("13.107.6.152")
        assert answer is not None
        assert answer.as_org == "Microsoft Corporation"


@pytest.mark.parametrize(
    ("ip", "country", "asn", "owner"),
    [
        # Read with plevin's own reader from the 2026-10-04 build.
        ("8.8.8.8", "US", 15169, "Google"),
        ("2001:4860:4860::8888", "US", 15169, "Google"),  # Google DNS over IPv6
        ("40.92.74.29", "US", 8075, "Microsoft"),  # Exchange Online outbound
        ("193.0.6.139", "NL", 3333, "Reseaux IP Europeens Network Coordination Centre"),
        ("1.1.1.1", "AU", 13335, "Cloudflare"),
    ],
)
def test_embedded_database_answers(ip: str, country: str, asn: int, owner: str) -> None:
    with GeoDatabases([EMBEDDED]) as geo_dbs:
        answer = geo_dbs.lookup(ip)
        assert answer is not None
        assert (answer.country, answer.asn, answer.as_org) == (country, asn, owner)
        assert answer.city is None  # the network file places nothing finer than a country
        assert answer.source == f"{PLV_LABEL} (embedded)"
        assert answer.sources == (_plv_src("country", "asn", embedded=True),)


def test_embedded_database_description() -> None:
    embedded = embedded_database()
    assert embedded is not None
    assert embedded.name == "plevin.network.plv"
    with GeoDatabases([embedded]) as geo_dbs:
        assert geo_dbs.describe() == f"{PLV_LABEL} (embedded)"
        assert geo_dbs.age_phrase() == "geo data from Oct 2026"
        assert geo_dbs.lookup("8.8.8.8") is not None
        assert geo_dbs.lookup("8.8.8.8") is geo_dbs.lookup("8.8.8.8")  # cached
    for source in ("RIPE NCC", "CAIDA", "PeeringDB", "plevin"):
        assert source in EMBEDDED_ATTRIBUTION
    with GeoDatabases([], embedded=None) as nothing:
        assert nothing.lookup("8.8.8.8") is None
        assert nothing.describe() == "no geo database"
        assert nothing.age_phrase() == "no geo data"


def test_close_then_lookup_reopens(dbs: dict[str, Path]) -> None:
    geo_dbs = GeoDatabases([dbs["city"], dbs["plv"]])
    assert geo_dbs.lookup("145.100.7.9") is not None
    geo_dbs.close()
    assert geo_dbs.lookup("145.100.1.1") is not None
    geo_dbs.close()
    geo_dbs.close()  # twice is harmless


def test_threads_asking_at_once_get_the_same_answers(dbs: dict[str, Path]) -> None:
    """The GUI analyses tabs on worker threads; plevin's block caches are shared."""
    embedded = embedded_database()
    assert embedded is not None
    ips = [f"{a}.{b}.7.9" for a in range(1, 223, 3) for b in (3, 77, 150) if a not in (10, 127)]
    with GeoDatabases([embedded]) as alone:
        expected = {ip: alone.lookup(ip) for ip in ips}
    results: list[dict[str, GeoInfo | None]] = []
    with GeoDatabases([embedded]) as shared:

        def ask() -> None:
            results.append({ip: shared.lookup(ip) for ip in reversed(ips)})

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert shared.problems() == []
    assert len(results) == 4
    assert all(found == expected for found in results)
    assert sum(answer is not None for answer in expected.values()) > len(ips) // 2


def test_pure_python_reader_behaves_the_same(
    dbs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback mode for builds without maxminddb's C extension."""
    import maxminddb

    monkeypatch.setattr(geo_readers, "_MODE", maxminddb.MODE_MMAP)
    test_city_and_asn_answers_merge(dbs)
    test_unusable_files_become_problems(dbs, tmp_path / "unusable")
    test_corruption_found_during_lookup_retires_the_file(dbs, tmp_path / "corrupt")


def test_impossible_build_date_is_a_problem(tmp_path: Path) -> None:
    writer = _Writer(CITY_BUILT, ip_version=4, database_type="GeoLite2-City")
    writer._epoch = 2**62  # far beyond any calendar datetime can hold
    writer.insert_network(IPSet(["145.100.0.0/16"]), AMSTERDAM)
    path = tmp_path / "future.mmdb"
    writer.to_db_file(str(path))
    bad_date = write_plv(
        tmp_path / "undated.plv",
        [PlvNetwork("145.100.0.0/16", 1101, "SURFNET-NL", "SURF B.V.", "NL")],
        built="someday",
    )
    with GeoDatabases([path, bad_date], embedded=None) as geo_dbs:
        assert geo_dbs.lookup("145.100.7.9") is None
        first, second = geo_dbs.problems()
        assert first.startswith(f"Geo database {path} has unusable metadata (")
        assert second.startswith(f"Geo database {bad_date} has unusable metadata (")


@pytest.fixture(scope="module")
def every_kind(dbs: dict[str, Path]) -> Iterator[GeoDatabases]:
    files = [dbs["city"], dbs["asn"], dbs["plv"], EMBEDDED]
    with GeoDatabases(files, embedded=EMBEDDED) as geo_dbs:
        yield geo_dbs


ANY_TEXT = st.one_of(
    st.text(max_size=60),
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
)


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT)
def test_any_text_gets_an_answer_or_none(every_kind: GeoDatabases, text: str) -> None:
    answer = every_kind.lookup(text)
    assert answer is None or answer.sources
    assert every_kind.problems() == []
