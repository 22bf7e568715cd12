"""RFC 2047 encoded-words, decoded without ever raising.

Strategy: the stdlib decoder does the work; every way it can fail on hostile input (an
unknown or malformed charset raises `email.errors.CharsetError`, a bad encoding
`HeaderParseError`, `LookupError` or `UnicodeError`) leaves the text as written. This is
the only place mailview decodes encoded-words, so no caller can forget one of them.
"""

from __future__ import annotations

import email.errors
import email.header
import functools
import re

from mailview.core.lazy_re import LazyPattern

_FAILURES = (ValueError, LookupError, UnicodeError, email.errors.MessageError)

# C0 controls but TAB and LF, DEL, C1 controls (ECMA-48: CSI, OSC … in 8-bit form): on a
# terminal they are commands (ESC sequences set the window title, clear the screen, write
# hyperlinks; BEL rings; CR overwrites the line).
CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Unicode bidirectional formatting characters (UAX #9 §2): LRE RLE PDF LRO RLO, LRI RLI FSI
# PDI, LRM RLM ALM; and the line and paragraph separators. They reorder what is shown:
# U+202E makes `fdp.exe` display as `exe.pdf`.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029"
_UNSAFE = LazyPattern(f"[{CONTROLS}{BIDI_CONTROLS}]")
# Surrogates stand for bytes that were not UTF-8 (surrogateescape): they cannot be printed.
_SURROGATE = LazyPattern("[\ud800-\udfff]")


def show_controls(text: str) -> str:
    """`text` with control, bidi and undecodable characters written as visible escapes
    (`\\x1b`, `\\u202e`, `\\xff`); line feeds and tabs stay."""
    text = _UNSAFE.sub(_escape, text)
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# The stdlib decoder slows with the square of a value's encoded-words (it pops from the
# front of a list): a long value is decoded a piece at a time, cut at white space.
_PIECE = 4096


def decode_words(value: str) -> str:
    """`value` with RFC 2047 encoded-words decoded; undecodable words stay as written."""
    if "=?" not in value:
        return value
    if len(value) <= _PIECE:
        return _decode_encoded(value)
    return "".join(_decode_encoded(piece) for piece in _pieces(value))


def _pieces(value: str) -> list[str]:
    pieces = []
    start = 0
    while start < len(value):
        end = start + _PIECE
        if end < len(value):
            space = value.rfind(" ", start + 1, end)
            end = space if space > start else end
        pieces.append(value[start:end])
        start = end
    return pieces


# Several rules and panels read the same From and Subject; the stdlib decoder is slow, and
# the function is pure, so a bounded memo pays for itself within one message.
@functools.lru_cache(maxsize=512)
def _decode_encoded(value: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except _FAILURES:
        return value
