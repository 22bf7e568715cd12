"""Reading Authentication-Results, ARC-Authentication-Results and Received-SPF headers.

Real header strings are copied, unchanged except for folding, from MIT / Apache-2.0 test
data in the shared corpus; each carries its source. RFC examples are from RFC 8601
Appendix B and RFC 7208 §9.1.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.auth.compauth import explain_compauth
from mailview.core.auth.model import AuthResult
from mailview.core.auth.results import (
    authserv_id_of,
    parse_auth_results,
    parse_received_spf,
    read_statements,
)
from mailview.core.model import HeaderField

AR = "Authentication-Results"


def field(value: str, name: str = AR, index: int = 0) -> HeaderField:
    return HeaderField(index, name, value, f"{name}: {value}", index + 1)


def parse(value: str, name: str = AR) -> tuple[list[AuthResult], list[str]]:
    return parse_auth_results(field(value, name))


def brief(results: list[AuthResult]) -> list[tuple[str, str]]:
    return [(r.method, r.result) for r in results]


# --- RFC 8601 Appendix B ------------------------------------------------------------


def test_b2_service_but_no_authentication_done() -> None:
    results, problems = parse("example.org 1; none")
    assert results == [] and problems == []
    assert authserv_id_of(field("example.org 1; none")) == "example.org"


def test_b3_one_result() -> None:
    results, problems = parse("example.com; spf=pass smtp.mailfrom=example.net")
    assert problems == []
    [spf] = results
    assert (spf.method, spf.result, spf.authserv_id) == ("spf", "pass", "example.com")
    assert spf.properties == (("smtp.mailfrom", "example.net"),)
    assert spf.prop("SMTP.MailFrom") == "example.net"
    assert spf.trusted is False


def test_b4_several_results_single_mta() -> None:
    results, problems = parse(
        "example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
        "          spf=pass smtp.mailfrom=example.net"
    )
    assert problems == []
    assert brief(results) == [("auth", "pass"), ("spf", "pass")]
    assert results[0].comment == "cram-md5"
    assert results[0].prop("smtp.auth") == "sender@example.net"
    [iprev], _ = parse("example.com; iprev=pass\r\n          policy.iprev=192.0.2.200")
    assert iprev.prop("policy.iprev") == "192.0.2.200"


def test_b5_different_mtas() -> None:
    [dkim], _ = parse("example.com;\r\n    dkim=pass (good signature) header.d=example.com")
    assert (dkim.result, dkim.comment, dkim.prop("header.d")) == (
        "pass",
        "good signature",
        "example.com",
    )
    results, _ = parse(
        "example.com;\r\n    auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
        "    spf=fail smtp.mailfrom=example.com"
    )
    assert brief(results) == [("auth", "pass"), ("spf", "fail")]


def test_b6_multi_tiered_with_quoted_reasons() -> None:
    results, problems = parse(
        'example.com;\r\n    dkim=pass reason="good signature"\r\n'
        "      header.i=@mail-router.example.net;\r\n"
        '    dkim=fail reason="bad signature"\r\n      header.i=@newyork.example.com'
    )
    assert problems == []
    assert brief(results) == [("dkim", "pass"), ("dkim", "fail")]
    assert [r.reason for r in results] == ["good signature", "bad signature"]
    assert [r.prop("header.i") for r in results] == [
        "@mail-router.example.net",
        "@newyork.example.com",
    ]


def test_b7_comment_heavy() -> None:
    value = (
        "foo.example.net (foobar) 1 (baz);\r\n"
        "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
        "      policy (A dot can go here) . (like that) expired\r\n"
        "      (this surprised me) = (as I wasn't expecting it) 1362471462"
    )
    results, problems = parse(value)
    assert problems == []
    [dkim] = results
    assert (dkim.authserv_id, dkim.method, dkim.result) == ("foo.example.net", "dkim", "fail")
    assert dkim.properties == (("policy.expired", "1362471462"),)


# --- real headers -------------------------------------------------------------------


def test_gmail() -> None:
    # nodemailer/mailparser test/fixtures/nodemailer.eml (MIT)
    results, problems = parse(
        "mx.google.com;       dkim=pass header.i=@srs1.zonevs.eu;       spf=pass "
        "(google.com: best guess record for domain of "
        "srs0=63fc=v7=kreata.ee=andris@srs1.zonevs.eu designates 217.146.68.191 as "
        "permitted sender) smtp.mailfrom=SRS0=63fc=V7=kreata.ee=andris@srs1.zonevs.eu;       "
        "dmarc=fail (p=NONE dis=NONE) header.from=kreata.ee"
    )
    assert problems == []
    assert brief(results) == [("dkim", "pass"), ("spf", "pass"), ("dmarc", "fail")]
    assert {r.authserv_id for r in results} == {"mx.google.com"}
    # "=" inside an address belongs to the value, not to the grammar
    assert results[1].prop("smtp.mailfrom") == "SRS0=63fc=V7=kreata.ee=andris@srs1.zonevs.eu"
    assert results[1].comment is not None and "designates 217.146.68.191" in results[1].comment
    assert results[2].comment == "p=NONE dis=NONE"


def test_gmail_with_selector_and_quoted_b() -> None:
    # rspamd test/functional/messages/dmarc/bad_dkim_highsecure.eml (Apache-2.0)
    [dkim, spf], problems = parse(
        'mx.google.com;       dkim=pass header.i=@highsecure.ru header.s=dkim header.b="oVxOH/NU";'
        "       spf=pass (google.com: domain of vsevolod@highsecure.ru designates 88.99.142.95 "
        "as permitted sender) smtp.mailfrom=vsevolod@highsecure.ru"
    )
    assert problems == []
    assert dkim.properties == (
        ("header.i", "@highsecure.ru"),
        ("header.s", "dkim"),
        ("header.b", "oVxOH/NU"),
    )
    assert spf.prop("smtp.mailfrom") == "vsevolod@highsecure.ru"


def test_microsoft_form_without_authserv_id() -> None:
    # domainaware/parsedmarc samples/aggregate/mimecast-weird-gzip.eml (Apache-2.0)
    results, problems = parse(
        "spf=pass (sender IP is 103.13.69.22) smtp.mailfrom=au-1.mimecastreport.com; "
        "dkim=pass (signature was verified) header.d=au-1.mimecastreport.com;dmarc=pass "
        "action=none header.from=au-1.mimecastreport.com;compauth=pass reason=100"
    )
    assert problems == []
    assert brief(results) == [
        ("spf", "pass"),
        ("dkim", "pass"),
        ("dmarc", "pass"),
        ("compauth", "pass"),
    ]
    assert {r.authserv_id for r in results} == {None}
    dmarc, compauth = results[2], results[3]
    assert dmarc.prop("action") == "none"
    assert dmarc.prop("header.from") == "au-1.mimecastreport.com"
    assert compauth.reason == "100"
    assert compauth.comment == explain_compauth("pass", "100")


def test_microsoft_form_with_tenant_domains_between_results() -> None:
    # mailgun/flanker tests/fixtures/messages/bounce/office365.eml (Apache-2.0)
    results, problems = parse(
        "spf=softfail (sender IP is 52.58.62.203) smtp.mailfrom=ninomail.com; example.com; "
        "dkim=pass (signature was verified) header.d=ninomail.com;example.com; dmarc=none "
        "action=none header.from=mailgunhq.com;"
    )
    assert problems == []
    assert brief(results) == [("spf", "softfail"), ("dkim", "pass"), ("dmarc", "none")]
    assert results[0].comment == "sender IP is 52.58.62.203"


def test_x_ms_exchange_authentication_results_is_read_the_same_way() -> None:
    results, _ = parse(
        "spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=bank.example; dmarc=fail "
        "action=oreject header.from=bank.example;compauth=fail reason=000",
        name="X-MS-Exchange-Authentication-Results",
    )
    assert brief(results) == [("spf", "fail"), ("dmarc", "fail"), ("compauth", "fail")]
    assert results[1].prop("action") == "oreject"
    assert results[2].comment is not None and "explicit" in results[2].comment


def test_arc_authentication_results_instance_and_version() -> None:
    # stalwartlabs/mail-auth resources/dmarc-feedback/103.eml (Apache-2.0 OR MIT)
    results, problems = parse(
        "i=1; mx.microsoft.com 1; spf=none; dmarc=none action=none "
        "header.from=microsoft.com; dkim=none (message not signed); arc=none",
        name="ARC-Authentication-Results",
    )
    assert problems == []
    assert brief(results) == [("spf", "none"), ("dmarc", "none"), ("dkim", "none"), ("arc", "none")]
    assert {(r.instance, r.authserv_id) for r in results} == {(1, "mx.microsoft.com")}
    assert results[2].comment == "message not signed"


def test_arc_without_instance_is_a_problem_but_still_read() -> None:
    results, problems = parse("mx.example; spf=pass", name="ARC-Authentication-Results")
    assert brief(results) == [("spf", "pass")] and results[0].instance is None
    assert any("i=" in p for p in problems)


def test_rspamd_reason_and_trailing_comment() -> None:
    # rspamd test/functional/messages/arcbad.eml (Apache-2.0), one resinfo
    [dmarc], problems = parse(
        'mail.highsecure.ru;\tdmarc=fail reason="SPF not aligned (relaxed), DKIM not aligned '
        '(relaxed)" header.from=outlook.com (policy=none);'
    )
    assert problems == []
    assert dmarc.reason == "SPF not aligned (relaxed), DKIM not aligned (relaxed)"
    assert dmarc.prop("header.from") == "outlook.com"
    assert dmarc.comment == "policy=none"


def test_spamassassin_escaped_quotes_and_comment_in_reasonspec() -> None:
    # apache/spamassassin t/data/nice/authres (Apache-2.0)
    [dkim], problems = parse(
        "authrestest6int;        dkim=fail (2048-bit key; unprotected) header.d=gmail.com "
        'header.i=" foo bar \\"xyz\\"@gmail.com" header.b=SI+iqkld;'
    )
    assert problems == []
    assert dkim.comment == "2048-bit key; unprotected"  # the ";" inside is not a separator
    assert dkim.prop("header.i") == ' foo bar "xyz"@gmail.com'
    [spf], problems = parse(
        'authrestest4int 2; spf=fail reason (BAH) = "just some (<>.%&! reason" '
        "smtp.mailfrom=dogma.slashnull.org"
    )
    assert problems == [] and spf.authserv_id == "authrestest4int"
    assert spf.reason == "just some (<>.%&! reason"


def test_nested_comment_after_result() -> None:
    [spf], _ = parse("x.example; spf=pass (outer (inner) text) smtp.mailfrom=a@b.example")
    assert spf.comment == "outer (inner) text"


def test_method_version_and_several_results_of_one_method() -> None:
    results, problems = parse(
        "x.example; dkim/1=pass header.d=a.example; dkim=fail header.d=b.example"
    )
    assert problems == []
    assert brief(results) == [("dkim", "pass"), ("dkim", "fail")]
    assert [r.prop("header.d") for r in results] == ["a.example", "b.example"]


def test_case_is_normalised_but_values_kept() -> None:
    [spf], _ = parse("X.Example; SPF=Pass smtp.MailFrom=Someone@Example.COM")
    assert (spf.method, spf.result, spf.authserv_id) == ("spf", "pass", "X.Example")
    assert spf.properties == (("smtp.mailfrom", "Someone@Example.COM"),)


def test_quoted_authserv_id() -> None:
    [spf], _ = parse('"mx example"; spf=pass')
    assert spf.authserv_id == "mx example"


@pytest.mark.parametrize(
    ("value", "expected", "problem"),
    [
        # apache/spamassassin t/data/nice/dkim/MultipleAuthRes_10 (Apache-2.0): a property
        # written before any method
        (
            "somewhere.someplace.org; header.From=mickey@someplace.org; dkim=pass "
            "(        message from someplace.org verified; );",
            [("dkim", "pass")],
            "before any method",
        ),
        # php-mime-mail-parser tests/mails/issue84 (MIT): a property after the authserv-id
        (
            "pb1.pair.com smtp.mail=tyra3l@gmail.com; spf=pass; sender-id=pass",
            [("spf", "pass"), ("sender-id", "pass")],
            "not a result",
        ),
        ("x.example spf=pass", [("spf", "pass")], "';' between the authserv-id"),
        ("x.example; spf=pass dkim=fail", [("spf", "pass"), ("dkim", "fail")], "';' before"),
        ("x.example; spf=", [], "has no result"),
        ("x.example; hello", [], "not a result"),
        ("", [], "No authserv-id"),
        ("x.example; spf=pass (never closed", [("spf", "pass")], "never closed"),
        ('x.example; spf=pass reason="never closed', [("spf", "pass")], "never closed"),
        ("x.example; spf=pass) smtp.mailfrom=a", [("spf", "pass")], "stray ')'"),
        ("x.example; = ; spf=pass", [("spf", "pass")], "'=' with no name"),
        ("x.example; sp@f=pass", [], "not a method name"),
    ],
)
def test_garbage_becomes_problems(
    value: str, expected: list[tuple[str, str]], problem: str
) -> None:
    results, problems = parse(value)
    assert brief(results) == expected
    assert any(problem in p for p in problems), problems


def test_trailing_semicolons_and_empty_parts_are_harmless() -> None:
    results, problems = parse("x.example;; spf=pass;;")
    assert brief(results) == [("spf", "pass")] and problems == []


# --- Received-SPF -------------------------------------------------------------------


def test_received_spf_rfc7208_example() -> None:
    record = parse_received_spf(
        field(
            "pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as "
            "permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; "
            'envelope-from="myname@example.com"; helo=foo.example.com;',
            "Received-SPF",
            4,
        )
    )
    assert record is not None
    assert (record.result, record.client_ip, record.envelope_from) == (
        "pass",
        "192.0.2.1",
        "myname@example.com",
    )
    assert (record.helo, record.receiver, record.header_index) == (
        "foo.example.com",
        "mybox.example.org",
        4,
    )
    assert record.comment is not None and record.comment.startswith("mybox.example.org:")
    assert record.trusted is False


def test_received_spf_spamassassin_nested_comment() -> None:
    # apache/spamassassin t/data/nice/spf3-received-spf (Apache-2.0)
    record = parse_received_spf(
        field(
            "fail (dostech.ca: 69.61.78.188 is authorized to use 'spamassassin@dostech.ca' in "
            "'mfrom' identity (mechanism 'mx' matched)) receiver=FC5-VPC; identity=mfrom; "
            'envelope-from="spamassassin@dostech.ca"; helo=smtp.dostech.net; '
            "client-ip=69.61.78.188",
            "Received-SPF",
        )
    )
    assert record is not None
    assert (record.result, record.identity, record.receiver) == ("fail", "mfrom", "FC5-VPC")
    assert record.envelope_from == "spamassassin@dostech.ca"
    assert record.comment is not None and record.comment.endswith("(mechanism 'mx' matched)")


def test_received_spf_missing_semicolon_and_mixed_case() -> None:
    # postalsys/mailauth test/fixtures/zproov.eml (MIT)
    record = parse_received_spf(
        field(
            "None (zonemx.eu: domain of mail-oi1-f179.google.com does not designate "
            "209.85.167.179 as permitted sender) receiver=zonemx.eu; identity=helo; "
            "client-ip=209.85.167.179 helo=mail-oi1-f179.google.com; "
            "envelope-from=<andris.reinman@gmail.com>",
            "Received-SPF",
        )
    )
    assert record is not None
    assert (record.result, record.client_ip, record.helo) == (
        "none",
        "209.85.167.179",
        "mail-oi1-f179.google.com",
    )
    assert record.envelope_from == "<andris.reinman@gmail.com>"


def test_received_spf_mechanism_and_problem() -> None:
    record = parse_received_spf(
        field(
            'permerror mechanism=ip4:192.0.2.0/24 problem="too many lookups" client-ip=192.0.2.3',
            "Received-SPF",
        )
    )
    assert record is not None and record.mechanism == "ip4:192.0.2.0/24"
    assert record.comment == "problem: too many lookups"


@pytest.mark.parametrize("value", ["custom_header1", "", "(only a comment)", "client-ip=1.2.3.4"])
def test_received_spf_without_result_is_none(value: str) -> None:
    # spamscope/mail-parser tests/mails/mail_test_14 (Apache-2.0) has "custom_header1"
    assert parse_received_spf(field(value, "Received-SPF")) is None


# --- the whole block ----------------------------------------------------------------


def test_read_statements_picks_the_statement_headers() -> None:
    headers = [
        field("x.example; spf=pass smtp.mailfrom=a.example", AR, 0),
        field("CIP:203.0.113.9;CTRY:AU;SFV:SPM;SPF:Fail", "X-Forefront-Antispam-Report", 1),
        field(
            "spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=b.example",
            "X-MS-Exchange-Authentication-Results",
            2,
        ),
        field("pass (x.example: ok) client-ip=192.0.2.1", "Received-SPF", 3),
        field("custom_header1", "Received-SPF", 4),
        field("i=1; x.example; dkim=pass header.d=a.example", "ARC-Authentication-Results", 5),
        field("Anonymous", "X-MS-Exchange-Organization-AuthAs", 6),
        field("old.example; spf=pass", "X-Original-Authentication-Results", 7),
    ]
    results, spf, problems = read_statements(headers)
    assert [(r.header_index, r.method, r.result) for r in results] == [
        (0, "spf", "pass"),
        (2, "spf", "fail"),
        (5, "dkim", "pass"),
        (7, "spf", "pass"),
    ]
    assert [s.header_index for s in spf] == [3]
    assert len(problems) == 1 and problems[0].startswith("Received-SPF (line 5): ")


# --- compauth -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "reason", "words"),
    [
        ("fail", "000", "explicit authentication"),
        ("fail", "001", "implicit authentication"),
        ("fail", "002", "administrator"),
        ("fail", "010", "accepted domains"),
        ("pass", "109", "internal Microsoft code"),
        ("pass", "130", "ARC"),
        ("softpass", "201", "soft-passed"),
        ("none", "300", "not checked"),
        ("none", "451", "bypassed"),
        ("none", "905", "bypassed"),
        ("fail", "601", "accepted domains"),
        ("pass", "703", "passed"),
        ("none", "512", "not documented"),
        ("fail", "abc", "not a Microsoft reason code"),
        ("fail", "١٢٣", "not a Microsoft reason code"),  # Arabic-Indic digits are not digits here
    ],
)
def test_compauth_reasons(result: str, reason: str, words: str) -> None:
    text = explain_compauth(result, reason)
    assert words in text
    assert text.endswith(".")


def test_compauth_verdicts_without_reason() -> None:
    assert explain_compauth("fail", None) == (
        "Microsoft 365 considers the sender spoofed (composite authentication failed)."
    )
    assert "soft pass" in explain_compauth("SoftPass", "")
    assert "unknown verdict 'maybe'" in explain_compauth("maybe", None)


# --- never raises -------------------------------------------------------------------

_PIECES = [*'abc.@/=;()"\\ \t\r\n09', "spf", "dkim", "i", "none", "reason", "header.d"]
_GRAMMAR_SOUP = st.lists(st.sampled_from(_PIECES), max_size=80).map("".join)


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(max_size=300), _GRAMMAR_SOUP))
def test_any_text_as_authentication_results_never_raises(value: str) -> None:
    for name in (AR, "ARC-Authentication-Results", "Received-SPF"):
        results, problems = parse(value, name)
        assert all(isinstance(p, str) and p for p in problems)
        assert all(r.method and r.result for r in results)
        parse_received_spf(field(value, name))
    read_statements([field(value, AR, 0), field(value, "Received-SPF", 1)])
