"""DnsResolver against a real DNS server on 127.0.0.1 (tests/dns_server.py), no mocks."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from mailview.enrich.dns import (
    DnsAnswer,
    DnsConfigError,
    DnsResolver,
    mx_host,
    parse_nameserver,
    query_all,
)
from tests.dns_server import DnsServer
from tests.net_guard import NetGuard, NetworkBlocked, guard_for_test, guarded

# A DKIM-sized TXT record in 250-byte character-strings: too big for a 512-byte UDP answer
# without EDNS, and split the way publishers split long keys.
LONG = "v=DKIM1; k=rsa; p=" + "".join(chr(ord("A") + i % 26) for i in range(1400))
LONG_TXT = " ".join(f'"{LONG[i : i + 250]}"' for i in range(0, len(LONG), 250))

ZONE = [
    ("host.example.com", "A", "192.0.2.1"),
    ("host.example.com", "A", "192.0.2.2"),
    ("host.example.com", "AAAA", "2001:db8::1"),
    ("example.com", "MX", "10 mx1.example.com."),
    ("example.com", "MX", "20 MX2.Example.COM."),
    ("split.example.com", "TXT", '"v=spf1 " "-all"'),
    ("1.2.0.192.in-addr.arpa", "PTR", "host.example.com."),
    ("deep.below.example.com", "A", "198.51.100.9"),
    ("long.example.com", "TXT", LONG_TXT),
]

LIFETIME = 0.3


@pytest.fixture
def net_guard() -> Iterator[NetGuard]:
    """Only loopback (the local test server) may be reached during the test."""
    yield from guard_for_test(allow_loopback=True)


@pytest.fixture(scope="module")
def server() -> Iterator[DnsServer]:
    with DnsServer(ZONE, servfail=["broken.example.com"]) as running:
        yield running


@pytest.fixture(scope="module")
def silent() -> Iterator[DnsServer]:
    with DnsServer(ZONE, silent=True) as running:
        yield running


@pytest.fixture
def resolver(server: DnsServer, net_guard: NetGuard) -> DnsResolver:
    # A fresh resolver (and cache) per test; the guard proves only loopback is touched.
    return DnsResolver([server.nameserver], lifetime=1.0)


# --- nameserver strings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        (" 198.51.100.1:53 ", ("198.51.100.1", 53)),
        ("[::1]:53", ("::1", 53)),
        ("[2001:db8::53]", ("2001:db8::53", 53)),
        ("2001:db8::53", ("2001:db8::53", 53)),
        ("[2001:DB8:0::35]:1053", ("2001:db8::35", 1053)),
    ],
)
def test_nameserver_strings(text: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ns.example.com",
        "ns.example.com:53",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "[::1]:x",
        "1.2.3",
    ],
)
def test_bad_nameserver_strings_are_config_errors(text: str) -> None:
    with pytest.raises(DnsConfigError):
        DnsResolver([text])


def test_resolver_reports_its_servers() -> None:
    resolver = DnsResolver(["127.0.0.1:5353", "[::1]"])
    assert resolver.nameservers == ("127.0.0.1:5353", "[::1]:53")


# --- statuses ------------------------------------------------------------------------------


def test_ok_answer_has_every_record(resolver: DnsResolver) -> None:
    before = datetime.now(UTC)
    answer = resolver.query("Host.Example.COM.", "a")
    assert answer.status == "ok" and answer.ok
    assert answer.name == "host.example.com" and answer.rdtype == "A"
    assert sorted(answer.records) == ["192.0.2.1", "192.0.2.2"]
    assert before <= answer.looked_up_at <= datetime.now(UTC)
    assert answer.looked_up_at.tzinfo is UTC


def test_nxdomain_and_nodata_are_told_apart(resolver: DnsResolver) -> None:
    assert resolver.query("nothing.example.com", "A").status == "nxdomain"
    assert resolver.query("host.example.com", "TXT").status == "nodata"
    # An empty non-terminal exists (RFC 8020): NODATA, not NXDOMAIN.
    assert resolver.query("below.example.com", "A").status == "nodata"


def test_servfail_and_bad_names_are_errors_not_exceptions(resolver: DnsResolver) -> None:
    failed = resolver.query("broken.example.com", "A")
    assert failed.status == "error" and "SERVFAIL" in failed.detail
    assert resolver.query("empty..label.example.com", "A").status == "error"
    assert resolver.query("x" * 64 + ".example.com", "A").status == "error"  # label > 63


def test_unknown_record_type_is_a_value_error(resolver: DnsResolver) -> None:
    with pytest.raises(ValueError, match="record type"):
        resolver.query("host.example.com", "NOT-A-TYPE")


def test_record_texts(resolver: DnsResolver) -> None:
    assert resolver.query("host.example.com", "AAAA").records == ("2001:db8::1",)
    mx = resolver.query("example.com", "MX").records
    # Name compression may reuse the case of an earlier "example.com": case means nothing.
    assert sorted(r.lower() for r in mx) == ["10 mx1.example.com", "20 mx2.example.com"]
    assert sorted(mx_host(r) for r in mx) == ["mx1.example.com", "mx2.example.com"]
    assert mx_host("0 .") == ""  # RFC 7505 null MX
    assert resolver.query("1.2.0.192.in-addr.arpa", "PTR").records == ("host.example.com",)
    # The character-strings of one TXT record join without a separator.
    assert resolver.query("split.example.com", "TXT").records == ("v=spf1 -all",)


def test_answer_too_big_for_udp_comes_over_tcp(server: DnsServer, resolver: DnsResolver) -> None:
    answer = resolver.query("long.example.com", "TXT")
    assert answer.records == (LONG,)
    assert len(LONG) == 1418
    assert server.count("long.example.com", "TXT") == 2  # truncated UDP, then TCP


def test_timeout_against_a_silent_server(silent: DnsServer, net_guard: NetGuard) -> None:
    resolver = DnsResolver([silent.nameserver], lifetime=LIFETIME)
    started = time.monotonic()
    answer = resolver.query("host.example.com", "A")
    elapsed = time.monotonic() - started
    assert answer.status == "timeout" and not answer.conclusive
    assert answer.detail == "no answer within 0.3 s"
    assert LIFETIME * 0.9 <= elapsed < LIFETIME * 3
    assert silent.count("host.example.com", "A") >= 1  # it was asked, it just never answered


# --- cache ---------------------------------------------------------------------------------


def test_answers_are_cached_negative_ones_too(server: DnsServer, resolver: DnsResolver) -> None:
    before_a = server.count("deep.below.example.com", "A")
    before_nx = server.count("cached-nx.example.com", "A")
    first = resolver.query("deep.below.example.com", "A")
    again = resolver.query("DEEP.below.example.com.", "A")
    assert again is first and first.records == ("198.51.100.9",)
    resolver.query("cached-nx.example.com", "A")
    assert resolver.query("cached-nx.example.com", "A").status == "nxdomain"
    assert server.count("deep.below.example.com", "A") == before_a + 1
    assert server.count("cached-nx.example.com", "A") == before_nx + 1


def test_timeouts_are_not_cached(silent: DnsServer, net_guard: NetGuard) -> None:
    resolver = DnsResolver([silent.nameserver], lifetime=0.1)
    resolver.query("retry.example.com", "A")
    after_first = silent.count("retry.example.com", "A")
    resolver.query("retry.example.com", "A")
    assert silent.count("retry.example.com", "A") > after_first


# --- many at once --------------------------------------------------------------------------


def test_query_many_keys_answers_by_the_pairs_given(resolver: DnsResolver) -> None:
    queries = [("host.example.com", "A"), ("nothing.example.com", "A"), ("host.example.com", "A")]
    answers = resolver.query_many(queries)
    assert list(answers) == [("host.example.com", "A"), ("nothing.example.com", "A")]
    assert answers[("nothing.example.com", "A")].status == "nxdomain"
    assert resolver.query_many([]) == {}


def test_query_many_runs_in_parallel(silent: DnsServer, net_guard: NetGuard) -> None:
    resolver = DnsResolver([silent.nameserver], lifetime=LIFETIME)
    queries = [(f"n{i}.example.com", "A") for i in range(20)]
    started = time.monotonic()
    answers = resolver.query_many(queries)
    elapsed = time.monotonic() - started
    assert {a.status for a in answers.values()} == {"timeout"}
    assert len(answers) == 20
    assert elapsed < LIFETIME * 3  # one after the other would take 20 × 0.3 s = 6 s


def test_query_all_falls_back_to_one_by_one(resolver: DnsResolver) -> None:
    class OneByOne:
        def __init__(self) -> None:
            self.asked: list[tuple[str, str]] = []

        def query(self, name: str, rdtype: str) -> DnsAnswer:
            self.asked.append((name, rdtype))
            return resolver.query(name, rdtype)

    plain = OneByOne()
    answers = query_all(plain, [("host.example.com", "AAAA"), ("host.example.com", "AAAA")])
    assert plain.asked == [("host.example.com", "AAAA")]
    assert answers[("host.example.com", "AAAA")].records == ("2001:db8::1",)


# --- the guard itself ----------------------------------------------------------------------


def test_guard_blocks_a_packet_to_a_public_address() -> None:
    with (
        guarded(allow_loopback=True) as guard,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s,
    ):
        with pytest.raises(NetworkBlocked):
            s.sendto(b"x", ("192.0.2.1", 53))
        with pytest.raises(NetworkBlocked):
            s.connect(("198.51.100.1", 53))
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("example.com", 53)
        s.sendto(b"x", ("127.0.0.1", 9))  # loopback is allowed here
    assert len(guard.attempts) == 3


def test_guard_without_loopback_blocks_everything() -> None:
    with (
        guarded(allow_loopback=False) as guard,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s,
        pytest.raises(NetworkBlocked),
    ):
        s.sendto(b"x", ("127.0.0.1", 9))
    assert guard.attempts == ["sendto ('127.0.0.1', 9)"]
    # Restored on the way out.
    assert socket.socket.sendto.__qualname__ == "socket.sendto"
