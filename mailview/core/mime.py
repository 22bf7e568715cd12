"""The leaf parts of a message body, walked over the loader's own parse.

Strategy: the analysis already holds the message's header fields and its body bytes; the
MIME tree is split the way `load` splits it (byte-level boundary searches over spans of
one buffer, part header blocks split by `split_header_block`), never by handing the whole
message to `email.parser` again, whose header folding is quadratic on hostile input. The
walk is iterative, and bounded three ways: parts examined, nesting depth and decoded
bytes. Every cap that bites is reported once, in words. Attached messages are leaves too
(with their exact bytes) and are also descended into, so links inside a forwarded
original count. Nothing is rendered, run or opened: a part is only ever bytes.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from dataclasses import field

from mailview.core.headers import split_header_block
from mailview.core.load import (
    _boundary,
    _decode_head,
    _decode_words,
    _part_head,
    _part_type,
    _split_multipart,
    _undo_transfer_encoding,
)
from mailview.core.model import HeaderField
from mailview.core.record import mutable_record, record

MAX_PARTS = 500  # MIME parts examined: a bomb of empty parts stays cheap
MAX_NESTING = 20  # multipart inside multipart (the loader's limit too)
MAX_DECODED_BYTES = 50 * 1024 * 1024  # decoded payloads handed out, in all

_MESSAGE_TYPES = ("message/rfc822", "message/global")
# Content-Type's type/subtype (RFC 2045 §5.1: type "/" subtype, tokens), and the two
# parameters read here without the stdlib: charset and a plain (non RFC 2231) name.
_TYPE = re.compile(r"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+)")
_CHARSET = re.compile(r';\s*charset\s*=\s*"?([^";\s]{1,40})', re.I)
_NAME = re.compile(r';\s*(?:file)?name\s*=\s*(?:"([^"]{0,500})"|([^;\s]{1,500}))', re.I)


@record
class Part:
    """One leaf of the MIME tree: its type, how it is meant to be shown, its bytes."""

    number: int  # 1-based, in document order
    content_type: str  # lower case; text/plain when the part says nothing
    filename: str | None  # RFC 2231/2047 decoded
    disposition: str | None  # "inline" | "attachment" | None
    charset: str | None
    data: bytes | None  # transfer encoding undone; None when over the decoded budget

    @property
    def is_attachment(self) -> bool:
        """A file rather than the message's own text: named, marked so, or not text."""
        if self.content_type in _MESSAGE_TYPES:
            return True
        if self.filename is not None or self.disposition == "attachment":
            return True
        return not self.content_type.startswith("text/")

    def text(self) -> str:
        """The payload as text in its declared charset (UTF-8 when unknown)."""
        data = self.data or b""
        try:
            return data.decode(self.charset or "utf-8", "replace")
        except (LookupError, ValueError):  # unknown or non-text charset names
            return data.decode("utf-8", "replace")


@mutable_record
class Walk:
    """The parts found so far, and what the budgets cut off."""

    parts: list[Part] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    visited: int = 0  # entities looked at, containers included
    decoded_bytes: int = 0
    _capped: set[str] = field(default_factory=set)

    def cap(self, key: str, sentence: str) -> None:
        if key not in self._capped:
            self._capped.add(key)
            self.problems.append(sentence)


def walk_parts(headers: tuple[HeaderField, ...], body: bytes) -> Walk:
    """Every leaf part of the message with these header fields and this body."""
    walk = Walk()
    # (header fields, buffer, span of the body in it, nesting depth)
    stack: list[tuple[tuple[HeaderField, ...], bytes, tuple[int, int], int]] = [
        (headers, body, (0, len(body)), 0)
    ]
    while stack:
        fields, data, span, depth = stack.pop()
        walk.visited += 1
        if walk.visited > MAX_PARTS:
            walk.cap("parts", f"Only the first {MAX_PARTS} MIME parts were examined.")
            break
        stack.extend(reversed(list(_visit(fields, data, span, depth, walk))))
    return walk


def _visit(
    fields: tuple[HeaderField, ...], data: bytes, span: tuple[int, int], depth: int, walk: Walk
) -> Iterator[tuple[tuple[HeaderField, ...], bytes, tuple[int, int], int]]:
    """Record the entity at data[span] if it is a leaf; yield its children otherwise."""
    values = _values(fields)
    ctype_value = values.get("content-type") or "text/plain"
    match = _TYPE.match(ctype_value)
    ctype = match.group(1).lower() if match else "text/plain"
    if ctype.startswith("multipart/"):
        boundary = _boundary(ctype_value)
        if boundary is None:
            ctype = "text/plain"  # a multipart without a boundary is read as its text
        elif depth >= MAX_NESTING:
            walk.cap("depth", f"MIME parts nested deeper than {MAX_NESTING} were skipped.")
            return
        else:
            for part_span in _split_multipart(data, span, boundary):
                head_end, body_start = _part_head(data, part_span)
                head = _decode_head(data[part_span[0] : head_end])[0]
                part_fields, _ = split_header_block(head) if head.strip() else ((), ())
                yield part_fields, data, (body_start, part_span[1]), depth + 1
            return
    encoding = values.get("content-transfer-encoding")
    raw = data[span[0] : span[1]]
    decoded: bytes | None = None
    if walk.decoded_bytes + len(raw) > MAX_DECODED_BYTES:  # decoding never grows a payload
        limit = MAX_DECODED_BYTES // (1024 * 1024)
        walk.cap("decoded", f"Parts beyond the first {limit} MB were not decoded.")
    else:
        decoded = _decode(raw, encoding)
        walk.decoded_bytes += len(decoded)
    disposition = values.get("content-disposition")
    walk.parts.append(
        Part(
            number=len(walk.parts) + 1,
            content_type=ctype,
            filename=_filename(ctype_value, disposition),
            disposition=_disposition(disposition),
            charset=_charset(ctype_value),
            data=decoded,
        )
    )
    if ctype in _MESSAGE_TYPES and decoded and depth < MAX_NESTING:
        yield from _inner_message(decoded, depth)


def _decode(raw: bytes, encoding: str | None) -> bytes:
    """The payload with its transfer encoding undone.

    Base64 goes straight to `binascii`, which skips line ends and other characters
    outside the alphabet by itself (RFC 2045 §6.8 says to ignore them); only a payload
    with broken padding takes the loader's slower, forgiving path.
    """
    if (encoding or "").strip().lower() == "base64":
        try:
            return binascii.a2b_base64(raw)
        except binascii.Error:
            pass
    return _undo_transfer_encoding(raw, encoding)


def _inner_message(
    data: bytes, depth: int
) -> Iterator[tuple[tuple[HeaderField, ...], bytes, tuple[int, int], int]]:
    """An attached message's own body, to be walked like the outer one."""
    head_end, body_start = _part_head(data, (0, len(data)))
    fields, _ = split_header_block(_decode_head(data[:head_end])[0])
    yield fields, data, (body_start, len(data)), depth + 1


_MIME_FIELDS = frozenset({"content-type", "content-transfer-encoding", "content-disposition"})
_MIME_LENGTHS = frozenset(len(name) for name in _MIME_FIELDS)


def _values(fields: tuple[HeaderField, ...]) -> dict[str, str]:
    """The first value of each MIME field, in one pass over the header fields."""
    found: dict[str, str] = {}
    for header in fields:
        if len(header.name) in _MIME_LENGTHS:  # cheaper than lower-casing every name
            name = header.name.lower()
            if name in _MIME_FIELDS and name not in found:
                found[name] = header.value
    return found


def _charset(ctype: str) -> str | None:
    match = _CHARSET.search(ctype)
    return match.group(1).lower() if match else None


def _disposition(value: str | None) -> str | None:
    if value is None:
        return None
    kind = value.split(";", 1)[0].strip().lower()
    return kind or None


def _filename(ctype: str, disposition: str | None) -> str | None:
    """The file name from Content-Disposition, else Content-Type's name parameter.

    The common plain forms are read with a regex; RFC 2231 forms (`filename*=`) go to the
    stdlib, which knows their continuations and charsets.
    """
    both = f"{ctype};{disposition or ''}"
    if "*=" in both or "*0" in both:
        return _part_type(ctype, disposition).filename
    for text in (disposition or "", ctype):
        match = _NAME.search(text)
        if match is not None:
            name = match.group(1) if match.group(1) is not None else match.group(2)
            return _decode_words(name)
    return None
