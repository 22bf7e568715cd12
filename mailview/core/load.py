"""Turn input bytes (or pasted text) into `LoadedMessage`s.

Strategy:

1. Recognise the container from the first bytes: an Outlook .msg (OLE magic), a known
   binary format (→ InputError naming it), UTF-16 text (decoded first), an SMTP dialogue
   (bsmtp), an mbox (a leading `From ` line; several messages when more `From ` lines
   follow blank lines), or else a plain message / pasted header block.
2. Find the header block with byte-level searches, which run at C speed: the first empty
   line ends it. Copy-and-paste artefacts are undone first: Gmail's "Show original"
   summary table is skipped and an indent common to every line is removed.
3. Decode only the header block (UTF-8 where valid, else Latin-1 line by line, so no byte
   is lost) and split it with `split_header_block`. Only when that reports stray lines do
   we look for a body pasted without a blank line: the common case pays nothing for it.
4. Decide that it is a message: its first line is a header field and a well-known field
   name occurs among the first fields. Otherwise raise InputError with a sentence from
   `sniff` naming what the input is.
5. Look for attached messages only when the Content-Type is multipart or message/rfc822
   and a cheap byte search finds a hint of one. The MIME tree is then split here rather
   than by `email.parser`, so that each attached message keeps its bytes exactly (the
   stdlib would re-serialise it); the stdlib still parses Content-Type/Disposition
   parameters. Attached messages are loaded recursively, to a depth of `MAX_DEPTH`.

Nothing but InputError escapes: what is malformed inside a message becomes a defect,
typed data on `LoadedMessage.defects` (`core.defects`). Nothing is ever written to disk or executed.
"""

from __future__ import annotations

import binascii
import contextlib
import dataclasses
import email.errors
import email.header
import email.message
import email.utils
import os
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from mailview.core.defects import (
    HEADER_STRAY_LINES,
    INPUT_ATTACHMENT_UNREADABLE,
    INPUT_ENCODING,
    INPUT_INDENTED,
    INPUT_MSG_NO_HEADERS,
    INPUT_NO_BLANK_LINE,
    INPUT_SMTP_UNTERMINATED,
    Defect,
)
from mailview.core.errors import DAMAGED, EMPTY, NOT_A_MESSAGE, UNREADABLE, InputError
from mailview.core.headers import split_header_block
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Envelope, HeaderField, LoadedMessage
from mailview.core.record import mutable_record, record
from mailview.core.sniff import OLE_MAGIC, binary_kind, not_a_message
from mailview.core.words import decode_words
from mailview.lazy_import import import_for_good

MAX_DEPTH = 5  # attached messages inside attached messages, at most this deep
MAX_FILE_BYTES = 200 * 1024 * 1024
_MAX_PARTS = 500  # MIME parts examined per message: a bomb of empty parts stays cheap
_MAX_NESTING = 20  # multipart inside multipart
_KNOWN_WITHIN = 50  # a well-known field name must occur among this many first fields

# Field names that make a header block an email message's (lower case); X-* and ARC-*
# count too.
_KNOWN_NAMES = frozenset(
    (
        "received", "from", "to", "cc", "subject", "date", "message-id", "return-path",
        "delivered-to", "mime-version", "content-type", "content-transfer-encoding",
        "dkim-signature", "authentication-results", "received-spf", "reply-to", "sender",
        "in-reply-to", "references", "envelope-to", "delivery-date", "list-id",
        "resent-from", "resent-date", "resent-message-id", "newsgroups", "path",
    )
)  # fmt: skip
_KNOWN_PREFIXES = ("x-", "arc-")

# An empty line ends the header block (RFC 5322 §2.1: "The body is simply a sequence of
# characters that follows the header and is separated from the header by an empty line").
_BLANK = re.compile(rb"\n\r?\n")
_BLANK_CR = re.compile(rb"\r\r")  # files with bare-CR line ends only
_BLANK_INDENTED = re.compile(rb"\n[ \t]*\r?\n")  # pasted with an indent: blank = WSP only
_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t]*(?:\r\n|\n|\r))*")

# RFC 5322 §3.6.8 field-name = 1*ftext, ftext = %d33-57 / %d59-126; §4.5.8 allows WSP
# before the colon. Same grammar as headers.FIELD_START, on bytes.
_FIELD_START = re.compile(rb"([!-9;-~]+)[ \t]*:")

# Gmail "Show original" page: a summary table ("Original message", "Message ID",
# "Created at:", "SPF: PASS with IP …", "Download Original") precedes the real headers,
# which start at the first of these fields after it.
_GMAIL_SUMMARY = LazyPattern(
    rb"\A\s*Original message\s*$|^\s*Download Original\b|^\s*Created at:.*\n(?:.*\n){0,3}?"
    rb"\s*From:",
    re.I | re.M,
)
_GMAIL_REAL_START = LazyPattern(
    rb"^[ \t]*(?:Delivered-To|Received|Return-Path|ARC-[!-9;-~]+|X-[!-9;-~]+)[ \t]*:", re.I | re.M
)
_OUTLOOK_PREAMBLE = re.compile(rb"Microsoft Mail Internet Headers Version 2\.0[ \t]*\r?\n")

# mbox (RFC 4155): a message starts with a line `From <sender> <date>`; later messages
# follow an empty line. The date must show a time and a year, so that a body line such
# as "From my point of view" after a paragraph does not split a message.
_MBOX_NEXT = re.compile(rb"\n\r?\n(?=From )")
_MBOX_FROM_LINE = LazyPattern(rb"From \S+ +(?=[^\r\n]*\d:\d\d)(?=[^\r\n]*\d{4})[^\r\n]*\r?\n")
_MBOX_ESCAPED = re.compile(rb"^>(>*From )", re.M)  # mboxrd: one '>' added per level
_LINE = LazyPattern(rb"[^\r\n]*(?:\r\n|\n|\r|\Z)")

# SMTP dialogue (RFC 5321 §4.1): HELO/EHLO, MAIL FROM:<…>, RCPT TO:<…>, DATA, the
# message, a line with a single "." (§4.5.2 dot-stuffing), QUIT.
_SMTP_START = re.compile(rb"(?:HELO|EHLO|LHLO)[ \t]|MAIL FROM:", re.I)
_SMTP_END_OF_DATA = re.compile(rb"^\.\r?(?:\n|\Z)", re.M)
_DOT_STUFFED = re.compile(rb"^\.", re.M)
_MAX_DIALOGUE_LINES = 1000

# A MIME part is parsed only when its (lower-cased) header block mentions one of these;
# text, HTML and image parts are skipped after a few substring tests.
_MESSAGE_HINTS = (b"rfc822", b"global", b".eml", b".msg", b"outlook")
_PART_HINTS = (b"multipart/", *_MESSAGE_HINTS, b"octet")
_SEARCH_BELOW = 64 * 1024  # multipart bodies smaller than this are searched for hints
_REPORT_TYPE = LazyPattern(r'report-type\s*=\s*"?([\w.-]+)', re.I)  # RFC 6522 §3
# RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace, as a token or quoted string.
_BOUNDARY = LazyPattern(r'boundary\s*=\s*(?:"([^"]*)"|([^\s;"]+))', re.I)
_MESSAGE_TYPES = ("message/rfc822", "message/global")


@record
class _Place:
    """Where a message sits in the input and how it was found."""

    address: tuple[int, ...] = ()
    label: str = "the message"
    depth: int = 0
    format: str = "eml"
    envelope: Envelope | None = None
    strict: bool = True  # require a well-known field name (top level, attachments)
    subject: str = "This file"  # how the error sentence names the input


@record
class _Head:
    """The header block found at the start of a message."""

    data: bytes  # the header block, dedented
    body: bytes
    separated: bool  # an empty line separated it from the body
    sep: bytes  # the bytes of that separation
    defects: tuple[Defect, ...]


# --- public API --------------------------------------------------------------------------


def load_bytes(data: bytes, name: str = "<input>") -> tuple[LoadedMessage, ...]:
    """Every message in `data` (several for an mbox); InputError when it holds none.

    `name` is kept for the caller's own messages; the loader does not need it.
    """
    del name
    return _load_input(data if isinstance(data, bytes) else bytes(data), _Place())


def load_text(text: str, name: str = "<pasted>") -> tuple[LoadedMessage, ...]:
    """Like `load_bytes` for pasted text: header blocks copied out of a mail client."""
    del name
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # lone surrogates that did not come from bytes
        data = text.encode("utf-8", "replace")
    place = _Place(format="headers", subject="The pasted text")
    return tuple(_as_pasted(m) for m in _load_input(data, place))


def read_path(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the file at `path`, opened read-only; InputError when unreadable."""
    shown = os.fspath(path)
    try:
        info = os.stat(shown)
        if stat.S_ISDIR(info.st_mode):
            raise _unreadable(shown, "it is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise _unreadable(shown, "it is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise _unreadable(shown, "it is larger than 200 MB")
        with open(shown, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as err:
        raise _unreadable(shown, "it does not exist") from err
    except PermissionError as err:
        raise _unreadable(shown, "permission to read it was denied") from err
    except IsADirectoryError as err:
        raise _unreadable(shown, "it is a folder, not a file") from err
    except OSError as err:
        reason = (err.strerror or "the system reported an error").lower()
        raise _unreadable(shown, reason) from err
    if len(data) > MAX_FILE_BYTES:
        raise _unreadable(shown, "it is larger than 200 MB")
    return data


def _unreadable(path: str, reason: str) -> InputError:
    return InputError(f"The file {path!r} could not be read: {reason}.", UNREADABLE, path)


def _as_pasted(message: LoadedMessage) -> LoadedMessage:
    """Pasted text is a header block, whatever followed it; mbox/bsmtp keep their name."""
    return replace(message, format="headers") if message.format == "eml" else message


# --- recognising the container -----------------------------------------------------------


def _load_input(data: bytes, place: _Place) -> tuple[LoadedMessage, ...]:
    data, notes = _to_utf8(data)
    if not data or data.isspace():
        raise InputError(f"{place.subject} is empty, not an email message.", EMPTY)
    if data.startswith(OLE_MAGIC):
        return (_load_msg(data, place),)
    kind = binary_kind(data)
    if kind is not None:
        raise InputError(f"{place.subject} is {kind}, not an email message.", NOT_A_MESSAGE)
    start = _skip_blank_lines(data)
    if _SMTP_START.match(start):
        found: tuple[LoadedMessage, ...] = (_load_bsmtp(start, place),)
    elif _is_envelope_line(start):
        found = _load_mbox(start, place)
    else:
        found = (_load_message(start, place),)
    if notes:
        found = tuple(replace(m, defects=(*notes, *m.defects)) for m in found)
    return found


def _to_utf8(data: bytes) -> tuple[bytes, tuple[Defect, ...]]:
    """Strip a UTF-8 BOM; decode UTF-16 text (BOM or tell-tale NULs) to UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], ()
    encoding = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" not in data[:64]:
        return data, ()
    elif len(data) >= 8 and _looks_utf16(data[:64], 1):
        encoding = "utf-16-le"
    elif len(data) >= 8 and _looks_utf16(data[:64], 0):
        encoding = "utf-16-be"
    if encoding is None:
        return data, ()
    text = data.decode(encoding, "replace")
    note = Defect(INPUT_ENCODING, "The file was UTF-16 text; it was decoded before reading.")
    return text.encode("utf-8", "replace"), (note,)


def _looks_utf16(sample: bytes, zero_at: int) -> bool:
    """ASCII text in UTF-16: every other byte NUL, the others printable."""
    zeros = sample[zero_at::2]
    chars = sample[1 - zero_at :: 2]
    n = min(len(zeros), len(chars))
    return n >= 4 and zeros[:n] == bytes(n) and all(9 <= c < 127 for c in chars[:n])


def _is_envelope_line(data: bytes) -> bool:
    """An mbox `From ` line, as opposed to a `From :` header field (obsolete WSP)."""
    return data.startswith(b"From ") and _FIELD_START.match(data) is None


def _split_envelope_line(data: bytes) -> tuple[Envelope, bytes]:
    """Remove a leading mbox `From sender date` line; the envelope it told."""
    end = data.find(b"\n") + 1 or len(data)
    line = data[:end]
    words = _decode_line(line[5:]).strip().split(None, 1)
    sender = words[0] if words else None
    date = words[1].strip() if len(words) > 1 else None
    return Envelope(mail_from=sender, date_text=date), data[len(line) :]


def _load_mbox(data: bytes, place: _Place) -> tuple[LoadedMessage, ...]:
    chunks = list(_mbox_chunks(data))
    if len(chunks) == 1:
        return (_load_mbox_message(chunks[0], replace(place, format="mbox")),)
    total = len(chunks)
    loaded = []
    for i, chunk in enumerate(chunks):
        where = replace(
            place, address=(i,), label=f"message {i + 1} of {total}", format="mbox", strict=False
        )
        loaded.append(_load_mbox_message(chunk, where))
    return tuple(loaded)


def _mbox_chunks(data: bytes) -> Iterator[bytes]:
    """Split at `From ` lines that follow an empty line and carry a date."""
    begin = 0
    for match in _MBOX_NEXT.finditer(data):
        if _MBOX_FROM_LINE.match(data, match.end()) is None:
            continue
        yield data[begin : match.start() + 1]  # keep the end of the last line
        begin = match.end()
    yield data[begin:]


def _load_mbox_message(chunk: bytes, place: _Place) -> LoadedMessage:
    envelope, message = _split_envelope_line(chunk)
    if b">From " in message:
        message = _MBOX_ESCAPED.sub(rb"\1", message)
    where = replace(place, envelope=envelope)
    if place.strict:
        return _load_message(message, where)
    try:
        return _load_message(message, where)
    except InputError:
        defect = Defect(HEADER_STRAY_LINES, "This part of the mbox file holds no header fields.")
        return LoadedMessage("mbox", (), message, place.address, place.label, envelope, (defect,))


def _load_bsmtp(data: bytes, place: _Place) -> LoadedMessage:
    helo, mail_from, rcpts, start = _read_dialogue(data)
    if start < 0:
        raise InputError(
            f"{place.subject} is an SMTP dialogue without a DATA command, so it holds no message.",
            DAMAGED,
        )
    defects: tuple[Defect, ...] = ()
    end = _SMTP_END_OF_DATA.search(data, start)
    if end is None:
        defects = (
            Defect(
                INPUT_SMTP_UNTERMINATED,
                "The SMTP dialogue had no '.' line ending the message data.",
            ),
        )
    message = data[start : end.start() if end else len(data)]
    message = _DOT_STUFFED.sub(b"", message)  # RFC 5321 §4.5.2: remove the added dot
    date = None
    message = _skip_blank_lines(message)
    if _is_envelope_line(message):
        inner_envelope, message = _split_envelope_line(message)
        date = inner_envelope.date_text
    envelope = Envelope(mail_from=mail_from, rcpt_to=tuple(rcpts), helo=helo, date_text=date)
    loaded = _load_message(message, replace(place, format="bsmtp", envelope=envelope))
    return replace(loaded, defects=(*defects, *loaded.defects))


def _read_dialogue(data: bytes) -> tuple[str | None, str | None, list[str], int]:
    """HELO name, MAIL FROM, RCPT TOs, and where the message starts (-1 without DATA)."""
    helo = mail_from = None
    rcpts: list[str] = []
    for count, line in enumerate(_LINE.finditer(data)):
        if count >= _MAX_DIALOGUE_LINES or not line.group():
            break
        command = _decode_line(line.group()).strip()
        upper = command.upper()
        if upper.startswith(("HELO ", "EHLO ", "LHLO ")):
            helo = command[5:].strip() or None
        elif upper.startswith("MAIL FROM:"):
            mail_from = _path_argument(command[10:])
        elif upper.startswith("RCPT TO:"):
            rcpts.append(_path_argument(command[8:]))
        elif upper == "DATA":
            return helo, mail_from, rcpts, line.end()
    return helo, mail_from, rcpts, -1


def _path_argument(text: str) -> str:
    """`<a@b> SIZE=123` → `a@b` (RFC 5321 §4.1.2 Reverse-path / Forward-path)."""
    text = text.strip()
    if text.startswith("<") and ">" in text:
        return text[1 : text.index(">")]
    return text.split(" ", 1)[0] if text else ""


# --- one RFC 5322 message ------------------------------------------------------------------


def _load_message(data: bytes, place: _Place) -> LoadedMessage:
    """Load one message (or header block); InputError when it is not one."""
    original = data
    data, skipped = _skip_preamble(_skip_blank_lines(data))
    head = _find_head(data)
    text, latin1 = _decode_head(head.data)
    fields, split_defects = split_header_block(text)
    if split_defects and fields:
        head, fields, split_defects = _cut_pasted_body(head, fields, split_defects)
    _check_is_message(fields, original, place)
    fmt = "headers" if place.format == "eml" and not head.separated else place.format
    inner, inner_defects = _attached(fields, head.body, place)
    defects = (*skipped, *head.defects, *split_defects, *inner_defects)
    if latin1:
        latin = "Some header lines were not UTF-8 and were read as Latin-1."
        defects = (*defects, Defect(INPUT_ENCODING, latin))
    return LoadedMessage(
        format=fmt,
        headers=fields,
        body=head.body,
        address=place.address,
        label=place.label,
        envelope=place.envelope,
        defects=defects,
        inner=inner,
    )


def _skip_preamble(data: bytes) -> tuple[bytes, tuple[Defect, ...]]:
    """Drop what mail clients print above the headers (Gmail table, Outlook banner)."""
    banner = _OUTLOOK_PREAMBLE.match(data)
    if banner is not None:
        return data[banner.end() :], ()
    if _FIELD_START.match(data) is not None:
        return data, ()  # starts with a header field: the usual case
    summary = _GMAIL_SUMMARY.search(data[:4096])
    real = _GMAIL_REAL_START.search(data, summary.end()) if summary else None
    if real is None:
        return data, ()
    note = Defect(
        INPUT_INDENTED, "The Gmail 'Show original' summary above the headers was skipped."
    )
    return data[real.start() :], (note,)


def _find_head(data: bytes) -> _Head:
    """Split at the first empty line; remove an indent the copy added to every line."""
    indented = data[:1] in (b" ", b"\t")
    if indented:
        blank = _BLANK_INDENTED
    elif b"\n" in data[:65536] or b"\r" not in data[:65536]:
        blank = _BLANK
    else:
        blank = _BLANK_CR
    match = blank.search(data)
    if match is None:
        head, body, sep = data, b"", b""
    else:
        head, body, sep = data[: match.start()], data[match.end() :], match.group()
        if head.endswith(b"\r") and blank is not _BLANK_CR:
            head, sep = head[:-1], b"\r" + sep
    defects: tuple[Defect, ...] = ()
    if indented:
        head = _dedent(head)
        defects = (
            Defect(
                INPUT_INDENTED, "The headers were indented by the copy; the indent was removed."
            ),
        )
    return _Head(head, body, match is not None, sep, defects)


def _dedent(head: bytes) -> bytes:
    """Remove the first line's indent from every line; folds keep what they had beyond it.

    The first line of a header block is a field, never a fold, so its indent is the one
    the copy added. A line indented less (or differently) loses its leading white space.
    """
    indent = head[: len(head) - len(head.lstrip(b" \t"))]
    cut = len(indent)
    lines = head.split(b"\n")
    return b"\n".join(ln[cut:] if ln.startswith(indent) else ln.lstrip(b" \t") for ln in lines)


def _cut_pasted_body(
    head: _Head, fields: tuple[HeaderField, ...], defects: tuple[Defect, ...]
) -> tuple[_Head, tuple[HeaderField, ...], tuple[Defect, ...]]:
    """End the header block at a stray line that is followed by no more header lines.

    That is a body pasted without the empty line; a stray line with well-known header
    fields after it is only a broken line inside the header block and stays a defect. A
    line starting with "--" is a MIME boundary: the body began (as `email.parser` agrees).
    """
    lines = head.data.split(b"\n")
    last_known = _last_known_field(lines)
    for i in range(1, len(lines)):
        line = lines[i]
        if _is_field_or_fold(line):
            continue
        if not line.startswith(b"--") and i < last_known:
            continue
        rest = b"\n".join(lines[i:])
        body = rest + head.sep + head.body if head.separated else rest
        note = Defect(
            INPUT_NO_BLANK_LINE, "The message had no blank line between headers and body."
        )
        kept = b"\n".join(lines[:i]).removesuffix(b"\r")
        cut = _Head(kept, body, False, b"", (*head.defects, note))
        new_fields, new_defects = split_header_block(_decode_head(kept)[0])
        return cut, new_fields, new_defects
    return head, fields, defects


def _is_field_or_fold(line: bytes) -> bool:
    return line[:1] in (b" ", b"\t") or _FIELD_START.match(line) is not None


def _last_known_field(lines: list[bytes]) -> int:
    """Index of the last line that starts a well-known header field (-1 when none)."""
    for i in range(len(lines) - 1, -1, -1):
        match = _FIELD_START.match(lines[i])
        if match is not None and _is_known(match.group(1).decode("ascii")):
            return i
    return -1


def _check_is_message(fields: tuple[HeaderField, ...], data: bytes, place: _Place) -> None:
    """InputError unless the block starts with a field (and, strictly, a known one)."""
    starts_with_field = bool(fields) and fields[0].line == 1
    if starts_with_field and (
        not place.strict or any(_is_known(f.name) for f in fields[:_KNOWN_WITHIN])
    ):
        return
    raise InputError(not_a_message(data, place.subject), NOT_A_MESSAGE)


def _is_known(name: str) -> bool:
    lower = name.lower()
    return lower in _KNOWN_NAMES or lower.startswith(_KNOWN_PREFIXES)


# --- decoding ------------------------------------------------------------------------------


def _skip_blank_lines(data: bytes) -> bytes:
    match = _LEADING_BLANK_LINES.match(data)
    return data[match.end() :] if match else data


def _decode_head(data: bytes) -> tuple[str, bool]:
    """UTF-8 where valid, else Latin-1 line by line (8-bit bytes survive); Latin-1 used?"""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return "\n".join(_decode_line(line) for line in data.split(b"\n")), True


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


# --- attached messages (MIME) ----------------------------------------------------------


@record
class _Candidate:
    """A MIME part that is, or may be, a message."""

    data: bytes  # transfer encoding already undone
    filename: str | None
    role: str  # message | headers | file | maybe
    report: str | None  # report-type of the enclosing multipart/report, if any


@record
class _PartType:
    content_type: str
    boundary: str | None
    filename: str | None
    report_type: str | None


def _attached(
    fields: tuple[HeaderField, ...], body: bytes, place: _Place
) -> tuple[tuple[LoadedMessage, ...], tuple[Defect, ...]]:
    """Messages attached to this one, loaded; defects for those that would not load."""
    if place.depth >= MAX_DEPTH or not body:
        return (), ()
    ctype = _field_value(fields, "content-type")
    if ctype is None:
        return (), ()
    kind = ctype.lstrip()[:16].lower()
    walk = _Walk()
    if kind.startswith(_MESSAGE_TYPES):
        encoding = _field_value(fields, "content-transfer-encoding")
        walk.found.append(
            _Candidate(_undo_transfer_encoding(body, encoding), None, "message", None)
        )
    elif kind.startswith("multipart/") and _worth_walking(body):
        _walk_multipart(ctype, body, (0, len(body)), None, 0, walk)
    return _load_candidates(walk.found, place) if walk.found else ((), ())


def _worth_walking(body: bytes) -> bool:
    """Whether a multipart body may hold a message part at all.

    A small body is searched for the part hints at memory speed, which is cheaper than
    walking its parts; a large one (mostly base64 attachments, where substring searches
    slow down) is walked, which costs per part rather than per byte.
    """
    if len(body) > _SEARCH_BELOW:
        return True
    lowered = body.lower()
    return any(hint in lowered for hint in _PART_HINTS[1:])  # not "multipart/"


@mutable_record
class _Walk:
    """What one MIME walk has found so far, and how many parts it looked at."""

    found: list[_Candidate] = dataclasses.field(default_factory=list)
    parts: int = 0


def _walk_multipart(
    ctype: str, data: bytes, span: tuple[int, int], report: str | None, nesting: int, walk: _Walk
) -> None:
    """Collect message candidates from the parts of the multipart entity at data[span].

    Parts are handled as spans of `data`, never copied: an ordinary part (text, HTML,
    image) costs a look at its header block however large its body is.
    """
    boundary = _boundary(ctype)
    if not boundary or nesting >= _MAX_NESTING:
        return
    if ctype.lstrip()[:17].lower() == "multipart/report;":
        match = _REPORT_TYPE.search(ctype)
        report = match.group(1).lower() if match else "delivery-status"
    for part in _split_multipart(data, span, boundary):
        walk.parts += 1
        if walk.parts > _MAX_PARTS:
            return
        _walk_part(data, part, report, nesting + 1, walk)


def _boundary(ctype: str) -> str | None:
    """The boundary parameter; the stdlib is asked only for RFC 2231 forms (boundary*=)."""
    match = _BOUNDARY.search(ctype)
    if match is None or "boundary*" in ctype.lower():
        return _part_type(ctype, None).boundary
    return match.group(1) if match.group(1) is not None else match.group(2)


def _walk_part(
    data: bytes, span: tuple[int, int], report: str | None, nesting: int, walk: _Walk
) -> None:
    head_end, body_start = _part_head(data, span)
    head = data[span[0] : head_end]
    lowered = head.lower()
    if not any(hint in lowered for hint in _PART_HINTS):
        return  # a text, HTML or image part: nothing to parse (the common case)
    fields, _ = split_header_block(_decode_head(head)[0])
    ctype_value = _field_value(fields, "content-type") or "text/plain"
    body_span = (body_start, span[1])
    if ctype_value.lstrip()[:10].lower() == "multipart/":
        _walk_multipart(ctype_value, data, body_span, report, nesting, walk)
        return
    encoding = _field_value(fields, "content-transfer-encoding")
    peek = data[body_start : body_start + 1024]
    if not any(hint in lowered for hint in _MESSAGE_HINTS) and not _may_be_message(peek, encoding):
        return  # an ordinary binary attachment: not decoded beyond its first bytes
    ptype = _part_type(ctype_value, _field_value(fields, "content-disposition"))
    role = _part_role(ptype)
    if role is None or (role == "maybe" and not _may_be_message(peek, encoding)):
        return
    body = _undo_transfer_encoding(data[body_start : span[1]], encoding)
    walk.found.append(_Candidate(body, ptype.filename, role, report))


def _part_role(ptype: _PartType) -> str | None:
    """How a (non-multipart) part may hold a message, None when it cannot."""
    ctype = ptype.content_type
    if ctype in _MESSAGE_TYPES:
        return "message"
    if ctype == "text/rfc822-headers":
        return "headers"
    name = (ptype.filename or "").lower()
    if name.endswith((".eml", ".msg")) or ctype == "application/vnd.ms-outlook":
        return "file"
    if ctype == "application/octet-stream":
        return "maybe"
    return None


def _may_be_message(start: bytes, encoding: str | None) -> bool:
    """Whether an unnamed binary attachment starts like a message or an Outlook file."""
    start = _undo_transfer_encoding(start.rsplit(b"\n", 1)[0], encoding)
    start = _skip_blank_lines(start)
    return start.startswith(OLE_MAGIC) or _FIELD_START.match(start) is not None


def _part_head(data: bytes, span: tuple[int, int]) -> tuple[int, int]:
    """Where the part at data[span] has its header block end and its body start."""
    start, end = span
    if data.startswith(b"\n", start) or data.startswith(b"\r\n", start):
        return start, data.index(b"\n", start) + 1  # no header fields at all
    match = _BLANK.search(data, start, end)
    if match is None:
        return end, end
    head_end = match.start()
    if head_end > start and data[head_end - 1] == 0x0D:  # the CR of a CRLF
        head_end -= 1
    return head_end, match.end()


def _split_multipart(
    data: bytes, span: tuple[int, int], boundary: str
) -> Iterator[tuple[int, int]]:
    """Spans of the parts between `--boundary` lines (RFC 2046 §5.1.1), to `--boundary--`."""
    start = -1
    for at, after, closing in _delimiters(data, span, b"--" + boundary.encode("utf-8")):
        if start >= 0:
            end = at
            end -= 1 if data[end - 1] == 0x0A else 0  # the line end before the delimiter
            end -= 1 if end > start and data[end - 1] == 0x0D else 0
            yield start, max(start, end)
        if closing:
            return
        start = after + 1  # after the line end
    if 0 <= start < span[1]:
        yield start, span[1]  # no closing delimiter: the last part runs to the end


def _delimiters(
    data: bytes, span: tuple[int, int], marker: bytes
) -> Iterator[tuple[int, int, bool]]:
    """(start, end before the line break, closing?) of each delimiter line in data[span].

    RFC 2046 §5.1.1: `dash-boundary ["--"] transport-padding CRLF` at the start of a line
    (padding: spaces and tabs; a bare LF ends a line too, as mail on disk has it). Found
    with `bytes.find` rather than a regular expression: every message has its own
    boundary, and compiling a pattern for each costs more than the search.
    """
    pos, stop = span
    while (at := data.find(marker, pos, stop)) >= 0:
        after = _delimiter_end(data, at + len(marker), stop)
        if after is None:
            pos = at + 1
            continue
        if at == 0 or data[at - 1] in b"\r\n":  # a delimiter starts a line
            yield at, after, data.startswith(b"--", at + len(marker), stop)
        pos = after


def _delimiter_end(data: bytes, at: int, stop: int) -> int | None:
    """Where a delimiter line whose boundary ends at `at` ends (before its LF), or None
    when more than `--`, padding and a line end follow the boundary."""
    if data.startswith(b"--", at, stop):
        at += 2
    while at < stop and data[at] in b" \t":
        at += 1
    if at < stop and data[at] == 0x0D and (at + 1 == stop or data[at + 1] == 0x0A):
        at += 1
    return at if at == stop or data[at] == 0x0A else None


def _part_type(ctype: str, disposition: str | None) -> _PartType:
    """Parse Content-Type / Content-Disposition parameters with the stdlib."""
    holder = email.message.Message()
    holder["Content-Type"] = ctype
    if disposition is not None:
        holder["Content-Disposition"] = disposition
    try:
        filename = holder.get_filename() or _param(holder, "name")
        boundary = holder.get_boundary()
        report = _param(holder, "report-type")
        content_type = holder.get_content_type()
    except (ValueError, LookupError, TypeError, IndexError):  # garbage parameters
        return _PartType(ctype.split(";", 1)[0].strip().lower(), None, None, None)
    return _PartType(content_type, boundary, _decode_words(filename), report)


def _param(holder: email.message.Message, name: str) -> str | None:
    value = holder.get_param(name)
    if value is None or isinstance(value, str):
        return value
    return email.utils.collapse_rfc2231_value(value)


def _decode_words(text: str | None) -> str | None:
    """RFC 2047 encoded words in a file name (Outlook writes them)."""
    return None if text is None else decode_words(text)


def _undo_transfer_encoding(body: bytes, encoding: str | None) -> bytes:
    kind = (encoding or "").strip().lower()
    try:
        if kind == "base64":
            cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", body)
            return binascii.a2b_base64(cleaned + b"=" * (-len(cleaned) % 4))
        if kind == "quoted-printable":
            return binascii.a2b_qp(body)
    except binascii.Error:
        return body
    return body


def _field_value(fields: tuple[HeaderField, ...], name: str) -> str | None:
    """The first field called `name` (given in lower case)."""
    size = len(name)
    for header in fields:
        if len(header.name) == size and header.name.lower() == name:
            return header.value
    return None


def _load_candidates(
    candidates: list[_Candidate], place: _Place
) -> tuple[tuple[LoadedMessage, ...], tuple[Defect, ...]]:
    inner: list[LoadedMessage] = []
    defects: list[Defect] = []
    for cand in candidates:
        label = _inner_label(cand, len(inner) + 1)
        where = _Place(
            address=(*place.address, len(inner)),
            label=label,
            depth=place.depth + 1,
            format="headers" if cand.role == "headers" else "eml",
            strict=cand.role in ("file", "maybe"),
        )
        try:
            inner.append(replace(_load_attachment(cand.data, where), report_type=cand.report))
        except InputError:
            if cand.role != "maybe":
                defects.append(
                    Defect(
                        INPUT_ATTACHMENT_UNREADABLE,
                        f"The {label} could not be read as an email message.",
                    )
                )
    return tuple(inner), tuple(defects)


def _inner_label(cand: _Candidate, number: int) -> str:
    if cand.report == "feedback-report":
        return "reported message (abuse report)"
    if cand.report == "delivery-status":
        return "returned message (bounce)"
    if cand.report == "disposition-notification":
        return "original message (read receipt)"
    if cand.report is not None:
        return f"original message ({cand.report} report)"
    if cand.filename:
        return f"attachment '{cand.filename}'"
    return f"attached message {number}"


def _load_attachment(data: bytes, place: _Place) -> LoadedMessage:
    data, _ = _to_utf8(data)
    if data.startswith(OLE_MAGIC):
        return _load_msg(data, place)
    if not data.strip() or binary_kind(data) is not None:
        raise InputError(not_a_message(data, place.subject), NOT_A_MESSAGE)
    data = _skip_blank_lines(data)
    if _is_envelope_line(data):
        envelope, data = _split_envelope_line(data)
        place = replace(place, envelope=envelope)
    return _load_message(data, place)


# --- Outlook .msg ----------------------------------------------------------------------------

# extract-msg logs (and, with errors suppressed, logs instead of raising); its loggers are
# quietened for the duration of a load and restored afterwards.
_MSG_LOGGERS = ("extract_msg", "RTFDE", "olefile")
_MSG_PREFIX = "Microsoft Mail Internet Headers Version 2.0"


def _load_msg(data: bytes, place: _Place) -> LoadedMessage:
    """An Outlook .msg file: its transport headers (or properties), body, attachments."""
    import logging  # noqa: PLC0415 - loaded with extract-msg, for .msg input only

    loggers = [logging.getLogger(n) for n in _MSG_LOGGERS]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.CRITICAL + 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _open_and_read_msg(data, place)
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _open_and_read_msg(data: bytes, place: _Place) -> LoadedMessage:
    # Imported here: extract-msg is slow to import and only .msg input needs it. Its
    # ten thousand objects (with bs4's and lark's) then live as long as the process.
    extract_msg: Any = import_for_good("extract_msg")
    from extract_msg.enums import ErrorBehavior  # noqa: PLC0415

    # `openMsg` reads the item's class from a first MSGFile, closes it and opens the file
    # again as that class: the OLE directory, the larger part of the cost, parsed twice.
    # Opened here once, the file is handed to `openMsg` as the parent both its instances
    # share (as extract-msg does for an attached message), so it is parsed once only.
    behaviour = ErrorBehavior.SUPPRESS_ALL
    try:
        shared: Any = extract_msg.MSGFile(data, errorBehavior=behaviour, delayAttachments=True)
    except Exception as err:  # a third-party parser of binary input: anything can fail
        raise InputError(_msg_failure(err, place), DAMAGED) from err
    try:
        try:
            msg: Any = extract_msg.openMsg(
                data, parentMsg=shared, errorBehavior=behaviour, delayAttachments=False
            )
        except Exception as err:
            raise InputError(_msg_failure(err, place), DAMAGED) from err
        try:
            return _msg_to_loaded(msg, place)
        finally:
            _close_msg(msg)
    finally:
        _close_msg(shared)


def _close_msg(msg: Any) -> None:
    # Closing a damaged file may fail; that must not hide what was read.
    with contextlib.suppress(Exception):
        msg.close()


def _msg_failure(err: Exception, place: _Place) -> str:
    text = str(err)
    if "not an MSG file" in text or "not an olefile" in text.lower():
        return f"{place.subject} is a Microsoft Office (OLE) document, not an Outlook message."
    if "MSG type" in text:
        return f"{place.subject} is an Outlook item that is not an email message."
    return f"{place.subject} looks like an Outlook .msg file but is damaged or incomplete."


def _msg_to_loaded(msg: Any, place: _Place) -> LoadedMessage:
    defects: list[Defect] = []
    text = _prop(msg, "headerText") or ""
    if text.startswith(_MSG_PREFIX):
        text = text[len(_MSG_PREFIX) :].lstrip()
    head = _find_head(text.encode("utf-8", "surrogatepass"))
    fields, split_defects = split_header_block(_decode_head(head.data)[0])
    defects.extend(split_defects)
    if not fields:
        fields = _msg_property_fields(msg)
        defects.append(
            Defect(
                INPUT_MSG_NO_HEADERS,
                "The .msg file carries no transport headers; its header fields were made up "
                "from the message's properties (From, To, Subject, Date).",
            )
        )
    body = (_prop(msg, "body") or "").encode("utf-8", "replace")
    inner, inner_defects = _msg_attachments(msg, place)
    return LoadedMessage(
        format="msg",
        headers=fields,
        body=body,
        address=place.address,
        label=place.label,
        envelope=place.envelope,
        defects=(*defects, *inner_defects),
        inner=inner,
    )


def _prop(msg: Any, name: str) -> Any:
    """A property of an extract-msg object, None when missing or unreadable."""
    try:
        return getattr(msg, name, None)
    except Exception:  # properties parse the file lazily; a damaged one raises anything
        return None


def _msg_property_fields(msg: Any) -> tuple[HeaderField, ...]:
    date = _prop(msg, "date")
    try:
        date_text = email.utils.format_datetime(date) if date is not None else None
    except (TypeError, ValueError, AttributeError):
        date_text = None
    values = (
        ("From", _prop(msg, "sender")),
        ("To", _prop(msg, "to")),
        ("Cc", _prop(msg, "cc")),
        ("Subject", _prop(msg, "subject")),
        ("Date", date_text),
        ("Message-ID", _prop(msg, "messageId")),
    )
    lines = [
        f"{name}: {' '.join(str(value).split())}" for name, value in values if value is not None
    ]
    return split_header_block("\r\n".join(lines))[0]


def _msg_attachments(
    msg: Any, place: _Place
) -> tuple[tuple[LoadedMessage, ...], tuple[Defect, ...]]:
    if place.depth >= MAX_DEPTH:
        return (), ()
    from extract_msg.msg_classes import MSGFile  # noqa: PLC0415 - see _open_and_read_msg

    inner: list[LoadedMessage] = []
    defects: list[Defect] = []
    for att in _prop(msg, "attachments") or ():
        name = _prop(att, "longFilename") or _prop(att, "name") or _prop(att, "shortFilename")
        data = _prop(att, "data")
        label = f"attachment '{name}'" if name else f"attached message {len(inner) + 1}"
        where = _Place(address=(*place.address, len(inner)), label=label, depth=place.depth + 1)
        if isinstance(data, MSGFile):
            inner.append(_msg_to_loaded(data, where))
        elif isinstance(data, bytes) and _is_message_attachment(name, att, data):
            try:
                inner.append(_load_attachment(data, where))
            except InputError:
                defects.append(
                    Defect(
                        INPUT_ATTACHMENT_UNREADABLE,
                        f"The {label} could not be read as an email message.",
                    )
                )
    return tuple(inner), tuple(defects)


def _is_message_attachment(name: str | None, att: Any, data: bytes) -> bool:
    mimetype = str(_prop(att, "mimetype") or "").lower()
    lower = (name or "").lower()
    return (
        lower.endswith((".eml", ".msg"))
        or mimetype in (*_MESSAGE_TYPES, "application/vnd.ms-outlook")
        or data.startswith(OLE_MAGIC)
    )
