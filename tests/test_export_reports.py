"""The shareable reports: Markdown, self-contained HTML, and the ticket text.

Hostile values (a script in the Subject, an <img> display name, Markdown link syntax and
backtick runs in headers) must come out inert in every format; the sample must show
every section with the values read off the sample by hand.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser

import pytest

from mailview.assets import sample_message
from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.indicators import Indicators, extract_indicators
from mailview.core.load import load_bytes
from mailview.core.model import GeoInfo, Report
from mailview.export.html_report import CSP, render_html
from mailview.export.markdown import hop_rows, md_code_block, md_text, render_markdown
from mailview.export.redact import RedactionMap
from mailview.export.ticket import render_ticket

NOW = AnalysisOptions(now=datetime(2025, 1, 1, tzinfo=UTC))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # any bytes: the report only embeds them

# Trusted receiver mx.contoso.example (private relay 10.1.2.3 behind it), a sender-side hop
# from a private LAN, XSS and Markdown probes in Subject, From, Reply-To, Message-ID and a
# SpamAssassin rule name.
PROBE = b"""Received: from mx.contoso.example (mx.contoso.example [10.1.2.3])
 by mbox.contoso.example with ESMTPS id A; Tue, 12 Nov 2024 09:14:42 +0000
Authentication-Results: mx.contoso.example; spf=fail smtp.mailfrom=evil.example;
 dkim=none; dmarc=fail header.from=evil.example
Received: from sender.evil.example (sender.evil.example [198.51.100.7])
 by mx.contoso.example (Postfix) with ESMTPS id B
 for <alice@contoso.example>; Tue, 12 Nov 2024 09:14:40 +0000
Received: from pc.evil.example ([192.168.7.7]) by sender.evil.example with ESMTP id C;
 Tue, 12 Nov 2024 09:14:30 +0000
X-Spam-Status: Yes, score=9.1 required=5.0 tests=<script>alert(2)</script> autolearn=no
X-Internal-Relay: relay7.contoso.example [IPv6:fd00::5] 172.16.9.9
X-Seen-By: MX.Contoso.Example
From: "<img src=x onerror=alert(1)>" <attacker@evil.example>
Reply-To: "x](javascript:alert(1)) ``` `tick`" <catch@other.example>
To: Alice Example <alice@contoso.example>
Cc: bob@contoso.example
Subject: <script>alert(1)</script>
Date: Tue, 12 Nov 2024 09:14:29 +0000
Message-ID: <[a](javascript:alert(1))`x`|y@evil.example>

body
"""

ATTACHED = b"%PDF-1.4 not really a pdf\n"
WITH_ATTACHMENT = (
    b"""From: a@evil.example
To: b@contoso.example
Subject: invoice
Message-ID: <m@evil.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/plain

see http://evil.example/pay
--XX
Content-Type: application/octet-stream; name="invoice.pdf"
Content-Disposition: attachment; filename="invoice.pdf"
Content-Transfer-Encoding: base64

"""
    + base64.b64encode(ATTACHED)
    + b"\n--XX--\n"
)


@cache
def analysed(data: bytes, name: str) -> tuple[Report, Indicators]:
    report = analyze_bytes(data, name, options=NOW)
    return report, extract_indicators(report, load_bytes(data, name)[0])


def sample() -> tuple[Report, Indicators]:
    return analysed(sample_message().read_bytes(), "sample-phish.eml")


def probe() -> tuple[Report, Indicators]:
    return analysed(PROBE, "probe.eml")


def outside_fences(markdown: str) -> str:
    """The Markdown with fenced code blocks (any fence length) removed."""
    kept, fence = [], None
    for line in markdown.splitlines():
        if fence is None and (opening := re.match(r"(`{3,})", line)):
            fence = opening.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            kept.append(line)
    return "\n".join(kept)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(document: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(document)
    parser.close()
    return parser.tags


# --- Markdown ---------------------------------------------------------------------------


def test_md_text_escapes_every_syntax_character() -> None:
    assert md_text("a|b*c_d[e](f)<g>`h`~&!$#\\") == (r"a\|b\*c\_d\[e\]\(f\)\<g\>\`h\`\~\&\!\$\#\\")
    assert md_text("two\r\n  lines\x00\x1b") == "two lines"
    assert md_text(None, "-") == "-"


def test_md_code_block_fence_outlasts_backtick_runs() -> None:
    assert md_code_block("a ``` b") == "````text\na ``` b\n````"
    assert md_code_block("plain\r\n folded") == "```text\nplain\n folded\n```"


def test_sample_markdown_has_every_section() -> None:
    report, indicators = sample()
    md = render_markdown(report, indicators=indicators, diagram_png_name="route diagram.png")
    assert md.startswith("# Your account has been limited – action required\n")
    assert "**Verdict: Likely malicious — Hop 1 pretends to be Google;" in md
    assert "Top findings (worst: HIGH): Hop 1 pretends to be Google \\(high\\);" in md
    assert '| From | "PayPal Billing" \\<service@paypa1-billing.example\\> |' in md
    assert "| To | John Doe \\<j.doe@contoso.example\\> |" in md
    assert "| Transit | 6 hops, 9 min 30 s in transit |" in md
    assert f"| SHA-256 | {hashlib.sha256(sample_message().read_bytes()).hexdigest()} |" in md
    assert "| mailview version | 0.1.0 |" in md
    assert "| Input | sample-phish.eml, eml |" in md
    hop2 = (
        "| 2 | 2024-11-12 09:16:02 | 10 min 51 s | smtp.gmail.com → "
        "mail.paypa1-billing.example | 198.51.100.23 | documentation |  | ESMTP | *claimed* |"
    )
    boundary = "**— trust boundary: from here on, the recipient's own systems —**"
    hop3 = "| 3 | 2024-11-12 09:14:39 | -1 min 23 s \\(clock skew\\) | mail.paypa1-billing.example"
    assert md.index(hop2) < md.index(boundary) < md.index(hop3)
    assert "Microsoft SMTP Server TLSv1.2 | yes |" in md
    assert "![Route diagram](route%20diagram.png)" in md
    assert "**SPF not reported by the receiver**" in md
    assert "DMARC alignment (computed by mailview): cannot tell — no trusted SPF" in md
    assert "## Findings (9)" in md
    assert "### HIGH: Hop 1 pretends to be Google" in md
    assert (
        "Evidence, header 6 \\(Received\\):\n\n```text\n"
        "Received: by smtp.gmail.com (Postfix, from userid 0)\n"
        "\tid 7F1A2C0101; Tue, 12 Nov 2024 10:05:11 +0100 (CET)\n```"
    ) in md
    assert "## Indicators" in md
    assert "| IP | 203.0.113\\[.\\]77 | originating, hop 3, documentation |" in md
    assert "| URL | hxxps://paypa1-billing\\[.\\]example/resolution/confirm?id=7731 | text |" in md
    assert "| address | service@paypa1-billing\\[.\\]example | from |" in md
    assert "Redacted for sharing" not in md


def test_markdown_without_defanging_or_indicators() -> None:
    report, indicators = sample()
    live = render_markdown(report, indicators=indicators, defang=False)
    assert "| URL | https://paypa1-billing.example/resolution/confirm?id=7731 | text |" in live
    bare = render_markdown(dataclasses.replace(report, indicators=None))
    assert "## Indicators" not in bare
    # The indicators are part of the report: no need to hand them over separately.
    assert "## Indicators" in render_markdown(report)
    assert "![Route diagram]" not in bare


def test_markdown_probes_are_inert() -> None:
    report, indicators = probe()
    md = render_markdown(report, indicators=indicators)
    assert md.startswith("# \\<script\\>alert\\(1\\)\\</script\\>\n")
    prose = outside_fences(md)
    assert not re.search(r"(?<!\\)<", prose)  # no tag can open outside code blocks
    assert not re.search(r"(?<!\\)\]\(", prose)  # no link syntax
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in prose
    assert (
        "| Message-ID | \\<\\[a\\]\\(javascript:alert\\(1\\)\\)\\`x\\`\\|y@evil.example\\> |" in md
    )
    # The Reply-To evidence holds a ``` run: its fence is four backticks long.
    assert (
        '````text\nReply-To: "x](javascript:alert(1)) ``` `tick`" <catch@other.example>\n````' in md
    )
    assert "| rule \\<script\\>alert\\(2\\)\\</script\\> |" in md  # vendor table


def test_markdown_renders_to_no_markup_from_the_message() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    report, indicators = probe()
    md = render_markdown(report, indicators=indicators)
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_place_comes_from_geo() -> None:
    report, _ = sample()
    geo = GeoInfo("DE", "Germany", "Frankfurt", 50.1, 8.7, 3320, "Deutsche Telekom AG", "test")
    located = dataclasses.replace(report, hop_geo=(None, None, geo, None, None, None))
    rows = hop_rows(located)
    # The owner first, as every face words it (mailview.present.place).
    assert rows[2].place == "AS3320 Deutsche Telekom AG · Frankfurt, DE"
    assert rows[1].place == ""
    assert "| AS3320 Deutsche Telekom AG · Frankfurt, DE |" in render_markdown(located)


def test_redaction_note() -> None:
    report, _ = sample()
    assert "*Redacted for sharing: recipient addresses" in render_markdown(report, redacted=True)
    counts = RedactionMap(recipients=(("a@x.example", "r"),), ips=(("10.0.0.1", "p"),) * 2)
    line = (
        "Redacted for sharing: 1 recipient address, 0 internal host names, 2 private IPs replaced"
    )
    assert line in render_markdown(report, redacted=counts)
    assert line in render_html(report, redacted=counts)


# --- HTML -------------------------------------------------------------------------------


def test_sample_html_has_every_section_and_the_diagram() -> None:
    report, indicators = sample()
    page = render_html(report, indicators=indicators, diagram_png=PNG)
    quoted = CSP.replace("'", "&#x27;")
    assert f'<meta http-equiv="Content-Security-Policy" content="{quoted}">' in page
    assert CSP == "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    assert "<h1>Your account has been limited – action required</h1>" in page
    assert "<strong>Verdict: Likely malicious — Hop 1 pretends to be Google;" in page
    assert "Top findings (worst: <strong>HIGH</strong>)" in page
    assert (
        "<tr><th>From</th><td>&quot;PayPal Billing&quot; "
        "&lt;service@paypa1-billing.example&gt;</td></tr>" in page
    )
    assert page.index("<td>198.51.100.23</td>") < page.index('<tr class="boundary">')
    assert page.index('<tr class="boundary">') < page.index("<td>203.0.113.77</td>")
    assert "<h2>Authentication</h2>" in page
    assert "<h2>Findings (9)</h2>" in page
    assert "<td>hxxps://paypa1-billing[.]example/resolution/confirm?id=7731</td>" in page
    images = [attrs for tag, attrs in tags_of(page) if tag == "img"]
    assert len(images) == 1
    src = images[0]["src"] or ""
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    assert base64.b64decode(src[len(prefix) :]) == PNG


def test_html_probes_are_escaped_and_nothing_is_live() -> None:
    report, indicators = probe()
    page = render_html(report, indicators=indicators, defang=False)
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "x](javascript:alert(1)) ``` `tick`" in page
    assert "<script" not in page.lower()
    assert 'src="http' not in page and 'href="http' not in page
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "table",
               "tr", "th", "td", "ul", "li", "pre", "strong", "em", "span", "small"}  # fmt: skip
    for tag, attrs in tags_of(page):
        assert tag in allowed, tag
        assert not any(name.startswith("on") or name in {"href", "src"} for name in attrs)


def test_html_urls_are_text_even_undefanged() -> None:
    report, indicators = analysed(WITH_ATTACHMENT, "attached.eml")
    page = render_html(report, indicators=indicators, defang=False)
    assert "<td>http://evil.example/pay</td>" in page
    assert not any(tag == "a" for tag, _ in tags_of(page))


# --- ticket -----------------------------------------------------------------------------


def test_sample_ticket() -> None:
    report, indicators = sample()
    text = render_ticket(report, indicators=indicators)
    lines = text.splitlines()
    assert len(lines) <= 40
    assert lines[0].startswith("Verdict: Likely malicious — Hop 1 pretends to be Google;")
    assert lines[1].startswith("Because of: route.fake_provider_hop, identity.display_name_brand")
    assert (
        "2. 09:16:02Z smtp.gmail.com → mail.paypa1-billing.example [198.51.100.23] ESMTP ?" in lines
    )
    assert (
        "3. 09:14:39Z mail.paypa1-billing.example → BN2PEPF000044A5.mail.protection.outlook.com "
        "[203.0.113.77] Microsoft SMTP Server TLSv1.2"
    ) in lines
    auth = [line for line in lines if line.startswith("Auth: ")]
    assert auth == [
        "Auth: SPF not reported by the receiver, DKIM not reported by the receiver, DMARC not "
        "reported by the receiver; alignment cannot tell — no trusted SPF or DMARC result and no "
        "DKIM outcome is known, so nothing shows whether paypa1-billing.example sent it"
    ]
    findings = [line for line in lines if line.startswith("- [")]
    assert findings[:3] == [
        "- [HIGH] Hop 1 pretends to be Google",
        "- [HIGH] Sender name says PayPal, address does not",
        "- [HIGH] paypa1-billing.example imitates PayPal",
    ]
    assert len(findings) == 5
    assert "  IPs: 203.0.113[.]77, 198.51.100[.]23, 2603[:]10b6[:]408[:]ef[:]cafe[:][:]4b, " in text
    assert "  URL: hxxps://paypa1-billing[.]example/resolution/confirm?id=7731" in lines


def test_ticket_lists_attachment_hashes_and_keeps_one_line_per_value() -> None:
    report, indicators = analysed(WITH_ATTACHMENT, "attached.eml")
    lines = render_ticket(report, indicators=indicators).splitlines()
    digest = hashlib.sha256(ATTACHED).hexdigest()
    attachment = [line for line in lines if line.startswith("  Attachment: ")]
    assert attachment and attachment[0].startswith(f"  Attachment: invoice.pdf sha256 {digest} (")
    assert "  URL: hxxp://evil[.]example/pay" in lines
    probe_lines = render_ticket(probe()[0]).splitlines()
    assert "Subject: <script>alert(1)</script>" in probe_lines
    assert all("\r" not in line for line in probe_lines)


def test_long_routes_are_cut_in_the_ticket() -> None:
    report, _ = sample()
    long = dataclasses.replace(report, hops=report.hops * 4, hop_geo=())
    lines = render_ticket(long).splitlines()
    assert "   … 14 more hops …" in lines
    assert len(lines) <= 40
