"""Sender-identity rules: each fires on the case it is about and keeps quiet on its near miss."""

from __future__ import annotations

import collections
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.assets import sample_message
from mailview.core.auth.analysis import analyze_auth
from mailview.core.auth.model import DkimSignature
from mailview.core.chain import (
    route_from_headers,
)
from mailview.core.findings import identity
from mailview.core.findings.context import Rule
from mailview.core.findings.lookalike import (
    BRANDS,
    brand_owns,
    distance,
    imitation,
    script_trick,
    skeleton,
    unicode_domain,
)
from mailview.core.findings.registry import RuleContext, run_rules
from mailview.core.load import load_bytes
from mailview.core.model import Finding, Severity
from tests.corpus import CORPUS, corpus_files

NOW = datetime(2024, 11, 13, tzinfo=UTC)
_IDENTITY_HEADERS = (
    "From", "Reply-To", "Return-Path", "Sender", "To", "Message-ID", "Subject", "List-Id",
    "List-Post", "Precedence",
)  # fmt: skip


def context(headers: str, *, dkim_aligned: str | None = None) -> RuleContext:
    """A RuleContext for a message made of `headers` (one per line) and a short body.

    `dkim_aligned` pretends a DKIM signature of that domain passed and aligned with From;
    signing for real would test the DKIM code, not these rules.
    """
    data = ("\r\n".join(headers.strip().splitlines()) + "\r\n\r\nHello.\r\n").encode()
    message = load_bytes(data, "test.eml")[0]
    route = route_from_headers(message.headers)
    auth = analyze_auth(message, route, NOW)
    if dkim_aligned is not None:
        alignment = replace(auth.alignment, dkim_aligned_domains=((dkim_aligned, "strict"),))
        auth = replace(auth, alignment=alignment)
    return RuleContext(message, message.headers, route, NOW, auth)


def run(headers: str, rule: Rule | None = None, **kwargs: str) -> list[Finding]:
    rules = identity.RULES if rule is None else (rule,)
    return list(run_rules(context(headers, **kwargs), rules, strict=True))


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


BASE = """
Date: Tue, 12 Nov 2024 10:05:09 +0100
Message-ID: <1@mail.alpha.example>
To: Jo <jo@contoso.example>
Subject: Hello
"""


def msg(*lines: str) -> str:
    return BASE + "\n".join(lines)


# --- the bundled sample ----------------------------------------------------------------


def test_sample_raises_lookalike_brand_and_reply_to() -> None:
    found = run(sample_message().read_text(encoding="utf-8").split("\n\n", 1)[0])
    by_code = {f.code: f for f in found}
    assert by_code["identity.lookalike_domain"].severity is Severity.HIGH
    assert "PayPal" in by_code["identity.lookalike_domain"].title
    assert by_code["identity.display_name_brand"].severity is Severity.HIGH
    assert "'PayPal Billing'" in by_code["identity.display_name_brand"].detail
    assert by_code["identity.reply_to_other_org"].severity is Severity.MEDIUM
    # Evidence is the From header (and the Return-Path, same domain), never made up.
    names = {e.header_name for e in by_code["identity.lookalike_domain"].evidence}
    assert names == {"From", "Return-Path"}
    # The Message-ID is at smtp.gmail.com, a known infrastructure name.
    assert "identity.message_id_unrelated" not in by_code


# --- From and Return-Path --------------------------------------------------------------


def test_return_path_of_another_organisation() -> None:
    found = run(
        msg("From: a@alpha.example", "Return-Path: <b@beta.example>"),
        identity.return_path_unrelated,
    )
    assert codes(found) == ["identity.return_path_unrelated"]
    assert found[0].severity is Severity.LOW and found[0].strength == "heuristic"
    assert [e.header_name for e in found[0].evidence] == ["From", "Return-Path"]


@pytest.mark.parametrize(
    "lines",
    [
        ("From: a@alpha.example", "Return-Path: <bounce-1@mail.alpha.example>"),
        ("From: a@alpha.example", "Return-Path: <>"),
        ("From: a@alpha.example", "Return-Path: <SRS0=ab12=TT=alpha.example=a@fwd.example>"),
        ("From: a@alpha.example", "Return-Path: <SRS1=x=fwd.example==ab12=TT=o.example=a@f2.ex>"),
        (
            "From: a@alpha.example",
            "Return-Path: <dev-bounces@lists.beta.example>",
            "List-Id: Dev talk <dev.lists.beta.example>",
        ),
        (
            "From: a@alpha.example",
            "Sender: owner-dev@beta.example",
            "Return-Path: <o@beta.example>",
        ),
    ],
    ids=["same-org", "null-sender", "srs0", "srs1", "list", "sender-says-so"],
)
def test_return_path_near_misses(lines: tuple[str, ...]) -> None:
    assert run(msg(*lines), identity.return_path_unrelated) == []


def test_sending_service_is_quiet_only_with_dkim_for_the_from_domain() -> None:
    lines = msg("From: news@alpha.example", "Return-Path: <0100abc@eu-west-1.amazonses.com>")
    found = run(lines, identity.return_path_unrelated)
    assert codes(found) == ["identity.return_path_unrelated"]
    assert "known sending service" in found[0].detail
    assert run(lines, identity.return_path_unrelated, dkim_aligned="alpha.example") == []


# --- Reply-To --------------------------------------------------------------------------


def test_reply_to_another_organisation_is_medium() -> None:
    found = run(
        msg("From: a@alpha.example", "Reply-To: b@beta.example"), identity.reply_to_other_org
    )
    assert codes(found) == ["identity.reply_to_other_org"]
    assert found[0].severity is Severity.MEDIUM
    assert [e.header_name for e in found[0].evidence] == ["From", "Reply-To"]


@pytest.mark.parametrize(
    "free", ["x@gmail.com", "x@yahoo.co.uk", "x@gmx.de", "x@proton.me", "x@163.com"]
)
def test_reply_to_free_mail_from_a_company_is_high(free: str) -> None:
    found = run(msg("From: ceo@alpha.example", f"Reply-To: {free}"), identity.reply_to_other_org)
    assert [(f.code, f.severity) for f in found] == [("identity.reply_to_other_org", Severity.HIGH)]
    assert "free-mail" in found[0].detail


def test_reply_to_free_mail_from_free_mail_is_only_medium() -> None:
    found = run(msg("From: a@outlook.com", "Reply-To: b@aol.com"), identity.reply_to_other_org)
    assert [f.severity for f in found] == [Severity.MEDIUM]


@pytest.mark.parametrize(
    "lines",
    [
        ("From: a@alpha.example", "Reply-To: help@support.alpha.example"),
        (
            "From: a@alpha.example",
            "Reply-To: dev@lists.beta.example",
            "List-Id: <dev.lists.beta.example>",
            "List-Post: <mailto:dev@lists.beta.example>",
        ),
        (
            "From: 'Al' via Dev <dev@googlegroups.com>",
            "Reply-To: al@alpha.example",
            "List-Id: <dev.googlegroups.com>",
        ),
    ],
    ids=["same-org", "list-address", "list-dmarc-rewrite"],
)
def test_reply_to_near_misses(lines: tuple[str, ...]) -> None:
    assert run(msg(*lines), identity.reply_to_other_org) == []


def test_old_list_without_list_id_is_recognised_by_reply_to_its_own_address() -> None:
    # Header lines from mailgun/flanker tests/fixtures/messages/apache-message-news-mime.eml
    # (Apache-2.0), an Apache new-httpd list post of 1996.
    lines = """
From: Rob Hartill <hartill@lanl.gov>
To: new-httpd@hyperreal.com
Sender: owner-new-httpd@apache.org
Precedence: bulk
Reply-To: new-httpd@hyperreal.com
Date: Sat, 13 Apr 1996 14:15:57 -0600 (MDT)
Message-ID: <Pine.SUN.3.91.960413141521.29017A-100000@lanl.gov>
"""
    found = run(lines)
    assert "identity.reply_to_other_org" not in codes(found)
    sender = [f for f in found if f.code == "identity.sender_other_org"]
    assert [f.severity for f in sender] == [Severity.INFO]  # a list robot's address


# --- Sender ----------------------------------------------------------------------------


def test_sender_of_another_organisation() -> None:
    found = run(msg("From: a@alpha.example", "Sender: b@beta.example"), identity.sender_other_org)
    assert [(f.code, f.severity) for f in found] == [("identity.sender_other_org", Severity.LOW)]
    listed = run(
        msg("From: a@alpha.example", "Sender: b@beta.example", "List-Id: <x.beta.example>"),
        identity.sender_other_org,
    )
    assert [f.severity for f in listed] == [Severity.INFO]


def test_sender_of_the_same_organisation_is_quiet() -> None:
    found = run(msg("From: a@alpha.example", "Sender: pa@mail.alpha.example"))
    assert "identity.sender_other_org" not in codes(found)


# --- brands in display names -----------------------------------------------------------


@pytest.mark.parametrize(
    ("from_", "brand"),
    [
        ('"PayPal Billing" <service@billing-notice.example>', "PayPal"),
        ("Microsoft 365 Team <noreply@m365-alerts.example>", "Microsoft"),
        ("=?UTF-8?Q?DHL_Expr=C3=A9ss?= <track@parcel.example>", "DHL"),
        ("Chase Online <alerts@secure-banking.example>", "Chase"),
        ("Apple Support <id@gmail.com>", "Apple"),
    ],
)
def test_brand_in_display_name_on_a_foreign_address(from_: str, brand: str) -> None:
    found = run(msg(f"From: {from_}"), identity.display_name_brand)
    assert [(f.code, f.severity) for f in found] == [("identity.display_name_brand", Severity.HIGH)]
    assert brand in found[0].title and found[0].strength == "correlated"


@pytest.mark.parametrize(
    "from_",
    [
        "PayPal <service@paypal.com>",
        "PayPal <service@mail.paypal.de>",  # the brand's name under a country code
        "Amazon Web Services <aws@amazonses.com>",
        "Chase Miller <chase@alpha.example>",  # a first name, not the bank
        "Apple Pie Club <pie@alpha.example>",
        "PayPal (paypal.com) <x@alpha.example>",  # auth.display_name_domain says it
        "Jo Bloggs <jo@alpha.example>",
    ],
)
def test_brand_display_name_near_misses(from_: str) -> None:
    assert run(msg(f"From: {from_}"), identity.display_name_brand) == []


def test_brand_display_name_quiet_when_the_brand_signed() -> None:
    ctx = context(msg("From: Netflix <info@members-netflix-mail.example>"))
    assert codes(list(identity.display_name_brand(ctx))) == ["identity.display_name_brand"]
    assert ctx.auth is not None
    signed = DkimSignature(
        header_index=0,
        domain="netflix.com",
        selector="s1",
        algorithm="rsa-sha256",
        canonicalization="relaxed/relaxed",
        signed_headers=("from",),
        identity=None,
        body_length=None,
        timestamp=None,
        expiration=None,
        body_hash="match",
        verification="pass",
        key_bits=2048,
        result=None,
        problems=(),
        tags=(),
    )
    ctx = replace(ctx, auth=replace(ctx.auth, dkim=(signed,)))
    assert list(identity.display_name_brand(ctx)) == []  # a sending domain the table lacks


# --- look-alike domains ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_", "kind"),
    [
        ("a@contoso.exarnple", "recipient"),  # rn for m
        ("a@micros0ft-help.com", "Microsoft"),
        ("a@paypa1-billing.example", "PayPal"),
        ("a@linkedln.com", "LinkedIn"),
        ("a@xn--pypal-4ve.com", "PayPal"),  # Cyrillic а
        ("a@netfilx.com", "Netflix"),  # two letters swapped
    ],
)
def test_lookalike_domains_are_high(from_: str, kind: str) -> None:
    found = run(msg(f"From: {from_}"), identity.lookalike_domains)
    assert [(f.code, f.severity) for f in found] == [("identity.lookalike_domain", Severity.HIGH)]
    expected = "recipient's domain" if kind == "recipient" else kind
    assert expected in found[0].title
    assert found[0].evidence[0].header_name == "From"


def test_lookalike_in_reply_to_and_return_path() -> None:
    found = run(
        msg("From: a@alpha.example", "Reply-To: x@dropb0x.example", "Return-Path: <y@g00gle.com>"),
        identity.lookalike_domains,
    )
    assert sorted(str(f.evidence[0].header_name) for f in found) == ["Reply-To", "Return-Path"]


@pytest.mark.parametrize(
    "domain", ["paypal-secure-login.com", "paypal.com.verify.example", "paypal.xyz"]
)
def test_brand_name_in_an_unrelated_domain_is_medium(domain: str) -> None:
    found = run(msg(f"From: a@{domain}"), identity.lookalike_domains)
    assert [(f.code, f.severity) for f in found] == [("identity.brand_in_domain", Severity.MEDIUM)]


def test_mixed_script_idn_is_medium() -> None:
    label = "bаnkofoz"  # Cyrillic а among Latin letters
    domain = "xn--" + label.encode("punycode").decode("ascii") + ".com"
    found = run(msg(f"From: a@{domain}"), identity.lookalike_domains)
    assert [(f.code, f.severity) for f in found] == [("identity.idn_homograph", Severity.MEDIUM)]
    assert "Cyrillic and Latin" in found[0].detail


@pytest.mark.parametrize(
    "from_",
    [
        "a@paypal.com",
        "a@mail.contoso.example",  # the recipient's own organisation
        "a@contoso.org",  # three edits from contoso.example
        "a@xn--mnchen-3ya.de",  # münchen: one script, imitates nothing
        "a@xn--e1afmkfd.xn--p1ai",  # пример.рф: Cyrillic, but not all Latin look-alikes
        "a@startups.example",  # "ups" inside a word is not UPS
        "a@cloud.example",  # one edit from icloud, but too short to judge
        "a@paypay.ne.jp",  # a real, different brand
    ],
)
def test_lookalike_near_misses(from_: str) -> None:
    assert run(msg(f"From: {from_}"), identity.lookalike_domains) == []


def test_lookalike_helpers() -> None:
    assert skeleton("paypa1") == skeleton("paypal") == skeleton("paypaI")
    assert skeleton("exarnple") == skeleton("example")
    assert skeleton("раураl") == "paypal"  # all Cyrillic but the l
    assert distance("netflix", "netfilx", 1) == 1
    assert distance("kitten", "sitting", 1) == 2  # capped at limit + 1
    assert distance("abc", "abcdef", 1) == 2
    assert unicode_domain("xn--pypal-4ve.com") == "pаypal.com"
    assert unicode_domain("xn--zzzz-invalid.com").endswith(".com")  # never raises
    assert script_trick("аррӏе") is not None  # whole-script Cyrillic look-alike
    assert script_trick("例子") is None and script_trick("abcテスト") is None
    assert imitation("paypal.de", ()) is None
    paypal = next(b for b in BRANDS if b.name == "PayPal")
    assert brand_owns(paypal, "mail.paypal.com") and not brand_owns(paypal, "paypal.xyz")


# --- required and repeated headers -----------------------------------------------------


def test_missing_from_date_and_message_id() -> None:
    found = run("Subject: hi\nTo: jo@contoso.example", identity.missing_identity_headers)
    assert [(f.code, f.severity) for f in found] == [
        ("identity.from_missing", Severity.MEDIUM),
        ("identity.date_missing", Severity.LOW),
        ("identity.message_id_missing", Severity.LOW),
    ]
    assert run(msg("From: a@alpha.example"), identity.missing_identity_headers) == []


def test_duplicate_headers() -> None:
    found = run(
        msg(
            "From: a@alpha.example",
            "Subject: Invoice paid",
            "References: <x@alpha.example>",
            "References: <y@alpha.example>",
        ),
        identity.duplicate_headers,
    )
    assert [(f.title, f.severity) for f in found] == [
        ("Several Subject headers", Severity.MEDIUM),  # the worst first
        ("Several References headers", Severity.LOW),
    ]
    subject = next(f for f in found if "Subject" in f.title)
    assert len(subject.evidence) == 2


def test_identical_duplicates_and_several_froms_are_not_medium_here() -> None:
    found = run(
        msg("From: a@alpha.example", "From: b@alpha.example", "Subject: Hello"),
        identity.duplicate_headers,
    )
    assert [(f.title, f.severity) for f in found] == [("Several Subject headers", Severity.LOW)]


# --- Message-ID ------------------------------------------------------------------------

MID_BASE = """
Date: Tue, 12 Nov 2024 10:05:09 +0100
To: jo@example.org
From: a@example.com
"""


def test_message_id_of_another_organisation() -> None:
    found = run(MID_BASE + "Message-ID: <abc@bulk-tool.example.net>", identity.message_id_unrelated)
    assert [(f.code, f.severity) for f in found] == [
        ("identity.message_id_unrelated", Severity.LOW)
    ]
    assert [e.header_name for e in found[0].evidence] == ["Message-ID", "From"]


@pytest.mark.parametrize(
    "extra",
    [
        "Message-ID: <abc@mail.example.com>",
        "Message-ID: <CAF=x@mail.gmail.com>",
        "Message-ID: <AM0PR01MB@AM0PR01MB1234.eurprd01.prod.outlook.com>",
        "Message-ID: <0100abc@email.amazonses.com>",
        "Message-ID: <abc@DESKTOP-4F2K>",
        "Message-ID: <abc@host.local>",
        "Message-ID: <abc@[192.0.2.1]>",
        "Return-Path: <b@example.net>\nMessage-ID: <abc@out.example.net>",
        "Received: from pc by relay.example.net; Tue, 12 Nov 2024 09:05:10 +0000\n"
        "Message-ID: <abc@relay.example.net>",
    ],
    ids=["own", "gmail", "exchange-online", "ses", "machine", "local", "literal", "rp", "relay"],
)
def test_message_id_near_misses(extra: str) -> None:
    assert run(MID_BASE + extra, identity.message_id_unrelated) == []


# --- the corpus ------------------------------------------------------------------------

# Legitimate list and newsletter mail in the corpus: none of it may look like an attack.
_LEGITIMATE = ("spamassassin/nice/", "spamassassin/welcomelists/", "mailgun-flanker/")


@pytest.mark.corpus
def test_corpus_sweep_never_raises_and_keeps_legitimate_mail_below_high() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    counts: collections.Counter[str] = collections.Counter()
    for path in files:
        try:
            ctx = context_of(path)
        except Exception:  # the loader's own failures are test_corpus_sweep's business
            continue
        found = list(run_rules(ctx, identity.RULES, strict=True))
        counts.update(f.code for f in found)
        name = path.relative_to(CORPUS).as_posix()
        if name.startswith(_LEGITIMATE):
            high = [f.title for f in found if f.severity is Severity.HIGH]
            assert not high, f"{name}: {high}"
    assert counts  # the sweep looked at something


def context_of(path: Path) -> RuleContext:
    message = load_bytes(path.read_bytes(), path.name)[0]
    route = route_from_headers(message.headers)
    return RuleContext(message, message.headers, route, NOW, analyze_auth(message, route, NOW))


# --- hostile input ---------------------------------------------------------------------

_VALUE = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"), max_size=60
) | st.sampled_from(["<>", "a@xn--", "<x@xn--80a.xn--zz>", "SRS0=a=b=c=d@e.f", "@", "<@>"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_IDENTITY_HEADERS), _VALUE), max_size=8))
def test_rules_never_raise_on_hostile_headers(fields: list[tuple[str, str]]) -> None:
    run("\n".join(["Subject: fuzz"] + [f"{name}: {value}" for name, value in fields]))


def test_long_domains_stay_fast() -> None:
    long = "a" * 5000
    found = run(f"From: x@{long}.example\nTo: y@{long}b.example\nMessage-ID: <{long}>")
    assert "identity.lookalike_domain" not in codes(found)
