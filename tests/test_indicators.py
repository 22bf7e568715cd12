"""Indicators (IPs, addresses, domains, URLs, attachments) and defanging."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.assets import sample_message
from mailview.core.analyze import AnalysisOptions, analyze_bytes, message_at
from mailview.core.errors import InputError
from mailview.core.indicators import (
    MAX_PARTS,
    Indicators,
    detect_type,
    extract_indicators,
    url_host,
    urls_in_text,
)
from mailview.core.load import load_bytes
from mailview.core.model import Scope
from mailview.export.defang import (
    defang_address,
    defang_domain,
    defang_ip,
    defang_url,
    refang_address,
    refang_domain,
    refang_ip,
    refang_url,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def indicators_of(data: bytes, *, follow: bool = True) -> Indicators:
    options = AnalysisOptions(follow_attachments=follow)
    report = analyze_bytes(data, "test.eml", options=options)
    return extract_indicators(report, message_at(data, report))


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")


HTML = (
    "<html><body>\n"
    '<p>Dear customer, <a href="https://evil.example/login?u=1&amp;next=%2F">'
    "https://www.paypal.com/signin</a></p>\n"
    '<a href="https://www.bank-secure.example/help">bank-secure.example</a>\n'
    '<a href="https://click.example/track">Click &amp; <b>here</b></a>\n'
    '<a href="mailto:x@y.example">mail us</a> <a href="#top">top</a>\n'
    '<img src="https://img.example/pixel.gif?id=1">\n'
    '<form action="https://collect.example/post"></form>\n'
    '<a href="https://login.bank-secure.example/verify?a=1&amp;b=2">PayPal.com</a>\n'
    "<p>Plain text url http://203.0.113.50/drop.php here.</p>\n"
    '<script>var u = "https://script.example/x";</script>\n'
    '<a href="\n  https://evil.example/login?u=1&amp;next=%2F">again</a>\n'
    "</body></html>\n"
)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(20) + b"notes.txt"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(13)

MULTIPART = (
    "Received: from mail.evil.example (mail.evil.example [203.0.113.9])\r\n"
    "\tby mx.victim.example with ESMTP id 1; Mon, 4 Nov 2024 10:00:01 +0000\r\n"
    'From: "Bank" <alerts@bank-secure.example>\r\n'
    "Reply-To: help@reply.example\r\n"
    "Sender: bulk@sender.example\r\n"
    "Return-Path: <bounce@bounce.example>\r\n"
    "To: v@victim.example\r\n"
    "Subject: test\r\n"
    "Date: Mon, 4 Nov 2024 10:00:00 +0000\r\n"
    "Message-ID: <1@evil.example>\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="OUTER"\r\n'
    "\r\n"
    "--OUTER\r\n"
    'Content-Type: multipart/alternative; boundary="ALT"\r\n'
    "\r\n"
    "--ALT\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Visit https://login.bank-secure.example/verify?a=3D1&b=3D2 today.\r\n"
    "Also www.plain.example/path, and (see ftp://files.example/pub).\r\n"
    "Long one: https://soft.example/a=\r\n"
    "bc/def\r\n"
    "--ALT\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    f"{b64(HTML.encode())}"
    "--ALT--\r\n"
    "--OUTER\r\n"
    'Content-Type: application/pdf; name="invoice.pdf"\r\n'
    'Content-Disposition: attachment; filename="invoice.pdf"\r\n'
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    f"{b64(PDF)}"
    "--OUTER\r\n"
    "Content-Type: application/octet-stream\r\n"
    'Content-Disposition: attachment; filename="setup.exe"\r\n'
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    f"{b64(EXE)}"
    "--OUTER\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment;\r\n"
    " filename*0*=UTF-8''Rechnung%20M%C3%A4rz;\r\n"
    " filename*1*=.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    f"{b64(ZIP)}"
    "--OUTER\r\n"
    'Content-Type: image/png; name="=?UTF-8?B?R3LDtsOfZS5wbmc=?="\r\n'
    "Content-Disposition: inline\r\n"
    "Content-ID: <logo>\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    f"{b64(PNG)}"
    "--OUTER--\r\n"
).encode("ascii")


@pytest.fixture(scope="module")
def multipart() -> Indicators:
    return indicators_of(MULTIPART)


def test_urls_in_order_with_mismatches(multipart: Indicators) -> None:
    got = [(u.url, u.domain, u.source, u.shown_text, u.mismatch) for u in multipart.urls]
    assert got == [
        # The text part's URL, upgraded in place by its HTML twin that shows PayPal.com.
        (
            "https://login.bank-secure.example/verify?a=1&b=2",
            "login.bank-secure.example",
            "html",
            "PayPal.com",
            True,
        ),
        ("www.plain.example/path", "www.plain.example", "text", None, False),
        ("ftp://files.example/pub", "files.example", "text", None, False),
        ("https://soft.example/abc/def", "soft.example", "text", None, False),
        (
            "https://evil.example/login?u=1&next=%2F",
            "evil.example",
            "html",
            "https://www.paypal.com/signin",
            True,
        ),
        # Same organisational domain as the text: not a mismatch.
        (
            "https://www.bank-secure.example/help",
            "www.bank-secure.example",
            "html",
            "bank-secure.example",
            False,
        ),
        ("https://click.example/track", "click.example", "html", "Click & here", False),
        ("https://img.example/pixel.gif?id=1", "img.example", "html", None, False),
        ("https://collect.example/post", "collect.example", "html", None, False),
        ("http://203.0.113.50/drop.php", "203.0.113.50", "html", None, False),
    ]
    assert multipart.problems == ()


def test_attachments_hashed_and_typed(multipart: Indicators) -> None:
    got = [
        (a.name, a.size, a.declared_type, a.detected_type, a.sha256) for a in multipart.attachments
    ]
    assert got == [
        ("invoice.pdf", len(PDF), "application/pdf", "application/pdf", sha(PDF)),
        (
            "setup.exe",
            len(EXE),
            "application/octet-stream",
            "application/vnd.microsoft.portable-executable",
            sha(EXE),
        ),
        # RFC 2231 continuation with a charset; declared a PDF, the bytes are a ZIP.
        ("Rechnung März.pdf", len(ZIP), "application/pdf", "application/zip", sha(ZIP)),
        # RFC 2047 inside the name parameter; an inline image counts as an attachment.
        ("Größe.png", len(PNG), "image/png", "image/png", sha(PNG)),
    ]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_addresses_domains_and_ips(multipart: Indicators) -> None:
    assert [(a.role, a.address, a.domain) for a in multipart.addresses] == [
        ("from", "alerts@bank-secure.example", "bank-secure.example"),
        ("reply-to", "help@reply.example", "reply.example"),
        ("sender", "bulk@sender.example", "sender.example"),
        ("return-path", "bounce@bounce.example", "bounce.example"),
    ]
    assert multipart.domains == (
        "bank-secure.example",
        "reply.example",
        "sender.example",
        "bounce.example",
        "login.bank-secure.example",
        "www.plain.example",
        "files.example",
        "soft.example",
        "evil.example",
        "www.bank-secure.example",
        "click.example",
        "img.example",
        "collect.example",
    )  # the IP literal of the last URL is not a domain
    ips = [(i.ip, i.hop_index, i.scope) for i in multipart.ips]
    assert ips == [("203.0.113.9", 1, Scope.DOCUMENTATION)]


def test_sample_message() -> None:
    found = indicators_of(sample_message().read_bytes())
    url = "https://paypa1-billing.example/resolution/confirm?id=7731"
    assert [(u.url, u.domain, u.source) for u in found.urls] == [
        (url, "paypa1-billing.example", "text")
    ]
    assert [(i.ip, i.role, i.hop_index) for i in found.ips][:2] == [
        ("203.0.113.77", "originating", 3),  # first external hop
        ("198.51.100.23", "originating", 2),  # X-Originating-IP, also hop 2's client
    ]
    # Microsoft's own relays are public hop addresses, listed after the originators.
    assert {i.role for i in found.ips[2:]} == {"hop"}
    assert ("reply-to", "mailbox.example") in {(a.role, a.domain) for a in found.addresses}
    assert found.domains[:2] == ("paypa1-billing.example", "mailbox.example")
    assert found.attachments == () and found.problems == ()


def test_plain_text_scanner_edges() -> None:
    text = "a <https://x.example/a_(b)> b https://y.example/q?x=1). www. http:// c"
    assert list(urls_in_text(text)) == ["https://x.example/a_(b)", "https://y.example/q?x=1"]
    # A browser reads "\" as "/": the host is the one before it, not after the "@".
    assert url_host("https://evil.example\\@bank.example/") == "evil.example"
    assert url_host("https://bank.example@evil.example/") == "evil.example"
    assert url_host("http://[::1/") is None
    assert url_host("https://BÜCHER.example/") == "xn--bcher-kva.example"


def test_detect_type_table() -> None:
    assert detect_type(b"") == "application/x-empty"
    assert detect_type(b"\x7fELF\x02\x01") == "application/x-elf"
    assert detect_type(b"PK\x03\x04" + bytes(26) + b"word/document.xml") == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert detect_type(b"\xef\xbb\xbf<!DOCTYPE html><p>x") == "text/html"
    assert detect_type(b'<?xml version="1.0"?>\n<svg xmlns="x">') == "image/svg+xml"
    assert detect_type(b"#!/bin/sh\nrm -rf /\n") == "text/x-shellscript"
    assert detect_type(b'Set s = CreateObject("WScript.Shell")') == "text/x-script"
    assert detect_type(bytes(0x8001) + b"CD001") == "application/x-iso9660-image"
    assert detect_type(b"hello\n") == "text/plain"
    assert detect_type(b"\x01\x02\x03\x04" * 10) == "application/octet-stream"


def test_part_cap_is_reported() -> None:
    parts = "".join("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(MAX_PARTS + 5))
    data = (
        "From: a@b.example\r\nSubject: many\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + parts + "--B--\r\n"
    ).encode()
    found = indicators_of(data)
    assert found.problems == (f"Only the first {MAX_PARTS} MIME parts were examined.",)


def test_attached_message_is_listed_and_scanned() -> None:
    data = (
        b"From: a@b.example\r\nSubject: fw\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b'--B\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fw.eml"'
        b"\r\n\r\nFrom: c@d.example\r\nSubject: inner\r\n\r\nhttps://inner.example/x\r\n"
        b"--B--\r\n"
    )
    # The wrapper itself, not the original the analysis would otherwise follow.
    found = indicators_of(data, follow=False)
    assert [u.url for u in found.urls] == ["https://inner.example/x"]
    inner = b"From: c@d.example\r\nSubject: inner\r\n\r\nhttps://inner.example/x"
    # The attached message keeps its exact bytes in the analysis's own parse: it is hashed.
    assert [(a.name, a.declared_type, a.sha256) for a in found.attachments] == [
        ("fw.eml", "message/rfc822", hashlib.sha256(inner).hexdigest())
    ]


# --- never raises -----------------------------------------------------------------------

_HEAD = b'From: a@b.example\r\nSubject: junk\r\nContent-Type: multipart/mixed; boundary="B"\r\n'
_FRAGMENTS = [
    b"--B\r\n",
    b"--B--\r\n",
    b"\r\n",
    b"Content-Type: text/html; charset=x-unknown\r\n",
    b"Content-Type: multipart/alternative; boundary=B\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Disposition: attachment; filename*0*=bad''%ZZ; filename*1=\"x\r\n",
    b'Content-Type: image/png; name="=?utf-8?q?=FF?="\r\n',
    b"<a href='http://[::1/'>http://x.example</a><![if x]><!x",
    b"=?=\r\nQUJD===\r\n",
    b"https://\xff.example/ www.\r\n",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_FRAGMENTS), st.binary(max_size=40)),
        max_size=40,
    )
)
def test_junk_bodies_never_raise(pieces: list[bytes]) -> None:
    body = b"".join(pieces)
    (message,) = load_bytes(_HEAD + b"\r\n" + b"x\r\n")
    report = analyze_bytes(_HEAD + b"\r\nx\r\n")
    found = extract_indicators(report, dataclasses.replace(message, body=body))
    assert isinstance(found, Indicators)
    assert all(isinstance(p, str) for p in found.problems)


# --- defanging ----------------------------------------------------------------------------


def test_defang_examples() -> None:
    assert defang_url("https://evil.example/x.php") == "hxxps://evil[.]example/x.php"
    assert defang_url("HTTP://a.b.example") == "HXXP://a[.]b[.]example"
    assert defang_url("ftp://files.example/p") == "fxp://files[.]example/p"
    assert defang_url("www.evil.example/a.b") == "www[.]evil[.]example/a.b"
    assert defang_domain("mail.evil.example") == "mail[.]evil[.]example"
    assert defang_ip("203.0.113.7") == "203.0.113[.]7"
    assert defang_ip("2001:db8::1") == "2001[:]db8[:][:]1"
    assert defang_address("a.b@evil.example") == "a.b@evil[.]example"
    assert refang_url("hxxps://evil[.]example/x") == "https://evil.example/x"


_HOSTS = st.from_regex(r"[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){0,3}", fullmatch=True)
_URLS = st.builds(
    lambda scheme, host, rest: f"{scheme}{host}{rest}",
    st.sampled_from(["http://", "https://", "HTTPS://", "ftp://", "", "mailto://"]),
    _HOSTS,
    st.text(alphabet="/?#.[]:@abc", max_size=15).map(lambda t: "/" + t if t else t),
)


@given(_URLS, _HOSTS, st.ip_addresses().map(str), st.text(max_size=10))
def test_refang_undoes_defang(url: str, host: str, ip: str, local: str) -> None:
    assert refang_url(defang_url(url)) == url
    assert refang_domain(defang_domain(host)) == host
    assert refang_ip(defang_ip(ip)) == ip
    address = f"{local}@{host}"
    assert refang_address(defang_address(address)) == address
    assert "." not in defang_domain(host).replace("[.]", "")


# --- the shared corpus --------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_corpus_sweep() -> None:
    files = [
        p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix not in {".md", ".tsv"}
    ]
    examined = 0
    for path in files:
        data = path.read_bytes()
        try:
            report = analyze_bytes(data, path.name)
        except InputError:
            continue
        found = extract_indicators(report, message_at(data, report))
        examined += 1
        for attachment in found.attachments:
            assert attachment.sha256 is None or len(attachment.sha256) == 64, path
        for url in found.urls:
            assert url.url and url.source in ("text", "html"), path
    assert examined > 0


def test_deep_nesting_is_cut_and_said() -> None:
    levels = 1000  # deeper than any recursive parser would survive
    opens = "".join(
        f'--B{i}\r\nContent-Type: multipart/mixed; boundary="B{i + 1}"\r\n\r\n'
        for i in range(levels)
    )
    data = (
        'From: a@b.example\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary="B0"'
        f"\r\n\r\n{opens}https://deep.example/x\r\n"
    ).encode()
    found = indicators_of(data)
    assert found.urls == ()
    assert found.problems == ("MIME parts nested deeper than 20 were skipped.",)


@given(
    st.lists(
        st.sampled_from(
            [
                "http://",
                "HTTPS://",
                "ftp://",
                "www.",
                "a.example",
                " ",
                "x",
                "/",
                "(",
                ")",
                ".",
                "wWw.",
                "://",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_url_search_finds_what_the_plain_regex_finds(text: str) -> None:
    # The fast path (candidate starts found with str.find) must agree with the regex
    # run at every position.
    from mailview.core.indicators import _URL, _trim

    plain = [_trim(m.group()) for m in _URL.finditer(text)]
    plain = [u for u in plain if u.lower() not in ("www.", "http://", "https://", "ftp://")]
    assert list(urls_in_text(text)) == plain
