"""DKIM signatures: parsing, body hash and verification with real keys, findings.

Messages are signed here with dkimpy and freshly generated RSA keys (tests/auth_signing),
then loaded through the real loader, so the round trip bytes → HeaderField → bytes is
part of every test. Nothing is mocked.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dkim
import pytest
from dkim.canonicalization import CanonicalizationPolicy
from dkim.util import parse_tag_value
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.auth.dkim import (
    FROM_NOT_SIGNED,
    HEADERS_ALSO_FAIL,
    HEADERS_INTACT,
    dkim_findings,
    message_bytes,
    parse_tag_list,
    read_signatures,
)
from mailview.core.auth.keys import OfflineKeys
from mailview.core.auth.model import AuthResult, DkimSignature
from mailview.core.errors import InputError
from mailview.core.load import load_bytes
from mailview.core.model import HeaderField, LoadedMessage, Severity
from tests.auth_signing import (
    DOMAIN,
    SELECTOR,
    KeyPair,
    dkim_sign,
    dkim_sign_tags,
    key_pair,
    keys_for,
    load_one,
    plain_message,
)
from tests.corpus import CORPUS, corpus_files

# dkim.sign stamps t= with the wall clock, so "now" is the real one
NOW = datetime.now(UTC).replace(microsecond=0)
BODY = b"Hello Bob,\r\n\r\nthe report is attached.\r\n"


def read(message: LoadedMessage, keys: OfflineKeys | None, **kw: object) -> DkimSignature:
    (sig,) = read_signatures(message.headers, message.body, keys, NOW, **kw)  # type: ignore[arg-type]
    return sig


def codes(findings: Sequence[object]) -> set[str]:
    return {f.code for f in findings}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def pair() -> KeyPair:
    return key_pair(2048)


@pytest.fixture(scope="module")
def signed(pair: KeyPair) -> bytes:
    return dkim_sign(plain_message(BODY), pair)


# --- the round trip and the happy path ---------------------------------------------------


def test_message_bytes_rebuilds_the_signed_bytes(signed: bytes) -> None:
    message = load_one(signed)
    assert message_bytes(message.headers, message.body) == signed


def test_untouched_message_verifies_with_the_key(pair: KeyPair, signed: bytes) -> None:
    sig = read(load_one(signed), keys_for(pair))
    assert sig.body_hash == "match"
    assert sig.verification == "pass"
    assert sig.key_bits == 2048
    assert sig.domain == DOMAIN and sig.selector == SELECTOR
    assert sig.algorithm == "rsa-sha256" and sig.canonicalization == "relaxed/simple"
    assert sig.signed_headers == ("from", "to", "subject", "date", "message-id")
    assert sig.identity == "@" + DOMAIN
    assert sig.problems == ()
    findings = dkim_findings((sig,), load_one(signed).headers, DOMAIN, NOW)
    assert findings == []


def test_without_a_key_the_signature_is_unverifiable_not_failed(signed: bytes) -> None:
    sig = read(load_one(signed), None)
    assert sig.body_hash == "match"
    assert sig.verification == "unverifiable"
    assert sig.key_bits is None
    other_key_only = OfflineKeys({"other._domainkey.example.org": key_pair(2048).record})
    assert read(load_one(signed), other_key_only).verification == "unverifiable"


def test_lf_line_ends_verify_like_crlf(pair: KeyPair, signed: bytes) -> None:
    lf = signed.replace(b"\r\n", b"\n")
    sig = read(load_one(lf), keys_for(pair))
    assert (sig.body_hash, sig.verification) == ("match", "pass")


def test_key_is_asked_for_only_through_the_keystore(pair: KeyPair, signed: bytes) -> None:
    asked: list[str] = []

    class Recording:
        def txt(self, name: str) -> bytes | None:
            asked.append(name)
            return pair.record if name == f"{SELECTOR}._domainkey.{DOMAIN}" else None

    message = load_one(signed)
    (sig,) = read_signatures(message.headers, message.body, Recording(), NOW)
    assert sig.verification == "pass"
    assert set(asked) == {f"{SELECTOR}._domainkey.{DOMAIN}"}


# --- alterations -------------------------------------------------------------------------


def test_one_body_byte_changed_is_a_mismatch(pair: KeyPair, signed: bytes) -> None:
    altered = signed.replace(b"the report", b"the rep0rt")
    message = load_one(altered)
    sig = read(message, keys_for(pair))
    assert sig.body_hash == "mismatch"
    assert sig.verification == "fail"
    assert HEADERS_INTACT in sig.problems
    findings = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert codes(findings) == {"auth.dkim.body_altered"}
    (body,) = findings
    assert body.severity == Severity.HIGH  # the From domain's own signature, no receiver pass
    assert body.evidence[0].header_index == sig.header_index
    assert body.evidence[0].text.startswith("DKIM-Signature:")
    assert read(message, None).body_hash == "mismatch"  # no key needed for the body


def test_body_change_after_a_receiver_pass_is_medium(pair: KeyPair, signed: bytes) -> None:
    altered = load_one(signed.replace(b"attached", b"ATTACHED"))
    passed = AuthResult(
        "dkim", "pass", None, "mx.example.net", True, (("header.d", DOMAIN),), 0, "A-R"
    )
    sig = read(altered, None, trusted_results=(passed,))
    assert sig.result == "pass"
    (body,) = dkim_findings((sig,), altered.headers, DOMAIN, NOW)
    assert body.code == "auth.dkim.body_altered" and body.severity == Severity.MEDIUM
    assert "after delivery" in body.detail


def test_signed_subject_altered_fails_while_body_matches(pair: KeyPair, signed: bytes) -> None:
    message = load_one(signed.replace(b"Subject: Quarterly", b"Subject: Urgent"))
    sig = read(message, keys_for(pair))
    assert sig.body_hash == "match"
    assert sig.verification == "fail"
    findings = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert codes(findings) == {"auth.dkim.signature_fails"}
    assert findings[0].severity == Severity.HIGH and findings[0].strength == "direct"


def test_header_and_body_both_altered_reports_both(pair: KeyPair, signed: bytes) -> None:
    both = signed.replace(b"Subject: Quarterly", b"Subject: Urgent").replace(b"Bob,", b"Bo,")
    message = load_one(both)
    sig = read(message, keys_for(pair))
    assert (sig.body_hash, sig.verification) == ("mismatch", "fail")
    assert HEADERS_ALSO_FAIL in sig.problems
    findings = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert codes(findings) == {"auth.dkim.body_altered", "auth.dkim.signature_fails"}


def test_unsigned_header_added_still_passes(pair: KeyPair, signed: bytes) -> None:
    added = b"X-Scanned: yes\r\n" + signed
    assert read(load_one(added), keys_for(pair)).verification == "pass"


# --- l=, sha1, time, coverage, key size ----------------------------------------------------


def test_length_tag_lets_content_be_appended(pair: KeyPair) -> None:
    signed = dkim_sign(plain_message(BODY), pair, length=True)
    appended = signed + b"\r\nClick here: http://phish.example/\r\n"
    message = load_one(appended)
    sig = read(message, keys_for(pair))
    # c=relaxed/simple: the simple body canonicalisation of a body ending in exactly one
    # CRLF is the body itself (RFC 6376 §3.4.3), so l= is the body's length.
    assert sig.body_length == len(BODY)
    assert sig.body_hash == "match"
    assert sig.verification == "pass"
    findings = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert codes(findings) == {"auth.dkim.length_limit"}
    (limit,) = findings
    assert limit.severity == Severity.MEDIUM and limit.strength == "heuristic"
    extra = len(b"\r\nClick here: http://phish.example/\r\n")
    assert f"{extra} byte(s)" in limit.detail


def test_rsa_sha1_is_reported(pair: KeyPair) -> None:
    message = load_one(dkim_sign(plain_message(BODY), pair, algorithm=b"rsa-sha1"))
    sig = read(message, keys_for(pair))
    assert sig.algorithm == "rsa-sha1"
    assert (sig.body_hash, sig.verification) == ("match", "pass")
    findings = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert codes(findings) == {"auth.dkim.sha1"}
    assert findings[0].severity == Severity.LOW


def _timed(pair: KeyPair, signed_at: datetime, expires_at: datetime) -> LoadedMessage:
    tags = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", b"relaxed/relaxed"),
        (b"d", DOMAIN.encode()),
        (b"s", SELECTOR.encode()),
        (b"t", str(int(signed_at.timestamp())).encode()),
        (b"x", str(int(expires_at.timestamp())).encode()),
    ]
    include = ("from", "to", "subject", "date")
    return load_one(dkim_sign_tags(plain_message(BODY), pair, include, tags))


def test_expired_signature_is_reported_but_still_checked(pair: KeyPair) -> None:
    signed_at = NOW - timedelta(days=30)
    message = _timed(pair, signed_at, signed_at + timedelta(days=7))
    sig = read(message, keys_for(pair))
    assert sig.expiration == int((signed_at + timedelta(days=7)).timestamp())
    assert sig.timestamp == int(signed_at.timestamp())
    # the crypto does not depend on the day it is checked
    assert (sig.body_hash, sig.verification) == ("match", "pass")
    findings = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert codes(findings) == {"auth.dkim.expired"}
    assert findings[0].severity == Severity.LOW
    assert (NOW - timedelta(days=23)).strftime("%Y-%m-%d") in findings[0].detail


def test_unexpired_signature_is_not_reported(pair: KeyPair) -> None:
    message = _timed(pair, NOW - timedelta(hours=1), NOW + timedelta(days=7))
    assert dkim_findings((read(message, keys_for(pair)),), message.headers, DOMAIN, NOW) == []


def test_signature_from_the_future(pair: KeyPair) -> None:
    message = _timed(pair, NOW + timedelta(hours=3), NOW + timedelta(days=7))
    findings = dkim_findings((read(message, keys_for(pair)),), message.headers, DOMAIN, NOW)
    assert codes(findings) == {"auth.dkim.signed_in_future"}
    ten_minutes = _timed(pair, NOW + timedelta(minutes=10), NOW + timedelta(days=7))
    sig = read(ten_minutes, keys_for(pair))
    assert dkim_findings((sig,), ten_minutes.headers, DOMAIN, NOW) == []


def test_from_not_signed(pair: KeyPair) -> None:
    tags = [(b"v", b"1"), (b"a", b"rsa-sha256"), (b"d", DOMAIN.encode()), (b"s", b"sel1")]
    message = load_one(dkim_sign_tags(plain_message(BODY), pair, ("to", "subject"), tags))
    sig = read(message, keys_for(pair))
    assert sig.signed_headers == ("to", "subject")
    assert sig.verification == "invalid"  # RFC 6376 §6.1.1: ignore it
    assert FROM_NOT_SIGNED in sig.problems
    findings = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert codes(findings) == {"auth.dkim.from_unsigned"}
    assert findings[0].severity == Severity.HIGH


def test_subject_and_date_not_signed(pair: KeyPair) -> None:
    message = load_one(dkim_sign(plain_message(BODY), pair, include=("from", "to")))
    sig = read(message, keys_for(pair))
    assert sig.verification == "pass"
    (finding,) = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert finding.code == "auth.dkim.headers_unsigned" and finding.severity == Severity.LOW
    assert "Subject and Date" in finding.title


def test_1024_bit_key_is_short(signed: bytes) -> None:
    small = key_pair(1024)
    message = load_one(dkim_sign(plain_message(BODY), small))
    sig = read(message, keys_for(small))
    assert (sig.key_bits, sig.verification) == (1024, "pass")
    (finding,) = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert finding.code == "auth.dkim.short_key" and finding.severity == Severity.LOW


def test_key_under_1024_bits_is_high() -> None:
    # cryptography refuses to make keys under 1024 bits, so the value is set directly
    sig = DkimSignature(
        0, DOMAIN, SELECTOR, "rsa-sha256", "relaxed/relaxed", ("from",), None, None,
        None, None, "match", "pass", 768, None, (), (),
    )  # fmt: skip
    header = HeaderField(0, "DKIM-Signature", "v=1", "DKIM-Signature: v=1", 1)
    findings = dkim_findings((sig,), (header,), DOMAIN, NOW)
    short = [f for f in findings if f.code == "auth.dkim.short_key"]
    assert [f.severity for f in short] == [Severity.HIGH]


def test_revoked_key_fails(signed: bytes) -> None:
    revoked = OfflineKeys({f"{SELECTOR}._domainkey.{DOMAIN}": b"v=DKIM1; k=rsa; p="})
    message = load_one(signed)
    sig = read(message, revoked)
    assert sig.verification == "fail"
    (finding,) = dkim_findings((sig,), message.headers, DOMAIN, NOW)
    assert finding.code == "auth.dkim.signature_fails" and "revoked" in finding.detail


def test_unreadable_key_record_is_not_a_failure(signed: bytes) -> None:
    broken = OfflineKeys({f"{SELECTOR}._domainkey.{DOMAIN}": b"v=DKIM1; k=rsa; p=AAAA"})
    sig = read(load_one(signed), broken)
    assert sig.verification == "unverifiable"
    assert any("could not be read" in p for p in sig.problems)


# --- domains and the receiver's word -------------------------------------------------------


def test_signature_by_an_unrelated_domain(pair: KeyPair) -> None:
    message = load_one(dkim_sign(plain_message(BODY), pair, domain="esp-mailer.example.net"))
    sig = read(message, keys_for(pair, domain="esp-mailer.example.net"))
    assert sig.verification == "pass"
    (finding,) = dkim_findings((sig,), message.headers, "example.org", NOW)
    assert finding.code == "auth.dkim.unrelated_domain"
    assert finding.severity == Severity.INFO and finding.strength == "heuristic"
    assert "esp-mailer.example.net" in finding.detail
    # a subdomain of the From domain is the same organisation
    sub = load_one(dkim_sign(plain_message(BODY), pair, domain="mail.example.org"))
    assert dkim_findings((read(sub, None),), sub.headers, "example.org", NOW) == []


def test_receiver_result_is_matched_by_domain_selector_and_b_prefix(signed: bytes) -> None:
    message = load_one(signed)
    b_value = re.sub(r"\s+", "", dict(parse_tag_list(message.headers[0].value)[0])["b"])

    def said(result: str, **props: str) -> AuthResult:
        pairs = tuple((k.replace("_", "."), v) for k, v in props.items())
        return AuthResult("dkim", result, None, "mx.example.net", True, pairs, 9, "A-R")

    assert read(message, None, trusted_results=(said("pass", header_d=DOMAIN),)).result == "pass"
    right_b = said("fail", header_d=DOMAIN, header_b=b_value[:8])
    assert read(message, None, trusted_results=(right_b,)).result == "fail"
    wrong_b = said("pass", header_d=DOMAIN, header_b="ZZZZZZZZ")
    assert read(message, None, trusted_results=(wrong_b,)).result is None
    wrong_s = said("pass", header_d=DOMAIN, header_s="other")
    assert read(message, None, trusted_results=(wrong_s,)).result is None
    by_i = said("pass", header_i="@" + DOMAIN)
    assert read(message, None, trusted_results=(by_i,)).result == "pass"
    spf = AuthResult("spf", "pass", None, None, True, (("header.d", DOMAIN),), 9, "A-R")
    assert read(message, None, trusted_results=(spf,)).result is None


# --- header-only input, 8-bit headers ------------------------------------------------------


def test_header_block_without_body(pair: KeyPair, signed: bytes) -> None:
    message = load_one(signed)
    (sig,) = read_signatures(message.headers, None, keys_for(pair), NOW)
    assert sig.body_hash is None and sig.verification == "unverifiable"
    altered = load_one(signed.replace(b"Subject: Quarterly", b"Subject: Urgent"))
    (bad,) = read_signatures(altered.headers, None, keys_for(pair), NOW)
    assert bad.verification == "fail"


@pytest.mark.parametrize(
    "subject",
    [
        "Caf\u00e9 menu".encode(),  # UTF-8: the loader decodes the block as UTF-8
        "Caf\u00e9 menu".encode("latin-1"),  # not UTF-8: the loader reads this line as Latin-1
    ],
)
def test_8bit_subject_round_trips(pair: KeyPair, subject: bytes) -> None:
    raw = plain_message(BODY).replace(b"Quarterly report", subject)
    signed = dkim_sign(raw, pair)
    message = load_one(signed)
    assert "Caf\u00e9" in message.headers[3].value
    sig = read(message, keys_for(pair))
    assert (sig.body_hash, sig.verification) == ("match", "pass")


# --- malformed signatures and quiet dkimpy -------------------------------------------------


def _headers(value: str) -> tuple[HeaderField, ...]:
    raw = "DKIM-Signature: " + value
    return (
        HeaderField(0, "DKIM-Signature", value, raw, 1),
        HeaderField(1, "From", "a@example.org", "From: a@example.org", 2),
    )


def test_malformed_signature_is_invalid_with_reasons(pair: KeyPair) -> None:
    headers = _headers("v=1; a=rsa-sha512; d=example.org; d=example.com; s=x; bh=!!; b=abc")
    (sig,) = read_signatures(headers, b"body\r\n", keys_for(pair, "x"), NOW)
    assert sig.verification == "invalid"
    text = " ".join(sig.problems)
    assert "more than once" in text and "rsa-sha512" in text and "h=" in text
    assert "bh= is not valid base64" in text
    assert sig.body_hash is None
    findings = dkim_findings((sig,), headers, "example.org", NOW)
    assert "auth.dkim.malformed" in codes(findings)


def test_dkimpy_stays_silent(
    pair: KeyPair,
    signed: bytes,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    altered = load_one(signed.replace(b"Subject: Quarterly", b"Subject: Urgent"))
    assert read(altered, keys_for(pair)).verification == "fail"
    broken_key = OfflineKeys({f"{SELECTOR}._domainkey.{DOMAIN}": b"p=@@@"})
    read(altered, broken_key)
    assert caplog.records == []
    assert capsys.readouterr() == ("", "")


TAG_CHARS = st.sampled_from(list("vabhdlqstxzic=;: \t\r\n-_/+.@0123456789AZaz\u00e9\x00"))


@settings(max_examples=200, deadline=None)
@given(st.text(TAG_CHARS, max_size=120), st.binary(max_size=60))
def test_arbitrary_signature_values_never_raise(value: str, body: bytes) -> None:
    headers = _headers(value)
    keys = keys_for(key_pair(1024), "x")  # a key for s=x, so dkimpy runs when it can
    sigs = read_signatures(headers, body, keys, NOW)
    assert len(sigs) == 1
    assert sigs[0].verification in {"pass", "fail", "unverifiable", "invalid"}
    assert sigs[0].body_hash in {"match", "mismatch", None}
    dkim_findings(sigs, headers, "example.org", NOW)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_raises(value: str) -> None:
    headers = _headers(value)
    sigs = read_signatures(headers, b"x", keys_for(key_pair(1024), "x"), NOW)
    dkim_findings(sigs, headers, None, NOW)


# --- the corpus ----------------------------------------------------------------------------


class AnyName:
    """A KeyStore with one (wrong) key for every name: dkimpy runs on every signature."""

    def __init__(self, record: bytes) -> None:
        self.record = record

    def txt(self, name: str) -> bytes | None:
        del name
        return self.record


def _dkimpy_body_hash(data: bytes, position: int) -> str | None:
    """Body hash of the `position`-th signature, computed by dkimpy from the raw file."""
    try:
        parsed = dkim.DKIM(data)
        value = [v for n, v in parsed.headers if n.lower() == b"dkim-signature"][position]
        tags = parse_tag_value(value)
        policy = CanonicalizationPolicy.from_c_value(tags.get(b"c", b"simple/simple"))
        body = policy.canonicalize_body(parsed.body)
        if b"l" in tags:
            body = body[: int(tags[b"l"])]
        digest = hashlib.new(tags[b"a"].decode().split("-")[1], body).digest()
        expected = base64.b64decode(re.sub(rb"\s+", b"", tags[b"bh"]))
    except Exception:  # dkimpy cannot read the file or the tags: no comparison
        return "skip"
    return "match" if digest == expected else "mismatch"


def _messages() -> list[tuple[Path, LoadedMessage]]:
    found: list[tuple[Path, LoadedMessage]] = []
    for path in corpus_files():
        try:
            messages = load_bytes(path.read_bytes())
        except InputError:
            continue
        found.extend((path, m) for m in messages)
    return found


@pytest.mark.corpus
def test_corpus_signatures_match_dkimpy_and_never_pass_with_a_wrong_key() -> None:
    if not corpus_files():
        pytest.skip(f"no corpus at {CORPUS}")
    wrong = AnyName(key_pair(1024).record)
    counts = {"match": 0, "mismatch": 0, None: 0}
    compared = 0
    for path, message in _messages():
        sigs = read_signatures(message.headers, message.body, wrong, NOW)
        dkim_findings(sigs, message.headers, None, NOW)
        for position, sig in enumerate(sigs):
            counts[sig.body_hash] += 1
            assert sig.verification != "pass", path  # a made-up key never verifies
            if message.address == ():
                theirs = _dkimpy_body_hash(path.read_bytes(), position)
                if theirs != "skip" and sig.body_hash is not None:
                    assert sig.body_hash == theirs, (path, position)
                    compared += 1
    # archived real mail often still matches; both kinds occur in the corpus
    assert counts["match"] >= 30 and counts["mismatch"] >= 10
    assert compared >= 50


@pytest.mark.corpus
@pytest.mark.parametrize(
    "relative",
    [
        "rspamd/ham.eml",  # LF line ends
        "postalsys-mailauth/fixtures/arc-pass.eml",
        "stalwart-mail-auth/dmarc-feedback/104.eml",
    ],
)
def test_real_signatures_still_match(relative: str) -> None:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in the corpus")
    message = load_one(path.read_bytes())
    sigs = read_signatures(message.headers, message.body, None, NOW)
    assert sigs and all(s.body_hash == "match" for s in sigs)
    assert all(s.verification == "unverifiable" for s in sigs)


# --- key stores ----------------------------------------------------------------------------


def test_offline_keys_from_a_directory(tmp_path: Path, pair: KeyPair, signed: bytes) -> None:
    record = pair.record.decode()
    head, tail = record[:40], record[40:]
    # as copied out of `dig`: the TXT record in quoted chunks, over two lines
    (tmp_path / "sel1._domainkey.example.org.txt").write_text(f'"{head}"\n "{tail}"\n')
    (tmp_path / "notes.txt").write_text("not a key")
    (tmp_path / "other._domainkey.example.com.pem").write_text("ignored: wrong suffix")
    keys = OfflineKeys.from_directory(tmp_path)
    assert keys.names() == ("sel1._domainkey.example.org",)
    assert keys.txt("SEL1._domainkey.Example.ORG.") == pair.record
    assert keys.txt("nobody._domainkey.example.org") is None
    assert read(load_one(signed), keys).verification == "pass"
    assert OfflineKeys.from_directory(tmp_path / "missing").names() == ()


def test_huge_h_list_is_not_verified_quadratically(pair: KeyPair) -> None:
    names = ":".join(f"x-{i}" for i in range(3000))
    value = f"v=1; a=rsa-sha256; d={DOMAIN}; s={SELECTOR}; h=from:{names}; bh=AAAA; b=AAAA"
    fillers = tuple(HeaderField(i + 2, "X-Filler", "y", "X-Filler: y", i + 3) for i in range(1000))
    headers = _headers(value) + fillers
    (sig,) = read_signatures(headers, b"", keys_for(pair), NOW)
    assert sig.verification == "unverifiable"
    assert any("too many" in p for p in sig.problems)
