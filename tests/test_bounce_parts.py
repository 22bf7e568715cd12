"""The report's parts read from its bytes (`bounce.parts`) are the stdlib parser's parts.

Every comparison is against `email.message_from_bytes` (compat32), the parser the readers
used before: on every corpus message, on crafted MIME trees and on token soup. Where
`read_parts` declines (None), the readers ask the stdlib, so only what it returns must
match; the corpus sweep also checks that it seldom declines.
"""

from __future__ import annotations

import email
import email.message
import email.parser
import email.policy
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailview.core.bounce import parts, plain, prose, read_bounce
from mailview.core.bounce import read as reader
from mailview.core.bounce.model import OriginalRef
from mailview.core.errors import InputError
from mailview.core.load import load_bytes
from mailview.core.summary import decode_words
from tests.bounce_samples import dsn
from tests.corpus import CORPUS, corpus_files

View = tuple[str, list[tuple[str, object, object]]]
_ATTACHED = ("message/rfc822", "message/global")


def _call(action: Callable[[], object]) -> object:
    """The result, or the name of the exception (the readers catch those the same way)."""
    try:
        return action()
    except Exception as error:  # compared with the stdlib's, not handled
        return type(error).__name__


def _reads_raw(ctype: str) -> bool:
    return ctype == "text/plain" or (ctype.startswith("message/") and ctype not in _ATTACHED)


def stdlib_view(data: bytes) -> View:
    """The leaf parts as the stdlib parser gives them: preorder, attached messages not
    entered, at most 200 entities; each with its type, text and raw text."""
    parsed = email.message_from_bytes(data, policy=email.policy.compat32)
    leaves: list[email.message.Message] = []
    stack, seen = [parsed], 0
    while stack and seen < parts.MAX_PARTS:
        part = stack.pop(0)
        seen += 1
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            stack[0:0] = [p for p in part.get_payload() if isinstance(p, email.message.Message)]
        else:
            leaves.append(part)
    report_type = str(parsed.get_param("report-type") or "") if parsed.is_multipart() else ""
    view = []
    for leaf in leaves:
        ctype = leaf.get_content_type()
        text = _call(partial(prose.part_text, leaf))
        raw = _call(partial(prose.raw_text, leaf)) if _reads_raw(ctype) else None
        view.append((ctype, text, raw))
    return report_type, view


def split_view(tree: parts.ReportTree) -> View:
    view = []
    for part in tree.parts:
        raw = _call(part.raw_text) if _reads_raw(part.content_type) else None
        view.append((part.content_type, _call(part.text), raw))
    return tree.report_type, view


def _same_as_stdlib(data: bytes) -> bool:
    """Whether read_parts read `data` itself (True) or declined (False); fails the test
    when what it read differs from the stdlib's reading."""
    tree = parts.read_parts(data)
    if tree is None:
        return False
    assert split_view(tree) == stdlib_view(data)
    return True


def test_every_corpus_message_reads_as_the_stdlib_reads_it() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    declined: dict[bool, list[str]] = {True: [], False: []}
    for path in files:
        try:
            messages = load_bytes(path.read_bytes(), path.name)
        except InputError:
            continue
        is_bounce = "bounces" in path.parts
        for message in messages:
            if not _same_as_stdlib(reader._parser_input(message)):
                declined[is_bounce].append(path.name)
    # The stdlib is the exception: one bounce in the corpus has bare CR line ends.
    assert len(declined[True]) <= 3, declined[True]
    assert len(declined[False]) <= 10, declined[False]


# --- crafted MIME trees ------------------------------------------------------------------

_TYPES = (
    "text/plain",
    'text/plain; charset="utf-8"',
    "TEXT/PLAIN; format=flowed; charset=ISO-8859-1",
    "text/plain; charset=iso-2022-jp",
    "text/plain; charset*=utf-8''x",
    "text/plain; charset=no-such-charset",
    "text/html; charset=us-ascii",
    "text/rfc822-headers",
    "message/delivery-status",
    "message/global-delivery-status",
    "message/feedback-report",
    "message/rfc822",
    "application/octet-stream; name=a.bin",
    "bogus",
    "text/plain; <charset>",
)
_ENCODINGS = ("", "7bit", "quoted-printable", "base64", "BASE64", "x-uuencode", "8bit ")
_BODY_LINES = (
    "Status: 5.1.1",
    "Final-Recipient: rfc822; bob@example.org",
    "Action: failed",
    "Reporting-MTA: dns; mx.example.org",
    "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: unknown user",
    "  folded on",
    "\tfolded tab",
    "",
    "",
    " ",
    "Content-Type: text/plain",
    "Content-Type: multipart/mixed; boundary=x",
    "From someone",
    ": no name",
    "plain words, not a field",
    "SGVsbG8gd29ybGQ=",
    "caf=C3=A9 =",
    "é 8-bit \x80",
    "--",
)
_NL = st.sampled_from(("\n", "\r\n"))


@st.composite
def _leaf(draw: st.DrawFn, boundaries: list[str]) -> str:
    nl = draw(_NL)
    head = []
    if draw(st.booleans()):
        head.append(f"Content-Type: {draw(st.sampled_from(_TYPES))}")
    encoding = draw(st.sampled_from(_ENCODINGS))
    if encoding:
        head.append(f"Content-Transfer-Encoding: {encoding}")
    head += draw(st.lists(st.sampled_from(_BODY_LINES[:6]), max_size=2))
    pool = list(_BODY_LINES) + [f"--{b}" for b in boundaries] + [f"--{b}--" for b in boundaries]
    body = draw(st.lists(st.sampled_from(pool), max_size=10))
    blank = [""] if draw(st.integers(0, 4)) else []  # sometimes no empty line after the fields
    return nl.join(head + blank + body)


_BOUNDARY = st.text(alphabet="abB0'()+_,-./:=? ", min_size=1, max_size=8)


@st.composite
def _entity(draw: st.DrawFn, depth: int, boundaries: list[str]) -> str:
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(_leaf(boundaries))
    nl = draw(_NL)
    boundary = draw(_BOUNDARY)
    quoted = f'"{boundary}"' if draw(st.booleans()) else boundary
    subtype = draw(st.sampled_from(("mixed", "report; report-type=delivery-status", "digest")))
    inner = [*boundaries, boundary]
    children = draw(st.lists(_entity(depth + 1, inner), max_size=4))
    padding = draw(st.sampled_from(("", " ", "\t ")))
    lines = [f"Content-Type: multipart/{subtype}; boundary={quoted}", ""]
    lines += draw(st.lists(st.sampled_from(_BODY_LINES), max_size=2))  # the preamble
    for child in children:
        lines += [f"--{boundary}{padding}", child]
    if draw(st.integers(0, 3)):
        lines.append(f"--{boundary}--")
        lines += draw(st.lists(st.sampled_from(_BODY_LINES), max_size=2))  # the epilogue
    return nl.join(lines)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_entity(0, []), st.sampled_from(("", "Subject: x\n", "From: a@b\nTo: c@d\n")))
def test_crafted_mime_trees_read_as_the_stdlib_reads_them(entity: str, lead: str) -> None:
    data = (lead + entity).encode("utf-8", "surrogateescape")
    _same_as_stdlib(data)


_TOKENS = (
    b"--b",
    b"--b--",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"\r",
    b" ",
    b":",
    b"From ",
    b"\xff\xe9",
    b"Content-Type: multipart/mixed; boundary=b\n",
    b'Content-Type: multipart/report; boundary="b"; report-type=delivery-status\n',
    b"Content-Type: message/delivery-status\n",
    b"Content-Type: message/feedback-report\n",
    b"Content-Type: text/plain; charset=utf-8\n",
    b"Content-Transfer-Encoding: base64\n",
    b"Content-Transfer-Encoding: quoted-printable\n",
    b"Status: 5.0.0\n",
    b"Final-Recipient: rfc822; x@y.example\n",
    b"caf=C3=A9",
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=40))
def test_token_soup_reads_as_the_stdlib_reads_it(tokens: list[bytes]) -> None:
    data = b"".join(tokens)
    _same_as_stdlib(data)
    head = b"From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n"
    try:
        messages = load_bytes(head + data)
    except InputError:
        return
    for message in messages:  # a report or None, never an exception
        report = read_bounce(message)
        assert report is None or report.headline


def test_parts_past_the_limit_are_not_read_as_the_stdlib_does_not() -> None:
    body = "".join(f"--B\nContent-Type: text/plain\n\npart {n}\n" for n in range(250))
    data = f'Content-Type: multipart/mixed; boundary="B"\n\n{body}--B--\n'.encode()
    assert _same_as_stdlib(data)
    tree = parts.read_parts(data)
    assert tree is not None and len(tree.parts) == parts.MAX_PARTS - 1  # the container counts


# --- parameters and the quoted original ---------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='text/plain;charset=boundary"report-type\\ <>*\t\x1c\xe9', max_size=40))
def test_parameters_are_the_stdlib_parameters(value: str) -> None:
    holder = email.message.Message()
    holder.set_raw("Content-Type", value)
    assert _call(lambda: parts._charset(value)) == _call(holder.get_content_charset)
    assert _call(lambda: parts._boundary(value)) == _call(holder.get_boundary)
    expected = _call(lambda: holder.get_param("report-type"))
    got = _call(lambda: parts._param(value, "report-type"))
    assert got == (expected if expected is None or isinstance(expected, str) else str(expected))


def _stdlib_quoted(text: str) -> OriginalRef | None:
    """prose.quoted_original as it was, reading the block with email.parser."""
    notice = plain.notice_text(text)
    lines = text[len(notice) : len(notice) + 64 * 1024].splitlines()
    while lines and not prose._FIELD_LINE.match(lines[0]):
        lines.pop(0)
    block = "\n".join(line[3:] if line.startswith("   ") else line for line in lines)
    fields = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(block)

    def quoted(name: str) -> str | None:
        found = fields.get(name)
        return None if found is None else " ".join(decode_words(str(found)).split())

    if quoted("subject") is None and quoted("message-id") is None:
        return None
    return OriginalRef(
        address=None,
        label="returned message (quoted in the notice)",
        headers_only=True,
        subject=quoted("subject"),
        from_=quoted("from"),
        to=quoted("to"),
        message_id=quoted("message-id"),
        date=quoted("date"),
    )


_QUOTED_LINES = (
    "Your message could not be delivered.",
    "------ This is a copy of the message, including all the headers. ------",
    "Subject: Quarterly figures",
    "   Subject: indented three",
    "  To: two spaces",
    "Message-ID: <a@b.example>",
    "From: Alice <alice@example.org>",
    "From alice@example.org Mon Mar  2 10:00:00 2026",
    " folded",
    "Subject: =?utf-8?q?caf=C3=A9?=",
    "Subject: ça va\u2028Date: Mon, 2 Mar 2026",
    ": nameless",
    "",
    "body text",
    "Received: from x by y",
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_QUOTED_LINES), max_size=12), _NL)
def test_quoted_original_reads_as_the_stdlib_reads_it(lines: list[str], nl: str) -> None:
    text = nl.join(lines)
    assert prose.quoted_original(text) == _stdlib_quoted(text)


# --- the readers ------------------------------------------------------------------------


def test_a_dsn_is_read_without_the_stdlib_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    original = reader._parse

    def counted(data: bytes) -> email.message.Message:
        calls.append(data)
        return original(data)

    monkeypatch.setattr(reader, "_parse", counted)
    message = load_bytes(dsn([("bob@receiver.example", "failed", "5.1.1", "550 5.1.1 unknown")]))
    report = read_bounce(message[0])
    assert report is not None and [r.address for r in report.recipients] == ["bob@receiver.example"]
    assert calls == []


def test_mailmans_detectors_get_the_stdlib_parse_when_they_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[bytes] = []
    original = reader._parse

    def counted(data: bytes) -> email.message.Message:
        calls.append(data)
        return original(data)

    monkeypatch.setattr(reader, "_parse", counted)
    seen: list[email.message.Message] = []

    def detectors(parsed: email.message.Message) -> list[str]:
        seen.append(parsed)
        return []

    monkeypatch.setattr(prose, "detected_recipients", detectors)
    notice = (
        b"From: Mail Delivery System <MAILER-DAEMON@sender.example>\n"
        b"Subject: Mail delivery failed\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="N"\n\n'
        b"--N\nContent-Type: text/plain\n\nYour message could not be delivered.\n--N--\n"
    )
    report = read_bounce(load_bytes(notice)[0])
    assert report is not None and report.kind == "ndr"
    assert len(calls) == 1 and len(seen) == 1
    assert seen[0].get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in seen[0].walk()][1:] == ["text/plain"]


def test_the_stdlib_path_reads_the_same_report(monkeypatch: pytest.MonkeyPatch) -> None:
    data = dsn(
        [
            ("bob@receiver.example", "failed", "5.1.1", "550 5.1.1 unknown user"),
            ("carol@receiver.example", "delayed", "4.2.2", "452 4.2.2 mailbox full"),
        ]
    )
    split = read_bounce(load_bytes(data)[0])
    monkeypatch.setattr(reader, "read_parts", lambda data: None)
    assert read_bounce(load_bytes(data)[0]) == split
    assert split is not None and len(split.recipients) == 2
