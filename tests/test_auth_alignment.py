"""DMARC identifier alignment computed from the message (RFC 7489 §3.1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.auth.addresses import address_findings
from mailview.core.auth.alignment import (
    aligned,
    alignment_findings,
    compute_alignment,
    from_domain,
    spf_identity,
)
from mailview.core.auth.analysis import analyze_auth
from mailview.core.auth.model import Alignment, AuthResult, DkimSignature, ReceivedSpf
from mailview.core.chain import (
    route_from_headers,
)
from mailview.core.errors import InputError
from mailview.core.load import load_bytes
from mailview.core.model import Finding, HeaderField, LoadedMessage, Severity
from tests.corpus import CORPUS, corpus_params

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def headers(*lines: str) -> tuple[HeaderField, ...]:
    fields = []
    for i, line in enumerate(lines):
        name, _, value = line.partition(":")
        fields.append(HeaderField(i, name, value.strip(), line, i + 1))
    return tuple(fields)


def ar(
    method: str,
    result: str,
    *props: tuple[str, str],
    trusted: bool = True,
    index: int = 0,
    name: str = "Authentication-Results",
) -> AuthResult:
    return AuthResult(method, result, None, "mx.receiver.example", trusted, props, index, name)


def rspf(
    result: str,
    envelope_from: str | None = None,
    helo: str | None = None,
    *,
    trusted: bool = True,
    index: int = 0,
    comment: str | None = None,
) -> ReceivedSpf:
    return ReceivedSpf(result, "192.0.2.1", envelope_from, helo, None, None, None, comment, index,
                       trusted)  # fmt: skip


def sig(domain: str, verification: str = "pass", result: str | None = None) -> DkimSignature:
    return DkimSignature(
        header_index=0,
        domain=domain,
        selector="s1",
        algorithm="rsa-sha256",
        canonicalization="relaxed/relaxed",
        signed_headers=("from",),
        identity=None,
        body_length=None,
        timestamp=None,
        expiration=None,
        body_hash=None,
        verification=verification,
        key_bits=None,
        result=result,
        problems=(),
        tags=(("d", domain),),
    )


def align(
    from_line: str,
    results: tuple[AuthResult, ...] = (),
    spf: tuple[ReceivedSpf, ...] = (),
    sigs: tuple[DkimSignature, ...] = (),
    *more: str,
) -> Alignment:
    return compute_alignment(headers(from_line, *more), results, spf, sigs)


def mailfrom(domain_or_address: str, result: str = "pass") -> AuthResult:
    return ar("spf", result, ("smtp.mailfrom", domain_or_address))


# --- the From domain ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["From: Alice <alice@Example.COM>"], ("example.com", 0)),
        (["To: x@y.example", "From: a@one.example, b@two.example"], ("one.example", 1)),
        (["From: a@one.example", "From: b@two.example"], ("one.example", 0)),
        (["From: 用户@例子.广告"], ("xn--fsqu00a.xn--4rr70v", 0)),
        (["From: x@XN--FSQU00A.xn--4rr70v"], ("xn--fsqu00a.xn--4rr70v", 0)),
        (["From: Group: a@g.example;"], ("g.example", 0)),
        (["From: <>"], (None, 0)),
        (["From: no address here"], (None, 0)),
        (["From: u@[192.0.2.1]"], (None, 0)),
        (["Subject: no From"], (None, None)),
    ],
)
def test_from_domain(lines: list[str], expected: tuple[str | None, int | None]) -> None:
    assert from_domain(headers(*lines)) == expected


# --- alignment modes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "author", "mode"),
    [
        ("example.com", "example.com", "strict"),
        ("mail.example.com", "example.com", "relaxed"),
        ("example.com", "news.example.com", "relaxed"),
        ("a.example.com", "b.example.com", "relaxed"),
        ("mail.example.co.uk", "example.co.uk", "relaxed"),  # multi-part public suffix
        ("example.co.uk", "example.co.uk", "strict"),
        ("other.co.uk", "example.co.uk", None),  # only the public suffix in common
        ("example.net", "example.com", None),
        ("alice.blogspot.com", "bob.blogspot.com", None),  # private suffix: separate owners
        ("example.com", None, None),
        (None, "example.com", None),
    ],
)
def test_aligned(identifier: str | None, author: str | None, mode: str | None) -> None:
    assert aligned(identifier, author) == mode


@pytest.mark.parametrize(
    ("author", "d", "expected"),
    [
        ("example.co.uk", "mail.example.co.uk", (("mail.example.co.uk", "relaxed"),)),
        ("example.co.uk", "other.co.uk", ()),
        ("EXAMPLE.com", "example.COM", (("example.com", "strict"),)),
        ("例子.广告", "xn--fsqu00a.xn--4rr70v", (("xn--fsqu00a.xn--4rr70v", "strict"),)),
    ],
)
def test_dkim_alignment_table(author: str, d: str, expected: tuple[tuple[str, str], ...]) -> None:
    result = align(f"From: someone@{author}", (), (), (sig(d),))
    assert result.dkim_aligned_domains == expected
    assert result.dmarc_computed == ("pass" if expected else "fail")


# --- SPF identity ------------------------------------------------------------------------


def test_spf_via_trusted_mailfrom() -> None:
    fields = headers("From: a@example.com", "Return-Path: <x@elsewhere.example>")
    results = (mailfrom("bounce@mail.example.com"),)
    assert spf_identity(fields, results, ()) == (
        "mail.example.com",
        "Authentication-Results smtp.mailfrom",
        True,
    )
    result = compute_alignment(fields, results, (), ())
    assert (result.spf_aligned, result.dmarc_computed) == ("relaxed", "pass")
    assert result.explanation == "aligned through SPF (mail.example.com, relaxed)"


def test_spf_mailfrom_may_be_a_bare_domain_or_the_old_smtp_mail() -> None:
    fields = headers("From: a@example.com")
    assert spf_identity(fields, (mailfrom("Example.COM"),), ())[0] == "example.com"
    old_gmail = ar("spf", "neutral", ("smtp.mail", "x+caf_=y=gmail.com@example.org"))
    assert spf_identity(fields, (old_gmail,), ()) == (
        "example.org",
        "Authentication-Results smtp.mailfrom",
        False,
    )


def test_untrusted_results_are_ignored() -> None:
    fields = headers("From: a@example.com", "Return-Path: <b@example.com>")
    forged = ar("spf", "pass", ("smtp.mailfrom", "example.com"), trusted=False)
    assert spf_identity(fields, (forged,), ()) == ("example.com", "Return-Path", None)
    result = compute_alignment(fields, (forged, ar("dmarc", "pass", trusted=False)), (), ())
    # Nothing trusted was said and nothing could be checked: mailview cannot tell.
    assert (result.spf_aligned, result.dmarc_computed, result.receiver_says) == (
        None,
        "unknown",
        None,
    )


def test_spf_via_return_path_when_the_result_names_no_sender() -> None:
    fields = headers("Return-Path: <bounce@Example.com>", "From: a@example.com")
    assert spf_identity(fields, (ar("spf", "pass"),), ()) == ("example.com", "Return-Path", True)


def test_spf_via_received_spf_trusted_first() -> None:
    fields = headers("From: a@example.com", "Return-Path: <b@rp.example>")
    spf = (
        rspf("pass", "x@forged.example", trusted=False, index=3),
        rspf("softfail", "y@example.com", index=4),
    )
    assert spf_identity(fields, (), spf) == ("example.com", "Received-SPF envelope-from", False)


def test_spf_sender_from_gmail_received_spf_comment() -> None:
    comment = (
        "google.com: domain of bounce-1@bounce.esp.example designates 192.0.2.7 as permitted sender"
    )
    fields = headers("From: a@example.com")
    assert spf_identity(fields, (), (rspf("pass", comment=comment),)) == (
        "bounce.esp.example",
        "Received-SPF comment",
        True,
    )


@pytest.mark.parametrize(
    ("results", "spf", "expected"),
    [
        # RFC 7208 §2.4: a bounce (MAIL FROM:<>) is checked against the HELO name.
        ((ar("spf", "pass", ("smtp.helo", "mx.example.com")),), (),
         ("mx.example.com", "Authentication-Results smtp.helo", True)),
        ((ar("spf", "pass", ("smtp.mailfrom", ""), ("smtp.helo", "mx.example.com")),), (),
         ("mx.example.com", "Authentication-Results smtp.helo", True)),
        ((), (rspf("pass", "<>", "mx.example.com"),),
         ("mx.example.com", "Received-SPF helo", True)),
        ((ar("spf", "none"),), (rspf("none", None, "Mx.Example.com"),),
         ("mx.example.com", "Received-SPF helo", False)),
    ],
)  # fmt: skip
def test_spf_via_helo_for_the_null_sender(
    results: tuple[AuthResult, ...],
    spf: tuple[ReceivedSpf, ...],
    expected: tuple[str, str, bool],
) -> None:
    fields = headers("Return-Path: <>", "From: MAILER-DAEMON@example.com")
    assert spf_identity(fields, results, spf) == expected
    alignment = compute_alignment(fields, results, spf, ())
    assert alignment.spf_aligned == ("relaxed" if expected[2] else None)


def test_no_spf_information_at_all() -> None:
    assert spf_identity(headers("From: a@example.com"), (), ()) == (None, None, None)


def test_spf_aligned_only_when_it_passed() -> None:
    result = align("From: a@example.com", (mailfrom("example.com", "softfail"),))
    assert (result.spf_domain, result.spf_pass, result.spf_aligned) == (
        "example.com",
        False,
        None,
    )
    assert result.dmarc_computed == "fail"


# --- DKIM --------------------------------------------------------------------------------


def test_dkim_aligned() -> None:
    result = align("From: a@example.com", (), (), (sig("esp.example"), sig("example.com")))
    assert result.dkim_aligned_domains == (("example.com", "strict"),)
    assert result.dmarc_computed == "pass"
    assert result.explanation == "aligned through DKIM (d=example.com, strict)"


def test_dkim_unaligned() -> None:
    result = align("From: a@example.com", (), (), (sig("esp.example"),))
    assert (result.dkim_aligned_domains, result.dmarc_computed) == ((), "fail")
    assert "DKIM passed only for esp.example, unrelated to example.com" in result.explanation


@pytest.mark.parametrize(
    ("signature", "computed"),
    [
        (sig("example.com", "fail"), "fail"),
        (sig("example.com", "invalid"), "fail"),
        # No key at hand and nobody said: it would pass if it verifies, never "fail".
        (sig("example.com", "unverifiable"), "unverified"),
        (sig("example.com", "unverifiable", result="pass"), "pass"),  # the receiver saw it pass
        (sig("example.com", "unverifiable", result="fail"), "fail"),
        (sig("example.com", "fail", result="pass"), "fail"),  # broken since: not believed
    ],
)
def test_only_passing_signatures_count(signature: DkimSignature, computed: str) -> None:
    result = align("From: a@mail.example.com", (), (), (signature,))
    passes = computed == "pass"
    assert result.dkim_aligned_domains == ((("example.com", "relaxed"),) if passes else ())
    assert result.dmarc_computed == computed


def test_failing_own_signature_is_named_in_the_explanation() -> None:
    result = align("From: a@example.com", (), (), (sig("example.com", "fail"),))
    assert "the DKIM signature from example.com did not verify" in result.explanation


def test_receiver_dkim_pass_without_a_signature_left_counts() -> None:
    # A pasted header block that lost its DKIM-Signature still carries the receiver's word.
    results = (ar("dkim", "pass", ("header.d", "example.com")),)
    result = align("From: a@example.com", results)
    assert result.dkim_aligned_domains == (("example.com", "strict"),)
    untrusted = (ar("dkim", "pass", ("header.d", "example.com"), trusted=False),)
    assert align("From: a@example.com", untrusted).dkim_aligned_domains == ()


def test_strict_policy_rejects_relaxed_alignment() -> None:
    dmarc = ar("dmarc", "fail", ("policy.adkim", "s"), ("policy.aspf", "s"))
    result = align(
        "From: a@example.com", (dmarc, mailfrom("bounce.example.com")), (), (sig("m.example.com"),)
    )
    # Both still reported as relaxed, but neither counts under a strict policy.
    assert result.spf_aligned == "relaxed"
    assert result.dkim_aligned_domains == (("m.example.com", "relaxed"),)
    assert result.dmarc_computed == "fail"
    assert "strict" in result.explanation


# --- verdicts and explanations -----------------------------------------------------------


def test_explanation_spf_unrelated_and_no_passing_dkim() -> None:
    result = align(
        "From: a@example.com",
        (mailfrom("bounce@bounces.esp.example"),),
        (),
        (sig("other.example", "fail"),),
    )
    assert result.explanation == (
        "not aligned: SPF passed for bounces.esp.example, unrelated to example.com, and "
        "no passing DKIM signature from example.com"
    )


def test_both_aligned() -> None:
    result = align("From: a@example.com", (mailfrom("example.com"),), (), (sig("example.com"),))
    assert result.explanation == (
        "aligned through SPF (example.com, strict) and DKIM (d=example.com, strict)"
    )


def test_no_from_domain_is_none() -> None:
    result = compute_alignment(headers("Subject: x"), (mailfrom("example.com"),), (), ())
    assert (result.from_domain, result.dmarc_computed) == (None, "none")
    assert alignment_findings(result, headers("Subject: x")) == []


def test_receiver_says_is_the_trusted_dmarc_result() -> None:
    results = (
        ar("dmarc", "pass", trusted=False, index=0),
        ar("dmarc", "fail", index=3, name="ARC-Authentication-Results"),
        ar("dmarc", "None", index=5),
    )
    # Authentication-Results of the receiver itself before an ARC copy, untrusted never.
    assert align("From: a@example.com", results).receiver_says == "none"


# --- findings ----------------------------------------------------------------------------


def findings_for(
    lines: tuple[str, ...],
    results: tuple[AuthResult, ...] = (),
    spf: tuple[ReceivedSpf, ...] = (),
    sigs: tuple[DkimSignature, ...] = (),
) -> list[Finding]:
    fields = headers(*lines)
    alignment = compute_alignment(fields, results, spf, sigs)
    return alignment_findings(
        alignment, fields, trusted_results=results, received_spf=spf, dkim_signatures=sigs
    )


FROM_EXAMPLE = ("Authentication-Results: mx.receiver.example; ...", "From: a@example.com")


def test_receiver_pass_but_message_does_not_align() -> None:
    results = (ar("dmarc", "pass"), mailfrom("esp.example"))
    (item,) = [f for f in findings_for(FROM_EXAMPLE, results) if f.code == "auth.dmarc_disagrees"]
    assert item.severity == Severity.LOW
    assert "said dmarc=pass" in item.detail and "ARC" in item.detail
    assert [e.header_index for e in item.evidence] == [1, 0]


def test_receiver_fail_but_message_aligns() -> None:
    results = (ar("dmarc", "fail"),)
    (item,) = findings_for(FROM_EXAMPLE, results, (), (sig("example.com"),))
    assert (item.code, item.severity) == ("auth.dmarc_disagrees", Severity.INFO)
    assert "strict" in item.detail


def test_computed_fail_with_nothing_passing_is_high() -> None:
    results = (mailfrom("forged.example", "fail"),)
    (item,) = findings_for(FROM_EXAMPLE, results)
    assert (item.code, item.severity, item.strength) == (
        "auth.dmarc_fail_computed",
        Severity.HIGH,
        "correlated",
    )
    assert "example.com" in item.title


def test_computed_fail_while_another_domain_passed_is_medium() -> None:
    results = (ar("dmarc", "fail"), mailfrom("bounces.esp.example"))
    found = findings_for(FROM_EXAMPLE, results)
    assert [(f.code, f.severity, f.strength) for f in found] == [
        ("auth.dmarc_fail_computed", Severity.MEDIUM, "direct"),
        ("auth.spf_unaligned", Severity.INFO, "correlated"),
    ]
    assert "bounces.esp.example" in found[1].detail


def test_computed_fail_without_a_policy_is_low() -> None:
    results = (ar("dmarc", "none"), mailfrom("x.example", "fail"))
    (item,) = findings_for(FROM_EXAMPLE, results)
    assert (item.code, item.severity) == ("auth.dmarc_fail_computed", Severity.LOW)


def test_computed_fail_with_unknowns_is_low() -> None:
    # A signature unrelated to the From domain could not be checked, the own one failed.
    sigs = (sig("other.example", "unverifiable"), sig("example.com", "fail"))
    (item,) = findings_for(FROM_EXAMPLE, (), (), sigs)
    assert (item.code, item.severity) == ("auth.dmarc_fail_computed", Severity.LOW)


def test_an_unverifiable_aligned_signature_is_never_a_fail() -> None:
    # One aligned signature failed, another could not be checked here: the second may
    # still pass with its key, so the computed verdict is "unverified", without a finding.
    sigs = (sig("example.com", "unverifiable"), sig("example.com", "fail"))
    result = align("From: a@example.com", (), (), sigs)
    assert result.dmarc_computed == "unverified"
    assert "would pass if the DKIM signature from example.com verifies" in result.explanation
    assert findings_for(FROM_EXAMPLE, (), (), sigs) == []


def test_a_receivers_dmarc_fail_outweighs_an_unchecked_signature() -> None:
    # The receiver had the key; its dmarc=fail is not "unverified".
    result = align(
        "From: a@example.com", (ar("dmarc", "fail"),), (), (sig("example.com", "unverifiable"),)
    )
    assert result.dmarc_computed == "fail"


def test_a_body_altered_after_signing_cannot_pass() -> None:
    altered = replace(sig("example.com", "unverifiable"), body_hash="mismatch")
    result = align("From: a@example.com", (mailfrom("other.example", "fail"),), (), (altered,))
    assert result.dmarc_computed == "fail"


def test_nothing_checked_no_finding() -> None:
    # Old mail without any results and a signature nobody could check: no verdict to report.
    assert findings_for(FROM_EXAMPLE, (), (), (sig("example.com", "unverifiable"),)) == []
    assert findings_for(FROM_EXAMPLE, (), (), (sig("example.com", "invalid"),)) == []


def test_aligned_pass_is_quiet() -> None:
    results = (ar("dmarc", "pass"), mailfrom("example.com"))
    assert findings_for(FROM_EXAMPLE, results, (), (sig("example.com"),)) == []


def test_evidence_includes_the_headers_used() -> None:
    lines = (
        "Return-Path: <b@esp.example>",
        "Received-SPF: pass",
        "From: a@example.com",
        "DKIM-Signature: d=esp.example",
    )
    spf = (rspf("pass", "b@esp.example", index=1),)
    signature = replace(sig("esp.example"), header_index=3)
    found = findings_for(lines, (), spf, (signature,))
    assert [f.code for f in found] == ["auth.dmarc_fail_computed", "auth.spf_unaligned"]
    assert [e.header_index for e in found[0].evidence] == [2, 1, 3]
    assert found[0].evidence[0].text == "From: a@example.com"


# --- end to end --------------------------------------------------------------------------

ESP_MESSAGE = (
    b"Return-Path: <bounce-42@bounces.esp.example>\r\n"
    b"Authentication-Results: mx.receiver.example;\r\n"
    b" spf=pass smtp.mailfrom=bounce-42@bounces.esp.example;\r\n"
    b" dkim=pass header.d=esp.example; dmarc=fail header.from=example.com\r\n"
    b"Received: from out.esp.example (out.esp.example [192.0.2.10])\r\n"
    b" by mx.receiver.example with ESMTPS id 1; Tue, 12 Nov 2024 09:14:40 +0000\r\n"
    b"From: Example <news@example.com>\r\n"
    b"To: me@receiver.example\r\n"
    b"Subject: hi\r\n\r\nbody\r\n"
)


def test_end_to_end_with_results_built_by_hand() -> None:
    (message,) = load_bytes(ESP_MESSAGE)
    results = (
        ar("spf", "pass", ("smtp.mailfrom", "bounce-42@bounces.esp.example"), index=1),
        ar("dkim", "pass", ("header.d", "esp.example"), index=1),
        ar("dmarc", "fail", ("header.from", "example.com"), index=1),
    )
    alignment = compute_alignment(message.headers, results, (), ())
    assert alignment == Alignment(
        from_domain="example.com",
        spf_domain="bounces.esp.example",
        spf_source="Authentication-Results smtp.mailfrom",
        spf_pass=True,
        spf_aligned=None,
        dkim_aligned_domains=(),
        dmarc_computed="fail",
        explanation=(
            "not aligned: SPF passed for bounces.esp.example, unrelated to example.com, "
            "and DKIM passed only for esp.example, unrelated to example.com"
        ),
        receiver_says="fail",
    )
    found = alignment_findings(alignment, message.headers, trusted_results=results)
    assert [(f.code, f.severity) for f in found] == [
        ("auth.dmarc_fail_computed", Severity.MEDIUM),
        ("auth.spf_unaligned", Severity.INFO),
    ]
    assert [e.header_name for e in found[0].evidence] == ["From", "Authentication-Results"]


def _auth_of(message: LoadedMessage) -> tuple[Alignment, list[Finding]]:
    report = analyze_auth(message, route_from_headers(message.headers), NOW)
    trusted = [r for r in report.results if r.trusted]
    found = alignment_findings(
        report.alignment,
        message.headers,
        trusted_results=trusted,
        received_spf=report.received_spf,
        dkim_signatures=report.dkim,
    )
    return report.alignment, found + address_findings(report.addresses, message.headers)


def test_end_to_end_through_the_auth_analysis() -> None:
    (message,) = load_bytes(ESP_MESSAGE)
    alignment, found = _auth_of(message)
    assert (alignment.spf_domain, alignment.dmarc_computed, alignment.receiver_says) == (
        "bounces.esp.example",
        "fail",
        "fail",
    )
    assert "auth.dmarc_fail_computed" in [f.code for f in found]


def test_end_to_end_bounce_checked_by_helo() -> None:
    data = (
        b"Return-Path: <>\r\n"
        b"Authentication-Results: mx.receiver.example;\r\n"
        b" spf=pass smtp.helo=mta.example.org\r\n"
        b"Received: from mta.example.org (mta.example.org [192.0.2.20])\r\n"
        b" by mx.receiver.example with ESMTP id 2; Tue, 12 Nov 2024 09:14:40 +0000\r\n"
        b"From: Mail Delivery System <MAILER-DAEMON@example.org>\r\n"
        b"Subject: Undelivered Mail\r\n\r\nbody\r\n"
    )
    (message,) = load_bytes(data)
    results = (ar("spf", "pass", ("smtp.helo", "mta.example.org"), index=1),)
    alignment = compute_alignment(message.headers, results, (), ())
    assert (alignment.spf_domain, alignment.spf_aligned, alignment.dmarc_computed) == (
        "mta.example.org",
        "relaxed",
        "pass",
    )


# --- robustness --------------------------------------------------------------------------

_TEXT = st.lists(st.sampled_from([*'ab.@<>"() ;=-', "co.uk", "例子"]), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    from_value=_TEXT,
    mailfrom_value=st.one_of(st.none(), _TEXT),
    helo=st.one_of(st.none(), _TEXT),
    d=st.one_of(st.none(), _TEXT),
    verification=st.sampled_from(["pass", "fail", "unverifiable", "invalid"]),
    dmarc=st.sampled_from(["pass", "fail", "none", "bestguesspass", "temperror"]),
)
def test_never_raises(
    from_value: str,
    mailfrom_value: str | None,
    helo: str | None,
    d: str | None,
    verification: str,
    dmarc: str,
) -> None:
    fields = headers(f"From: {from_value}", f"Return-Path: {from_value}")
    props = tuple(
        (k, v) for k, v in (("smtp.mailfrom", mailfrom_value), ("smtp.helo", helo)) if v is not None
    )
    results = (ar("spf", "pass", *props), ar("dmarc", dmarc))
    spf = (rspf("pass", mailfrom_value, helo),)
    signature = replace(sig("x"), domain=d, verification=verification)
    alignment = compute_alignment(fields, results, spf, (signature,))
    assert alignment.dmarc_computed in {"pass", "fail", "unverified", "unknown", "none"}
    assert alignment.explanation
    for item in alignment_findings(
        alignment, fields, trusted_results=results, received_spf=spf, dkim_signatures=(signature,)
    ):
        assert item.code.startswith("auth.")


# --- the shared corpus -------------------------------------------------------------------


def _messages(path: Path) -> list[LoadedMessage]:
    try:
        found = list(load_bytes(path.read_bytes(), path.name))
    except InputError:
        return []
    stack, out = found, []
    while stack:
        message = stack.pop()
        out.append(message)
        stack.extend(message.inner)
    return out


# Display-name spoofing findings the corpus may raise; everything else stays quiet:
# newsletters, mailing lists, bounces and DMARC reports.
SPOOF_EXPECTED = {
    "govcert-eml_parser/sample_email_in_from.eml",  # "john@fake-example.com" <john@example.com>
    "spamscope-mail-parser/mail_test_15",  # phish: a supplier's address shown as the name
    "spamscope-mail-parser/mail_test_19",  # alice@example.com <bob@example.com>
}


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_corpus_sweep(path: Path) -> None:
    relative = str(path.relative_to(CORPUS))
    for message in _messages(path):
        alignment, found = _auth_of(message)
        assert alignment.dmarc_computed in {"pass", "fail", "unverified", "unknown", "none"}
        spoofs = [f for f in found if f.code.startswith("auth.display_name")]
        assert not spoofs or relative in SPOOF_EXPECTED, [f.evidence[0].text for f in spoofs]


def test_corpus_relaxed_alignment_through_a_subdomain() -> None:
    # postalsys-mailauth bimi.eml (MIT): From info@srv.dev, MAIL FROM bounce+…@out.srv.dev,
    # DKIM d=out.srv.dev and d=eu.mailgun.org, all passing by mx.google.com's word.
    path = CORPUS / "postalsys-mailauth" / "fixtures" / "bimi.eml"
    if not path.is_file():
        pytest.skip(f"no corpus at {CORPUS}")
    (message,) = _messages(path)
    alignment, _ = _auth_of(message)
    assert (alignment.from_domain, alignment.spf_domain) == ("srv.dev", "out.srv.dev")
    assert alignment.spf_aligned == "relaxed"
    assert alignment.dkim_aligned_domains == (("out.srv.dev", "relaxed"),)
    assert alignment.dmarc_computed == "pass"
