"""Case-blind patterns run with re.ASCII on text where that changes no answer.

Under re.IGNORECASE a str pattern compares characters the Unicode way, a third to two
thirds slower than the ASCII way, while the text it reads (a server's reply, a notice's
prose) is nearly always ASCII. On such text an ASCII-written pattern gives the same
answer under re.ASCII — the same match, the same groups — as every test the regex
engine makes comes out the same:

- case: the only non-ASCII characters that fold to ASCII letters ("ſ" to s, "ı" and "İ"
  to i, the Kelvin sign to k) cannot occur in the text, and a pattern written in ASCII
  names none of them (escapes that could, \\x80 to \\U0010ffff, \\N{…} and octal, are
  refused, as are group references, which share their digits);
- \\w, \\d and \\b agree on every ASCII character;
- \\s does not: Unicode counts the separators \\x1c-\\x1f as white space and ASCII does
  not, so a text that holds one is read the Unicode way.
"""

from __future__ import annotations

import re

# What keeps a text from being read the ASCII way (see the module docstring).
_SEPARATORS = re.compile(r"[\x1c-\x1f]")
# Escapes that may name a character beyond ASCII, or a group by number.
_UNSAFE_ESCAPE = re.compile(r"\\[xuUN0-9]")


def ascii_alike(text: str) -> bool:
    """Whether a twin reads `text` as its pattern would: ASCII without \\x1c-\\x1f."""
    return text.isascii() and _SEPARATORS.search(text) is None


# Twins by the identity of their pattern: hashing a compiled pattern hashes its whole
# program, microseconds for a long alternation on every look-up. Each entry keeps its
# pattern alive, so the identity is never reused; only module-level patterns come here.
_TWINS: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` compiled with re.ASCII when it may be (see the module docstring), else
    `pattern` itself."""
    known = _TWINS.get(id(pattern))
    if known is not None and known[0] is pattern:
        return known[1]
    made = _make_twin(pattern)
    _TWINS[id(pattern)] = (pattern, made)
    return made


def _make_twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    source = pattern.pattern
    if pattern.flags & re.ASCII or not source.isascii() or _UNSAFE_ESCAPE.search(source):
        return pattern
    try:
        return re.compile(source, (pattern.flags & ~re.UNICODE) | re.ASCII)
    except (re.error, ValueError):  # an inline (?u) in the source: keep to Unicode
        return pattern


def search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)`, by its ASCII twin when the text allows."""
    return (twin(pattern) if ascii_alike(text) else pattern).search(text)
