"""Address headers: splitting into mailboxes, syntax checks, and display-name spoofing."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.auth.addresses import (
    address_findings,
    check_addresses,
    parse_mailboxes,
    to_ascii_domain,
)
from mailview.core.auth.model import AddressCheck
from mailview.core.load import load_bytes
from mailview.core.model import HeaderField, Severity


def headers(*lines: str) -> tuple[HeaderField, ...]:
    fields = []
    for i, line in enumerate(lines):
        name, _, value = line.partition(":")
        fields.append(HeaderField(i, name, value.strip(), line, i + 1))
    return tuple(fields)


def checks_of(*lines: str) -> tuple[AddressCheck, ...]:
    return check_addresses(headers(*lines))


def codes(*lines: str) -> list[tuple[str, Severity]]:
    fields = headers(*lines)
    return [(f.code, f.severity) for f in address_findings(check_addresses(fields), fields)]


# --- splitting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Alice <alice@example.com>", [("Alice", "alice@example.com")]),
        ('"Smith, John" <j@example.com>', [("Smith, John", "j@example.com")]),
        ("alice@example.com", [(None, "alice@example.com")]),
        ("alice@example.com (Alice A.)", [("Alice A.", "alice@example.com")]),
        ('"john doe"@example.com', [(None, '"john doe"@example.com')]),
        ('"a>b"@example.com', [(None, '"a>b"@example.com')]),
        ("<@relay.example,@two.example:u@example.com>", [(None, "u@example.com")]),
        ("x <y@[192.0.2.1]>", [("x", "y@[192.0.2.1]")]),
        ("a@x.example, , b@y.example,", [(None, "a@x.example"), (None, "b@y.example")]),
        (
            'Team: a@x.example, "B" <b@y.example>;, c@z.example',
            [(None, "a@x.example"), ("B", "b@y.example"), (None, "c@z.example")],
        ),
        ("undisclosed-recipients:;", []),
        ("<>", [(None, "<>")]),
        ("=?utf-8?q?J=C3=B6rg?= <j@example.de>", [("Jörg", "j@example.de")]),
        ("PayPal (paypal.com) <x@evil.example>", [("PayPal (paypal.com)", "x@evil.example")]),
        ("", []),
    ],
)
def test_parse_mailboxes(value: str, expected: list[tuple[str | None, str]]) -> None:
    assert [(b.display_name, b.address) for b in parse_mailboxes(value)] == expected


def test_unclosed_angle_bracket_still_yields_the_address_and_a_problem() -> None:
    (box,) = parse_mailboxes("Alice <alice@example.com")
    assert box.address == "alice@example.com"
    assert box.problem is not None and ">" in box.problem


def test_unquoted_comma_splits_a_display_name_into_a_bogus_mailbox() -> None:
    # Outlook habit: `Smith, John <j@x>` is two mailboxes by the grammar, the first invalid.
    checks = checks_of("To: Smith, John <j@example.com>")
    assert [(c.address, c.valid) for c in checks] == [("Smith", False), ("j@example.com", True)]


# --- validity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "alice@example.com",
        "用户@例子.广告",  # RFC 6532: internationalised local part and domain
        "x@xn--fsqu00a.xn--3lr804guic",
        '"john doe"@example.com',
        "user+tag@sub.example.co.uk",
        "root@localhost",  # special-use, but well formed
        "postmaster@mailhost",  # no dot: legal syntax inside an organisation
        "user@[192.0.2.1]",
    ],
)
def test_valid_addresses(address: str) -> None:
    (check,) = checks_of(f"To: <{address}>")
    assert check.valid and check.problem is None
    assert check.address == address


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("s..palmer@enron.com", "two periods"),
        ("bob@@example.com", "@"),
        ("no-at-sign", "@-sign"),
        ("a b@example.com", ""),
        ("user@exa_mple.com", ""),
        ("x" * 1200 + "@example.com", "too long"),
    ],
)
def test_invalid_addresses(address: str, words: str) -> None:
    (check,) = checks_of(f"Cc: {address}")
    assert not check.valid
    assert check.problem is not None and words in check.problem


def test_null_sender_is_valid_only_in_return_path() -> None:
    checks = checks_of("Return-Path: <>", "From: <>")
    assert [(c.header, c.address, c.valid) for c in checks] == [
        ("Return-Path", "<>", True),
        ("From", "<>", False),
    ]


def test_each_header_and_each_address_is_checked() -> None:
    checks = checks_of(
        "Return-Path: <bounce@esp.example>",
        "Received: from x by y",
        "From: Alice <alice@example.com>",
        "Sender: <sec@example.com>",
        "Reply-To: help@example.com",
        "To: a@one.example, b@two.example",
        "cc: c@three.example",
        "Return-Path: <other@relay.example>",
        "Bcc: hidden@example.com",
    )
    assert [(c.header, c.header_index, c.address) for c in checks] == [
        ("Return-Path", 0, "bounce@esp.example"),
        ("From", 2, "alice@example.com"),
        ("Sender", 3, "sec@example.com"),
        ("Reply-To", 4, "help@example.com"),
        ("To", 5, "a@one.example"),
        ("To", 5, "b@two.example"),
        ("Cc", 6, "c@three.example"),
        ("Return-Path", 7, "other@relay.example"),
    ]


def test_an_empty_from_is_an_invalid_address_but_an_empty_to_group_is_fine() -> None:
    checks = checks_of("From: ", "To: undisclosed-recipients:;")
    assert [(c.header, c.address, c.valid) for c in checks] == [("From", None, False)]


def test_to_ascii_domain() -> None:
    assert to_ascii_domain("例子.广告") == "xn--fsqu00a.xn--4rr70v"
    assert to_ascii_domain("Mail.EXAMPLE.com.") == "mail.example.com"
    assert to_ascii_domain("  ") is None


# --- findings ----------------------------------------------------------------------------


def test_invalid_from_is_medium_other_headers_low() -> None:
    found = codes("From: s..palmer@enron.com", "To: bad@@example.com, ok@example.com")
    assert found == [
        ("auth.address_invalid", Severity.MEDIUM),
        ("auth.address_invalid", Severity.LOW),
    ]


def test_invalid_finding_names_the_address_and_carries_its_header() -> None:
    fields = headers("Subject: hi", "To: bad@@example.com")
    (item,) = address_findings(check_addresses(fields), fields)
    assert "'bad@@example.com'" in item.detail
    assert [(e.header_index, e.header_name, e.text) for e in item.evidence] == [
        (1, "To", "To: bad@@example.com")
    ]


def test_several_from_headers() -> None:
    assert codes("From: a@example.com", "From: b@example.com") == [
        ("auth.from_multiple", Severity.MEDIUM)
    ]


def test_several_authors_need_a_sender() -> None:
    assert codes("From: a@example.com, b@example.com") == [("auth.from_multiple", Severity.MEDIUM)]
    assert codes("From: a@example.com, b@example.com", "Sender: a@example.com") == []


@pytest.mark.parametrize(
    "line",
    [
        'From: "ceo@company.com" <x@evil.example>',
        "From: ceo@company.com <x@evil.example>",
        "From: =?utf-8?b?Y2VvQGNvbXBhbnkuY29t?= <x@evil.example>",  # ceo@company.com
        'Reply-To: "Support <support@bank.example>" <x@evil.example>',
        "From: 'purchasing@aquillaindustries.com' <do-not-reply@ncs.gov.ng>",
    ],
)
def test_display_name_with_another_address_is_high(line: str) -> None:
    assert codes(line) == [("auth.display_name_address", Severity.HIGH)]


@pytest.mark.parametrize(
    "line",
    [
        'From: "PayPal (paypal.com)" <x@evil.example>',
        "From: PayPal (paypal.com) <x@evil.example>",  # the same name, as a comment
        'From: "Service www.Amazon.de" <service@shop-offers.example.net>',
        'From: "Bank of Example - bank.co.uk" <alerts@bank-secure.co.uk>',
    ],
)
def test_display_name_with_another_organisations_domain_is_medium(line: str) -> None:
    assert codes(line) == [("auth.display_name_domain", Severity.MEDIUM)]


@pytest.mark.parametrize(
    "line",
    [
        'From: "alice@example.com" <alice@example.com>',
        'From: "Alice@Example.COM" <alice@example.com>',
        "From: Alice Example <alice@example.com>",
        'From: "Alice via Friends" <friends@lists.example.org>',  # Mailman's DMARC rewrite
        'From: "Booking.com" <noreply@mail.booking.com>',  # same organisation
        'From: "Vitamart.ca" <service@vitamart.ca>',
        "From: Node.js Foundation <news@nodejs.org>",  # .js is no public suffix
        "From: Mr.Smith <smith@example.com>",
        'From: "J. R. R. Tolkien" <jrrt@example.com>',
        "From: =?utf-8?q?Foo=2C_Bar?= <foo.bar@example.com>",
        # The name decodes to the very address it stands beside.
        "From: =?UTF-8?B?bm90aWZpY2FjY2lvbi1jbGllbnRlc0BiYnZhLm14?= <notificaccion-clientes@bbva.mx>",  # noqa: E501
        'To: "ceo@company.com" <x@evil.example>',  # recipients' names are not checked
    ],
)
def test_legitimate_display_names_stay_quiet(line: str) -> None:
    assert codes(line) == []


def test_google_groups_rewrite_is_quiet_with_its_list_headers_only() -> None:
    rewritten = "From: \"'alice@example.com' via Friends\" <friends@googlegroups.com>"
    assert codes(rewritten, "List-Id: <friends.googlegroups.com>") == []
    assert codes(rewritten) == [("auth.display_name_address", Severity.HIGH)]
    # A list header of another organisation does not excuse it.
    assert codes(rewritten, "List-Id: <friends.lists.example.org>") == [
        ("auth.display_name_address", Severity.HIGH)
    ]


def test_display_name_finding_evidence_and_strength() -> None:
    fields = headers("To: me@example.org", 'From: "ceo@company.com" <x@evil.example>')
    (item,) = address_findings(check_addresses(fields), fields)
    assert item.strength == "heuristic"
    assert "'ceo@company.com'" in item.detail and "'x@evil.example'" in item.detail
    assert [e.header_index for e in item.evidence] == [1]


def test_end_to_end_through_load_bytes() -> None:
    data = (
        b"Return-Path: <>\r\n"
        b"From: =?utf-8?q?PayPal_=28paypal=2Ecom=29?= <service@pp-login.example.net>\r\n"
        b"To: Undisclosed recipients:;\r\n"
        b"Cc: \xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a\r\n"
        b"Subject: verify\r\n\r\nbody\r\n"
    )
    (message,) = load_bytes(data)
    checks = check_addresses(message.headers)
    assert [(c.header, c.address, c.valid) for c in checks] == [
        ("Return-Path", "<>", True),
        ("From", "service@pp-login.example.net", True),
        ("Cc", "用户@例子.广告", True),
    ]
    assert checks[1].display_name == "PayPal (paypal.com)"
    found = address_findings(checks, message.headers)
    assert [(f.code, f.severity) for f in found] == [("auth.display_name_domain", Severity.MEDIUM)]


# --- robustness --------------------------------------------------------------------------

_PIECES = st.sampled_from([*'abc@.<>"(),;:[]\\ =?-_\t用例', "=?utf-8?q?", "?=", ".com"])
_VALUES = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=6))
def test_never_raises(values: list[str]) -> None:
    names = ["From", "To", "Cc", "Sender", "Reply-To", "Return-Path"]
    lines = [f"{names[i % len(names)]}: {v}" for i, v in enumerate(values)]
    fields = headers(*lines)
    checks = check_addresses(fields)
    for check in checks:
        assert check.valid == (check.problem is None)
        assert check.header in names
    for item in address_findings(checks, fields):
        assert item.code.startswith("auth.")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_any_text(value: str) -> None:
    fields = headers(f"From: {value}", f"Reply-To: {value}")
    address_findings(check_addresses(fields), fields)


@pytest.mark.parametrize(
    "hostile",
    [
        "a" + "." * 100_000 + "@b.com",  # quadratic in email.headerregistry
        "," * 100_000,
        '"' * 100_001,
        "(" * 50_000 + "a@b.com",  # RecursionError in email.utils.getaddresses
        "<" * 100_000,
        "g:a@b.com;" * 10_000,
        "x@y.z " * 20_000,
    ],
)
def test_hostile_values_take_linear_time(hostile: str) -> None:
    fields = headers(f"To: {hostile}", f"From: {hostile}")
    start = time.perf_counter()
    address_findings(check_addresses(fields), fields)
    assert time.perf_counter() - start < 2.0


ATEXT = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789!#$%&'*+/=?^_`{|}~-."
DOMAIN_CHARS = "abcxyz0189-."


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=ATEXT, min_size=1, max_size=70),
    st.text(alphabet=DOMAIN_CHARS, min_size=1, max_size=80),
)
def test_the_fast_path_never_accepts_what_email_validator_rejects(local: str, domain: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    from mailview.core.auth.addresses import _plainly_valid

    address = f"{local}@{domain}"
    if not _plainly_valid(address):
        return
    try:
        validate_email(
            address,
            check_deliverability=False,
            allow_quoted_local=True,
            allow_domain_literal=True,
            allow_smtputf8=True,
            globally_deliverable=False,
            test_environment=True,
        )
    except EmailNotValidError as err:
        raise AssertionError(f"fast path accepted {address!r}: {err}") from None


def test_fast_path_leaves_idna_reserved_labels_to_email_validator() -> None:
    from mailview.core.auth.addresses import _plainly_valid

    # Found by the property test above: "a0--0" is not a valid label outside punycode.
    assert not _plainly_valid("0@0.a0--0")
    assert _plainly_valid("alice@mail-1.example.org")
