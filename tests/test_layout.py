"""The hop diagram's geometry, checked without Qt."""

from __future__ import annotations

import itertools

import pytest

from mailview.assets import sample_message
from mailview.core.analyze import analyze_bytes, analyze_path
from mailview.core.model import Report
from mailview.layout import ApproxMetrics, Diagram, Rect, delay_class, find_groups, layout_report
from mailview.layout.geometry import Point, wrap_host
from mailview.layout.servers import route_model
from mailview.layout.shapes import Boundary
from tests.gui_helpers import synthetic_report


@pytest.fixture(scope="module")
def sample() -> Report:
    return analyze_path(sample_message())


@pytest.fixture(scope="module")
def long_route() -> Report:
    return synthetic_report(30)


def _all_expanded(report: Report) -> list[str]:
    return [group.id for group in find_groups(route_model(report))]


def _assert_no_overlaps(diagram: Diagram) -> None:
    cards = [card.rect for card in diagram.cards]
    for a, b in itertools.combinations(cards, 2):
        assert not a.intersects(b), (a, b)
    for edge in diagram.edges:
        for box in (edge.pill, *(line.rect for line in edge.lines)):
            if box is not None:
                assert not any(box.intersects(card) for card in cards), (edge.label_text, box)


def _assert_text_inside(diagram: Diagram) -> None:
    for card in diagram.cards:
        inner = card.rect.grown(-1, -1)
        for text in card.texts:
            assert inner.contains(text.rect), (card.key, text.text)
        for badge in card.badges:
            assert inner.contains(badge.rect), (card.key, badge.text.text)
            assert badge.rect.contains(badge.text.rect)
        texts = [t.rect for t in card.texts] + [b.rect for b in card.badges]
        for a, b in itertools.combinations(texts, 2):
            assert not a.intersects(b), card.key


def test_delay_classes() -> None:
    assert delay_class(None) == "unknown"
    assert delay_class(-1) == "skew"
    assert delay_class(0) == "fast"
    assert delay_class(59.9) == "fast"
    assert delay_class(60) == "slow"
    assert delay_class(3600) == "slow"
    assert delay_class(3601) == "very-slow"


def test_sample_collapses_the_microsoft_run(sample: Report) -> None:
    groups = find_groups(route_model(sample))
    # The MX (hop 3) and the mailbox (hop 6) stay cards; the servers between them stack.
    assert [(g.owner, g.hops) for g in groups] == [("Microsoft 365", (4, 5))]
    diagram = layout_report(sample)
    assert [card.hops for card in diagram.cards] == [(1,), (2,), (3,), (4, 5), (6,)]
    group_card = diagram.cards[3]
    assert group_card.collapsed and group_card.group_id == "g3-4"
    assert "Microsoft 365 · 2 servers" in " ".join(t.text for t in group_card.texts)
    labels = [edge.label_text for edge in diagram.edges]
    assert labels == ["10 min 51 s", "−1 min 23 s clock skew", "1 s", "1 s"]
    # Pills take the severity of the finding that explains them, else green / amber.
    skew = next(f for f in sample.findings if f.code == "route.negative_delay")
    assert diagram.edges[1].tone == skew.severity.value
    assert diagram.edges[2].tone == "fast"


def test_expanding_a_group_gives_one_card_per_server(sample: Report) -> None:
    diagram = layout_report(sample, expanded=["g3-4"])
    assert [card.hops for card in diagram.cards] == [(i,) for i in range(1, 7)]
    assert len([e for e in diagram.edges if e.label is not None]) == 5
    (frame,) = diagram.frames
    assert frame.collapse is not None and "collapse" in frame.collapse.text
    for card in diagram.cards[3:5]:
        assert frame.rect.contains(card.rect)
    assert not any(frame.label.rect.intersects(card.rect) for card in diagram.cards)


def test_boundary_separates_sender_and_receiver_cards(sample: Report) -> None:
    diagram = layout_report(sample)
    assert [lane.kind for lane in diagram.lanes] == ["untrusted", "trusted"]
    boundary = diagram.boundary
    assert boundary is not None and boundary.vertical and boundary.hop == 3
    for card in diagram.cards:
        if card.trusted:
            assert card.rect.x > boundary.start.x
        else:
            assert card.rect.right < boundary.start.x


def test_long_route_flows_into_rows(long_route: Report) -> None:
    diagram = layout_report(long_route, expanded=_all_expanded(long_route))
    assert len(diagram.cards) == 31  # the sender's computer, then 30 receiving servers
    assert len({card.rect.y for card in diagram.cards}) >= 6  # rows of at most five
    assert diagram.boundary is not None


@pytest.mark.parametrize("expanded", [False, True])
def test_long_route_has_no_overlaps_and_no_clipping(long_route: Report, expanded: bool) -> None:
    groups = _all_expanded(long_route) if expanded else []
    diagram = layout_report(long_route, expanded=groups)
    _assert_no_overlaps(diagram)
    _assert_text_inside(diagram)
    for frame in diagram.frames:
        assert not any(frame.label.rect.intersects(c.rect) for c in diagram.cards)
    everything = Rect(0, 0, diagram.width, diagram.height)
    for card in diagram.cards:
        assert everything.contains(card.rect)


def test_edges_join_their_cards(long_route: Report) -> None:
    diagram = layout_report(long_route)
    cards = {card.key: card.rect for card in diagram.cards}
    for edge in diagram.edges:
        start, end = edge.points[0], edge.points[-1]
        assert start.x == pytest.approx(cards[edge.source].right)
        assert end.x == pytest.approx(cards[edge.target].x)
        assert cards[edge.target].y < end.y < cards[edge.target].bottom


def test_timeline_is_to_scale_and_its_labels_do_not_collide(long_route: Report) -> None:
    timeline = layout_report(long_route).timeline
    assert timeline is not None
    xs = [tick.x for tick in timeline.ticks]
    assert xs == sorted(xs) and len(xs) >= 3
    steps = [b - a for a, b in itertools.pairwise(xs)]
    assert max(steps) - min(steps) < 1e-6  # evenly spaced: a linear scale
    for boxes in ([t.label.rect for t in timeline.ticks], [m.label.rect for m in timeline.markers]):
        for a, b in itertools.pairwise(boxes):
            assert a.right <= b.x
    assert sorted(i for m in timeline.markers for i in m.hops) == list(range(1, 31))


def test_caption_and_legend(sample: Report) -> None:
    diagram = layout_report(sample)
    caption = " ".join(text.text for text in diagram.caption)
    assert "Your account has been limited" in caption
    assert "service@paypa1-billing.example" in caption
    assert "Total transit 9 min 30 s" in caption
    assert sample.input.sha256 in caption
    assert diagram.legend is not None
    kinds = [entry.kind for entry in diagram.legend.entries]
    assert {"fast", "slow", "high", "info", "break", "lane-untrusted", "lane-trusted"} <= set(kinds)
    boxes = [e.swatch for e in diagram.legend.entries] + [
        e.label.rect for e in diagram.legend.entries if e.label.text
    ]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.intersects(b)
    assert all(text.rect.right <= diagram.width for text in diagram.caption)


def test_layout_is_deterministic(long_route: Report) -> None:
    assert layout_report(long_route) == layout_report(long_route)


def test_a_message_without_received_headers() -> None:
    report = analyze_bytes(b"From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n")
    diagram = layout_report(report)
    assert diagram.cards == () and diagram.edges == () and diagram.timeline is None
    assert diagram.empty_note is not None


def test_host_wrapping_never_exceeds_the_width() -> None:
    metrics = ApproxMetrics()
    host = "BN2PEPF000044A5.mail.protection.outlook.com"
    lines = wrap_host(host, 200, "title", metrics)
    assert "".join(lines) == host
    assert len(lines) > 1 and all(line.endswith(".") for line in lines[:-1])
    odd = "x" * 80
    assert all(
        metrics.width(line, "title") <= 200 for line in wrap_host(odd, 200, "title", metrics)
    )


# A submission hop as Postfix writes it: the arrow says "authenticated" under ESMTPSA.
_SUBMITTED = b"""Received: from mx.example.net (mx.example.net [198.51.100.20])
\tby inbound.example.org (Postfix) with ESMTPS id 4XyZ1;
\tMon, 2 Dec 2024 10:00:05 +0000 (UTC)
Received: from [192.168.1.20] (dsl-203-0-113-7.example.com [203.0.113.7])
\t(Authenticated sender: alice@example.net)
\tby mx.example.net (Postfix) with ESMTPSA id 9AbC2;
\tMon, 2 Dec 2024 10:00:01 +0000 (UTC)
From: Alice <alice@example.net>
To: bob@example.org
Subject: minutes
Date: Mon, 2 Dec 2024 10:00:00 +0000
Message-ID: <m1@example.net>

Hi
"""


@pytest.mark.parametrize("per_row", [1, 2, 5])
def test_an_arrow_label_never_breaks_a_word(per_row: int) -> None:
    report = analyze_bytes(_SUBMITTED, "submitted.eml")
    diagram = layout_report(report, max_per_row=per_row)
    lines = [line.text for edge in diagram.edges for line in edge.lines]
    said = [word for line in lines for word in line.split() if word != "\u00b7"]
    assert "authenticated" in said
    whole = {"authenticated", "ESMTPSA", "ESMTPS", "TLS", "10:00:01", "10:00:05"}
    assert set(said) <= whole, lines


def test_a_boundary_line_is_drawn_around_its_breaks() -> None:
    line = Boundary(Point(5, 0), Point(5, 100), True, 2, breaks=((-3, 10), (20, 30), (50, 60)))
    pieces = [(a.y, b.y) for a, b in line.segments()]
    assert pieces == [(10, 20), (30, 50), (60, 100)]
    assert all(a.x == b.x == 5 for a, b in line.segments())
    across = Boundary(Point(0, 7), Point(80, 7), False, 2, breaks=((70, 95),))
    assert [(a.x, b.x, a.y) for a, b in across.segments()] == [(0, 70, 7)]
    assert Boundary(Point(0, 0), Point(0, 9), True, 1).segments() == ((Point(0, 0), Point(0, 9)),)


@pytest.mark.parametrize("per_row", [1, 2, 3, 5])
def test_the_trust_boundary_never_crosses_an_arrows_words(per_row: int) -> None:
    crossed = 0
    for report in (analyze_path(sample_message()), analyze_bytes(_SUBMITTED, "submitted.eml")):
        diagram = layout_report(report, max_per_row=per_row)
        boundary = diagram.boundary
        assert boundary is not None
        crossed += len(boundary.breaks)
        for a, b in boundary.segments():
            stroke = Rect(min(a.x, b.x), min(a.y, b.y), abs(b.x - a.x), abs(b.y - a.y))
            for edge in diagram.edges:
                for line in edge.lines:
                    assert not stroke.intersects(line.rect), (line.text, stroke)
    if per_row >= 3:  # side by side, the boundary runs down through the arrow's gap
        assert crossed >= 2


@pytest.mark.parametrize("per_row", [2, 3, 4, 5])
def test_the_words_of_two_arrows_never_touch(per_row: int, sample: Report) -> None:
    # The sample's arrow into Microsoft's edge says five lines ("clock skew", a wrapped
    # "Microsoft SMTP Server", TLS, time): the row is tall enough for them to end above
    # the arrow that wraps to the next row.
    diagram = layout_report(sample, max_per_row=per_row)
    boxes = [
        (n, box)
        for n, edge in enumerate(diagram.edges)
        for box in (edge.pill, *(line.rect for line in edge.lines))
        if box is not None
    ]
    for (n, a), (m, b) in itertools.combinations(boxes, 2):
        if n != m:
            assert not a.grown(1, 1).intersects(b), (diagram.edges[n].lines, diagram.edges[m].lines)
    _assert_no_overlaps(diagram)
