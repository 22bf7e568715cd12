"""Rules about the names of attached files, read from the MIME headers in the body.

Strategy: a regular expression finds the `filename=` and `name=` parameters of the body's
part headers (RFC 2183 §2.3, RFC 2045 §5.1), decoded as mail programs write them — RFC
2231 `filename*=utf-8''%E2%80%AE…`, RFC 2047 encoded-words, raw UTF-8 — without parsing
the MIME tree or decoding a single attachment. Only the first `SCAN_BYTES` of the body
and `MAX_NAMES` names are examined: the rule stays linear whatever the body holds.

A right-to-left override (U+202E) before `fdp.exe` in a file name makes it display as
`exe.pdf`: the oldest trick for passing a program off as a document.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator

from mailview.core.findings.context import RuleContext, finding
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Evidence, Finding, Severity
from mailview.core.words import BIDI_CONTROLS, decode_words, show_controls

SCAN_BYTES = 20 * 1024 * 1024  # attachments are base64 blobs after their headers
MAX_NAMES = 1000

# RFC 2183 §2.3 / RFC 2045 §5.1 parameter, with RFC 2231 §3-4 sections and charset
# (`filename*0*=`, `filename*=`): name [*N] [*] = (quoted-string / token).
_NAME_PARAM = LazyPattern(
    rb'(?i)(?<![\w-])(?:file)?name(\*\d+)?(\*)?[ \t]*=[ \t]*(?:"((?:[^"\\\r\n]|\\.)*)"|([^;\s"]+))'
)
_BIDI = LazyPattern(f"[{BIDI_CONTROLS}]")


def bidi_attachment_name(ctx: RuleContext) -> Iterator[Finding]:
    for name in dict.fromkeys(_attachment_names(ctx.message.body)):
        if _BIDI.search(name):
            shown = show_controls(name)
            yield finding(
                "content.bidi_attachment_name",
                Severity.HIGH,
                "An attachment's name hides its real type",
                f"The attached file is named {shown}: it holds a character that reverses "
                "the direction the rest of the name is displayed in, so that a program "
                "(.exe, .scr, .js) shows up with the ending of a harmless document. "
                "Nothing legitimate names a file this way.",
                [Evidence(None, "attachment", f"filename={shown}")],
            )


def _attachment_names(body: bytes) -> Iterator[str]:
    for count, match in enumerate(_name_params(body)):
        if count >= MAX_NAMES:
            return
        section, extended, quoted, token = match.groups()
        raw = quoted if quoted is not None else token
        del section  # a continuation is examined on its own: a control shows in its piece
        yield _decoded(raw, extended=extended is not None)


def _name_params(body: bytes) -> Iterator[re.Match[bytes]]:
    """What `_NAME_PARAM.finditer(body, 0, SCAN_BYTES)` finds, found faster.

    A case-insensitive pattern that starts with a look-behind is tried at every byte of
    the body, which made this the costliest rule; `bytes.find` on a lower-cased copy
    jumps from one `name` to the next, and the pattern is tried only there.
    """
    lowered = body[:SCAN_BYTES].lower()
    pos = 0
    while (at := lowered.find(b"name", pos)) >= 0:
        match = None
        if at >= 4 and lowered.startswith(b"file", at - 4) and at - 4 >= pos:
            match = _NAME_PARAM.match(body, at - 4, SCAN_BYTES)
        match = match or _NAME_PARAM.match(body, at, SCAN_BYTES)
        if match is None:
            pos = at + 1
            continue
        yield match
        pos = match.end()


def _decoded(raw: bytes, *, extended: bool) -> str:
    text = raw.decode("utf-8", "replace")
    if extended:
        # RFC 2231 §4: charset ' language ' %-encoded octets
        charset, _, rest = text.partition("'")
        encoded = rest.partition("'")[2] if rest else charset
        try:
            return urllib.parse.unquote(encoded, encoding=charset or "utf-8", errors="replace")
        except LookupError:
            return urllib.parse.unquote(encoded, errors="replace")
    return decode_words(text)


RULES = (bidi_attachment_name,)
