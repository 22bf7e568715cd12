"""Message text made safe for where it is shown: a terminal, an XML document.

Strategy: a header is attacker-chosen text. On a terminal its control characters are
commands (ESC starts sequences that set the window title, clear the screen or write
hyperlinks; BEL rings; CR overwrites the line) and bidirectional controls reorder what
the analyst reads (U+202E shows `exe.pdf` for `fdp.exe`). `visible` writes each such
character as an escape the analyst can read (`\\x1b`, `\\u202e`) instead. XML 1.0 forbids
most C0 controls outright (§2.2 Char), even as character references, so `xml_safe` drops
them from a document, raw or referenced.
"""

from __future__ import annotations

import re

from mailview.core.words import show_controls

# XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def visible(text: str) -> str:
    """`text` with control, bidi and undecodable characters written as visible escapes.

    Line feeds and tabs stay: they are the report's own layout.
    """
    return show_controls(text)


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (they have no escape there)."""
    return _XML_FORBIDDEN.sub("", text)


def xml_document_safe(document: bytes) -> bytes:
    """An XML document (UTF-8) without forbidden characters, raw or as references."""
    text = document.decode("utf-8", "replace")
    cleaned = xml_safe(text).encode("utf-8")
    return _CHAR_REF.sub(_allowed_reference, cleaned)


def _allowed_reference(match: re.Match[bytes]) -> bytes:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if code > 0x10FFFF or _XML_FORBIDDEN.match(chr(code)):
        return b""
    return match.group(0)
