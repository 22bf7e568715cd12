"""Properties: parse_received and parse_date never raise and always return sane values.

`parse_received` has a last-resort guard that turns an internal exception into the
problem "This Received header could not be read."; these tests fail if that guard is ever
reached, so they prove the parser itself does not raise.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC

from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.dates import parse_date
from mailview.core.model import ReceivedFields
from mailview.core.received import parse_received

# Any code point, surrogates and NUL included (headers decoded with surrogateescape).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=300)

RECEIVED_TOKENS = [
    "from", "by", "via", "with", "id", "for", "FROM", "By", " ", "  ", "\t", "\r\n ",
    "(", ")", "[", "]", "<", ">", ";", '"', "\\", ":", "=", ",", "@", ".", "%",
    "mail.example.org", "unknown", "localhost", "[192.0.2.1]", "192.0.2.1", "[IPv6:::1]",
    "[IPv6:2001:db8::1]", "2603:10b6:408:fb::21", "[127.0.0.1]:2525", "fe80::1%9",
    "15.20.5746.27", "helo=", "HELO", "EHLO", "LHLO", "(HELO x)", "ident=", "port=",
    "ESMTP", "ESMTPSA", "esmtps", "LMTPS", "HTTPS", "mapi", "local", "Microsoft SMTP Server",
    "SMTPSVC(6.0)", "ESMTP/TLS/AES", "tls", "(TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256)",
    "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))",
    "(version=TLS1_2, cipher=X bits=256/256)", "bits=", "cipher=", "version=",
    "(Exim 4.96)", "(Postfix)", "(8.15.2/8.15.2)", "(qmail 1 invoked from network)",
    "(Authenticated sender: a@b)", "(AUTH: LOGIN u)", "(authenticated bits=0)",
    "(envelope-from <a@b>)", "envelope-from", "envelope-sender", "<a@b>", "<>",
    "1sxswz-00COfK-Qx", "Mon,", "6", "Jun", "2022", "10:00:00", "+0000", "-0000", "(UTC)",
    "PDT", "GMT", "Z", "m=+0.1", "2022-04-08T12:34:56Z", "99", "Foo", "\x00", "\udcff", "é",
]  # fmt: skip
RECEIVED_LIKE = st.lists(st.sampled_from(RECEIVED_TOKENS), max_size=60).map("".join)

DATE_TOKENS = [
    "Mon", "Tuesday", ",", " ", "  ", "\t", "\r\n ", "6", "31", "00", "99", "102", "2022",
    "0000", "Jun", "June", "Sept", "Foo", "-", ":", "10", "25", "59", "60", ".", "789",
    "+0000", "-0000", "+0200", "+2500", "+02:00", "GMT", "UT", "PDT", "IST", "Z", "T",
    "(", ")", "(UTC)", "m=+0.1", "\x00", "\udcff",
]  # fmt: skip
DATE_LIKE = st.lists(st.sampled_from(DATE_TOKENS), max_size=25).map("".join)

PROPS = settings(max_examples=250, deadline=None)


def check_fields(got: ReceivedFields) -> None:
    assert isinstance(got, ReceivedFields)
    assert "This Received header could not be read." not in got.problems
    assert all(isinstance(p, str) and p for p in got.problems)
    for ip in (got.from_ip, got.by_ip):
        if ip is not None:
            ipaddress.ip_address(ip)  # only validated addresses come out
    if got.date is not None:
        assert got.date.utc.tzinfo is UTC
        assert got.date_text is not None
    for name in ("from_host", "from_helo", "from_rdns", "by_host", "with_protocol", "id"):
        value = getattr(got, name)
        assert value is None or isinstance(value, str)


@PROPS
@given(ANY_TEXT)
def test_received_never_raises_on_any_text(value: str) -> None:
    check_fields(parse_received(value))


@PROPS
@given(RECEIVED_LIKE)
def test_received_never_raises_on_received_like_text(value: str) -> None:
    check_fields(parse_received(value))


@PROPS
@given(ANY_TEXT)
def test_date_never_raises_on_any_text(value: str) -> None:
    parsed = parse_date(value)
    assert parsed is None or parsed.utc.tzinfo is UTC


@PROPS
@given(DATE_LIKE)
def test_date_never_raises_on_date_like_text(value: str) -> None:
    parsed = parse_date(value)
    if parsed is not None:
        assert parsed.utc.tzinfo is UTC
        assert parsed.text == value.strip()
        assert parsed.offset_minutes is None or -24 * 60 < parsed.offset_minutes < 24 * 60


@PROPS
@given(RECEIVED_LIKE, DATE_LIKE)
def test_date_after_semicolon_is_what_parse_date_reads(body: str, date: str) -> None:
    value = body.replace(";", ",") + "; " + date.replace(";", ",")
    got = parse_received(value)
    check_fields(got)
    alone = parse_date(date.replace(";", ","))
    if alone is not None and "(" not in value and '"' not in value:
        assert got.date == alone
