"""Properties: each matcher rewritten for speed answers exactly what the code it replaced did.

The replaced code is written out here as the reference (a regex split, dkimpy's own
canonicalisation, a case-insensitive alternation, a character-by-character scan), and
hypothesis draws inputs from alphabets made of the characters each one turns on, so that
the edge cases (lone CR, tab before CRLF, dotless ı, a bidi override next to a Hebrew
letter, a header prefix one character short) come up in every run.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.auth import dkim
from mailview.core.chain import route_from_headers
from mailview.core.dates import parse_date
from mailview.core.findings import content, credentials
from mailview.core.findings.context import RuleContext
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField, LoadedMessage
from mailview.core.vendors import gateways, senders

# --- DKIM body canonicalisation --------------------------------------------------------

BODY_PIECES = [b"a", b"Z", b" ", b"  ", b"\t", b"\r", b"\n", b"\r\n", b" \r\n", b"\t\r\n", b"="]
BODIES = st.lists(st.sampled_from(BODY_PIECES), max_size=40).map(b"".join)


def _reference_crlf(body: bytes) -> bytes:
    return b"\r\n".join(re.split(rb"\r?\n", body))


@settings(max_examples=400)
@given(BODIES)
def test_crlf_lines_equals_the_regex_split(body: bytes) -> None:
    assert dkim.crlf_lines(body) == _reference_crlf(body)


@settings(max_examples=400)
@given(BODIES, st.sampled_from(["relaxed/relaxed", "simple/relaxed", "relaxed/simple", None]))
def test_canonical_body_equals_dkimpy(body: bytes, canon: str | None) -> None:
    policy = dkim._policy(canon)
    crlf = _reference_crlf(body)
    assert dkim.canonical_body(policy, crlf) == policy.canonicalize_body(crlf)


def test_canonical_body_equals_dkimpy_on_a_large_base64_body() -> None:
    body = b"".join(b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n" for _ in range(2000)) + b"\r\n\r\n"
    policy = dkim._policy("relaxed/relaxed")
    assert dkim.canonical_body(policy, body) == policy.canonicalize_body(body)


# --- look-alike letters, invisible and direction characters ------------------------------

# Latin (ASCII and Latin-1), Cyrillic, Greek, Armenian, Cherokee, Hebrew and Arabic
# letters, digits, the invisible and direction controls, a dotless ı, punctuation.
SCRIPT_CHARS = list(
    "aeoPx é ßµª\u0430\u0435\u043e\u0440\u03bf\u03b1\u0585\u13aa\u05d0\u0627 1_.-"
    "\u200b\u2060\ufeff\u200c\u200d\u202d\u202e\u202a\u202b\u202c\u2066\u2067\u2068\u2069"
    "\u0131\u2019\U0001d400"
)
SCRIPT_TEXTS = st.lists(st.sampled_from(SCRIPT_CHARS), max_size=30).map("".join)


def _ctx(subject: str, sender: str = "Bob <bob@example.org>") -> RuleContext:
    headers = (
        HeaderField(0, "From", sender, f"From: {sender}", 1),
        HeaderField(1, "Subject", subject, f"Subject: {subject}", 2),
    )
    message = LoadedMessage(headers=headers, body=b"", format="eml", address=(), label="x")
    return RuleContext(message, headers, route_from_headers(headers), datetime.now(UTC))


def _reference_mixed(text: str) -> list[str]:
    return [w for w in content._WORD.findall(text) if content._mixes(w)]


def _reference_hidden(text: str) -> list[int]:
    chars = "".join(sorted(content._ALWAYS_INVISIBLE | content._JOINERS))
    return [
        m.start()
        for m in re.finditer(f"[{chars}]", text)
        if m.group() in content._ALWAYS_INVISIBLE or content._between_latin_like(text, m.start())
    ]


def _reference_bidi(text: str) -> bool:
    """Whether the old character scan flagged `text` for direction controls."""
    overrides = re.findall(f"[{''.join(sorted(content._OVERRIDES))}]", text)
    embeddings = re.findall(f"[{''.join(sorted(content._EMBEDDINGS))}]", text)
    rtl = any(unicodedata.bidirectional(c) in {"R", "AL"} for c in text)
    return bool(overrides) or (bool(embeddings) and not rtl)


@settings(max_examples=600)
@given(SCRIPT_TEXTS)
def test_script_rules_equal_the_character_scans(text: str) -> None:
    ctx = _ctx(text)
    mixed = [f for f in content.mixed_scripts(ctx) if "Subject" in f.title]
    assert bool(mixed) == bool(_reference_mixed(text))
    assert content._invisible_positions(text) == _reference_hidden(text)
    bidi = [f for f in content.bidi_controls(ctx) if "Subject" in f.title]
    assert bool(bidi) == _reference_bidi(text)


def test_no_latin1_character_is_one_the_script_checks_look_for() -> None:
    """What `_wide_chars` leaves out can hold nothing the checks need."""
    wanted = content._ALWAYS_INVISIBLE | content._JOINERS | content._OVERRIDES | content._EMBEDDINGS
    for code in range(256):
        char = chr(code)
        assert char not in wanted
        assert unicodedata.bidirectional(char) not in {"R", "AL"}
        assert content._script(char) not in content._CONFUSABLE_SCRIPTS - {"LATIN"}


def test_a_long_latin1_subject_is_not_split_into_words() -> None:
    text = "Die heiße Zypernsonne quälte Max " * 4000
    assert content._wide_chars(text) == set()
    assert not content._may_mix(text)
    assert content._may_mix(text + "P\u0430yPal")


# --- credential phrases -----------------------------------------------------------------

PHRASE_WORDS = [
    "password", "Password", "PASSWORD", "passwort", "Kennwort", "will", "is", "about", "to",
    "has", "expire", "expires", "expired", "Expir", "läuft", "ist", "ab", "abgelaufen", "mot",
    "de", "passe", "expiré", "verify", "Confirm", "validate", "reactivate", "re-activate",
    "your", "email", "e-mail", "account", "identity", "mailbox", "full", "over", "quota",
    "storage", "exceeded", "almost", "suspended", "locked", "unusual", "sign-in", "login",
    "activity", "konto", "gesperrt", "пароль", "истек", "Пароль", "ИСТЕК", "срок",
    "действия", "пароля", "аккаунт", "заблокирован", "密码", "过期", "即将", "パスワードの有効期限",
    " ", "  ", "\n", "\t", ".", ",", "x", "K", "\u212a", "\u0130", "\u0131", "\u017f",
    "\u1c82", "ß", "é", "É",
]  # fmt: skip
PHRASE_TEXTS = st.lists(st.sampled_from(PHRASE_WORDS), max_size=25).map("".join)


@settings(max_examples=800)
@given(PHRASE_TEXTS)
def test_branch_search_finds_what_the_alternation_finds(text: str) -> None:
    lowered = text.lower()
    if not credentials._folds_alike(text, lowered):
        return  # such texts are searched with the alternation itself
    for _, pattern in credentials._PHRASES:
        match = pattern.search(text)
        expected = None if match is None else match.span()
        assert credentials._branch_search(pattern, lowered) == expected


@pytest.mark.parametrize(
    "text",
    [
        "\u0130 password expires",  # İ lowers to two characters: the places would shift
        "pa\u017fsword expires",  # a long s, which only the case-insensitive search folds
    ],
)
def test_texts_the_lower_cased_search_would_misread_are_refused(text: str) -> None:
    pattern = credentials._PHRASES[0][1]
    match = pattern.search(text)
    assert match is not None
    assert credentials._branch_search(pattern, text.lower()) != match.span()
    assert not credentials._folds_alike(text, text.lower())


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("ab|abc", "xxabc"),  # a tie: the first branch wins, as in the alternation
        ("abc|ab", "xxabc"),
        ("b+c|a(?:b|bb)c", "abbc"),
        ("(?:ab|a)c|x", "zzacx"),
        ("q|z", "abc"),
    ],
)
def test_branch_search_on_made_up_alternations(pattern: str, text: str) -> None:
    made_up = LazyPattern(pattern, re.I)
    match = made_up.search(text)
    assert credentials._branch_search(made_up, text) == (None if match is None else match.span())


def test_each_phrase_pattern_is_its_branches() -> None:
    for _, pattern in credentials._PHRASES:
        parts = credentials.split_alternatives(pattern.pattern)
        assert "|".join(parts) == pattern.pattern
        assert len(credentials._branches(pattern.pattern)) >= len(parts) > 1


def test_split_alternatives_ignores_bars_in_groups_classes_and_escapes() -> None:
    assert credentials.split_alternatives(r"a(?:b|c)|[|]d|e\|f|g") == [
        "a(?:b|c)",
        "[|]d",
        r"e\|f",
        "g",
    ]
    assert credentials.split_alternatives(r"a[(]|b[^]|]|c[]|(]") == ["a[(]", "b[^]|]", "c[]|(]"]
    assert credentials._distribute("(?:ab|cd)e") == ["abe", "cde"]
    assert credentials._distribute("(?:[)|]|a)b") == ["[)|]b", "ab"]
    assert credentials._distribute("(?:a|b") == ["(?:a|b"]
    assert credentials._distribute("(?:ab|cd)?e") == ["(?:ab|cd)?e"]


@pytest.mark.skipif(sys.maxunicode < 0x10FFFF, reason="needs the whole of Unicode")
def test_fold_traps_are_every_character_lower_casing_misses() -> None:
    """Over all of Unicode: the characters a case-insensitive phrase letter matches though
    `str.lower` does not turn them into it are exactly the ones `_folds_alike` refuses;
    and lower-casing keeps every other character a word or space character as it was."""
    letters = {
        char
        for _, pattern in credentials._PHRASES
        for char in re.sub(r"\\.", "", pattern.pattern)
        if char not in "()|?:*+[]{}"
    }
    assert all(pattern.pattern == pattern.pattern.lower() for _, pattern in credentials._PHRASES)
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    any_letter = re.compile(f"[{re.escape(''.join(sorted(letters)))}]", re.I)
    traps = {
        char
        for char in set(any_letter.findall(everything))
        if len(char.lower()) == 1
        and any(
            bool(re.fullmatch(re.escape(p), char, re.I)) != (char.lower() == p) for p in letters
        )
    }
    assert traps == set(credentials._FOLD_TRAPS)
    word, space = re.compile(r"\w"), re.compile(r"\s")
    for char in everything:
        low = char.lower()
        if len(low) == 1:
            assert low not in letters or re.fullmatch(re.escape(low), char, re.I)
            assert bool(word.match(char)) == bool(word.match(low))
            assert bool(space.match(char)) == bool(space.match(low))


# --- vendor header families --------------------------------------------------------------

NAME_PIECES = ["x-", "X-", "mailgun-", "sg-", "zendesk-", "roving-", "proofpoint-", "tm-",
               "tm-as-", "ironport-", "amp-", "bess-", "sophos-", "mimecast-", "a", "-",
               "id"]  # fmt: skip
NAMES = st.lists(st.sampled_from(NAME_PIECES), max_size=5).map("".join)


@settings(max_examples=400)
@given(NAMES)
def test_family_prefix_gates_equal_the_loops(name: str) -> None:
    low = name.lower()
    service = next((s for s in senders.SERVICES if s.prefixes and low.startswith(s.prefixes)), None)
    assert senders._family(name) == (None if low in senders.DECODERS else service)
    vendor = next((v for prefixes, v in gateways._FAMILIES if low.startswith(prefixes)), None)
    assert gateways._family_of(name) == (None if low in gateways.DECODERS else vendor)


# --- parses shared between rules ---------------------------------------------------------


def test_the_shared_author_and_date_follow_each_message() -> None:
    """The author and the Date parse that rules share are one message's only: analysing
    another message in between, or the same From at another place, gives its own."""
    from mailview.core.findings import identity, time

    first = _ctx("hello", "Alice <alice@first.example>")
    second = _ctx("hello", "Bob <bob@second.example>")
    for ctx, domain in (
        (first, "first.example"),
        (second, "second.example"),
        (first, "first.example"),
    ):
        author = identity._author(ctx)
        assert author is not None
        assert author.domain == domain
        assert author.field is ctx.first("from")
    dates = ["Mon, 6 Jun 2022 10:00:00 +0200", "not a date", "Tue, 7 Jun 2022 10:00:00 -0000"]
    for value in (*dates, dates[0]):
        field = HeaderField(0, "Date", value, f"Date: {value}", 1)
        assert time._parsed(field) == parse_date(value)
