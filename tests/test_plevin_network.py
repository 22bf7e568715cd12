"""The network owner read from a plevin file's own columns answers exactly as
`Plevin.lookup` does, for the embedded database and for a file the tests write; files of
another layout are left to `Plevin.lookup`.

Each comparison opens the same file twice: once reading the columns (what mailview does),
once with that switched off, so that every answer goes through plevin's full look-up.
"""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from mailview.core.ipscope import IPAddress
from mailview.enrich.geo import embedded_database
from mailview.enrich.geo_readers import _PlevinReader
from mailview.enrich.plevin_network import NetworkColumns
from tests.plv_writer import PlvNetwork, write_plv

NETWORKS = [
    PlvNetwork("8.8.8.0/24", 15169, "GOOGLE", "Google LLC", "US"),
    PlvNetwork("81.2.69.0/24", 20712, "ANDREWS-AS", "Andrews & Arnold Ltd", "GB"),
    PlvNetwork("203.0.113.0/24", 0, "", "", "AU"),  # a country and nothing else
    PlvNetwork("198.51.100.0/24", 64500, "EXAMPLE-NET", "", "DE"),  # no operator name
]


def _pair(path: Path) -> tuple[_PlevinReader, _PlevinReader]:
    columns = _PlevinReader(path, embedded=False)
    whole = _PlevinReader(path, embedded=False)
    whole._columns = None  # every answer from Plevin.lookup
    return columns, whole


def _addresses(seed: int, count: int) -> list[IPAddress]:
    chance = random.Random(seed)
    found: list[IPAddress] = []
    for _ in range(count):
        if chance.random() < 0.8:
            found.append(ipaddress.IPv4Address(chance.getrandbits(32)))
        else:  # mostly global unicast, where the networks are
            found.append(ipaddress.IPv6Address((0x2 << 125) | chance.getrandbits(125)))
    return found


@pytest.fixture(scope="module")
def embedded() -> Path:
    path = embedded_database()
    if path is None:
        pytest.skip("no embedded network database installed")
    return path


def test_the_embedded_database_is_read_from_its_columns(embedded: Path) -> None:
    columns, _ = _pair(embedded)
    assert columns._columns is not None
    owner = columns._columns.owner(int(ipaddress.ip_address("8.8.8.8")), wide=False)
    assert owner is not None and owner.asn


def test_the_columns_answer_as_plevin_does_over_many_addresses(embedded: Path) -> None:
    columns, whole = _pair(embedded)
    addresses = _addresses(seed=18, count=1500)
    answers = [columns.read(a) for a in addresses]
    assert answers == [whole.read(a) for a in addresses]
    assert sum(a is not None for a in answers) > len(addresses) // 3  # not all empty


def test_a_written_file_answers_alike_either_way(tmp_path: Path) -> None:
    columns, whole = _pair(write_plv(tmp_path / "net.plv", NETWORKS))
    assert columns._columns is not None
    probes = [ipaddress.IPv4Address(n.cidr.split("/")[0]) + 7 for n in NETWORKS]
    probes += [ipaddress.IPv4Address("9.9.9.9"), ipaddress.IPv4Address("255.255.255.1")]
    for address in probes:
        assert columns.read(address) == whole.read(address), address
    google = columns.read(probes[0])
    assert google is not None and (google.asn, google.country) == (15169, "US")


def test_another_layout_is_left_to_plevin() -> None:
    def shaped(**tables: object) -> Any:  # the parts of a plevin file's reader it reads
        families: Any = {version: (None, [], None, None) for version in (4, 6)}
        return SimpleNamespace(file=SimpleNamespace(tables=tables, families=families))

    network: Any = ([("asn", None)], [("handle", None, None)], [], [], [("operator", None)])
    operator: Any = ([], [("company", None, None)], [], [], [])
    assert NetworkColumns.from_file(shaped(network=network, operator=operator)) is not None
    with_places = shaped(network=network, operator=operator, place=operator)
    assert NetworkColumns.from_file(with_places) is None
    more = ([("asn", None), ("since", None)], *network[1:])
    assert NetworkColumns.from_file(shaped(network=more, operator=operator)) is None
    assert NetworkColumns.from_file(cast(Any, SimpleNamespace())) is None
