"""Online look-ups (PTR/FCrDNS, ASN, DNSBL, DMARC, MX, DKIM keys) against a local DNS server.

The zone below is the whole "internet" these tests see; the socket guard makes sure of it.
The last tests prove the opposite: offline analysis sends no packet at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.auth.keys import OfflineKeys
from mailview.core.errors import InputError
from mailview.enrich.dns import DnsAnswer, DnsResolver
from mailview.enrich.online import (
    DnsKeys,
    dmarc_record,
    first_trusted_hop_is_mx,
    lookup_hops,
    mx_hosts,
    reverse_labels,
)
from tests.auth_signing import dkim_sign, key_pair, plain_message
from tests.corpus import corpus_files
from tests.dns_server import DnsServer
from tests.net_guard import NetGuard, guard_for_test

V6 = "2001:db8::25"
# 2001:0db8:0000:0000:0000:0000:0000:0025, nibble by nibble from the end.
V6_NIBBLES = "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"

KEY = key_pair(1024)  # the smallest size dkimpy accepts, to keep key generation cheap
KEY_TEXT = KEY.record.decode()
KEY_STRINGS = " ".join(f'"{KEY_TEXT[i : i + 200]}"' for i in range(0, len(KEY_TEXT), 200))

ZONE = [
    # 192.0.2.10: PTR confirmed forward; Team Cymru knows its AS, with a real-format record.
    ("10.2.0.192.in-addr.arpa", "PTR", "mail.example.com."),
    ("mail.example.com", "A", "192.0.2.10"),
    ("10.2.0.192.origin.asn.cymru.com", "TXT", '"15169 | 192.0.2.0/24 | US | arin | 2000-03-30"'),
    (
        "10.2.0.192.origin.asn.cymru.com",
        "TXT",
        '"64501 | 192.0.0.0/16 | ZZ | ripencc | 2001-01-01"',
    ),
    ("AS15169.asn.cymru.com", "TXT", '"15169 | US | arin | 2000-03-30 | GOOGLE, US"'),
    # 192.0.2.20: PTR names a host whose address is another one: FCrDNS fails.
    ("20.2.0.192.in-addr.arpa", "PTR", "fake.example.net."),
    ("fake.example.net", "A", "198.51.100.7"),
    ("20.2.0.192.origin.asn.cymru.com", "TXT", '"64500 | 192.0.2.0/25 | ZZ | arin | 2010-05-05"'),
    # 192.0.2.30: no PTR, no Cymru record, listed on one blocklist.
    ("30.2.0.192.bl.example.org", "A", "127.0.0.2"),
    ("30.2.0.192.bl.example.org", "TXT", '"listed: see https://bl.example.org/"'),
    # 192.0.2.10 gets the "you may not query us" answer of a Spamhaus-style list.
    ("10.2.0.192.refusing.example.org", "A", "127.255.255.254"),
    # IPv6: PTR with forward AAAA, Cymru origin6 by nibbles, listed by nibbles.
    (f"{V6_NIBBLES}.ip6.arpa", "PTR", "mx6.example.com."),
    ("mx6.example.com", "AAAA", "2001:db8:0:0::25"),
    (
        f"{V6_NIBBLES}.origin6.asn.cymru.com",
        "TXT",
        '"64496 | 2001:db8::/32 | ZZ | ripencc | 2005-01-01"',
    ),
    ("AS64496.asn.cymru.com", "TXT", '"64496 | ZZ | ripencc | 2005-01-01 | EXAMPLE-V6-NET"'),
    (f"{V6_NIBBLES}.bl.example.org", "A", "127.0.0.4"),
    # DMARC: a full record, an org-domain fallback target, odd records.
    (
        "_dmarc.example.com",
        "TXT",
        '"v=DMARC1; p=reject; sp=quarantine; pct=50; adkim=s; "'
        '"rua=mailto:dmarc@example.com, mailto:agg@example.net!10m"',
    ),
    ("_dmarc.example.com", "TXT", '"some-site-verification=abc"'),
    ("news.example.com", "A", "192.0.2.80"),
    ("_dmarc.example.co.uk", "TXT", '"v=DMARC1;p=none"'),
    ("_dmarc.rua-only.example", "TXT", '"v=DMARC1; rua=mailto:r@rua-only.example; pct=150"'),
    ("_dmarc.two.example", "TXT", '"v=DMARC1; p=none"'),
    ("_dmarc.two.example", "TXT", '"v=DMARC1; p=reject"'),
    ("_dmarc.lower.example", "TXT", '"v=dmarc1; p=reject"'),
    # MX: ranked, null MX, implicit MX.
    ("example.com", "MX", "20 mx2.example.com."),
    ("example.com", "MX", "10 MX1.example.com."),
    ("example.com", "MX", "10 aspmx.example.com."),
    ("nomail.example", "MX", "0 ."),
    ("implicit.example", "A", "192.0.2.55"),
    ("txtonly.example", "TXT", '"v=spf1 -all"'),
    # A DKIM key published in 200-byte strings.
    ("sel1._domainkey.example.org", "TXT", KEY_STRINGS),
]


@pytest.fixture
def net_guard() -> Iterator[NetGuard]:
    yield from guard_for_test(allow_loopback=True)


@pytest.fixture
def no_network() -> Iterator[NetGuard]:
    yield from guard_for_test(allow_loopback=False)


@pytest.fixture(scope="module")
def server() -> Iterator[DnsServer]:
    with DnsServer(ZONE, servfail=["_dmarc.broken.example.com"]) as running:
        yield running


@pytest.fixture
def resolver(server: DnsServer, net_guard: NetGuard) -> DnsResolver:
    return DnsResolver([server.nameserver], lifetime=1.0)


ZONES = ("bl.example.org", "refusing.example.org", "empty.example.org")


# --- hops ----------------------------------------------------------------------------------


def test_reverse_labels() -> None:
    from ipaddress import ip_address

    assert reverse_labels(ip_address("192.0.2.10")) == "10.2.0.192"
    assert reverse_labels(ip_address(V6)) == V6_NIBBLES


def test_confirmed_ptr_asn_and_a_refusing_blocklist(resolver: DnsResolver) -> None:
    before = datetime.now(UTC)
    found = lookup_hops(["192.0.2.10"], resolver, ZONES, need_asn=True)["192.0.2.10"]
    assert found.ptr == "mail.example.com" and found.fcrdns is True
    # The /24 of AS15169 is more specific than the /16 of AS64501.
    assert found.asn == 15169 and found.as_org == "GOOGLE, US"
    assert found.dnsbl == ()
    assert found.problems == (
        "blocklist refusing.example.org refused the query (answered 127.255.255.254)",
    )
    assert before <= found.looked_up_at <= datetime.now(UTC)


def test_mismatching_ptr_and_unknown_as_name(resolver: DnsResolver) -> None:
    found = lookup_hops(["192.0.2.20"], resolver, ZONES, need_asn=True)["192.0.2.20"]
    assert found.ptr == "fake.example.net" and found.fcrdns is False
    assert found.asn == 64500 and found.as_org is None  # AS64500.asn.cymru.com: NXDOMAIN
    assert found.dnsbl == () and found.problems == ()


def test_no_ptr_is_not_confirmed_and_listing_is_found(resolver: DnsResolver) -> None:
    found = lookup_hops(["[192.0.2.30]"], resolver, ZONES, need_asn=True)["[192.0.2.30]"]
    assert found.ptr is None and found.fcrdns is False
    assert found.asn is None and found.as_org is None
    assert found.dnsbl == ("bl.example.org",)
    assert found.problems == ()


def test_ipv6_hop_by_nibbles(resolver: DnsResolver) -> None:
    found = lookup_hops([f"IPv6:{V6}"], resolver, ZONES, need_asn=True)[f"IPv6:{V6}"]
    assert found.ptr == "mx6.example.com" and found.fcrdns is True
    assert (found.asn, found.as_org) == (64496, "EXAMPLE-V6-NET")
    assert found.dnsbl == ("bl.example.org",)


def test_only_public_addresses_are_looked_up(server: DnsServer, resolver: DnsResolver) -> None:
    ips = ["10.0.0.1", "127.0.0.1", "fe80::1", "not-an-ip", "192.0.2.20", "192.0.2.20"]
    before = server.count("1.0.0.10.in-addr.arpa", "PTR")
    before_asn = server.count("20.2.0.192.origin.asn.cymru.com", "TXT")
    found = lookup_hops(ips, resolver, (), need_asn=False)
    assert list(found) == ["192.0.2.20"]
    assert found["192.0.2.20"].asn is None  # not asked for
    assert server.count("1.0.0.10.in-addr.arpa", "PTR") == before
    assert server.count("20.2.0.192.origin.asn.cymru.com", "TXT") == before_asn


def test_silent_dns_leaves_facts_undecided(net_guard: NetGuard) -> None:
    with DnsServer(ZONE, silent=True) as silent:
        resolver = DnsResolver([silent.nameserver], lifetime=0.2)
        started = time.monotonic()
        found = lookup_hops(["192.0.2.10", V6], resolver, ("bl.example.org",), need_asn=True)
        elapsed = time.monotonic() - started
    assert elapsed < 0.2 * 4  # one parallel round of timeouts (the second has nothing to ask)
    hop = found["192.0.2.10"]
    assert (hop.ptr, hop.fcrdns, hop.asn, hop.dnsbl) == (None, None, None, ())
    assert hop.problems == (
        "PTR look-up timed out",
        "ASN look-up timed out",
        "blocklist bl.example.org timed out",
    )


def test_a_plain_resolver_works_one_query_at_a_time(resolver: DnsResolver) -> None:
    class Plain:
        def query(self, name: str, rdtype: str) -> DnsAnswer:
            return resolver.query(name, rdtype)

    found = lookup_hops(["192.0.2.10"], Plain(), (), need_asn=True)["192.0.2.10"]
    assert (found.ptr, found.fcrdns, found.asn) == ("mail.example.com", True, 15169)


# --- DMARC ---------------------------------------------------------------------------------


def test_dmarc_record_is_parsed(resolver: DnsResolver) -> None:
    record = dmarc_record("Example.COM", resolver)
    assert record is not None
    assert record.domain == "example.com" and record.found_at == "example.com"
    assert not record.inherited
    assert (record.p, record.sp, record.pct, record.adkim, record.aspf) == (
        "reject",
        "quarantine",
        50,
        "s",
        "r",
    )
    assert record.rua == ("mailto:dmarc@example.com", "mailto:agg@example.net!10m")
    assert record.policy == "reject"
    assert record.problems == ()
    assert record.record.startswith("v=DMARC1; p=reject; sp=quarantine; pct=50; adkim=s; rua=")


def test_dmarc_falls_back_to_the_organisational_domain(resolver: DnsResolver) -> None:
    record = dmarc_record("news.example.com", resolver)
    assert record is not None
    assert record.domain == "news.example.com" and record.found_at == "example.com"
    assert record.inherited and record.policy == "quarantine"  # sp applies to subdomains
    uk = dmarc_record("a.b.example.co.uk", resolver)
    assert uk is not None and uk.found_at == "example.co.uk"
    assert uk.p == "none" and uk.policy == "none"  # no sp: p applies


def test_dmarc_oddities(resolver: DnsResolver) -> None:
    rua_only = dmarc_record("rua-only.example", resolver)
    assert rua_only is not None
    # RFC 7489 §6.6.3 step 6: no valid p but a rua → act as p=none.
    assert rua_only.p == "none" and rua_only.pct == 100
    assert rua_only.problems == ("no valid p= tag", "invalid pct=150")
    assert dmarc_record("two.example", resolver) is None  # two records: discovery ends
    assert dmarc_record("lower.example", resolver) is None  # "DMARC1" is case-sensitive
    assert dmarc_record("nothing.example", resolver) is None
    assert dmarc_record("", resolver) is None


def test_dmarc_error_does_not_fall_back(server: DnsServer, resolver: DnsResolver) -> None:
    before = server.count("_dmarc.example.com", "TXT")
    assert dmarc_record("broken.example.com", resolver) is None
    # A transient error is not "no record": the org domain is not asked (RFC 7489 §6.6.3).
    assert server.count("_dmarc.example.com", "TXT") == before


# --- MX ------------------------------------------------------------------------------------


def test_mx_hosts(resolver: DnsResolver) -> None:
    assert mx_hosts("example.com", resolver) == (
        "aspmx.example.com",
        "mx1.example.com",
        "mx2.example.com",
    )
    assert mx_hosts("nomail.example", resolver) == ()  # RFC 7505 null MX
    assert mx_hosts("implicit.example", resolver) == ("implicit.example",)  # RFC 5321 §5.1
    assert mx_hosts("txtonly.example", resolver) == ()  # exists, but no address either
    assert mx_hosts("nothing.example", resolver) == ()
    assert mx_hosts("  ", resolver) == ()


def test_first_trusted_hop_is_mx() -> None:
    mx = ("aspmx.l.example.com", "alt1.aspmx.l.example.com")
    assert first_trusted_hop_is_mx(mx, "ASPMX.l.example.com.") is True
    assert first_trusted_hop_is_mx(mx, "mx.example.com") is True  # same organisation
    assert first_trusted_hop_is_mx(mx, "relay.example.net") is False
    assert first_trusted_hop_is_mx(mx, None) is None
    assert first_trusted_hop_is_mx((), "mx.example.com") is None


# --- DKIM keys -----------------------------------------------------------------------------


def test_dns_keys_give_the_joined_dkim_record(resolver: DnsResolver) -> None:
    keys = DnsKeys(resolver)
    assert keys.txt("sel1._domainkey.example.org.") == KEY.record
    assert keys.txt("nokey._domainkey.example.org") is None
    assert keys.answers["nokey._domainkey.example.org"].status == "nxdomain"


def test_live_key_verifies_a_signature(resolver: DnsResolver) -> None:
    signed = dkim_sign(plain_message(), KEY)
    report = analyze_bytes(signed, options=AnalysisOptions(keys=DnsKeys(resolver)))
    assert report.auth is not None
    (signature,) = report.auth.dkim
    assert signature.verification == "pass"


# --- offline: not one packet ---------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "load"
ROUTED = (
    b"Received: from mail.example.com (mail.example.com [192.0.2.10])\r\n"
    b"\tby mx.example.net (Postfix) with ESMTPS id 4Xyz; Mon, 03 Jun 2024 10:00:05 +0000\r\n"
    b"Received: from [198.51.100.7] (helo=laptop) by mail.example.com with ESMTPSA\r\n"
    b"\t(TLS1.3); Mon, 03 Jun 2024 10:00:01 +0000\r\n"
    b"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.com;\r\n"
    b"\tdkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n"
    b"X-Originating-IP: [2001:db8::25]\r\n"
) + plain_message()


def test_offline_analysis_sends_no_packet(no_network: NetGuard) -> None:
    messages = [ROUTED, dkim_sign(plain_message(), KEY)]
    messages += [path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))]
    messages += [path.read_bytes() for path in corpus_files()[:15]]
    analysed = 0
    for data in messages:
        try:
            analyze_bytes(data)
            analyze_bytes(data, options=AnalysisOptions(keys=OfflineKeys()))
        except InputError:
            continue  # the documented refusal (empty.eml); it sent nothing either
        analysed += 1
    assert analysed >= 11
    assert no_network.attempts == []
