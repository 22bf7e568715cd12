"""ASCII twins of case-blind patterns give the same match and groups as the patterns on
any text `ascii_alike` lets through, and the reason tables pick the same rule."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailview.core import ascii_re
from mailview.core.bounce import entry, plain, reasons
from mailview.core.lazy_re import LazyPattern

Rules = tuple[tuple[str, LazyPattern[str]], ...]

TABLES: list[Rules] = [
    reasons._OVERRIDE,
    reasons._TEXT,
    *(provider.rules for provider in reasons._PROVIDERS),
]
# Every pattern read through a twin, and forms where the two readings part on some text
# (\s and the separators, \W, \S) that a table may come to hold.
PATTERNS = [
    *(pattern.compiled for table in TABLES for _, pattern in table),
    plain._HOST,
    plain._IP_SAID,
    entry._STILL_TRYING,
    entry._GAVE_UP,
    *(re.compile(p, re.I) for p in (r"mailbox\s+full", r"\buser\W+unknown", r"(\S+) said")),
]

# The patterns' own words, so that texts come close to matching and often do match.
WORDS = sorted({w for p in PATTERNS for w in re.findall(r"[A-Za-z]{2,}", p.pattern)})
# What sets the two readings apart if the guard were wrong: the separators \x1c-\x1f that
# only Unicode's \s counts as white space, the characters that fold to ASCII letters only
# under Unicode case-blindness, and other non-ASCII letters and spaces.
ODD = ["\x1c", "\x1d", "\x1e", "\x1f", "\u017f", "\u0131", "\u0130", "\u212a", "\xa0", "é"]
PIECES = [*WORDS, *(w.upper() for w in WORDS[::7]), *ODD, " ", "  ", "\t", "\n", "-", ".",
          ":", "[", "]", "5.1.1", "550", "192.0.2.1", "mx.example.org", "<a@b.example>",
          "_", "0"]  # fmt: skip
NOTICE = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)


def answer(match: re.Match[str] | None) -> object:
    return None if match is None else (match.span(), match.groups())


@settings(max_examples=300, deadline=None)
@given(st.one_of(NOTICE, ANY_TEXT))
@example("mailbox\x1cfull")  # \s: Unicode white space, not ASCII
@example("user\x1funknown")
@example("u\u017fer unknown")  # the long s folds to "s" only under Unicode
@example("Host mx.example.org [192.0.2.1] said: 550")
def test_search_answers_as_the_pattern_does(text: str) -> None:
    for pattern in PATTERNS:
        assert answer(ascii_re.search(pattern, text)) == answer(pattern.search(text)), pattern


def unicode_first(rules: Rules, text: str) -> str | None:
    """The rule the patterns themselves pick: the reading before the twins."""
    return next((name for name, pattern in rules if pattern.search(text)), None)


@settings(max_examples=300, deadline=None)
@given(st.one_of(NOTICE, ANY_TEXT))
@example("u\u017fer unknown")
@example("USER UNKNOWN \u212a")
def test_the_reason_tables_pick_the_same_rule(text: str) -> None:
    for table in TABLES:
        assert reasons._first(table, text) == unicode_first(table, text)


def test_the_hot_patterns_have_ascii_twins() -> None:
    for pattern in PATTERNS:
        assert ascii_re.twin(pattern).flags & re.ASCII, pattern.pattern


def test_separators_and_non_ascii_text_take_the_unicode_reading() -> None:
    assert ascii_re.ascii_alike("550 5.1.1 User unknown\t\r\n\x0b\x0c")
    for odd in ODD:
        assert not ascii_re.ascii_alike(f"user{odd}unknown")


def test_a_pattern_that_may_name_a_non_ascii_character_keeps_its_own_reading() -> None:
    for source in (r"\u017fpam", r"caf\xe9", r"\N{KELVIN SIGN}", r"(a)\1", r"\101", "café"):
        pattern = re.compile(source, re.I)
        assert ascii_re.twin(pattern) is pattern
    inline = re.compile(r"(?u)user", re.I)
    assert ascii_re.twin(inline) is inline
