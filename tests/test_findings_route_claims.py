"""Route-claim rules: each raises its finding on the case it is about, and stays quiet on
the near miss next to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailview.assets import sample_message
from mailview.core.chain import (
    route_from_headers,
)
from mailview.core.errors import InputError
from mailview.core.findings import route_claims as rules
from mailview.core.findings.context import Rule, RuleContext
from mailview.core.load import load_bytes
from mailview.core.model import Finding, Severity, TlsInfo
from tests.corpus import CORPUS, corpus_files
from tests.helpers import at, hop, plus, route_of

NOW = datetime(2024, 11, 13, tzinfo=UTC)
T0 = at("2024-11-12 09:00:00")
TLS = TlsInfo("TLSv1.3", None)


def context(data: bytes) -> RuleContext:
    message = load_bytes(data)[0]
    route = route_from_headers(message.headers)
    return RuleContext(message, message.headers, route, NOW)


def run(rule: Rule, text: str) -> list[Finding]:
    return list(rule(context(text.replace("\n", "\r\n").encode())))


def run_route(rule: Rule, *hops_newest_first: object) -> list[Finding]:
    route = route_of(*hops_newest_first)  # type: ignore[arg-type]
    ctx = RuleContext(load_bytes(b"Subject: x\r\n\r\n")[0], (), route, NOW)
    return list(rule(ctx))


def boundary_message(from_clause: str, protocol: str = "ESMTPS") -> str:
    """Our MX received from `from_clause`, written by an untrusted sender hop below."""
    return (
        f"Received: from {from_clause}\n"
        f" by mx.corp.example (Postfix) with {protocol} id 4A;\n"
        " Tue, 12 Nov 2024 09:00:05 +0000\n"
        "From: a@sender.example\nSubject: hi\n\nbody\n"
    )


# --- fake provider hops ------------------------------------------------------------------


def test_sample_raises_the_fake_gmail_hops() -> None:
    found = list(rules.fake_provider_hop(context(sample_message().read_bytes())))
    by_hop = {f.title: f for f in found}
    local = by_hop["Hop 1 pretends to be Google"]
    assert local.severity is Severity.HIGH
    assert "from userid 0" in local.detail
    assert local.strength == "correlated"
    assert local.evidence[0].text.startswith("Received: by smtp.gmail.com")
    relayed = by_hop["Hop 2 pretends to be Google"]
    assert relayed.severity is Severity.MEDIUM
    assert "198.51.100.23" in relayed.detail


def test_real_gmail_hops_below_the_boundary_are_believed() -> None:
    text = (
        "Received: from mail-wr1-f41.google.com (mail-wr1-f41.google.com [209.85.221.41])\n"
        " by mx.corp.example (Postfix) with ESMTPS id 4A; Tue, 12 Nov 2024 09:00:05 +0000\n"
        "Received: by mail-wr1-f41.google.com with SMTP id x5so1;\n"
        " Tue, 12 Nov 2024 01:00:04 -0800 (PST)\n"
        "X-Received: by 2002:a05:6000:1a8e:b0:37d:4e9d:2bd with SMTP id x;\n"
        " Tue, 12 Nov 2024 01:00:04 -0800 (PST)\n"
        "Subject: hi\n\nbody\n"
    )
    assert run(rules.fake_provider_hop, text) == []


def test_microsoft_name_with_exim_software_is_not_microsoft() -> None:
    text = (
        "Received: from relay.sender.example (relay.sender.example [192.0.2.40])\n"
        " by mx.corp.example (Postfix) with ESMTP id 4A; Tue, 12 Nov 2024 09:00:05 +0000\n"
        "Received: from [10.1.1.1] by mail.protection.outlook.com with esmtp (Exim 4.96)\n"
        " id 1tAbCd-000Xyz-AB; Tue, 12 Nov 2024 09:00:01 +0000\n"
        "Subject: hi\n\nbody\n"
    )
    found = run(rules.fake_provider_hop, text)
    assert [(f.severity, f.title) for f in found] == [
        (Severity.HIGH, "Hop 1 pretends to be Microsoft 365")
    ]
    assert "Exim 4.96" in found[0].detail


def test_boundary_helo_claiming_gmail_from_a_foreign_address() -> None:
    found = run(rules.fake_provider_hop, boundary_message("smtp.gmail.com (unknown [203.0.113.9])"))
    assert [(f.code, f.severity) for f in found] == [("route.fake_provider_hop", Severity.MEDIUM)]
    assert "announced itself as 'smtp.gmail.com'" in found[0].detail


def test_boundary_helo_believed_when_reverse_dns_is_google() -> None:
    # The receiving server's own reverse look-up says Google: our range list is stale.
    clause = "mail-x.google.com (mail-x.google.com [203.0.113.9])"
    assert run(rules.fake_provider_hop, boundary_message(clause)) == []


# --- HELO at the boundary -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "severity", "words"),
    [
        ("localhost (unknown [192.0.2.7])", Severity.MEDIUM, "localhost"),
        ("localhost.localdomain.com (x.example.net [192.0.2.7])", Severity.MEDIUM, "localhost"),
        ("[192.0.2.7] (unknown [192.0.2.7])", Severity.LOW, "IP address"),
        ("jqkxpw (unknown [192.0.2.7])", Severity.LOW, "single word"),
        ("mail.bank.example (host.colo.example [192.0.2.7])", Severity.LOW, "different"),
    ],
)
def test_odd_helo_at_the_boundary(clause: str, severity: Severity, words: str) -> None:
    found = run(rules.suspicious_helo, boundary_message(clause))
    assert [(f.code, f.severity) for f in found] == [("route.suspicious_helo", severity)]
    assert words in found[0].detail
    assert found[0].strength == "heuristic"


@pytest.mark.parametrize(
    "clause",
    [
        "mail.sender.example (out1.sender.example [192.0.2.7])",  # same organisation
        "mail.sender.example (unknown [192.0.2.7])",  # no reverse DNS to contradict
    ],
)
def test_ordinary_helo_is_quiet(clause: str) -> None:
    assert run(rules.suspicious_helo, boundary_message(clause)) == []


def test_helo_of_an_imap_fetch_is_not_judged() -> None:
    text = boundary_message("localhost (unknown [192.0.2.7])", protocol="IMAP")
    assert run(rules.suspicious_helo, text) == []


# --- home or dynamic connections ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rdns", "ip"),
    [
        ("70-36-142-124.dsl.dynamic.sonic.net", "70.36.142.124"),
        ("62-122-4-47.flat.galactica.it", "62.122.4.47"),
        ("c-24-3-96-11.client.comcast.net", "24.3.96.11"),
        ("11.96.3.24.static-ip.isp.example", "24.3.96.11"),
        ("cm-vtr0-104-67.cable.vtr.example", "200.83.104.67"),
    ],
)
def test_dynamic_sender(rdns: str, ip: str) -> None:
    found = run(rules.dynamic_sender, boundary_message(f"pc ({rdns} [{ip}])"))
    assert [(f.code, f.severity) for f in found] == [("route.dynamic_sender", Severity.MEDIUM)]
    assert rdns in found[0].detail


@pytest.mark.parametrize(
    ("rdns", "ip"),
    [
        ("mta-244-117.tll07.zoneas.eu", "85.234.244.117"),  # two octets, no ISP words
        ("a14-92.smtp-out.amazonses.com", "54.240.14.92"),
        ("mail-oln040092074029.outbound.protection.outlook.com", "40.92.74.29"),
        ("70-36-142-124.sonic.example", "198.51.100.1"),  # not this address
        ("mail.dsl-provider.example", "198.51.100.1"),  # one ISP word alone
    ],
)
def test_mail_server_names_are_not_dynamic(rdns: str, ip: str) -> None:
    assert run(rules.dynamic_sender, boundary_message(f"mx ({rdns} [{ip}])")) == []


# --- one slow hop -------------------------------------------------------------------------


def chain(*delays: float, protocol: str | None = None) -> list[Finding]:
    """Hops with the given delays (oldest first), all internal so that no other rule cares."""
    stamps = [T0]
    for d in delays:
        stamps.append(plus(stamps[-1], d))
    hops = [
        hop(f"h{i}.example", f"10.0.0.{i + 1}", f"h{i + 1}.example", s, with_protocol=protocol)
        for i, s in enumerate(stamps)
    ]
    return run_route(rules.slow_hop, *reversed(hops))


def test_one_hop_far_slower_than_the_others() -> None:
    found = chain(2, 1, 20 * 60, 3)
    assert [(f.code, f.severity) for f in found] == [("route.slow_hop", Severity.LOW)]
    assert found[0].title == "Hop 4 took 20 min 00 s"
    assert chain(2, 1, 2 * 86400, 3)[0].severity is Severity.MEDIUM


@pytest.mark.parametrize(
    "delays",
    [
        (2, 1, 9 * 60, 3),  # under ten minutes
        (2, 15 * 60, 20 * 60, 3),  # two slow hops: a slow route
        (20 * 60, 3),  # too few hops to compare
    ],
)
def test_no_single_slow_hop(delays: tuple[float, ...]) -> None:
    assert chain(*delays) == []


def test_a_mailbox_fetch_is_not_a_slow_hop() -> None:
    assert chain(2, 1, 5 * 3600, 3, protocol="IMAP") == []


# --- time zone that does not fit --------------------------------------------------------


def zoned(by: str, minutes: int, offset: int) -> object:
    date = plus(T0, minutes * 60)
    return hop("a.example", "10.0.0.1", by, date._replace(offset_minutes=offset))


def test_odd_time_zone_within_one_organisation() -> None:
    found = run_route(
        rules.odd_time_zone,
        zoned("mx2.example.de", 3, 60),
        zoned("mx1.example.de", 2, -480),
        zoned("filter.example.de", 1, 60),
        zoned("out.other.example", 0, -300),
    )
    assert [(f.code, f.severity) for f in found] == [("route.odd_time_zone", Severity.INFO)]
    assert "-0800" in found[0].detail and "+0100" in found[0].detail


@pytest.mark.parametrize("odd", [0, 120])  # UTC stamps and neighbouring zones are ordinary
def test_time_zones_that_fit(odd: int) -> None:
    found = run_route(
        rules.odd_time_zone,
        zoned("mx2.example.de", 3, 60),
        zoned("mx1.example.de", 2, odd),
        zoned("filter.example.de", 1, 60),
    )
    assert found == []


# --- TLS ----------------------------------------------------------------------------------


def test_plain_hop_on_an_encrypted_route() -> None:
    found = run_route(
        rules.tls_missing,
        hop("relay.isp.example", "192.0.2.20", "mx.corp.example", plus(T0, 5), tls=TLS),
        hop("out.sender.example", "198.51.100.9", "relay.isp.example", plus(T0, 2)),
        hop("pc.sender.example", "203.0.113.7", "out.sender.example", T0, tls=TLS),
    )
    assert [(f.code, f.severity) for f in found] == [("route.tls_missing", Severity.LOW)]
    assert "198.51.100.9" in found[0].detail


def test_old_route_without_tls_anywhere_is_quiet() -> None:
    found = run_route(
        rules.tls_missing,
        hop("relay.isp.example", "192.0.2.20", "mx.corp.example", plus(T0, 5)),
        hop("out.sender.example", "198.51.100.9", "relay.isp.example", plus(T0, 2)),
    )
    assert found == []


def test_plain_hand_over_inside_one_organisation_is_quiet() -> None:
    found = run_route(
        rules.tls_missing,
        hop("relay.isp.example", "192.0.2.20", "mx.corp.example", plus(T0, 5), tls=TLS),
        hop("filter.isp.example", "192.0.2.30", "relay.isp.example", plus(T0, 2)),
        hop("out.sender.example", "198.51.100.9", "filter.isp.example", T0, tls=TLS),
    )
    assert found == []


# --- corpus -------------------------------------------------------------------------------

HAM = ("spamassassin/nice/", "spamassassin/welcomelists/", "mailgun-flanker/", "patchwork/")


@pytest.mark.corpus
def test_corpus_sweep_never_raises_and_ham_gets_no_high() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    for path in files:
        try:
            ctx = context(path.read_bytes())
        except InputError:
            continue
        found = [f for rule in rules.RULES for f in rule(ctx)]
        name = str(path.relative_to(CORPUS))
        if name.startswith(HAM) and "/spam/" not in name:
            assert not [f for f in found if f.severity is Severity.HIGH], name
