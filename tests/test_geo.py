"""GeoDatabases over tiny MaxMind-format files written here, and over the embedded one.

The fixture databases are built with mmdb_writer, shaped like MaxMind's own records, so
the answers below are exactly what we put in; the embedded GeoLite2-City answers were read
with geoip2's Reader by hand (2019-12-24 build).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from mailview.core.model import GeoInfo
from mailview.enrich import geo
from mailview.enrich.geo import (
    EMBEDDED_ATTRIBUTION,
    ENV_VAR,
    GeoDatabases,
    embedded_database,
    find_databases,
    open_geo,
)

CITY_BUILT = "2024-05-07"
ASN_BUILT = "2024-05-14"
OLD_CITY_BUILT = "2021-03-02"

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
    # IPv4-only like DB-IP's files, so asking it an IPv6 address must be handled.
    asn_writer = _Writer(ASN_BUILT, ip_version=4, database_type="GeoLite2-ASN")
    asn_writer.insert_network(
        IPSet(["145.100.0.0/16"]),
        {"autonomous_system_number": 1101, "autonomous_system_organization": "SURF B.V."},
    )
    asn_writer.insert_network(
        IPSet(["13.104.0.0/14"]),
        {
            "autonomous_system_number": 8075,
            "autonomous_system_organization": "Microsoft Corporation",
        },
    )
    asn = folder / "GeoLite2-ASN.mmdb"
    asn_writer.to_db_file(str(asn))
    isp_writer = _Writer(ASN_BUILT, ip_version=4, database_type="GeoIP2-ISP")
    isp_writer.insert_network(IPSet(["145.100.0.0/16"]), {"isp": "SURF"})
    isp = folder / "GeoIP2-ISP.mmdb"
    isp_writer.to_db_file(str(isp))
    return {"city": city, "old_city": old_city, "asn": asn, "isp": isp}


def _src(city: bool = False, asn: bool = False) -> str:
    parts = ([f"GeoLite2-City {CITY_BUILT}"] if city else []) + (
        [f"GeoLite2-ASN {ASN_BUILT}"] if asn else []
    )
    return ", ".join(parts)


def test_city_and_asn_answers_merge(dbs: dict[str, Path]) -> None:
    with GeoDatabases([dbs["city"], dbs["asn"]]) as geo_dbs:
        merged = GeoInfo(
            "NL", "Netherlands", "Amsterdam", 52.37, 4.89, 1101, "SURF B.V.", _src(True, True)
        )
        assert geo_dbs.lookup("145.100.7.9") == merged
        # Brackets and the IPv4-mapped form name the same address.
        assert geo_dbs.lookup("[145.100.7.9]") == merged
        assert geo_dbs.lookup("::ffff:145.100.7.9") == merged
        # Only the ASN file knows Microsoft's range; only the City file knows IPv6.
        assert geo_dbs.lookup("13.107.6.152") == GeoInfo(
            None, None, None, None, None, 8075, "Microsoft Corporation", _src(asn=True)
        )
        assert geo_dbs.lookup("2001:610:1:40ba::3") == GeoInfo(
            "NL", "Netherlands", "Amsterdam", 52.37, 4.89, None, None, _src(city=True)
        )
        assert geo_dbs.lookup("8.8.8.8") is None  # public, but in neither file
        assert geo_dbs.describe() == f"{_src(city=True)}; {_src(asn=True)}"
        assert geo_dbs.age_phrase() == "geo data from May 2024"
        assert geo_dbs.problems() == []


def test_earlier_database_wins_and_later_fills_gaps(dbs: dict[str, Path]) -> None:
    with GeoDatabases([dbs["old_city"], dbs["city"]]) as geo_dbs:
        assert geo_dbs.lookup("81.2.69.142") == GeoInfo(
            "GB", "United Kingdom", "London", 51.5, -0.12, None, None, "GeoLite2-City 2021-03-02"
        )
        assert geo_dbs.lookup("145.100.7.9") == GeoInfo(
            "NL", "Netherlands", "Amsterdam", 52.37, 4.89, None, None, _src(city=True)
        )
        # The oldest City database sets the age the UI shows.
        assert geo_dbs.age_phrase() == "geo data from Mar 2021"


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

    monkeypatch.setattr(geo, "Reader", counting_reader)
    geo_dbs = GeoDatabases([dbs["city"], dbs["asn"]])
    assert geo_dbs.lookup(ip) is None
    assert opened == []


def test_non_public_addresses_are_not_asked_of_an_open_reader(dbs: dict[str, Path]) -> None:
    # The City file holds answers for these ranges; None proves they were never asked.
    with GeoDatabases([dbs["city"]]) as geo_dbs:
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
    paths = [garbage, empty, missing, folder, dbs["isp"], dbs["city"]]
    with GeoDatabases(paths, embedded=None) as geo_dbs:
        assert geo_dbs.lookup("145.100.7.9") == GeoInfo(
            "NL", "Netherlands", "Amsterdam", 52.37, 4.89, None, None, _src(city=True)
        )
        problems = geo_dbs.problems()
        assert len(problems) == 5
        assert problems[0].startswith(f"Geo database {garbage} could not be read (")
        assert problems[0].endswith("); it is not used.")
        assert problems[1].startswith(f"Geo database {empty} could not be read (")
        assert problems[2] == f"Geo database {missing} does not exist; it is not used."
        assert problems[3].startswith(f"Geo database {folder} could not be read (")
        assert problems[4] == (
            f"Geo database {dbs['isp']} is a 'GeoIP2-ISP' database, not a City, Country or "
            "ASN one; it is not used."
        )
        assert geo_dbs.describe() == _src(city=True)


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
        assert (answer.country, answer.asn, answer.source) == ("NL", None, _src(city=True))
        (problem,) = geo_dbs.problems()
        assert problem.startswith(f"Geo database {broken} failed during a lookup (")
        assert problem.endswith("); it is no longer used.")
        assert geo_dbs.describe() == _src(city=True)


def test_precedence_of_places(dbs: dict[str, Path], tmp_path: Path) -> None:
    usual_a, usual_b, app = tmp_path / "share", tmp_path / "var", tmp_path / "app"
    for folder in (usual_a, usual_b, app):
        folder.mkdir()
    (usual_a / "b.mmdb").write_bytes(b"x")
    (usual_a / "a.mmdb").write_bytes(b"x")
    (usual_a / "notes.txt").write_bytes(b"x")  # not a database name: ignored
    (usual_b / "c.mmdb").write_bytes(b"x")
    (app / "d.mmdb").write_bytes(b"x")
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
        embedded,
    ]
    assert find_databases(env={}, usual_dirs=[], embedded=None) == []
    assert find_databases(env={}, usual_dirs=[]) == [embedded]


def test_embedded_database_is_dropped_when_a_city_database_is_given(
    dbs: dict[str, Path],
) -> None:
    embedded = embedded_database()
    assert embedded is not None
    with GeoDatabases([dbs["city"], dbs["asn"], embedded]) as geo_dbs:
        assert geo_dbs.lookup("8.8.8.8") is None  # the embedded file would know it
        assert "embedded" not in geo_dbs.describe()
        assert [info.path for info in geo_dbs.databases()] == [dbs["city"], dbs["asn"]]
    # An ASN file alone leaves the embedded City database in use, after it.
    with GeoDatabases([embedded, dbs["asn"]]) as geo_dbs:
        assert geo_dbs.describe() == f"{_src(asn=True)}; GeoLite2-City 2019-12-24 (embedded)"
        assert geo_dbs.lookup("145.100.7.9") == GeoInfo(
            "NL",
            "Netherlands",
            "Almere Stad",  # the 2019 file's guess for SURF's range
            52.3691,
            5.2598,
            1101,
            "SURF B.V.",
            f"GeoLite2-City 2019-12-24 (embedded), {_src(asn=True)}",
        )


def test_open_geo_reads_the_environment(dbs: dict[str, Path]) -> None:
    with open_geo(env={ENV_VAR: str(dbs["asn"])}) as geo_dbs:
        answer = geo_dbs.lookup("13.107.6.152")
        assert answer is not None
        assert answer.as_org == "Microsoft Corporation"


@pytest.mark.parametrize(
    ("ip", "country", "city", "lat_lon"),
    [
        # Verified with geoip2.database.Reader on the 2019-12-24 file.
        ("8.8.8.8", "US", None, (37.751, -97.822)),
        ("81.2.69.142", "GB", "Gamlingay", (52.1398, -0.2399)),  # MaxMind's own test IP
        ("193.0.6.139", "NL", None, (52.3824, 4.8995)),  # RIPE NCC
        ("2001:4860:4860::8888", "US", None, (37.751, -97.822)),  # Google DNS over IPv6
        ("9.9.9.9", "FR", None, (48.8582, 2.3387)),
    ],
)
def test_embedded_database_answers(
    ip: str, country: str, city: str | None, lat_lon: tuple[float, float]
) -> None:
    with open_geo(env={}) as geo_dbs:
        answer = geo_dbs.lookup(ip)
        assert answer is not None
        assert (answer.country, answer.city, (answer.latitude, answer.longitude)) == (
            country,
            city,
            lat_lon,
        )
        assert (answer.asn, answer.as_org) == (None, None)
        assert answer.source == "GeoLite2-City 2019-12-24 (embedded)"


def test_embedded_database_description() -> None:
    embedded = embedded_database()
    assert embedded is not None
    assert embedded.name == "GeoLite2-City.mmdb"
    with GeoDatabases([embedded]) as geo_dbs:
        assert geo_dbs.describe() == "GeoLite2-City 2019-12-24 (embedded)"
        assert geo_dbs.age_phrase() == "geo data from Dec 2019"
        assert geo_dbs.lookup("8.8.8.8") is not None
        assert geo_dbs.lookup("8.8.8.8") is geo_dbs.lookup("8.8.8.8")  # cached
    assert "2019-12-24" in EMBEDDED_ATTRIBUTION
    assert "CC BY-SA 4.0" in EMBEDDED_ATTRIBUTION
    with GeoDatabases([], embedded=None) as nothing:
        assert nothing.lookup("8.8.8.8") is None
        assert nothing.describe() == "no geo database"
        assert nothing.age_phrase() == "no geo data"


def test_close_then_lookup_reopens(dbs: dict[str, Path]) -> None:
    geo_dbs = GeoDatabases([dbs["city"]])
    assert geo_dbs.lookup("145.100.7.9") is not None
    geo_dbs.close()
    assert geo_dbs.lookup("145.100.1.1") is not None
    geo_dbs.close()
    geo_dbs.close()  # twice is harmless


def test_lookup_cost() -> None:
    """Bench-like: prints the cost; asserts only a generous safety net."""
    ips = [f"{a}.{b}.7.9" for a in range(1, 223) for b in (3, 77, 150) if a not in (10, 127)]
    with open_geo(env={}) as geo_dbs:
        start = time.perf_counter()
        geo_dbs.lookup("8.8.8.8")
        opening = time.perf_counter() - start
        start = time.perf_counter()
        for ip in ips:
            geo_dbs.lookup(ip)
        uncached = (time.perf_counter() - start) / len(ips)
        start = time.perf_counter()
        for ip in ips:
            geo_dbs.lookup(ip)
        cached = (time.perf_counter() - start) / len(ips)
    print(
        f"\ngeo: open+first {opening * 1e3:.2f} ms, uncached {uncached * 1e6:.1f} µs, "
        f"cached {cached * 1e6:.2f} µs per lookup ({len(ips)} addresses)"
    )
    assert uncached < 2e-3
    assert cached < 2e-4


def test_pure_python_reader_behaves_the_same(
    dbs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback mode for builds without maxminddb's C extension."""
    import maxminddb

    monkeypatch.setattr(geo, "_MODE", maxminddb.MODE_MMAP)
    test_city_and_asn_answers_merge(dbs)
    test_unusable_files_become_problems(dbs, tmp_path / "unusable")
    test_corruption_found_during_lookup_retires_the_file(dbs, tmp_path / "corrupt")


def test_impossible_build_date_is_a_problem(tmp_path: Path) -> None:
    writer = _Writer(CITY_BUILT, ip_version=4, database_type="GeoLite2-City")
    writer._epoch = 2**62  # far beyond any calendar datetime can hold
    writer.insert_network(IPSet(["145.100.0.0/16"]), AMSTERDAM)
    path = tmp_path / "future.mmdb"
    writer.to_db_file(str(path))
    with GeoDatabases([path], embedded=None) as geo_dbs:
        assert geo_dbs.lookup("145.100.7.9") is None
        (problem,) = geo_dbs.problems()
        assert problem.startswith(f"Geo database {path} has unusable metadata (")
