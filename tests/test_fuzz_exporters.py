"""The fuzz target of `bench/fuzz.py`, bounded for every test run: hostile messages through
`analyze_bytes` and every exporter; only InputError may escape, and what reaches a
terminal or an XML document is inert.

The long run (a million executions over the corpus) is `bench/fuzz.py`; this is its
property-test form, with hostile tokens of the same kinds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailview.core.analyze import AnalysisOptions, analyze_bytes, message_at
from mailview.core.errors import InputError
from mailview.core.indicators import extract_indicators
from mailview.export.html_report import render_html
from mailview.export.json_indicators import indicators_to_dict
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import Redaction
from mailview.export.safe_text import visible, xml_safe
from mailview.export.text_report import render_text
from mailview.export.ticket import render_ticket

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE = (
    b"Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTP id 1;"
    b" Tue, 12 Nov 2024 09:14:40 +0000\r\nFrom: x@a.example\r\nTo: y@c.example\r\n"
    b"Subject: s\r\nMIME-Version: 1.0\r\n"
)
TOKENS = (
    b"=?\xc3\xa9?Q?x?=", b"=?utf-8?B?", b"=?x?q?=FF?=", b"\x1b]0;title\x07", b"\x1b[2J",
    b"\xe2\x80\xae", b"\x00", b"\r", b"\n", b"\r\n", b"\r\n\r\n", b"\n ", b";", b":", b"<",
    b"@", b"(", b"\"", b"%40", b"=", b"--b\r\n", b"--b--\r\n",
    b"Received: from a (b [10.0.0.1]) by c with ESMTP id x; Mon, 1 Jan 2024 10:00:00 +0000\n",
    b"Content-Type: message/rfc822\r\n", b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Disposition: attachment; filename=\"=?\xc3\xa9?Q?x?=\"\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''a%E2%80%AEfdp.exe\r\n",
    b"DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; bh=; b=\r\n",
    b"Authentication-Results: mx; spf=pass; dkim=fail\r\n", b"X-Originating-IP: [10.1.2.3]\r\n",
)  # fmt: skip
PIECES = st.one_of(st.sampled_from(TOKENS), st.binary(max_size=40))
_TERMINAL_COMMANDS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def export_all(data: bytes) -> None:
    try:
        report = analyze_bytes(data, "fuzz", options=AnalysisOptions(strict=True))
    except InputError as err:
        assert err.sentence and "\n" not in err.sentence
        return
    indicators = extract_indicators(report, message_at(data, report))
    document = report_to_dict(report)
    document["indicators"] = indicators_to_dict(indicators)
    dumps(document, pretty=False)
    assert not _TERMINAL_COMMANDS.search(visible(render_text(report)))
    render_markdown(report, indicators=indicators)
    render_ticket(report, indicators=indicators)
    render_html(report, indicators=indicators)
    redaction = Redaction.of(report, indicators)
    render_markdown(redaction.apply(report), indicators=redaction.apply(indicators))


@SETTINGS
@given(st.lists(PIECES, max_size=40).map(b"".join))
def test_hostile_headers_after_a_real_block(tail: bytes) -> None:
    export_all(BASE + tail + b"\r\n\r\nbody\r\n")


@SETTINGS
@given(st.lists(PIECES, max_size=30).map(b"".join), st.lists(PIECES, max_size=30).map(b"".join))
def test_hostile_multipart_bodies(part_head: bytes, part_body: bytes) -> None:
    export_all(
        BASE + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        + part_head + b"\r\n\r\n" + part_body + b"\r\n--b--\r\n"
    )  # fmt: skip


@SETTINGS
@given(st.text(max_size=200))
def test_xml_safe_text_always_parses(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    ET.fromstring(f"<t>{xml_safe(escaped)}</t>".encode("utf-8", "surrogatepass"))
