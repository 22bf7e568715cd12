"""Choosing what to analyse: forwarded reports, bounces, mbox messages, pasted headers."""

from pathlib import Path

import pytest

from mailview.core.analyze import AnalysisOptions, analyze_bytes, analyze_text
from mailview.core.errors import InputError
from mailview.export.text_report import render_text, selector

LOAD = Path(__file__).parent / "fixtures" / "load"


def data(name: str) -> bytes:
    return (LOAD / name).read_bytes()


def test_forwarded_report_is_analysed_as_its_attached_original() -> None:
    report = analyze_bytes(data("forward-attachments.eml"), "fw.eml")
    assert report.message.subject == "Suspicious 1"
    assert report.input.label == "attachment 'first.eml'"
    assert report.input.address == (0,)
    assert len(report.notes) == 1
    assert "'Fw: three phishing mails'" in report.notes[0]
    assert "3 attached messages" in report.notes[0]
    assert [r.subject for r in report.inner] == [
        "Fw: three phishing mails",
        "Suspicious 1",
        "Suspicious 2",
        "Suspicious 3",
    ]
    # The hop belongs to the original, not to the wrapper's own route.
    assert [h.fields.date.utc.minute for h in report.hops if h.fields.date] == [1]


def test_every_attached_message_stays_reachable() -> None:
    third = analyze_bytes(data("forward-attachments.eml"), address=(0, 2))
    assert third.message.subject == "Suspicious 3"
    assert third.notes == ()
    wrapper = analyze_bytes(
        data("forward-attachments.eml"), options=AnalysisOptions(follow_attachments=False)
    )
    assert wrapper.message.subject == "Fw: three phishing mails"
    with pytest.raises(InputError, match="has no attached message 9"):
        analyze_bytes(data("forward-attachments.eml"), address=(0, 8))


def test_nested_forward_reaches_the_innermost_original() -> None:
    report = analyze_bytes(data("nested-forward.eml"))
    assert report.message.subject == "Suspicious 4"
    assert report.input.address == (0, 0)
    assert "'Fw: Fw: look at this'" in report.notes[0]


def test_a_bounce_is_analysed_itself_not_the_returned_copy() -> None:
    report = analyze_bytes(data("bounce.eml"))
    assert report.message.subject == "Undelivered Mail Returned to Sender"
    assert report.notes == ()
    assert any("bounce" in r.label for r in report.inner)


def test_mbox_messages_are_addressed_by_index() -> None:
    first = analyze_bytes(data("three.mbox"))
    assert first.input.message_count == 3 and first.message.subject == "Part 1"
    second = analyze_bytes(data("three.mbox"), address=(1,))
    assert second.message.subject == "Part 2"
    assert second.input.label == "message 2 of 3"
    assert [r.label for r in second.inner] == [
        "message 1 of 3",
        "message 2 of 3",
        "message 3 of 3",
    ]
    with pytest.raises(InputError) as err:
        analyze_bytes(data("three.mbox"), address=(5,))
    assert err.value.sentence == "This file holds 3 message(s); there is no message 6."


def test_pasted_outlook_headers() -> None:
    report = analyze_text((LOAD / "outlook-paste.txt").read_text(encoding="utf-8"))
    assert report.input.format == "headers"
    assert report.hops, "the pasted Received headers make a route"
    assert all(h.raw.startswith("Received") for h in report.hops)


def test_selector_numbers_match_the_cli() -> None:
    assert selector((), 1) == "1"
    assert selector((1,), 1) == "1/2"
    assert selector((2,), 3) == "3"
    assert selector((2, 0), 3) == "3/1"


def test_text_report_lists_reachable_messages_and_marks_the_analysed_one() -> None:
    text = render_text(analyze_bytes(data("forward-attachments.eml"), "fw.eml"))
    assert "  1/1: attachment 'first.eml' — Suspicious 1 ◀ analysed" in text
    assert "  1/3: attachment 'third.eml' — Suspicious 3" in text


def test_the_route_takes_x_received_only_from_the_same_systems() -> None:
    data = (
        b"X-Received: by smtp.unrelated.example with SMTP id 9; Tue, 12 Nov 2024 09:00:09 +0000\r\n"
        b"X-Received: by 2002:a05:6a20:3d8a:: with SMTP id 8; Tue, 12 Nov 2024 09:00:08 +0000\r\n"
        b"Received: from out.sender.example (out.sender.example [192.0.2.4])\r\n"
        b" by mx.google.com with ESMTPS id 7; Tue, 12 Nov 2024 09:00:07 +0000\r\n"
        b"From: a@sender.example\r\nSubject: s\r\n\r\nbody\r\n"
    )
    hops = analyze_bytes(data).hops
    assert [h.header_name for h in hops] == ["Received", "X-Received"]
    assert hops[1].fields.by_host == "2002:a05:6a20:3d8a::"
