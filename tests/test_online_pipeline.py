"""Online mode end to end: the sample message against a real DNS server on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from mailview.assets import sample_message
from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.enrich.dns import DnsResolver
from mailview.enrich.pipeline import OnlineSettings, analyze_online
from tests.dns_server import DnsServer
from tests.net_guard import NetGuard, guard_for_test

# The sample's boundary hop came from 203.0.113.77; its envelope domain and From domain
# are paypa1-billing.example; it was addressed to contoso.example, whose MX is Microsoft's.
ZONE = [
    ("77.113.0.203.in-addr.arpa", "PTR", "mail.paypa1-billing.example."),
    ("mail.paypa1-billing.example", "A", "203.0.113.99"),  # does not point back
    ("77.113.0.203.origin.asn.cymru.com", "TXT",
     '"64500 | 203.0.113.0/24 | NL | ripencc | 2020-01-01"'),
    ("AS64500.asn.cymru.com", "TXT", '"64500 | NL | ripencc | 2020-01-01 | EXAMPLE-NET, NL"'),
    ("77.113.0.203.bl.test", "A", "127.0.0.2"),
    ("paypa1-billing.example", "TXT", '"v=spf1 ip4:192.0.2.0/24 -all"'),
    ("_dmarc.paypa1-billing.example", "TXT",
     '"v=DMARC1; p=reject; rua=mailto:d@paypa1-billing.example"'),
    ("contoso.example", "MX", "10 contoso-example.mail.protection.outlook.com."),
]  # fmt: skip


@pytest.fixture
def server() -> Iterator[DnsServer]:
    with DnsServer(ZONE) as running:
        yield running


@pytest.fixture
def loopback_only() -> Iterator[NetGuard]:
    yield from guard_for_test(allow_loopback=True)


def online_report(nameserver: str, lifetime: float = 2.0):  # type: ignore[no-untyped-def]
    data = sample_message().read_bytes()
    settings = OnlineSettings(
        DnsResolver([nameserver], lifetime=lifetime), nameserver, ("bl.test",)
    )
    analyse = functools.partial(analyze_bytes, data, "sample.eml", None)
    return analyze_online(analyse, AnalysisOptions(), settings)


def test_online_answers_are_attached_with_their_time(
    server: DnsServer, loopback_only: NetGuard
) -> None:
    report = online_report(server.nameserver)
    boundary = report.hops[2]
    assert boundary.fields.from_ip == "203.0.113.77"
    lookup = report.hop_online[2]
    assert lookup is not None
    assert lookup.ptr == "mail.paypa1-billing.example"
    assert lookup.fcrdns is False
    assert (lookup.asn, lookup.as_org) == (64500, "EXAMPLE-NET, NL")
    assert lookup.dnsbl == ("bl.test",)
    online = report.online
    assert online is not None and online.resolver == server.nameserver
    assert online.spf is not None and online.spf.result == "fail"
    assert online.spf.domain == "paypa1-billing.example" and online.spf.ip == "203.0.113.77"
    assert online.dmarc_record is not None and online.dmarc_record.policy == "reject"
    assert online.mx == ("contoso-example.mail.protection.outlook.com",)
    assert online.first_trusted_hop_is_mx is True  # by_host is Microsoft's, like the MX
    codes = {f.code for f in report.findings}
    assert {"online.dnsbl_listed", "online.spf_fail", "online.fcrdns_mismatch"} <= codes
    # The sender greeted as mail.paypa1-billing.example and the PTR agrees: no mismatch.
    assert "online.helo_mismatch" not in codes
    assert all(h is None or h.looked_up_at == lookup.looked_up_at for h in report.hop_online[2:3])


def test_a_silent_resolver_costs_about_one_timeout(loopback_only: NetGuard) -> None:
    with DnsServer(ZONE, silent=True) as silent:
        start = time.perf_counter()
        report = online_report(silent.nameserver, lifetime=0.5)
        elapsed = time.perf_counter() - start
    assert elapsed < 2.5, elapsed  # questions are asked in parallel, not one after another
    assert report.online is not None
    assert report.online.spf is not None and report.online.spf.result == "temperror"
    assert report.online.dmarc_record is None
    lookup = report.hop_online[2]
    assert lookup is not None and lookup.ptr is None and lookup.problems
    assert report.hops  # the rest of the report is all there


def test_cli_online_json_and_offline_has_no_online_keys(server: DnsServer) -> None:
    base = [sys.executable, "-m", "mailview", "analyze", "--json"]
    online = subprocess.run(
        [*base, "--online", "--resolver", server.nameserver, "--dnsbl", "bl.test", "--sample"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert online.returncode == 0, online.stderr
    doc = json.loads(online.stdout)
    assert doc["online"]["resolver"] == server.nameserver
    assert doc["online"]["spf"]["result"] == "fail"
    assert doc["online"]["dmarc_record"]["p"] == "reject"
    assert doc["online"]["looked_up_at"].endswith("Z")
    hop = doc["hops"][2]
    assert hop["online"]["ptr"] == "mail.paypa1-billing.example"
    assert hop["online"]["dnsbl"] == ["bl.test"]
    assert hop["geo"] is None  # a documentation address: never looked up
    offline = subprocess.run([*base, "--sample"], capture_output=True, text=True, check=True)
    doc = json.loads(offline.stdout)
    assert "online" not in doc and all("online" not in h for h in doc["hops"])
    assert server.count("77.113.0.203.in-addr.arpa", "PTR") >= 1


def test_resolver_without_online_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mailview", "analyze", "--resolver", "127.0.0.1", "--sample"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2


def test_strict_dkim_alignment_from_the_published_record(loopback_only: NetGuard) -> None:
    """A relaxed-aligned DKIM pass fails DMARC when the published record says adkim=s."""
    from tests.auth_signing import dkim_sign, key_pair, plain_message

    pair = key_pair()
    # Signed by mail.example.org for a From of example.org: relaxed-aligned only.
    signed = dkim_sign(plain_message(), pair, domain="mail.example.org")
    zone = [
        ("sel1._domainkey.mail.example.org", "TXT", txt_strings(pair.record.decode())),
        ("_dmarc.example.org", "TXT", '"v=DMARC1; p=reject; adkim=s"'),
    ]
    with DnsServer(zone) as server:
        resolver = DnsResolver([server.nameserver], lifetime=1.0)
        settings = OnlineSettings(resolver, server.nameserver, ())
        analyse = functools.partial(analyze_bytes, signed, "signed.eml", None)
        report = analyze_online(analyse, AnalysisOptions(), settings)
        relaxed = analyse(AnalysisOptions(keys=settings_keys(resolver)))
    assert report.auth is not None and report.auth.dkim[0].verification == "pass"
    assert report.online is not None and report.online.dmarc_record is not None
    assert report.online.dmarc_record.adkim == "s"
    assert report.auth.alignment.dmarc_computed == "fail"  # strict: mail.example.org != example.org
    assert relaxed.auth is not None and relaxed.auth.alignment.dmarc_computed == "pass"


def txt_strings(text: str) -> str:
    """A long TXT record as the 255-octet character-strings DNS carries it in."""
    return " ".join(f'"{text[i : i + 200]}"' for i in range(0, len(text), 200))


def settings_keys(resolver: DnsResolver):  # type: ignore[no-untyped-def]
    from mailview.enrich.online import DnsKeys

    return DnsKeys(resolver)
