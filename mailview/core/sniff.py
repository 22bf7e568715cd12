"""Recognise what a file that is not an email message is, for a one-sentence error.

Strategy: binary formats are recognised by their magic numbers before any attempt to read
the file as a message (no message can start with them). Text formats (HTML, XML, JSON)
are only named after the message check failed, so a message whose body happens to be
XML or HTML is never rejected: what matters is how the file starts.
"""

from __future__ import annotations

import json
import re

from mailview.core.lazy_re import LazyPattern

# (magic bytes at offset 0, what the file is) — checked in order.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),  # empty archive
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a Linux/Unix program (ELF executable)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard-compressed file"),
    (b"%!PS", "a PostScript document"),
    (b"{\\rtf", "an RTF document"),
    (b"RIFF", "a RIFF media file (WAV/AVI/WebP)"),
    (b"\x00\x00\x01\x00", "a Windows icon"),
)

_MAGIC_FIRST_BYTES = frozenset(m[:1] for m, _ in _MAGIC)
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")

# Office Open XML / OpenDocument packages are ZIP files whose first member names them.
_ZIP_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"word/", "a Word document (.docx)"),
    (b"xl/", "an Excel workbook (.xlsx)"),
    (b"ppt/", "a PowerPoint presentation (.pptx)"),
    (b"mimetypeapplication/vnd.oasis.opendocument", "an OpenDocument file"),
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Control bytes that never occur in text (NUL aside, which broken mail does carry).
_BINARY_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")
# Comments skipped possessively (`*+`), as in `indicators._TEXT_KINDS`: re-splitting them on
# failure doubled the time with each comment.
_HTML_START = LazyPattern(
    rb"\s*(?:<!--.*?-->\s*)*+<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_XML_START = LazyPattern(rb"\s*<\?xml\b|\s*<[A-Za-z_][\w.:-]*[\s>/]", re.I)


def binary_kind(data: bytes) -> str | None:
    """Name the binary format `data` starts with ("a PNG image"), or None."""
    if data[:1] in _MAGIC_FIRST_BYTES:
        for magic, kind in _MAGIC:
            if data.startswith(magic):
                return _zip_kind(data) if kind == "a ZIP archive" else kind
    # "BZh" and "MZ" could start a header name: require what follows in those formats.
    if data.startswith(b"BZh") and _BZIP2.match(data):
        return "a bzip2-compressed file"
    if data.startswith(b"MZ") and _BINARY_BYTES.search(data[2:64]) is not None:
        return "a Windows program (EXE/DLL)"
    return None


def _zip_kind(data: bytes) -> str:
    head = data[30:120]  # the first member's name follows the 30-byte local file header
    for marker, kind in _ZIP_KINDS:
        if head.startswith(marker) or (marker == b"word/" and b"word/" in head):
            return kind
    return "a ZIP archive"


def is_probably_binary(data: bytes) -> bool:
    """True when the start of `data` has too many control bytes to be text."""
    sample = data[:4096]
    if not sample:
        return False
    controls = len(_BINARY_BYTES.findall(sample)) + sample.count(b"\x00")
    return controls * 20 > len(sample)  # more than 5 %


def not_a_message(data: bytes, subject: str) -> str:
    """One sentence saying what `data` is, given that it failed the message check.

    `subject` starts the sentence: "This file" or "The pasted text".
    """
    kind = binary_kind(data)
    if kind is not None:
        return f"{subject} is {kind}, not an email message."
    if not data.strip():
        return f"{subject} is empty, not an email message."
    if is_probably_binary(data):
        return f"{subject} does not look like an email message: it has no header fields."
    text_kind = _text_kind(data)
    if text_kind is not None:
        return f"{subject} is {text_kind}, not an email message."
    return (
        f"{subject} does not look like an email message: "
        "it does not start with header fields such as Received, From or Subject."
    )


def _text_kind(data: bytes) -> str | None:
    if _HTML_START.match(data[:4096]):
        return "an HTML document"
    if _XML_START.match(data[:1024]):
        return "XML data"
    stripped = data.lstrip()
    if stripped[:1] in (b"{", b"[") and _is_json(stripped):
        return "JSON data"
    return None


def _is_json(data: bytes) -> bool:
    if len(data) > 20_000_000:
        return data.rstrip()[-1:] in (b"}", b"]")  # too big to parse just for a message
    try:
        json.loads(data)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return False
    return True
