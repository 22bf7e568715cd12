"""Redaction for sharing: recipients, internal hosts and private IPs out, sender facts in.

Expected placeholders are numbered by first appearance: recipients from the hops' `for`
(oldest first) and then the To/Cc headers; hosts from the trusted hops (receiver first,
then its client) and then header text; IPs from the hops and then header text.
"""

from __future__ import annotations

import json

from mailview.export.html_report import render_html
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import RedactionMap, redact
from mailview.export.ticket import render_ticket
from tests.test_export_reports import probe, sample

PRIVATE = ("10.1.2.3", "192.168.7.7", "172.16.9.9", "fd00::5")
MX, MBOX, RELAY = (f"internal-host-{n}.redacted.invalid" for n in (1, 2, 3))
ALICE, BOB = "recipient-1@redacted.invalid", "recipient-2@redacted.invalid"


def test_probe_map_is_exact() -> None:
    _, found = redact(probe()[0])
    assert found == RedactionMap(
        recipients=(("alice@contoso.example", ALICE), ("bob@contoso.example", BOB)),
        hosts=(
            ("mx.contoso.example", MX),
            ("mbox.contoso.example", MBOX),
            ("relay7.contoso.example", RELAY),
        ),
        ips=(
            ("192.168.7.7", "private-ip-1"),
            ("10.1.2.3", "private-ip-2"),
            ("172.16.9.9", "private-ip-3"),
            ("fd00::5", "private-ip-4"),
        ),
    )
    assert found.counts == {"recipients": 2, "hosts": 3, "ips": 4}
    assert found.describe() == (
        "2 recipient addresses, 3 internal host names, 4 private IPs replaced"
    )


def test_placeholders_are_consistent_across_hops_headers_findings_and_auth() -> None:
    original = probe()[0]
    red, _ = redact(original)
    hop1, hop2, hop3 = red.hops
    assert (hop1.fields.from_ip, hop3.fields.from_ip) == ("private-ip-1", "private-ip-2")
    assert hop2.fields.by_host == hop3.fields.from_host == MX
    assert hop3.fields.by_host == MBOX
    assert hop2.fields.for_addr == ALICE
    assert f"for <{ALICE}>;" in hop2.raw
    assert "[private-ip-2])" in hop3.raw
    headers = {h.name: h for h in red.headers}
    assert headers["X-Internal-Relay"].value == f"{RELAY} [IPv6:private-ip-4] private-ip-3"
    assert headers["X-Seen-By"].value == MX  # case-insensitive: MX.Contoso.Example
    assert headers["Authentication-Results"].raw.startswith(f"Authentication-Results: {MX};")
    assert headers["To"].value == f"Recipient 1 <{ALICE}>"
    assert headers["Cc"].value == BOB
    assert red.message.to == f"Recipient 1 <{ALICE}>"
    assert red.auth is not None
    assert red.auth.trusted_authserv_ids == (MX,)
    assert {r.authserv_id for r in red.auth.results} == {MX}
    dmarc = next(f for f in red.findings if f.code == "auth.results.dmarc_fail")
    assert f"({MX})" in dmarc.detail
    assert all(MX in e.text for e in dmarc.evidence)
    # Times (colons) and the untouched original survive.
    assert "09:14:42 +0000" in hop3.raw
    assert original.hops[2].fields.from_ip == "10.1.2.3"


def test_sender_side_facts_stay() -> None:
    red, _ = redact(probe()[0])
    hop2 = red.hops[1]
    assert (hop2.fields.from_host, hop2.fields.from_ip) == ("sender.evil.example", "198.51.100.7")
    assert red.message.from_ == '"<img src=x onerror=alert(1)>" <attacker@evil.example>'
    assert red.hops[0].fields.by_host == "sender.evil.example"


def test_private_ips_are_gone_from_every_format() -> None:
    report, indicators = probe()
    red, found = redact(report)
    outputs = {
        "markdown": render_markdown(red, indicators=indicators, redacted=found),
        "html": render_html(red, indicators=indicators, redacted=found),
        "ticket": render_ticket(red, indicators=indicators),
        "json": dumps(report_to_dict(red), pretty=False),
    }
    for name, text in outputs.items():
        for secret in (*PRIVATE, "alice@contoso.example", "bob@contoso.example", "Alice Example"):
            assert secret not in text, (name, secret)
        assert "mx.contoso.example" not in text.lower(), name
        assert "198.51.100.7" in text or "198.51.100[.]7" in text, name
    assert "Redacted for sharing: 2 recipient addresses" in outputs["markdown"]
    json.loads(outputs["json"])


def test_own_domains_add_hosts() -> None:
    report = probe()[0]
    _, plain = redact(report)
    _, wider = redact(report, own_domains=["evil.example."])
    assert "sender.evil.example" not in dict(wider.hosts)  # the boundary hop's client stays
    assert "pc.evil.example" not in dict(wider.hosts)  # so does every claimed hop
    assert dict(wider.hosts).keys() == dict(plain.hosts).keys()


def test_sample_keeps_the_evidence() -> None:
    report = sample()[0]
    red, found = redact(report)
    assert found.counts == {"recipients": 1, "hosts": 6, "ips": 1}
    assert found.recipients == (("j.doe@contoso.example", "recipient-1@redacted.invalid"),)
    assert found.ips == (("10.167.243.156", "private-ip-1"),)
    assert dict(found.hosts)["bn2pepf000044a5.mail.protection.outlook.com"] == (
        "internal-host-1.redacted.invalid"
    )
    boundary = red.hops[2]
    assert (boundary.fields.from_host, boundary.fields.from_ip) == (
        "mail.paypa1-billing.example",
        "203.0.113.77",
    )
    assert boundary.fields.by_ip == "private-ip-1"
    originals = [o for pairs in (found.recipients, found.hosts, found.ips) for o, _ in pairs]
    untouched = [
        (before, after)
        for before, after in zip(report.findings, red.findings, strict=True)
        if not any(o in repr(before).lower() for o in originals)
    ]
    assert len(untouched) == 5  # the four citing hop 2 (for <j.doe…>) or hop 3 change
    assert all(before == after for before, after in untouched)
    assert red.message.from_ == report.message.from_


def test_redacting_twice_changes_nothing_more() -> None:
    once, _ = redact(probe()[0])
    twice, found = redact(once)
    assert found.counts == {"recipients": 0, "hosts": 0, "ips": 0}
    assert twice == once
