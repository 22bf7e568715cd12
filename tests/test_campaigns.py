"""Campaign grouping: families of one lure group, different lures stay apart, in any order."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.analyze import analyze_bytes
from mailview.core.campaigns import (
    MAX_SKELETON,
    Traits,
    blocking_keys,
    explain,
    group,
    skeleton,
    traits_of,
)
from tests.campaign_families import lure_bases, resend

BASES = lure_bases(6)
needs_corpus = pytest.mark.skipif(len(BASES) < 6, reason="the corpus is absent")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Your invoice 48213 is overdue", "RE: Your invoice 99120 is overdue"),
        ("Payment due 2025-06-01 for j.doe", "Payment due 12/07/2024 for a.smith"),
        ("Fwd: Account alert for bob@example.com", "Account alert for eve@corp.example"),
        ("Delivery on 3 June: parcel #A77B1", "Delivery on June 9th: parcel #Z11Q0"),
    ],
)
def test_skeleton_strips_what_a_lure_personalises(one: str, other: str) -> None:
    names = ["j.doe", "a.smith"]
    assert skeleton(one, names) == skeleton(other, names)


def test_skeleton_keeps_the_lure_words() -> None:
    assert skeleton("Your invoice is overdue") != skeleton("Your password expires today")
    assert "invoice" in skeleton("Your invoice 48213 is overdue")


def _reports(datas: list[bytes]) -> list[Traits]:
    return [traits_of(analyze_bytes(d, f"m{i}.eml")) for i, d in enumerate(datas)]


@needs_corpus
def test_a_resent_lure_groups_and_different_lures_do_not() -> None:
    families = {base.name: [resend(base.read_bytes(), n) for n in range(1, 6)] for base in BASES}
    names = [name for name, datas in families.items() for _ in datas]
    traits = _reports([d for datas in families.values() for d in datas])
    grouping = group(traits)
    by_family: dict[str, set[str | None]] = {}
    for name, campaign in zip(names, grouping.assignment, strict=True):
        by_family.setdefault(name, set()).add(campaign)
    for name, campaigns in by_family.items():
        assert len(campaigns) == 1 and None not in campaigns, name  # one family, one campaign
    ids = [next(iter(c)) for c in by_family.values()]
    assert len(set(ids)) == len(ids)  # and no two families share one
    assert len(grouping.campaigns) == len(BASES)
    assert all(c.size == 5 for c in grouping.campaigns)


@needs_corpus
def test_the_explanation_names_what_the_members_share() -> None:
    datas = [resend(BASES[0].read_bytes(), n) for n in range(1, 4)]
    traits = _reports(datas)
    (campaign,) = group(traits).campaigns
    assert campaign.explanation.startswith("3 messages: same subject skeleton")
    assert traits[0].subject in campaign.explanation
    assert traits[0].from_domain in campaign.explanation


def test_explain_reads_like_an_analyst_note() -> None:
    text = explain(
        12,
        [("subject", "your parcel is waiting"), ("link", "evil.example"), ("network", "AS12345")],
        0.0,
        3 * 3600.0,
    )
    assert text == (
        "12 messages: same subject skeleton \u201cyour parcel is waiting\u201d and link domain "
        "evil.example, sent from AS12345 over 3 h"
    )


def test_a_lure_alone_or_infrastructure_alone_does_not_join() -> None:
    same_subject = [
        Traits(key="a", subject="your parcel is waiting", from_domain="one.example"),
        Traits(key="b", subject="your parcel is waiting", from_domain="two.example"),
    ]
    same_domain = [
        Traits(key="c", subject="quarterly report attached", from_domain="gmail.com"),
        Traits(key="d", subject="lunch on friday please", from_domain="gmail.com"),
    ]
    assert group(same_subject).campaigns == ()
    assert group(same_domain).campaigns == ()


def test_linking_is_transitive_through_shared_keys() -> None:
    chain = [
        Traits(key="a", subject="verify your mailbox now", network="AS1"),
        Traits(key="b", subject="verify your mailbox now", network="AS1", links=("evil.example",)),
        Traits(key="c", subject="verify your mailbox now", links=("evil.example",)),
    ]
    (campaign,) = group(chain).campaigns
    assert campaign.members == ("a", "b", "c")


def test_the_same_message_twice_is_no_campaign() -> None:
    twice = [Traits(key="a", subject="verify your mailbox now", network="AS1")] * 2
    assert group(twice).campaigns == ()


_SUBJECTS = st.sampled_from(["", "verify your mailbox now", "invoice overdue pay today", "hello"])
_VALUES = st.sampled_from(["", "a.example", "b.example"])


@st.composite
def _traits(draw: st.DrawFn) -> Traits:
    return Traits(
        key=draw(st.sampled_from("abcdefghij")) + str(draw(st.integers(0, 3))),
        subject=draw(_SUBJECTS),
        from_domain=draw(_VALUES),
        network=draw(st.sampled_from(["", "AS1", "AS2"])),
        links=tuple(sorted(draw(st.sets(_VALUES.filter(bool), max_size=2)))),
        arrived=draw(st.none() | st.floats(0, 1e9)),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(_traits(), max_size=25), st.randoms(use_true_random=False))
def test_grouping_does_not_depend_on_order(traits: list[Traits], rnd: random.Random) -> None:
    shuffled = list(traits)
    rnd.shuffle(shuffled)
    one, other = group(traits), group(shuffled)
    assert set(one.campaigns) == set(other.campaigns)
    assert {(t.key, c) for t, c in zip(traits, one.assignment, strict=True)} == {
        (t.key, c) for t, c in zip(shuffled, other.assignment, strict=True)
    }


@settings(max_examples=100, deadline=None)
@given(st.lists(_traits(), max_size=25))
def test_members_of_a_campaign_are_linked_by_keys(traits: list[Traits]) -> None:
    grouping = group(traits)
    for campaign in grouping.campaigns:
        members = [t for t, c in zip(traits, grouping.assignment, strict=True) if c == campaign.id]
        assert len(members) == campaign.size
        assert all(blocking_keys(t) for t in members)


@pytest.mark.parametrize("hostile", ["a" * 100_000, "1." * 50_000, "x@" * 50_000, "re: " * 30_000])
def test_a_hostile_subject_makes_its_skeleton_in_linear_time(hostile: str) -> None:
    start = time.perf_counter()
    made = skeleton(hostile)
    assert time.perf_counter() - start < 1.0  # a bound against a quadratic blow-up only
    assert len(made) <= 3 * MAX_SKELETON  # placeholders may widen what was kept


def test_a_long_subject_keeps_the_skeleton_of_its_first_thousand_characters() -> None:
    lure = "Your mailbox is full, verify your account now "
    assert skeleton(lure * 1000) == skeleton((lure * 1000)[:MAX_SKELETON])
    assert "verify your account" in skeleton(lure * 1000)
