"""Which authentication statements are believed, and the findings they lead to.

The messages are written here: a receiving MX with its own statements above (Postfix
style) or right below (Gmail style) its Received header, and statements the sender
wrote further down, some of them under the receiver's own name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailview.core.analyze import analyze_bytes
from mailview.core.auth.model import AuthResult, ReceivedSpf
from mailview.core.auth.results import read_statements
from mailview.core.auth.trust import mark_trusted, receiver_ids, statement_findings
from mailview.core.chain import (
    Route,
    route_from_headers,
)
from mailview.core.load import load_bytes
from mailview.core.model import Finding, HeaderField, Severity
from tests.corpus import CORPUS, corpus_files

CORP = """\
Authentication-Results: mx.corp.example;
\tspf=fail smtp.mailfrom=sender.example;
\tdkim=fail header.d=sender.example;
\tdmarc=fail (p=reject dis=reject) header.from=sender.example
Received: from mail.sender.example (mail.sender.example [192.0.2.10])
\tby mx.corp.example (Postfix) with ESMTPS id 4XyZ1; Tue, 12 Nov 2024 09:00:02 +0000 (UTC)
Authentication-Results: mx.corp.example; dkim=pass header.d=sender.example;
\tspf=pass smtp.mailfrom=sender.example
Authentication-Results: mail.sender.example; dkim=pass header.d=sender.example
Received: from pc.sender.example (unknown [198.51.100.7])
\tby mail.sender.example with ESMTP id 9QrSt; Tue, 12 Nov 2024 09:00:00 +0000
From: Boss <boss@sender.example>
To: user@corp.example
Subject: Urgent
Date: Tue, 12 Nov 2024 09:00:00 +0000
Message-ID: <1@sender.example>

Pay now.
"""

GMAIL = """\
Received: from bot.example (bot.example. [203.0.113.5])
        by mx.google.com with ESMTP id q1si123;
        Tue, 12 Nov 2024 01:00:02 -0800 (PST)
Received-SPF: softfail (google.com: domain of transitioning x@bank.example does not
 designate 203.0.113.5 as permitted sender) client-ip=203.0.113.5;
Authentication-Results: mx.google.com;
       spf=softfail (google.com: domain of transitioning x@bank.example does not designate
 203.0.113.5 as permitted sender) smtp.mailfrom=x@bank.example;
       dmarc=fail (p=QUARANTINE sp=QUARANTINE dis=QUARANTINE) header.from=bank.example
Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=x@bank.example;
       dkim=pass header.i=@bank.example; dmarc=pass header.from=bank.example
Received-SPF: pass (google.com: domain of x@bank.example designates 203.0.113.5)
From: Bank <x@bank.example>
To: someone@gmail.com
Subject: Your account
Date: Tue, 12 Nov 2024 09:00:00 +0000

Click.
"""

MICROSOFT = """\
Received: from BN9P220CA0018.NAMP220.PROD.OUTLOOK.COM (2603:10b6:408:13e::23) by
 CY8PR05MB9817.namprd05.prod.outlook.com (2603:10b6:930:7e::13) with Microsoft SMTP
 Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id
 15.20.6745.21; Thu, 31 Aug 2023 10:06:14 +0000
Authentication-Results: spf=fail (sender IP is 203.0.113.9)
 smtp.mailfrom=bank.example; dkim=none (message not signed)
 header.d=none;dmarc=fail action=oreject header.from=bank.example;compauth=fail
 reason=000
Received-SPF: Fail (protection.outlook.com: domain of bank.example does not
 designate 203.0.113.9 as permitted sender) receiver=protection.outlook.com;
 client-ip=203.0.113.9; helo=bad.example;
Received: from bad.example (203.0.113.9) by
 BN9P220CA0018.mail.protection.outlook.com (10.13.157.29) with Microsoft SMTP Server id
 15.20.6745.17 via Frontend Transport; Thu, 31 Aug 2023 10:06:13 +0000
Authentication-Results: spf=pass (sender IP is 203.0.113.9)
 smtp.mailfrom=bank.example; dmarc=pass action=none header.from=bank.example;compauth=pass
 reason=100
From: Bank <x@bank.example>
To: user@contoso.example
Subject: Invoice
Date: Thu, 31 Aug 2023 10:06:10 +0000

Pay.
"""


def analysed(text: str) -> tuple[tuple[HeaderField, ...], Route]:
    report = analyze_bytes(text.encode())
    hops = report.hops
    boundary = None if report.trust_boundary_hop is None else hops[report.trust_boundary_hop - 1]
    return report.headers, Route(hops, report.total_delay_seconds, boundary)


def judged(
    text: str,
) -> tuple[list[AuthResult], list[ReceivedSpf], tuple[str, ...], list[Finding]]:
    headers, route = analysed(text)
    results, spf, _problems = read_statements(headers)
    results, spf, ids = mark_trusted(results, spf, headers, route)
    return results, spf, ids, statement_findings(results, spf, ids, headers)


def trusted_map(results: list[AuthResult]) -> list[tuple[int, str, str, bool]]:
    return [(r.header_index, r.method, r.result, r.trusted) for r in results]


def by_code(findings: list[Finding]) -> dict[str, Finding]:
    found = {f.code: f for f in findings}
    assert len(found) == len(findings), [f.code for f in findings]
    return found


# --- Postfix-style receiver: statements above its Received -----------------------------


def test_receiver_above_boundary_is_believed_sender_below_is_not() -> None:
    headers, route = analysed(CORP)
    assert route.boundary is not None and route.boundary.header_index == 1
    assert receiver_ids(headers, route) == ("mx.corp.example",)
    results, _spf, ids, _ = judged(CORP)
    assert ids == ("mx.corp.example",)
    assert trusted_map(results) == [
        (0, "spf", "fail", True),
        (0, "dkim", "fail", True),
        (0, "dmarc", "fail", True),
        (2, "dkim", "pass", False),
        (2, "spf", "pass", False),
        (3, "dkim", "pass", False),
    ]


def test_findings_for_a_forged_receiver_header_and_real_failures() -> None:
    *_, findings = judged(CORP)
    found = by_code(findings)
    assert set(found) == {
        "auth.results.forged_receiver",
        "auth.results.contradiction",
        "auth.results.spf_fail",
        "auth.results.dkim_fail",
        "auth.results.dmarc_fail",
    }
    forged = found["auth.results.forged_receiver"]
    assert (forged.severity, forged.strength) == (Severity.HIGH, "correlated")
    assert [e.header_index for e in forged.evidence] == [2]
    assert forged.evidence[0].text.startswith("Authentication-Results: mx.corp.example; dkim=pass")
    assert "'mx.corp.example'" in forged.detail and "dkim=pass, spf=pass" in forged.detail
    # The sender's own server's claim contradicts the receiver; the forged header is not
    # counted twice.
    clash = found["auth.results.contradiction"]
    assert clash.severity is Severity.MEDIUM
    assert [e.header_index for e in clash.evidence] == [3, 0]
    assert "dkim=pass" in clash.detail and "dkim=fail" in clash.detail
    dmarc = found["auth.results.dmarc_fail"]
    assert (dmarc.severity, dmarc.strength) == (Severity.HIGH, "direct")
    assert "sender.example" in dmarc.detail and "'reject'" in dmarc.detail
    assert found["auth.results.spf_fail"].severity is Severity.MEDIUM
    assert found["auth.results.dkim_fail"].severity is Severity.MEDIUM  # no other dkim passed


# --- Gmail-style receiver: statements right below its Received -------------------------


def test_gmail_run_below_its_received_is_believed_only_up_to_its_own_header() -> None:
    results, spf, ids, findings = judged(GMAIL)
    assert ids == ("mx.google.com",)
    assert trusted_map(results) == [
        (2, "spf", "softfail", True),
        (2, "dmarc", "fail", True),
        (3, "spf", "pass", False),
        (3, "dkim", "pass", False),
        (3, "dmarc", "pass", False),
    ]
    assert [(s.header_index, s.result, s.trusted) for s in spf] == [
        (1, "softfail", True),
        (4, "pass", False),
    ]
    found = by_code(findings)
    assert set(found) == {
        "auth.results.forged_receiver",
        "auth.results.dmarc_fail",
        "auth.results.spf_softfail",
    }
    assert [e.header_index for e in found["auth.results.forged_receiver"].evidence] == [3]
    softfail = found["auth.results.spf_softfail"]
    assert softfail.severity is Severity.LOW
    assert [e.header_index for e in softfail.evidence] == [2, 1]
    assert "203.0.113.5" in softfail.detail and "bank.example" in softfail.detail
    dmarc = found["auth.results.dmarc_fail"]
    assert "'quarantine'" in dmarc.detail and "(mx.google.com)" in dmarc.detail


def test_a_run_without_the_receivers_own_header_proves_nothing() -> None:
    # The sender put a Received-SPF and an Authentication-Results under a name that is not
    # the receiving server's right at the top of its message.
    text = GMAIL.replace(
        "Authentication-Results: mx.google.com;\n       spf=softfail",
        "X-Note: x\n       spf=softfail",
    )
    text = text.replace("mx.google.com; spf=pass", "mx.other.example; spf=pass")
    headers, route = analysed(text)
    results, spf, _ = read_statements(headers)
    results, spf, ids = mark_trusted(results, spf, headers, route)
    assert ids == ()
    assert not any(r.trusted for r in results)
    assert not any(s.trusted for s in spf)


# --- Microsoft 365: no authserv-id ---------------------------------------------------


def test_microsoft_form_above_boundary_is_believed() -> None:
    results, spf, ids, findings = judged(MICROSOFT)
    assert ids == ()
    assert trusted_map(results) == [
        (1, "spf", "fail", True),
        (1, "dkim", "none", True),
        (1, "dmarc", "fail", True),
        (1, "compauth", "fail", True),
        (4, "spf", "pass", False),
        (4, "dmarc", "pass", False),
        (4, "compauth", "pass", False),
    ]
    assert [(s.result, s.trusted, s.receiver) for s in spf] == [
        ("fail", True, "protection.outlook.com")
    ]
    found = by_code([f for f in findings if f.code != "auth.results.contradiction"])
    assert set(found) == {
        "auth.results.spf_fail",
        "auth.results.dmarc_fail",
        "auth.results.compauth_fail",
    }
    compauth = found["auth.results.compauth_fail"]
    assert compauth.severity is Severity.HIGH
    assert "explicit authentication" in compauth.detail
    assert "oreject" in found["auth.results.dmarc_fail"].detail
    assert [e.header_index for e in found["auth.results.spf_fail"].evidence] == [1, 2]
    clashes = [f for f in findings if f.code == "auth.results.contradiction"]
    # The pass claims written before Microsoft's edge contradict spf, dmarc and compauth.
    assert sorted(f.title for f in clashes) == [
        "Earlier header claims COMPAUTH passed",
        "Earlier header claims DMARC passed",
        "Earlier header claims SPF passed",
    ]
    assert all(f.evidence[0].header_index == 4 for f in clashes)
    assert not any(f.code == "auth.results.forged_receiver" for f in findings)


# --- receiver ids ----------------------------------------------------------------------

IDS = """\
Authentication-Results: corp-filter-1; dmarc=pass header.from=sender.example
Authentication-Results: thirdparty.example; spf=fail smtp.mailfrom=sender.example
Authentication-Results: mx2.corp.example; dkim=pass header.d=sender.example
Received: from mail.sender.example (mail.sender.example [192.0.2.10])
\tby mx1.corp.example (Postfix) with ESMTPS id 4XyZ1; Tue, 12 Nov 2024 09:00:02 +0000
From: a@sender.example
Subject: s

b
"""


def test_receiver_ids_are_the_topmost_and_those_of_the_hops_organisation() -> None:
    results, _spf, ids, findings = judged(IDS)
    assert ids == ("corp-filter-1", "mx2.corp.example")
    assert [(r.authserv_id, r.trusted) for r in results] == [
        ("corp-filter-1", True),
        ("thirdparty.example", False),
        ("mx2.corp.example", True),
    ]
    assert findings == []  # the third party's failure is not the receiver's word


def test_without_received_headers_nothing_is_believed() -> None:
    results, _spf, ids, findings = judged(
        "Authentication-Results: mx.corp.example; dmarc=fail header.from=a.example\n"
        "From: a@a.example\n\nb\n"
    )
    assert ids == () and [r.trusted for r in results] == [False]
    assert findings == []


def test_internal_only_route_believes_statements_above_its_topmost_received() -> None:
    results, _spf, ids, _ = judged(
        "Authentication-Results: mx.corp.example; spf=temperror smtp.mailfrom=a.example;\n"
        " dkim=permerror header.d=a.example\n"
        "Received: from app.corp.example (app.corp.example [10.0.0.5])\n"
        " by mx.corp.example with ESMTP id 1; Tue, 12 Nov 2024 09:00:02 +0000\n"
        "Authentication-Results: mx.corp.example; spf=pass smtp.mailfrom=a.example\n"
        "From: a@a.example\n\nb\n"
    )
    assert ids == ("mx.corp.example",)
    assert [(r.header_index, r.trusted) for r in results] == [(0, True), (0, True), (2, False)]


def test_errors_are_low_findings() -> None:
    *_, findings = judged(
        "Authentication-Results: mx.corp.example; spf=temperror smtp.mailfrom=a.example;\n"
        " dkim=permerror header.d=a.example\n"
        "Received: from mail.a.example (mail.a.example [192.0.2.10])\n"
        " by mx.corp.example with ESMTP id 1; Tue, 12 Nov 2024 09:00:02 +0000\n"
        "From: a@a.example\n\nb\n"
    )
    found = by_code(findings)
    assert set(found) == {"auth.results.spf_error", "auth.results.dkim_error"}
    assert {f.severity for f in findings} == {Severity.LOW}
    assert "temporary error" in found["auth.results.spf_error"].detail
    assert "permanent error" in found["auth.results.dkim_error"].detail


def test_dkim_failure_is_low_when_another_signature_passed() -> None:
    *_, findings = judged(
        "Authentication-Results: mx.corp.example; dkim=fail header.d=list.example;\n"
        " dkim=pass header.d=a.example\n"
        "Received: from mail.a.example (mail.a.example [192.0.2.10])\n"
        " by mx.corp.example with ESMTP id 1; Tue, 12 Nov 2024 09:00:02 +0000\n"
        "From: a@a.example\n\nb\n"
    )
    [dkim] = findings
    assert (dkim.code, dkim.severity) == ("auth.results.dkim_fail", Severity.LOW)
    assert "list.example" in dkim.detail and "(a.example) did verify" in dkim.detail


def test_mark_trusted_returns_copies() -> None:
    headers, route = analysed(CORP)
    results, spf, _ = read_statements(headers)
    marked, _marked_spf, _ids = mark_trusted(results, spf, headers, route)
    assert not any(r.trusted for r in results)
    assert any(r.trusted for r in marked)


# --- the corpus ------------------------------------------------------------------------


def _judge_file(path: Path) -> list[tuple[list[AuthResult], list[ReceivedSpf], list[Finding]]]:
    out = []
    for message in load_bytes(path.read_bytes(), path.name):
        headers = message.headers
        route = route_from_headers(headers)
        results, spf, _problems = read_statements(headers)
        results, spf, ids = mark_trusted(results, spf, headers, route)
        out.append((results, spf, statement_findings(results, spf, ids, headers)))
    return out


@pytest.mark.corpus
def test_corpus_sweep() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    totals = {"results": 0, "trusted": 0, "spf": 0, "findings": 0}
    for path in files:
        try:
            judged_messages = _judge_file(path)
        except Exception as err:  # loader refusals are not ours; ours must not raise
            if type(err).__name__ == "InputError":
                continue
            raise
        for results, spf, findings in judged_messages:
            totals["results"] += len(results)
            totals["trusted"] += sum(r.trusted for r in results)
            totals["spf"] += len(spf)
            totals["findings"] += len(findings)
            assert all(f.code.startswith("auth.") and f.evidence for f in findings)
    assert totals["results"] > 100 and totals["trusted"] > 50 and totals["spf"] > 30


@pytest.mark.corpus
def test_corpus_gmail_dmarc_failure_is_the_receivers_word() -> None:
    # nodemailer-mailparser/nodemailer.eml: Gmail wrote `dmarc=fail (p=NONE dis=NONE)
    # header.from=kreata.ee` right below its own Received header.
    path = CORPUS / "nodemailer-mailparser" / "nodemailer.eml"
    if not path.is_file():
        pytest.skip("corpus file absent")
    [(results, _spf, findings)] = _judge_file(path)
    dmarc = [r for r in results if r.method == "dmarc"]
    assert [(r.result, r.authserv_id, r.trusted) for r in dmarc] == [
        ("fail", "mx.google.com", True)
    ]
    assert [f.code for f in findings] == ["auth.results.dmarc_fail"]


@pytest.mark.corpus
def test_corpus_microsoft_compauth_pass_is_believed() -> None:
    path = CORPUS / "parsedmarc" / "aggregate" / "mimecast-weird-gzip.eml"
    if not path.is_file():
        pytest.skip("corpus file absent")
    [(results, spf, findings)] = _judge_file(path)
    [compauth] = [r for r in results if r.method == "compauth"]
    assert (compauth.result, compauth.reason, compauth.trusted) == ("pass", "100", True)
    assert [s.trusted for s in spf] == [True]
    assert findings == []


def _dmarc_fail_message(policy_comment: str) -> bytes:
    return (
        "Authentication-Results: mx.corp.example; dmarc=fail "
        f"({policy_comment}) header.from=bank.example\r\n"
        "Received: from mail.sender.example (mail.sender.example [198.51.100.7])\r\n"
        " by mx.corp.example (Postfix) with ESMTPS id 1; Tue, 12 Nov 2024 09:00:00 +0000\r\n"
        "From: Bank <info@bank.example>\r\nSubject: s\r\n\r\nbody\r\n"
    ).encode()


def test_dmarc_failure_weighs_by_the_published_policy() -> None:
    def severity(comment: str) -> str:
        report = analyze_bytes(_dmarc_fail_message(comment))
        found = [f for f in report.findings if f.code == "auth.results.dmarc_fail"]
        assert len(found) == 1
        return found[0].severity.value

    assert severity("p=REJECT sp=REJECT dis=REJECT") == "high"
    assert severity("p=QUARANTINE dis=QUARANTINE") == "high"
    assert severity("p=NONE sp=NONE dis=NONE") == "medium"  # the owner only monitors
