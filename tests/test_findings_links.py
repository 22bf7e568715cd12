"""Content findings: one trigger and one near miss per rule, each finding naming its
evidence (the URL, the part, the phrase)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.findings.links import redirect_target
from mailview.core.findings.lookalike import BRANDS, brands_named
from mailview.core.htmlscan import scan_html
from mailview.core.indicators import MAX_URLS
from mailview.core.model import Finding, Report, Severity

OPTIONS = AnalysisOptions(strict=True, now=datetime(2024, 11, 13, tzinfo=UTC))


def message(
    body: str,
    *,
    html: bool = True,
    sender: str = "Sender <news@shop.example>",
    subject: str = "Hello",
    extra: str = "",
) -> Report:
    ctype = "text/html" if html else "text/plain"
    data = (
        f"From: {sender}\r\nTo: someone@contoso.example\r\nSubject: {subject}\r\n"
        f"Date: Tue, 12 Nov 2024 09:00:00 +0000\r\nMessage-ID: <1@shop.example>\r\n{extra}"
        f"Content-Type: {ctype}; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()
    return analyze_bytes(data, "test.eml", options=OPTIONS)


def found(report: Report, code: str) -> Finding | None:
    return next((f for f in report.findings if f.code == code), None)


def link(href: str, text: str) -> str:
    return f'<p><a href="{href}">{text}</a></p>'


# --- link text naming another site ---------------------------------------------------------


def test_link_text_naming_a_brand_while_leading_elsewhere() -> None:
    report = message(link("https://login.evil.example/pp", "https://www.paypal.com/signin"))
    item = found(report, "content.link_text_mismatch")
    assert item is not None and item.severity is Severity.HIGH
    assert "a PayPal address" in item.detail
    assert item.evidence[0].header_name == "HTML part 1"
    assert "https://login.evil.example/pp" in item.evidence[0].text


def test_link_text_naming_the_same_organisation_is_quiet() -> None:
    report = message(link("https://click.shop.example/x", "www.shop.example/sale"))
    assert found(report, "content.link_text_mismatch") is None


def test_newsletter_click_tracking_is_quiet() -> None:
    tracked = link("https://u1.ct.sendgrid.net/ls/click?upn=abc", "www.partner.example")
    extra = "List-Unsubscribe: <https://shop.example/unsub>\r\n"
    assert found(message(tracked, extra=extra), "content.link_text_mismatch") is None


def test_safe_links_wrapping_is_undone_before_judging() -> None:
    wrapped = (
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.paypal.com"
        "%2Fsignin&amp;data=x"
    )
    report = message(link(wrapped, "https://www.paypal.com/signin"))
    assert found(report, "content.link_text_mismatch") is None
    assert found(report, "content.open_redirect") is None


# --- bare IPs ------------------------------------------------------------------------------


def test_link_to_a_bare_ip_and_to_one_written_as_a_number() -> None:
    item = found(message(link("http://203.0.113.9/login", "Log in")), "content.link_to_ip")
    assert item is not None and "203.0.113.9" in item.evidence[0].text
    number = found(message("see http://2742879943/ATV", html=False), "content.link_to_ip")
    assert number is not None and str(ipaddress.IPv4Address(2742879943)) in number.detail
    assert number.detail.startswith("A link leads to a numeric address")


def test_link_to_a_private_address_or_a_name_is_not_a_bare_ip_link() -> None:
    assert (
        found(message(link("http://10.0.0.5/intranet", "intranet")), "content.link_to_ip") is None
    )
    assert found(message(link("http://www.shop.example/", "shop")), "content.link_to_ip") is None


# --- shorteners, redirects, hosting, IPFS -------------------------------------------------


def test_shortened_link_and_near_miss() -> None:
    assert found(message(link("https://bit.ly/3xYz", "offer")), "content.link_shortener")
    assert (
        found(message(link("https://bitly.example/3xYz", "offer")), "content.link_shortener")
        is None
    )


def test_open_redirect_decodes_percent_and_entity_obfuscation() -> None:
    href = "https://www.google.com/url?q=https%253A%252F%252Fevil.example%252Fpay&amp;sa=D"
    item = found(message(link(href, "Pay")), "content.open_redirect")
    assert item is not None
    assert "evil.example" in item.detail
    assert item.evidence[0].text.endswith("→ https://evil.example/pay")
    assert redirect_target("https://t.example/out?out=http%3A%2F%2Fx.example%2F") == (
        "http://x.example/"
    )


def test_a_redirect_within_one_organisation_is_not_an_open_redirect() -> None:
    href = "https://www.shop.example/go?url=https%3A%2F%2Fhelp.shop.example%2Fa"
    assert found(message(link(href, "Help")), "content.open_redirect") is None


def test_ipfs_and_free_hosting() -> None:
    ipfs = "https://ipfs.io/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
    assert found(message(link(ipfs, "Document")), "content.ipfs_link")
    hosted = found(
        message(link("https://secure-login.web.app/", "Open")), "content.free_hosting_link"
    )
    assert hosted is not None and hosted.severity is Severity.LOW


def test_the_senders_own_site_on_a_hosting_platform_is_quiet() -> None:
    own = message(link("https://shop.netlify.app/", "Open"), sender="a@shop.netlify.app")
    assert found(own, "content.free_hosting_link") is None
    assert found(message(link("https://ipfs.example/docs", "Docs")), "content.ipfs_link") is None


# --- look-alikes ---------------------------------------------------------------------------


def test_link_to_a_lookalike_and_to_a_brand_folder_on_another_site() -> None:
    item = found(message(link("https://paypa1.example/x", "Pay")), "content.lookalike_link")
    assert item is not None and "PayPal" in item.title
    folder = found(
        message(link("https://ehawkerbd.example/wp/office365/auth.php", "Open")),
        "content.brand_in_link",
    )
    assert folder is not None and "Microsoft" in folder.title


def test_a_brand_in_a_blog_path_or_the_brands_own_site_is_quiet() -> None:
    blog = message(link("https://blog.example/moving-from-youtube-to-peertube", "Read"))
    assert found(blog, "content.brand_in_link") is None
    own = message(link("https://www.paypal.com/signin", "Log in"))
    assert found(own, "content.lookalike_link") is None
    assert found(own, "content.brand_in_link") is None


# --- credential harvesting -----------------------------------------------------------------

FORM = '<form action="https://collect.evil.example/p.php"><input type="password" name="p"></form>'


def test_a_password_field_is_high_and_names_where_it_posts() -> None:
    item = found(message(FORM), "content.password_form")
    assert item is not None and item.severity is Severity.HIGH
    assert "collect.evil.example" in item.detail
    assert item.evidence[0].header_name == "HTML part 1"


def test_a_password_form_in_an_attached_page_counts_too() -> None:
    data = (
        "From: a@shop.example\r\nTo: b@contoso.example\r\nSubject: invoice\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        '--B\r\nContent-Type: text/html; name="invoice.htm"\r\n'
        'Content-Disposition: attachment; filename="invoice.htm"\r\n\r\n'
        f"{FORM}\r\n--B--\r\n"
    ).encode()
    item = found(analyze_bytes(data, options=OPTIONS), "content.password_form")
    assert item is not None and item.evidence[0].header_name == "attachment 'invoice.htm'"


def test_a_search_form_of_the_sender_is_quiet_and_elsewhere_is_low() -> None:
    own = '<form action="https://www.shop.example/search"><input name="q"></form>'
    assert found(message(own), "content.form_posts_elsewhere") is None
    other = '<form action="https://forms.other.example/s"><input name="q"></form>'
    item = found(message(other), "content.form_posts_elsewhere")
    assert item is not None and item.severity is Severity.LOW


@pytest.mark.parametrize(
    "phrase",
    [
        "Your password expires today",
        "Please verify your account within 24 hours",
        "Your mailbox is almost full",
        "Ihr Postfach ist voll",
        "Votre boîte aux lettres est pleine",
        "您的密码即将过期",
        "Su cuenta ha sido suspendida",
    ],
)
def test_lure_wording_in_the_corpus_languages(phrase: str) -> None:
    item = found(message(phrase, html=False), "content.credential_lure")
    assert item is not None and item.severity is Severity.LOW
    assert item.evidence[0].header_name == "text part 1"


def test_lure_wording_naming_a_brand_the_sender_is_not_is_medium() -> None:
    report = message("Your Microsoft 365 password expires today.", html=False)
    item = found(report, "content.credential_lure")
    assert item is not None and item.severity is Severity.MEDIUM
    assert "speaks for Microsoft" in item.detail


def test_ordinary_wording_and_delivery_reports_are_quiet() -> None:
    assert (
        found(message("Please verify your email address", html=False), "content.credential_lure")
        is None
    )
    bounce = message(
        "The recipient's mailbox is full.", html=False, sender="MAILER-DAEMON@mx.shop.example"
    )
    assert found(bounce, "content.credential_lure") is None


def test_a_subject_speaking_for_a_brand_the_sender_is_not() -> None:
    item = found(message("hi", subject="Your DHL parcel is waiting"), "content.brand_mismatch")
    assert item is not None and item.evidence[0].header_name == "Subject"
    own = message("hi", subject="Your DHL parcel is waiting", sender="noreply@dhl.com")
    assert found(own, "content.brand_mismatch") is None
    listed = message("hi", subject="DHL news", extra="List-Id: <news.shop.example>\r\n")
    assert found(listed, "content.brand_mismatch") is None


# --- the scanner itself --------------------------------------------------------------------


def test_html_scanner_reads_links_forms_and_text_without_rendering() -> None:
    scan = scan_html(
        '<style>a{}</style><!-- <a href="http://hidden.example/">x</a> -->'
        '<a href="https://a.example/?x=1&amp;y=2">Click &amp; <b>go</b></a>'
        "<script>document.write('<a href=\"http://s.example/\">s</a>')</script>"
        '<form action="/local"><input type=password></form><p>Bye'
    )
    assert scan.links == [("https://a.example/?x=1&y=2", "Click & go")]
    assert [(form.action, form.password) for form in scan.forms] == [("/local", True)]
    assert "Bye" in scan.text and "hidden" not in scan.text


def test_ten_thousand_links_are_capped_and_said() -> None:
    body = "".join(link(f"https://l{i}.example/", f"link {i}") for i in range(10_000))
    report = message(body)
    assert report.indicators is not None
    assert len(report.indicators.urls) == MAX_URLS
    assert f"Only the first {MAX_URLS:,} URLs were kept." in report.indicators.problems


_BRAND_TEXTS = st.lists(
    st.sampled_from(
        [
            "PayPal",
            "pay pal",
            "Microsoft",
            "Office 365",
            "UPS",
            "ups",
            "Chase Bank",
            "chase",
            "JP Morgan Chase",
            "ING Bank",
            "ing",
            "Citi card",
            "Yahoo! Mail",
            "DHL",
            "uſps",
            "IRS",
            "Zoom meeting",
            "zoom",
            " ",
            "-",
            "x",
            "WeTransfer",
            "Box file",
            "Deutsche Bank",
        ]
    ),
    max_size=8,
).map(" ".join)


@given(_BRAND_TEXTS)
def test_brand_prefilter_finds_what_every_pattern_finds(text: str) -> None:
    # The substring prefilter only skips brands that cannot match.
    assert brands_named(text) == [b for b in BRANDS if b.display.search(text)]


def test_a_content_type_folded_over_sixteen_thousand_lines_is_read_once() -> None:
    # The stdlib parser spent seconds on this header when indicators were read with it;
    # the analysis's own parse reads the parameters it needs and finds the link.
    params = ";\r\n".join(f" p{i}=v{i}" for i in range(16_000))
    data = (
        "From: a@b.example\r\nSubject: s\r\n"
        f"Content-Type: text/plain; charset=utf-8;\r\n{params}\r\n\r\nhttps://x.example/\r\n"
    ).encode()
    report = analyze_bytes(data, options=OPTIONS)
    assert report.indicators is not None
    assert [u.url for u in report.indicators.urls] == ["https://x.example/"]
