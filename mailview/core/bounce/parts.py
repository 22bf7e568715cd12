"""The MIME parts of a delivery report, read from its bytes as the stdlib parser reads them.

Strategy: the report readers need, of each leaf part, its content type, its text and (for
the report parts) its header blocks. Handing every report to `email.parser` for them cost
a second parse of the message, line by line, with a regular expression compiled for each
boundary. Here the tree is split with the loader's own delimiter search
(`load._delimiters`, a `bytes.find`), and only the header lines of each part are looked
at. The reading is the stdlib parser's (compat32 policy), reproduced exactly: a header
block ends at the first line that is neither a field nor a fold (RFC 5322 §2.2), the line
end before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), an outer delimiter ends
every part inside it, and a message/delivery-status body is a series of header blocks
(RFC 3464 §2.1). Where the parser's reading takes an odd turn (bare CR line ends, a Unix
`From ` line among the fields, repeated delimiter lines, multipart/digest's default type,
a report block that says it holds parts, nesting past `MAX_NESTING`), `read_parts` says None
and the caller asks the stdlib parser. Parameters (charset, boundary, report-type) in
their plain form are read here, and by the stdlib in any other (RFC 2231, escapes).
"""

from __future__ import annotations

import contextlib
import email.message
import email.utils
import re

from mailview.core.bounce import prose
from mailview.core.bounce.fields import HEADER_LINE, Fields, UnixFrom, fetch, first, read_fields
from mailview.core.load import _delimiters
from mailview.core.record import record

MAX_PARTS = 200  # entities examined, containers included
MAX_NESTING = 20  # multipart inside multipart

# A run of lines that HEADER_LINE passes, each with its line end ("From " lines aside).
_HEADER_RUN = re.compile(rb"(?:(?:[\041-\071\073-\176]*:|[\t ])[^\n]*\n)*")
# The fields of a part that its reading needs (types and parameters, transfer encoding).
_MIME_FIELDS = frozenset({"content-type", "content-transfer-encoding"})
# Attached messages: their text is not read here (the loader holds them as `inner`).
_ATTACHED = ("message/rfc822", "message/global")
# Transfer encodings that Message.get_payload(decode=True) undoes; any other is the bytes.
_ENCODED = frozenset({"quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"})

Block = tuple[Fields, str]  # a header block of a message/* part and the text after it
_Entity = tuple[Fields, str, tuple[int, int], bool, int]  # fields, type, body, child, depth


class Irregular(Exception):
    """A corner of the stdlib parser's reading that is not reproduced here."""


@record
class ReportPart:
    """One leaf of the report's MIME tree."""

    content_type: str  # as Message.get_content_type() says it
    fields: Fields  # its Content-Type and Content-Transfer-Encoding fields, in order
    data: bytes  # the buffer the part lies in
    span: tuple[int, int]  # its body in `data`, with the line end before the next delimiter
    child: bool  # inside a multipart: that line end is the delimiter's, not the part's
    blocks: tuple[Block, ...] | None  # a report part's header blocks (message/* but attached)

    def text(self) -> str | None:
        """The decoded text of a text/plain or text/html part; None for any other part."""
        if self.content_type == "text/plain":
            return self._decoded()
        if self.content_type == "text/html":
            return prose.html_text(self._decoded())
        return None

    def raw_text(self) -> str:
        """A report part's header blocks as written, else the decoded text (the stdlib
        parser's sub-messages, as `prose.raw_text` writes them out)."""
        if self.content_type.split("/", 1)[0] != "message":
            self._undecoded()
            return self._decoded()
        blocks = []
        for fields, body in self.blocks or ():
            blocks.append("\n".join(f"{name}: {fetch(name, value)}" for name, value in fields))
            text = _body_text(fields, body)
            if text.strip():
                blocks.append(text)
        return "\n\n".join(blocks)[: prose.MAX_TEXT * 8]

    def _payload(self) -> bytes:
        payload = self.data[self.span[0] : self.span[1]]
        if self.child:  # the line end before the delimiter is the delimiter's
            payload = payload[:-2] if payload.endswith(b"\r\n") else payload.removesuffix(b"\n")
        return payload

    def _undecoded(self) -> None:
        """What `prose.raw_text` asks of the stdlib first, Message.get_payload(), reads an
        8-bit payload in its charset parameter; one the codecs refuse by type (an RFC 2231
        tuple) raises there, and the report is then not read. Kept, to read alike."""
        payload = self._payload()
        if payload.isascii():
            return
        charset = _holder(first(self.fields, "content-type")).get_param("charset", "ascii")
        with contextlib.suppress(LookupError):
            payload.decode(charset, "replace")  # type: ignore[arg-type]

    def _decoded(self) -> str:
        encoding = first(self.fields, "content-transfer-encoding")
        cte = "" if encoding is None else fetch("content-transfer-encoding", encoding).lower()
        ctype = first(self.fields, "content-type")
        if cte not in _ENCODED:  # the payload is its bytes: no Message needed
            return prose.decode_payload(self._payload(), _charset(ctype))
        holder = email.message.Message()
        holder.set_raw("Content-Transfer-Encoding", encoding or "")
        if ctype is not None:
            holder.set_raw("Content-Type", ctype)
        holder.set_payload(self._payload().decode("ascii", "surrogateescape"))
        return prose.decode_part(holder)


@record
class ReportTree:
    """The leaf parts in document order and the top's report-type parameter."""

    parts: list[ReportPart]
    report_type: str


def read_parts(data: bytes) -> ReportTree | None:
    """The parts of the message in `data` (header block, empty line, body), as the stdlib
    parser finds them; None where its reading is not reproduced here."""
    try:
        return _read(data)
    except Irregular:
        return None


def _read(data: bytes) -> ReportTree:
    if data.count(b"\r") != data.count(b"\r\n"):
        raise Irregular("bare CR line ends")
    fields, body = _head(data, 0, len(data))
    top: _Entity = (fields, _content_type(fields), (body, len(data)), False, 0)
    parts: list[ReportPart] = []
    # Message.is_multipart(): parts were found, or an attached message was parsed.
    multipart = False
    stack = [top]
    count = 0
    while stack and count < MAX_PARTS:
        entity = stack.pop()
        count += 1
        children = _container(data, entity)
        if entity is top:
            multipart = children is not None or top[1].startswith("message/")
        if children is None:
            parts.append(_leaf(data, entity))
            continue
        depth = entity[4] + 1
        if depth > MAX_NESTING:
            raise Irregular("nested too deep")
        for start, stop in reversed(children):
            part_fields, at = _head(data, start, stop)
            stack.append((part_fields, _content_type(part_fields), (at, stop), True, depth))
    ctype_value = first(fields, "content-type")
    report_type = (_param(ctype_value, "report-type") or "") if multipart else ""
    return ReportTree(parts, report_type)


def _leaf(data: bytes, entity: _Entity) -> ReportPart:
    fields, ctype, span, child, _ = entity
    blocks = None
    if ctype.startswith("message/") and ctype not in _ATTACHED:
        blocks = _read_blocks(ctype, data[span[0] : span[1]], child)
    return ReportPart(ctype, fields, data, span, child, blocks)


def _container(data: bytes, entity: _Entity) -> list[tuple[int, int]] | None:
    """The spans of a multipart's parts; None for a leaf (also a multipart the parser
    reads as one: no boundary parameter, or no opening delimiter)."""
    fields, ctype, (start, stop), _, _ = entity
    if ctype == "multipart/digest":
        raise Irregular("parts of a digest are messages by default")
    if not ctype.startswith("multipart/"):
        return None
    boundary = _boundary(first(fields, "content-type"))
    if boundary is None:
        return None
    try:
        marker = b"--" + boundary.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        raise Irregular("a boundary with characters no line can hold") from None
    found = _delimiters(data, (start, stop), marker)
    opening = next(found, None)
    if opening is None or opening[2]:
        return None
    spans = []
    begin = min(opening[1] + 1, stop)
    for at, after, closing in found:
        if at == begin:
            raise Irregular("repeated delimiter lines")
        spans.append((begin, at))
        if closing:
            return spans
        begin = min(after + 1, stop)
    spans.append((begin, stop))
    return spans


def _read_blocks(ctype: str, content: bytes, child: bool) -> tuple[Block, ...]:
    """The header blocks of a message/* part as the parser reads them."""
    lines = [line.decode("ascii", "surrogateescape") for line in content.splitlines(True)]
    if ctype == "message/delivery-status":
        blocks = _status_blocks(lines)
    else:  # another message/* type: one header block and its body
        fields, at = _head_lines(lines, 0)
        blocks = [(_leaf_block(fields), "".join(lines[at:]))]
    if child:  # the last block's text gives its line end to the delimiter
        fields, body = blocks[-1]
        blocks[-1] = (fields, body[:-2] if body.endswith("\r\n") else body.removesuffix("\n"))
    return tuple(blocks)


def _head(data: bytes, start: int, stop: int) -> tuple[Fields, int]:
    """The fields of the entity at data[start:stop] and where its body starts."""
    # The common block, field and fold lines each ended by a line end, in one scan; the
    # loop below takes the line after it (the empty line, a body line, a "From " line).
    run = _HEADER_RUN.match(data, start, stop)
    pos = start if run is None else run.end()
    lines = [f"{line}\n" for line in data[start:pos].decode("ascii", "surrogateescape").split("\n")]
    lines.pop()  # after the last line end
    while pos < stop:
        end = data.find(b"\n", pos, stop)
        end = stop if end < 0 else end + 1
        if data[pos] in b"\r\n":  # the empty line: it ends the block and is not the body's
            return _read_fields(lines, _MIME_FIELDS), end
        if not HEADER_LINE.match(data, pos, end):  # the body starts without an empty line
            break
        lines.append(data[pos:end].decode("ascii", "surrogateescape"))
        pos = end
    return _read_fields(lines, _MIME_FIELDS), pos


def _head_lines(lines: list[str], at: int) -> tuple[Fields, int]:
    """Like `_head` over lines already split: the fields and the first body line."""
    found: list[str] = []
    while at < len(lines):
        line = lines[at]
        if line[:1] in ("\r", "\n"):
            return _read_fields(found), at + 1
        if not HEADER_LINE.match(line.encode("ascii", "surrogateescape")):
            break
        found.append(line)
        at += 1
    return _read_fields(found), at


def _status_blocks(lines: list[str]) -> list[Block]:
    """message/delivery-status: header blocks parted by empty lines, as the parser reads
    them (a line that is not a field starts the block's text, up to the empty line)."""
    blocks: list[Block] = []
    at = 0
    while True:
        head: list[str] = []
        while at < len(lines) and lines[at][:1] not in ("\r", "\n"):
            if not HEADER_LINE.match(lines[at].encode("ascii", "surrogateescape")):
                break
            head.append(lines[at])
            at += 1
        body_start = at
        while at < len(lines) and lines[at][:1] not in ("\r", "\n"):
            at += 1
        blocks.append((_leaf_block(_read_fields(head)), "".join(lines[body_start:at])))
        at += 1  # the empty line
        if at >= len(lines):
            return blocks


def _read_fields(lines: list[str], names: frozenset[str] | None = None) -> Fields:
    try:
        return read_fields(lines, names=names)
    except UnixFrom:
        raise Irregular("a Unix From line among the fields") from None


def _leaf_block(fields: Fields) -> Fields:
    """The fields of a block whose text the parser keeps as it stands."""
    if _content_type(fields).startswith(("message/", "multipart/")):
        raise Irregular("a block that says it holds parts or a message")
    return fields


def _body_text(fields: Fields, body: str) -> str:
    """A block's text as Message.get_payload() hands it out: 8-bit bytes read in the
    block's own charset, else as ASCII, undecodable ones replaced."""
    if body.isascii():
        return body
    holder = email.message.Message()
    for name, value in fields:
        holder.set_raw(name, value)
    holder.set_payload(body)
    payload = holder.get_payload()
    return payload if isinstance(payload, str) else ""


def _content_type(fields: Fields) -> str:
    """Message.get_content_type(): RFC 2045 §5.2, text/plain when missing or invalid."""
    value = first(fields, "content-type")
    if value is None:
        return "text/plain"
    ctype = fetch("content-type", value).partition(";")[0].strip().lower()
    return ctype if ctype.count("/") == 1 else "text/plain"


def _holder(value: str | None) -> email.message.Message:
    """A Message holding just this Content-Type, for the stdlib's parameter reading."""
    holder = email.message.Message()
    if value is not None:
        holder.set_raw("Content-Type", value)
    return holder


def params(value: str) -> dict[str, str] | None:
    """The parameters of a Content-Type value as Message.get_param reads them, lower-case
    name to value (the first of each), for a value in the plain form (RFC 2045 §5.1:
    `type/subtype *(";" attribute "=" value)`, quoted strings without `;`, `\\` or
    RFC 2231 `*`); None for any other, which the stdlib reads."""
    if not value.isascii() or "\\" in value or "*" in value:
        return None
    found: dict[str, str] = {}
    for piece in value.split(";"):
        if piece.count('"') % 2:  # a ";" inside a quoted string
            return None
        name, equals, text = piece.partition("=")
        key = name.strip().lower() if equals else piece.strip().lower()
        found.setdefault(key, email.utils.unquote(text.strip()))
    return found


def _param(value: str | None, name: str) -> str | None:
    """Message.get_param(name) of a part whose first Content-Type is `value`."""
    if value is None:
        return None
    simple = params(value)
    if simple is None:
        found = _holder(value).get_param(name)
        return found if found is None else str(found)
    return simple.get(name)


def _charset(ctype: str | None) -> str | None:
    """Message.get_content_charset()."""
    simple = None if ctype is None else params(ctype)
    if simple is None:
        return _holder(ctype).get_content_charset()
    charset = simple.get("charset")
    return None if charset is None else charset.lower()


def _boundary(ctype: str | None) -> str | None:
    """Message.get_boundary()."""
    simple = None if ctype is None else params(ctype)
    if simple is None:
        return _holder(ctype).get_boundary()
    boundary = simple.get("boundary")
    return None if boundary is None else email.utils.unquote(boundary).rstrip()
