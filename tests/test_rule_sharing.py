"""Properties: what the finding rules share or skip changes no answer.

Rules share what several of them derive from one message (`RuleContext.once`), remember
per-header mailbox parses, and skip work a cheap exact test shows cannot matter: deeper
deletions of a word than the edit distance allows, the script test of an ASCII label, the
Punycode decoding of a domain without `xn--`, anchors a shorter anchor or the text's
ASCII-ness makes redundant. The replaced code is written out here as the reference, and
hypothesis draws from alphabets that hold the traps (brand labels edited twice, Cyrillic
look-alikes, `ſ`, the Kelvin sign, dotless `ı`, dotted `İ`, accented anchors).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.chain import route_from_headers
from mailview.core.domains import org_domain
from mailview.core.errors import InputError
from mailview.core.findings import credentials, lookalike
from mailview.core.findings import registry as registry_module
from mailview.core.findings.context import RuleContext
from mailview.core.findings.registry import run_rules
from mailview.core.model import HeaderField, LoadedMessage

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# --- brand candidates: deletions only as deep as the distance test allows ----------------

LABELS = sorted({label for brand in lookalike.BRANDS for label in brand.labels})
EDIT_CHARS = "abcdeilmnorstuy01-ſKıİаеорс"


def _reference_candidates(word: str) -> set[tuple[int, int]]:
    found = set(lookalike._SKELETONS.get(lookalike.skeleton(word), ()))
    if len(word) <= 63:
        for gone in lookalike._deletions(word):
            found.update(lookalike._DELETIONS.get(gone, ()))
    return found


@st.composite
def _edited_labels(draw: st.DrawFn) -> str:
    """A brand label with up to three edits (insert, delete, substitute, swap)."""
    word = list(draw(st.sampled_from(LABELS)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(word)))
        kind = draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
        char = draw(st.sampled_from(EDIT_CHARS))
        if kind == "insert":
            word.insert(at, char)
        elif at < len(word) and kind == "delete":
            del word[at]
        elif at < len(word) and kind == "substitute":
            word[at] = char
        elif at + 1 < len(word):
            word[at], word[at + 1] = word[at + 1], word[at]
    return "".join(word)


WORDS = _edited_labels() | st.text(alphabet=EDIT_CHARS, max_size=20)


def _resembling(word: str, candidates: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The candidates `_brand_imitation` would act on: those `word` resembles."""
    return {
        (b, n)
        for b, n in candidates
        if lookalike.resemblance(word, lookalike.BRANDS[b].labels[n]) is not None
    }


@settings(max_examples=1500)
@given(WORDS)
def test_candidates_keep_every_label_the_full_index_finds_alike(word: str) -> None:
    new = lookalike._candidates(word)
    reference = _reference_candidates(word)
    assert new <= reference
    assert _resembling(word, new) == _resembling(word, reference)


def test_candidates_find_a_long_label_two_insertions_away() -> None:
    # `microsoftonline` with two letters added needs two deletions from the word itself.
    word = "microsofttonlinee"
    assert _resembling(word, lookalike._candidates(word)) == _resembling(
        word, _reference_candidates(word)
    )
    assert _resembling(word, lookalike._candidates(word))


# --- scripts of a label: an ASCII label has no trick -----------------------------------


def _reference_script_trick(label: str) -> str | None:
    found = lookalike.scripts(label)
    if "CJK" in found and found <= {"CJK", "LATIN"}:
        return None
    if len(found) > 1:
        return f"mixes {' and '.join(sorted(s.title() for s in found))} letters"
    if found and found != {"LATIN"}:
        letters = [c for c in label if unicodedata.category(c).startswith("L")]
        if all(c.translate(lookalike._CONFUSABLE).isascii() for c in letters):
            (script,) = found
            return f"is written in {script.title()} letters that all look like Latin ones"
    return None


def test_every_ascii_character_is_latin_or_no_letter() -> None:
    for code in range(128):
        assert lookalike.scripts(chr(code)) <= {"LATIN"}


LABEL_CHARS = "pal0-1xnаросеіαοK\u017f\u0131\u0130ä中"


@settings(max_examples=800)
@given(st.text(alphabet=LABEL_CHARS, max_size=12))
def test_script_trick_equals_the_full_scan(label: str) -> None:
    assert lookalike.script_trick(label) == _reference_script_trick(label)


# --- Unicode form of a domain -------------------------------------------------------------

DOMAIN_PIECES = ["xn--", "pypal-4ve", "80ak6aa92e", "x", "n", "-", ".", "paypal", "com", "XN--"]


@settings(max_examples=600)
@given(st.lists(st.sampled_from(DOMAIN_PIECES), max_size=8).map("".join))
def test_unicode_domain_equals_the_label_by_label_decoding(domain: str) -> None:
    expected = ".".join(lookalike.unicode_label(label) for label in domain.split("."))
    assert lookalike.unicode_domain(domain) == expected


# --- credential anchors -------------------------------------------------------------------

ANCHORS = sorted({a for anchors in credentials._ANCHORS.values() for a in anchors})
TEXT_PIECES = [*ANCHORS, *(a.upper() for a in ANCHORS), "s", "ſ", "K", "\u212a", "ı", "İ", " ",
               "e", "é", "x", "suspen", "verif", "confir", "bloq"]  # fmt: skip


@settings(max_examples=1500)
@given(st.lists(st.sampled_from(TEXT_PIECES), max_size=8).map("".join))
def test_needles_find_a_text_exactly_when_the_anchors_do(text: str) -> None:
    lowered = text.lower()
    for kind, anchors in credentials._ANCHORS.items():
        needles = credentials._needles(kind, lowered.isascii())
        assert any(a in lowered for a in needles) == any(a in lowered for a in anchors)


# --- values shared between rules ---------------------------------------------------------


def _ctx(*headers: tuple[str, str]) -> RuleContext:
    fields = tuple(
        HeaderField(i, name, value, f"{name}: {value}", i + 1)
        for i, (name, value) in enumerate(headers)
    )
    message = LoadedMessage(headers=fields, body=b"", format="eml", address=(), label="x")
    return RuleContext(message, fields, route_from_headers(fields), datetime.now(UTC))


def test_once_makes_a_value_once_per_context() -> None:
    made: list[RuleContext] = []

    def make(ctx: RuleContext) -> int:
        made.append(ctx)
        return len(made)

    first = _ctx(("From", "a@first.example"))
    second = dataclasses.replace(first)
    assert [first.once(make), first.once(make), second.once(make)] == [1, 1, 2]
    assert made == [first, second]


def test_rules_answer_alike_on_one_message_after_another() -> None:
    """A context's shared values are its message's: the rules on one message, then on
    another, then on the first again, answer as on fresh contexts."""
    first = _ctx(
        ("From", "PayPal <service@paypa1.com>"),
        ("Reply-To", "help@gmail.com"),
        ("Return-Path", "<bounce@paypa1.com>"),
        ("To", "victim@contoso.example"),
    )
    second = _ctx(("From", "Bob <bob@second.example>"), ("To", "alice@second.example"))
    answers = [run_rules(ctx, strict=True) for ctx in (first, second, first)]
    fresh = [run_rules(dataclasses.replace(c), strict=True) for c in (first, second, first)]
    assert answers == fresh
    backwards = [run_rules(dataclasses.replace(c), strict=True) for c in (second, first)]
    assert backwards == answers[1::-1]
    assert any(f.code == "identity.lookalike_domain" for f in answers[0])
    borrowed = {"identity.lookalike_domain", "identity.reply_to_other_org"}
    assert borrowed <= {f.code for f in answers[0]}
    assert not borrowed & {f.code for f in answers[1]}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus")
def test_rules_answer_alike_when_run_again_on_a_context() -> None:
    """No rule changes what it was handed through `once`: over the corpus, running every
    rule a second time on the same context (its shared values made) answers as the first
    run and as a fresh context."""
    contexts: list[RuleContext] = []
    original = registry_module.run_rules

    def capture(ctx: RuleContext, *args: object, **kwargs: object) -> object:
        contexts.append(ctx)
        return original(ctx, strict=True)

    import mailview.core.analyze as analyze_module

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analyze_module, "run_rules", capture)
        for path in sorted(p for p in CORPUS.rglob("*.eml") if p.is_file())[:150]:
            try:
                analyze_bytes(path.read_bytes(), path.name, options=AnalysisOptions())
            except InputError:
                continue
    assert contexts
    for ctx in contexts:
        again = run_rules(ctx, strict=True)
        assert again == run_rules(dataclasses.replace(ctx), strict=True)


def _reference_imitation(domain: str, recipients: tuple[str, ...]) -> lookalike.Imitation | None:
    if len(domain) > lookalike._MAX_DOMAIN:
        return None
    org = org_domain(domain) or domain
    shown = lookalike.unicode_domain(org)
    for recipient in recipients:
        target = org_domain(recipient) or recipient
        if target == org or not target or len(target) > lookalike._MAX_DOMAIN:
            continue
        target_shown = lookalike.unicode_domain(target)
        basis = min(len(shown.split(".", 1)[0]), len(target_shown.split(".", 1)[0]))
        how = lookalike.resemblance(shown, target_shown, basis)
        if how is not None:
            return lookalike.Imitation("recipient", target_shown, lookalike._HOW[how])
    return lookalike._brand_imitation(domain, org, shown) or lookalike._script_imitation(shown)


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(DOMAIN_PIECES), min_size=1, max_size=6).map("".join),
    st.sampled_from([(), ("paypal.com",), ("contoso.example",), ("xn--pypal-4ve.com",)]),
)
def test_imitation_answers_alike_whatever_was_asked_before(
    domain: str, to: tuple[str, ...]
) -> None:
    """The brand and script judgement remembered per domain is the one each recipient
    list gets from the judgement made afresh."""
    for recipients in ((), to, ("paypa1.com",), to):
        assert lookalike.imitation(domain, recipients) == _reference_imitation(domain, recipients)
