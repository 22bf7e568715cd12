"""Hostile input in the core: typed defects under one policy, bounded evidence and findings,
deadlines, and text that stays inert wherever it is shown."""

from __future__ import annotations

import json
import pickle
import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.bounce import prose
from mailview.core.defects import (
    BUDGET,
    HEADER_NUL,
    HEADER_STRAY_LINE,
    STRICT,
    Defect,
    DefectError,
)
from mailview.core.errors import InputError
from mailview.core.findings.registry import MAX_PER_CODE
from mailview.core.indicators import detect_type
from mailview.core.model import EVIDENCE_CHARS, EVIDENCE_ITEMS, Evidence, Finding, Severity
from mailview.enrich.dns import TIMEOUT, DnsAnswer
from mailview.enrich.pipeline import OnlineSettings, analyze_online
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.redact import redact
from mailview.export.safe_text import visible, xml_document_safe

HEAD = (
    b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: hi\r\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n"
)
NOW = AnalysisOptions(now=datetime(2024, 1, 2, tzinfo=UTC))

# --- defects: typed data, one policy ------------------------------------------------------


def test_loader_defects_are_typed_and_recorded_on_the_report() -> None:
    data = HEAD + b"X-Bro\x00ken: yes\r\nX-Mailer: m\r\n\r\nbody\r\n"
    report = analyze_bytes(data, options=NOW)
    codes = {d.code for d in report.defects}
    assert {HEADER_STRAY_LINE, HEADER_NUL} <= codes
    stray = next(d for d in report.defects if d.code == HEADER_STRAY_LINE)
    assert "X-Bro\\x00ken: yes" in stray.text
    document = report_to_dict(report)
    assert {
        "code": HEADER_NUL,
        "header_index": None,
        "text": "The header block contains NUL bytes.",
    } in document["defects"]


def test_the_strict_policy_raises_the_first_defect() -> None:
    data = HEAD + b"X-Bro\x00ken: yes\r\nX-Mailer: m\r\n\r\nbody\r\n"
    with pytest.raises(DefectError) as caught:
        analyze_bytes(data, options=AnalysisOptions(policy=STRICT))
    assert caught.value.defect.code in (HEADER_STRAY_LINE, HEADER_NUL)
    analyze_bytes(HEAD + b"\r\nbody\r\n", options=AnalysisOptions(policy=STRICT))  # clean: no raise


def test_a_defect_is_its_sentence_and_survives_pickling_and_redaction() -> None:
    defect = Defect(HEADER_STRAY_LINE, "Line 3 names bob@contoso.example.", 2)
    assert defect == "Line 3 names bob@contoso.example."
    again = pickle.loads(pickle.dumps(defect))
    assert (again.code, again.header_index, again.text) == (defect.code, 2, defect.text)
    rewritten = defect.with_text("Line 3 names recipient-1.")
    assert (rewritten.code, rewritten.header_index) == (HEADER_STRAY_LINE, 2)


def test_redaction_keeps_defect_codes() -> None:
    data = HEAD.replace(b"bob@example.org", b"bob@contoso.example") + (
        b"X-Bro\x00ken: bob@contoso.example\r\nX-Mailer: m\r\n\r\nbody\r\n"
    )
    shown, _ = redact(analyze_bytes(data, options=NOW))
    stray = [d for d in shown.defects if d.code == HEADER_STRAY_LINE]
    assert stray and "bob@contoso.example" not in stray[0].text
    assert isinstance(stray[0], Defect)


# --- evidence and findings are bounded -----------------------------------------------------


def test_evidence_quotes_at_most_a_fixed_number_of_characters() -> None:
    evidence = Evidence(3, "Subject", "x" * (EVIDENCE_CHARS * 5))
    assert len(evidence.text) == EVIDENCE_CHARS
    assert evidence.omitted_chars == EVIDENCE_CHARS * 4


def test_a_finding_quotes_each_header_once_and_at_most_a_fixed_number() -> None:
    same = Evidence(1, "DKIM-Signature", "v=1; d=example.com")
    once = Finding("x", Severity.LOW, "t", "d", (same, same, same))
    assert once.evidence == (same,)
    many = Finding("x", Severity.LOW, "t", "d", tuple(Evidence(i, "R", "r") for i in range(500)))
    assert len(many.evidence) == EVIDENCE_ITEMS
    assert many.evidence_omitted == 500 - EVIDENCE_ITEMS


def test_one_reply_to_repeated_a_thousand_times_gives_a_report_of_the_message_size() -> None:
    data = HEAD + b"Reply-To: Evil <evil@attacker.example>\r\n" * 1000 + b"\r\nbody\r\n"
    report = analyze_bytes(data, options=NOW)
    size = len(dumps(report_to_dict(report), pretty=False))
    assert size < 10 * len(data)  # the headers once, each finding a bounded quote
    for item in report.findings:
        assert len(item.evidence) <= EVIDENCE_ITEMS


def test_findings_of_one_kind_stop_at_the_budget_and_the_report_says_so() -> None:
    hops = b"".join(
        f"Received: from h{i}.example.net ([198.51.100.{i % 200 + 1}]) by g{i}.example.org; "
        f"Mon, 1 Jan 2024 10:00:{i % 60:02d} +0000\r\n".encode()
        for i in range(MAX_PER_CODE * 3)
    )
    report = analyze_bytes(hops + HEAD + b"\r\nbody\r\n", options=NOW)
    per_code: dict[str, int] = {}
    for item in report.findings:
        per_code[item.code] = per_code.get(item.code, 0) + 1
    assert max(per_code.values()) == MAX_PER_CODE
    budget = [d for d in report.defects if d.code == BUDGET]
    assert budget and "more findings" in budget[0].text


# --- attachment names that hide their type --------------------------------------------------

RLO_MESSAGE = (
    HEAD + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
    b"--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
    b'--XX\r\nContent-Type: application/octet-stream; name="invoice\xe2\x80\xaefdp.exe"\r\n\r\n'
    b"AAAA\r\n--XX\r\nContent-Disposition: attachment; filename*=utf-8''x%E2%80%AEcod.scr\r\n"
    b"\r\nAAAA\r\n--XX\r\nContent-Disposition: attachment;\r\n"
    b' filename="=?utf-8?B?4oCuZ3BqLmV4ZQ==?="\r\n\r\nAAAA\r\n'
    b'--XX\r\nContent-Disposition: attachment; filename="report.pdf"\r\n\r\nAAAA\r\n--XX--\r\n'
)


def test_a_right_to_left_override_in_an_attachment_name_is_flagged_and_shown_escaped() -> None:
    report = analyze_bytes(RLO_MESSAGE, options=NOW)
    flagged = [f for f in report.findings if f.code == "content.bidi_attachment_name"]
    assert [f.evidence[0].text for f in flagged] == [
        "filename=invoice\\u202efdp.exe",
        "filename=x\\u202ecod.scr",
        "filename=\\u202egpj.exe",
    ]
    assert all(f.severity is Severity.HIGH for f in flagged)
    assert not any("\u202e" in f.detail for f in flagged)


# --- online mode has an overall deadline ------------------------------------------------------


class SilentResolver:
    """Answers every question with a timeout after `seconds`, like a dead server."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.asked = 0
        self._lock = threading.Lock()

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        with self._lock:
            self.asked += 1
        time.sleep(self.seconds)
        return DnsAnswer(name, rdtype, (), TIMEOUT, datetime.now(UTC), "silent")


def test_online_look_ups_stop_at_the_overall_deadline_and_say_so() -> None:
    hops = b"".join(
        f"Received: from h{i}.example.net ([198.51.100.{i % 250 + 1}]) by g{i}.example.org; "
        f"Mon, 1 Jan 2024 10:00:00 +0000\r\n".encode()
        for i in range(1000)
    )
    data = hops + HEAD + b"\r\nbody\r\n"
    silent = SilentResolver(0.2)
    settings = OnlineSettings(silent, "silent", ("bl.test",), deadline=0.5)
    started = time.monotonic()
    report = analyze_online(lambda options: analyze_bytes(data, options=options), NOW, settings)
    assert time.monotonic() - started < 15  # the deadline and one query, not 1000 lifetimes
    assert report.online is not None
    assert any("overall deadline of 0.5 s" in p for p in report.online.problems)
    assert silent.asked < 1000


# --- text that stays inert ------------------------------------------------------------------------


def test_visible_escapes_terminal_commands_bidi_and_undecodable_bytes() -> None:
    text = "a\x1b]8;;http://x\x07b\x9b2J\u202ec\u2066d\rX\n\te\udcff"
    assert visible(text) == "a\\x1b]8;;http://x\\x07b\\x9b2J\\u202ec\\u2066d\\x0dX\n\te\\xff"


def test_xml_forbidden_characters_are_dropped_raw_and_as_references() -> None:
    document = b"<t a='&#x1b;'>a\x01b&#27;c&#65;&#x10FFFF;&#xFFFE;\x0c</t>"
    cleaned = xml_document_safe(document)
    assert ET.fromstring(cleaned).text == "abcA\U0010ffff"
    assert ET.fromstring(cleaned).get("a") == ""


def test_an_svg_of_a_subject_with_control_characters_is_well_formed_xml() -> None:
    pytest.importorskip("PySide6")
    from mailview.gui.headless import diagram_svg

    data = (
        b"Received: from a\x01b.example.net ([198.51.100.1]) by mx\x1b.example.org; "
        b"Mon, 1 Jan 2024 10:00:00 +0000\r\n"
        + HEAD.replace(b"Subject: hi", b"Subject: bell\x07 form\x0c esc\x1b[2J end")
        + b"\r\nbody\r\n"
    )
    svg = diagram_svg(analyze_bytes(data, options=NOW))
    root = ET.fromstring(svg)  # raises on ill-formed XML
    assert root.tag.endswith("svg")
    assert "bell" in json.dumps(svg.decode())


def test_an_attachment_name_with_a_bidi_control_is_written_escaped_in_reports() -> None:
    from mailview.core.analyze import message_at
    from mailview.core.indicators import extract_indicators
    from mailview.export.html_report import render_html
    from mailview.export.markdown import render_markdown

    report = analyze_bytes(RLO_MESSAGE, options=NOW)
    indicators = extract_indicators(report, message_at(RLO_MESSAGE, report))
    for text in (
        render_markdown(report, indicators=indicators),
        render_html(report, indicators=indicators),
    ):
        assert "\u202e" not in text
        assert "invoice\\u202efdp.exe" in text


def test_a_combined_vendor_verdict_is_not_doubly_bracketed() -> None:
    from mailview.core.vendors.model import VendorVerdict
    from mailview.export.markdown import vendor_label

    combined = VendorVerdict("Microsoft 365", "(combined)", None, (), "summary")
    single = VendorVerdict("Microsoft 365", "X-Forefront-Antispam-Report", 4, (), "summary")
    assert vendor_label(combined) == "Microsoft 365 (combined verdict)"
    assert vendor_label(single) == "Microsoft 365 (X-Forefront-Antispam-Report)"


def test_an_attachment_named_like_a_bounce_is_still_the_reported_original() -> None:
    forwarded = (
        HEAD + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain\r\n\r\nplease check\r\n"
        b'--XX\r\nContent-Type: message/rfc822; name="returned bounce.eml"\r\n'
        b'Content-Disposition: attachment; filename="returned bounce.eml"\r\n\r\n'
        b"From: phisher@evil.example\r\nSubject: original\r\nMessage-ID: <o@evil.example>\r\n"
        b"\r\nclick\r\n--XX--\r\n"
    )
    report = analyze_bytes(forwarded, options=NOW)
    assert report.message.subject == "original"  # decided by the report type, not the words


def test_a_bounce_whose_to_header_is_one_long_word_is_read_in_linear_time() -> None:
    # A mutation of a real notice: the To address's local part grown into 120,000
    # characters that can all stand in a local part, with no "@" after them. An unbounded
    # address pattern tried every start in that run to its end (hours at this size).
    word = "shironeko" + "%40" * 40_000
    notice = (
        'From: "Postmaster" <postmaster@neko.example.co.jp>\r\n'
        f"To: <{word}>, kuroneko@example.jp\r\n"
        "Subject: Undeliverable Mail\r\nDate: Thu, 29 Apr 2008 23:45:10 -0500\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "Unknown user: shironeko@example.org\r\n\r\n"
        "Original message follows.\r\n\r\nSubject: Nyaan\r\n"
    ).encode()
    report = analyze_bytes(notice, "long-word-bounce.eml", options=NOW)
    bounce = report.bounce
    assert bounce is not None and bounce.is_delivery_report
    failed = [r.address for r in bounce.failed]
    assert failed == ["shironeko@example.org"]
    assert prose.own_addresses({"to": report.headers[1]}) == {"kuroneko@example.jp"}


COMMENTS = "<!-- x -->" * 60  # sixty comments: each added one doubled the time before


def test_an_attachment_of_many_comments_is_typed_at_once() -> None:
    assert detect_type(COMMENTS.encode()) == "text/plain"
    assert detect_type(f"{COMMENTS}\n<html><body>hi".encode()) == "text/html"
    assert detect_type(f'<?xml version="1.0"?>{COMMENTS}<svg/>'.encode()) == "image/svg+xml"
    # Each comment ends at its first "-->", as browsers read it: text after one is no page.
    assert detect_type(b"<!-- a --> x --> <html>") == "text/plain"


def test_a_dropped_page_of_many_comments_gets_its_one_sentence_at_once() -> None:
    with pytest.raises(InputError) as raised:
        analyze_bytes(f"{COMMENTS}<html><body>hi</body></html>".encode(), "page.html")
    assert raised.value.sentence == "This file is an HTML document, not an email message."
    with pytest.raises(InputError) as raised:
        analyze_bytes(f"{COMMENTS}not a page".encode(), "notes.txt")
    assert "does not look like an email message" in raised.value.sentence
