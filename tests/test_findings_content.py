"""Header-content rules: each raises its finding on the case it is about, and stays quiet
on the near miss next to it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.header import Header

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.assets import sample_message
from mailview.core.chain import build_route
from mailview.core.errors import InputError
from mailview.core.findings import attachments
from mailview.core.findings import content as rules
from mailview.core.findings.context import Rule, RuleContext
from mailview.core.load import load_bytes
from mailview.core.model import Finding, Severity
from tests.corpus import CORPUS, corpus_files

NOW = datetime(2024, 11, 13, tzinfo=UTC)


def context(data: bytes) -> RuleContext:
    message = load_bytes(data)[0]  # no route needed: these rules read headers only
    return RuleContext(message, message.headers, build_route([]), NOW)


def run(rule: Rule, *headers: str) -> list[Finding]:
    lines = [*headers]
    if not any(h.lower().startswith("from:") for h in headers):
        lines.append("From: Shop <news@shop.example>")
    data = "\r\n".join([*lines, "", "body", ""])
    return list(rule(context(data.encode())))


def codes(found: list[Finding]) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in found]


def encoded(text: str) -> str:
    return Header(text, "utf-8").encode()


# --- sending software -----------------------------------------------------------------------


def test_sample_raises_the_phpmailer_finding() -> None:
    found = list(rules.mailer_signature(context(sample_message().read_bytes())))
    assert codes(found) == [("content.phpmailer", Severity.MEDIUM)]
    assert "PHPMailer 6.1.4" in found[0].detail
    assert found[0].evidence[0].header_name == "X-Mailer"


@pytest.mark.parametrize(
    ("header", "code", "severity"),
    [
        ("X-Mailer: gophish", "content.phishing_toolkit", Severity.HIGH),
        ("X-Gophish-Contact: security@corp.example", "content.phishing_toolkit", Severity.HIGH),
        ("X-Mailer: King Phisher v1.16.0", "content.phishing_toolkit", Severity.HIGH),
        ("X-Mailer: Leaf PHPMailer 2.8", "content.phishing_toolkit", Severity.HIGH),
        ("X-Mailer: Atomic Mail Sender 9.51", "content.mass_mailer", Severity.MEDIUM),
        ("X-Mailer: SendBlaster.3.2.6", "content.mass_mailer", Severity.MEDIUM),
        ("User-Agent: Email Marketing Software 2.1", "content.mass_mailer", Severity.LOW),
        ("X-Mailer: PHPMailer 6.9.1", "content.phpmailer", Severity.LOW),
        ("X-Mailer: PHPMailer 5.2.22", "content.phpmailer", Severity.MEDIUM),
        ("X-Mailer: PHPMailer [version 1.73]", "content.phpmailer", Severity.MEDIUM),
        ("X-Mailer: The Bat! (v1.62r) Personal", "content.forged_client", Severity.LOW),
    ],
)
def test_known_sending_software(header: str, code: str, severity: Severity) -> None:
    found = run(rules.mailer_signature, header)
    assert codes(found) == [(code, severity)]
    assert found[0].strength == "heuristic"


@pytest.mark.parametrize(
    "header",
    [
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Thunderbird/102.13.0",
        "X-Mailer: MailChimp Mailer - **CID199bb58d0b042ea43672**",  # an ESP
        "X-Mailer: The Bat! (v9.4.5) Professional",
        "X-Mailer: Microsoft Outlook 16.0",
        "Subject-Note: gophish",  # not a mailer header
    ],
)
def test_ordinary_software_is_quiet(header: str) -> None:
    assert run(rules.mailer_signature, header) == []


def test_php_script_is_named() -> None:
    found = run(rules.php_script, "X-PHP-Originating-Script: 1000:wp-mail.php")
    assert codes(found) == [("content.php_script", Severity.MEDIUM)]
    assert "'wp-mail.php'" in found[0].title
    found = run(rules.php_script, "X-PHP-Script: shop.example/x/send.php for 192.0.2.1")
    assert "'shop.example/x/send.php'" in found[0].title


def test_no_php_header_no_finding() -> None:
    assert run(rules.php_script, "X-Mailer: Microsoft Outlook 16.0") == []


# --- deceptive characters -------------------------------------------------------------------


def test_cyrillic_letter_in_a_latin_from_name() -> None:
    found = run(rules.mixed_scripts, "From: " + encoded("P\u0430yPal Service") + " <a@x.example>")
    assert codes(found) == [("content.mixed_script", Severity.HIGH)]
    assert "[CYRILLIC \u0430]" in found[0].detail


def test_mixed_subject_is_medium() -> None:
    found = run(rules.mixed_scripts, "Subject: " + encoded("Your \u0391pple ID"))
    assert codes(found) == [("content.mixed_script", Severity.MEDIUM)]


@pytest.mark.parametrize(
    "text",
    [
        "Скидки на iPhone и MacBook",  # Russian with Latin brand names as separate words
        "Windows版の新機能",  # Latin and CJK mix freely in Japanese
        "Ἀθῆναι and Athens",
    ],
)
def test_honest_multilingual_text_is_quiet(text: str) -> None:
    assert run(rules.mixed_scripts, "Subject: " + encoded(text)) == []


def test_invisible_characters_in_subject() -> None:
    found = run(rules.invisible_characters, "Subject: " + encoded("Pay\u200bPal: verify now"))
    assert codes(found) == [("content.invisible_characters", Severity.MEDIUM)]
    assert "[U+200B]" in found[0].detail


@pytest.mark.parametrize(
    "text",
    [
        "Family \U0001f468\u200d\U0001f469\u200d\U0001f467 photos",  # emoji joined by ZWJ
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with ZWNJ
    ],
)
def test_joiners_in_their_own_scripts_are_quiet(text: str) -> None:
    assert run(rules.invisible_characters, "Subject: " + encoded(text)) == []


def test_right_to_left_override_in_from() -> None:
    found = run(rules.bidi_controls, "From: " + encoded("Invoice \u202efdp.exe") + " <a@x.example>")
    assert codes(found) == [("content.bidi_override", Severity.HIGH)]
    assert "[U+202E]" in found[0].detail


def test_embedding_without_right_to_left_text_is_medium() -> None:
    found = run(rules.bidi_controls, "Subject: " + encoded("Pay \u202bnow\u202c"))
    assert codes(found) == [("content.bidi_override", Severity.MEDIUM)]


def test_embedding_around_hebrew_is_quiet() -> None:
    text = "Meeting \u202b\u05e9\u05dc\u05d5\u05dd\u202c today"
    assert run(rules.bidi_controls, "Subject: " + encoded(text)) == []


# --- List-Unsubscribe -----------------------------------------------------------------------


def test_unsubscribe_at_an_unrelated_organisation() -> None:
    found = run(
        rules.unsubscribe_mismatch,
        "Return-Path: <bounce@shop.example>",
        "List-Unsubscribe: <https://track.elsewhere.example/u?id=1>",
    )
    assert codes(found) == [("content.unsubscribe_mismatch", Severity.LOW)]
    assert "elsewhere.example" in found[0].detail


@pytest.mark.parametrize(
    "headers",
    [
        ("List-Unsubscribe: <https://links.shop.example/u?id=1>",),
        ("List-Unsubscribe: <https://shop.us14.list-manage.com/unsubscribe?u=3f>",),  # ESP
        (
            "DKIM-Signature: v=1; a=rsa-sha256; d=mailer.example; s=k1; b=x",
            "List-Unsubscribe: <mailto:unsub@mailer.example>",
        ),
    ],
)
def test_unsubscribe_at_a_sender_identity_or_esp_is_quiet(headers: tuple[str, ...]) -> None:
    assert run(rules.unsubscribe_mismatch, *headers) == []


def test_mailing_list_unsubscribe_is_quiet() -> None:
    # Headers of an IRTF list post, from rspamd/rspamd test/functional/messages/ham.eml
    # (Apache-2.0).
    found = run(
        rules.unsubscribe_mismatch,
        "Return-Path: <cfrg-bounces@irtf.org>",
        "From: user@example.com",
        "List-Id: Crypto Forum Research Group <cfrg.irtf.org>",
        "List-Unsubscribe: <https://www.irtf.org/mailman/options/cfrg>,",
        " <mailto:cfrg-request@irtf.org?subject=unsubscribe>",
        "List-Post: <mailto:cfrg@irtf.org>",
        'Sender: "Cfrg" <cfrg-bounces@irtf.org>',
    )
    assert found == []


# --- corpus ---------------------------------------------------------------------------------

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


NAME_PIECES = st.sampled_from(
    [b"name", b"NAME", b"file", b"FileName", b"=", b'"', b"x", b"-", b"\\", b";", b" ", b"\n",
     b"*0*", b"*", b"filename*=utf-8''%E2%80%AE", b'name="a.exe"', b"xname=", b"-name="]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(NAME_PIECES, max_size=30))
def test_attachment_names_found_as_the_parameter_grammar_finds_them(pieces: list[bytes]) -> None:
    body = b"".join(pieces)
    expected = [m.span() for m in attachments._NAME_PARAM.finditer(body, 0, attachments.SCAN_BYTES)]
    assert [m.span() for m in attachments._name_params(body)] == expected
