"""`LazyPattern` answers every call as the compiled pattern does, text or bytes, and
compiles only when first asked."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from mailview.core.lazy_re import LazyPattern

# Shapes of the patterns made lazy: dates, Received comments, MIME parameters, mbox lines.
_TEXT_PATTERNS = (
    (r"(?P<day>\d{1,2}) (?P<mon>[a-z]{3}) (?P<year>\d{4})", re.I),
    (r"envelope-(?:from|sender)\s*(<[^<>]*>|[^\s<>,;()]+)?", re.I),
    (r"[()\\]", 0),
)
_BYTES_PATTERNS = (
    (rb"From \S+ +(?=[^\r\n]*\d:\d\d)[^\r\n]*\r?\n", 0),
    (rb"[^\r\n]*(?:\r\n|\n|\r|\Z)", 0),
)


def _answers(pattern: re.Pattern[str] | LazyPattern[str], text: str) -> list[object]:
    def spans(m: re.Match[str] | None) -> object:
        return None if m is None else (m.span(), m.groups())

    return [
        spans(pattern.search(text)),
        spans(pattern.search(text, 1, max(1, len(text) - 1))),
        spans(pattern.match(text)),
        spans(pattern.fullmatch(text)),
        [m.span() for m in pattern.finditer(text)],
        pattern.findall(text),
        pattern.sub("<>", text),
        pattern.sub(lambda m: m.group(0).upper(), text, 1),
        pattern.split(text),
        pattern.split(text, 1),
    ]


@given(st.text(alphabet="01234 abcJUNnov()\\<>-:envelopfrsd\r\n", max_size=60))
def test_text_patterns_answer_as_compiled_ones(text: str) -> None:
    for source, flags in _TEXT_PATTERNS:
        lazy = LazyPattern(source, flags)
        assert _answers(lazy, text) == _answers(re.compile(source, flags), text)


@given(st.binary(max_size=60).map(lambda b: b"From x 1 10:00 2024\n" + b))
def test_bytes_patterns_answer_as_compiled_ones(data: bytes) -> None:
    for source, flags in _BYTES_PATTERNS:
        lazy, compiled = LazyPattern(source, flags), re.compile(source, flags)
        assert [m.span() for m in lazy.finditer(data)] == [
            m.span() for m in compiled.finditer(data)
        ]
        found, expected = lazy.match(data), compiled.match(data)
        assert (found and found.group()) == (expected and expected.group())
        assert lazy.sub(b"", data) == compiled.sub(b"", data)


def test_compiled_on_the_first_call_only_and_equal_by_source() -> None:
    lazy = LazyPattern(r"a+", re.I)
    assert lazy._compiled is None  # made, not compiled
    assert lazy.findall("xAaAx") == ["AaA"]
    first = lazy.compiled
    assert lazy.search("a") is not None and lazy.compiled is first  # compiled once
    assert lazy == LazyPattern(r"a+", re.I) and hash(lazy) == hash(LazyPattern(r"a+", re.I))
    assert lazy != LazyPattern(r"a+")
    assert LazyPattern(rb"a+").compiled.pattern == b"a+"
