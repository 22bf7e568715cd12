"""Geometry of the hop diagram, computed from a Report without Qt.

Strategy. Hops become cards (a collapsed provider run becomes one stacked card), split into
two lanes by the trust boundary: what the sender's side claims, then what the receiving
organisation wrote itself. Cards sit left to right, oldest first. A short route puts both
lanes side by side on one row with a vertical boundary; a long one stacks the lanes, each
wrapping into rows of at most `max_per_row` cards, with a horizontal boundary. Every gap
between cards is sized from the widest delay label, so a pill always fits between the cards
it joins; a row-to-row edge runs through the gap under its row and carries its pill there.
All text is measured with the `Metrics` the caller passes, so nothing is clipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mailview.core.model import Report
from mailview.layout.caption import caption_lines, legend_block
from mailview.layout.cards import CardContext, CardText, findings_by_hop, group_card, hop_card
from mailview.layout.geometry import ApproxMetrics, Metrics, Point, Rect, wrap_words
from mailview.layout.groups import DELAY_NOTES, HopGroup, delay_class, delay_text, find_groups
from mailview.layout.shapes import Badge, Boundary, Card, Diagram, Edge, Frame, Lane, Text
from mailview.layout.timeline import timeline_block

CARD_W = 272.0
CARD_PAD = 12.0
BADGE_H = 18.0
BADGE_PAD_X = 7.0
BADGE_GAP = 5.0
MIN_GAP = 108.0  # between cards of a row; widened to fit the widest delay pill
PILL_PAD_X = 8.0
PILL_H = 20.0
BAND = 28.0  # above each row of cards: an expanded group's frame title
ROW_GAP = 58.0  # under a row: the row-to-row edge and its pill
FRAME_PAD = 7.0
MARGIN = 24.0
SECTION_GAP = 18.0
MIN_WIDTH = 760.0

LANE_TITLES = {
    "untrusted": "CLAIMED BY THE SENDER — these lines could be forged",
    "trusted": "WRITTEN BY THE RECEIVING ORGANISATION — trusted",
    "unknown": "NO TRUST BOUNDARY FOUND — every line could have been forged",
}


@dataclass(frozen=True, slots=True)
class _Node:
    key: str
    hops: tuple[int, ...]
    group: HopGroup | None
    collapsed: bool
    trusted: bool
    text: CardText
    delay: float | None  # the delay of the edge that arrives at it


@dataclass(frozen=True, slots=True)
class _Grid:
    """Sizes every row shares."""

    gap: float
    lane_pad: float  # left and right inside a lane: room for wrap connectors


def layout_report(
    report: Report,
    *,
    metrics: Metrics | None = None,
    expanded: Iterable[str] = (),
    include_caption: bool = True,
    include_legend: bool = True,
    max_per_row: int = 5,
    geo: Mapping[int, str] | None = None,
) -> Diagram:
    """Place everything the diagram shows. Deterministic: same inputs, same geometry."""
    measure = metrics or ApproxMetrics()
    groups = find_groups(report.hops)
    geo_lines = geo if geo is not None else geo_texts(report)
    nodes = _nodes(report, groups, frozenset(expanded), measure, geo_lines)
    grid = _grid(nodes, measure)
    lanes_w = _lanes_width(nodes, grid, max_per_row)
    width = max(lanes_w, MIN_WIDTH) + 2 * MARGIN
    inner_w = width - 2 * MARGIN
    y = MARGIN
    caption: tuple[Text, ...] = ()
    if include_caption:
        caption = caption_lines(report, len(nodes), MARGIN, y, inner_w, measure)
        y = caption[-1].rect.bottom + SECTION_GAP
    if not nodes:
        return _empty(report, caption, groups, width, y, measure, include_legend)
    placed = _place(nodes, grid, max_per_row, MARGIN, y, inner_w, measure)
    y = max(lane.rect.bottom for lane in placed.lanes) + SECTION_GAP
    timeline = timeline_block(report, placed.cards, MARGIN, y, inner_w, grid.lane_pad, measure)
    if timeline is not None:
        y = timeline.rect.bottom + SECTION_GAP
    legend = None
    if include_legend:
        legend = legend_block(MARGIN, y, inner_w, measure)
        y = legend.rect.bottom + SECTION_GAP
    return Diagram(
        width=width,
        height=y - SECTION_GAP + MARGIN,
        cards=placed.cards,
        frames=placed.frames,
        edges=placed.edges,
        lanes=placed.lanes,
        boundary=placed.boundary,
        timeline=timeline,
        caption=caption,
        legend=legend,
        groups=groups,
        empty_note=None,
    )


def _empty(
    report: Report,
    caption: tuple[Text, ...],
    groups: tuple[HopGroup, ...],
    width: float,
    y: float,
    measure: Metrics,
    include_legend: bool,
) -> Diagram:
    text = "No Received headers: the message does not say which servers carried it."
    note = Text(text, "empty", Rect(MARGIN, y, measure.width(text, "empty"), _lh(measure, "empty")))
    return Diagram(
        width=max(width, note.rect.right + MARGIN),
        height=note.rect.bottom + MARGIN,
        cards=(),
        frames=(),
        edges=(),
        lanes=(),
        boundary=None,
        timeline=None,
        caption=caption,
        legend=None,
        groups=groups,
        empty_note=note,
    )


# ---- nodes ------------------------------------------------------------------------------


def _nodes(
    report: Report,
    groups: Sequence[HopGroup],
    expanded: frozenset[str],
    measure: Metrics,
    geo: Mapping[int, str],
) -> list[_Node]:
    ctx = CardContext(
        measure, CARD_W - 2 * CARD_PAD, findings_by_hop(report.hops, report.findings), geo
    )
    group_of = {index: group for group in groups for index in group.hops}
    nodes: list[_Node] = []
    for hop in report.hops:
        group = group_of.get(hop.index)
        if group is not None and group.id not in expanded:
            if hop.index == group.hops[0]:
                text = group_card(group, report.hops, ctx)
                nodes.append(
                    _Node(
                        f"group-{group.id}",
                        group.hops,
                        group,
                        True,
                        hop.trusted,
                        text,
                        hop.delay_seconds,
                    )
                )
            continue
        nodes.append(
            _Node(
                f"hop-{hop.index}",
                (hop.index,),
                group,
                False,
                hop.trusted,
                hop_card(hop, ctx),
                hop.delay_seconds,
            )
        )
    return nodes


def _grid(nodes: Sequence[_Node], measure: Metrics) -> _Grid:
    widest = max(
        (_pill_width(node.delay, measure) for node in nodes[1:] if node.delay is not None),
        default=0.0,
    )
    # The pill sits between two expanded-group frames at worst: keep clear of both.
    gap = max(MIN_GAP, widest + 2 * (FRAME_PAD + 14))
    return _Grid(gap=gap, lane_pad=gap / 2)


def geo_texts(report: Report) -> dict[int, str]:
    """Hop index → "Amsterdam, NL · AS8075 Microsoft Corporation", for hops with geo facts;
    live DNS's ASN fills in when no ASN database answered."""
    texts: dict[int, str] = {}
    for position, hop in enumerate(report.hops):
        geo = report.hop_geo[position] if position < len(report.hop_geo) else None
        lookup = report.hop_online[position] if position < len(report.hop_online) else None
        place = None if geo is None else ", ".join(p for p in (geo.city, geo.country) if p)
        asn = geo.asn if geo is not None and geo.asn else (lookup.asn if lookup else None)
        owner = (
            geo.as_org if geo is not None and geo.as_org else (lookup.as_org if lookup else None)
        )
        network = f"AS{asn} {owner or ''}".strip() if asn else owner
        text = " · ".join(part for part in (place, network) if part)
        if text:
            texts[hop.index] = text
    return texts


def cards_per_row(width: float) -> int:
    """How many cards fit side by side in `width` scene units (at least 2, at most 8).

    The gap between cards may grow past MIN_GAP for a wide delay pill; the estimate
    allows a little for that, so a wrapped route rarely needs a horizontal scroll.
    """
    usable = width - 2 * MARGIN
    per_row = int((usable + MIN_GAP) // (CARD_W + MIN_GAP + 16))
    return max(2, min(per_row, 8))


def _pill_width(delay: float, measure: Metrics) -> float:
    label = measure.width(delay_text(delay), "pill") + 2 * PILL_PAD_X
    note = DELAY_NOTES.get(delay_class(delay))
    return max(label, measure.width(note, "pill-note") if note else 0.0)


def _row_width(count: int, grid: _Grid) -> float:
    return count * CARD_W + (count - 1) * grid.gap + 2 * grid.lane_pad


def _lanes_width(nodes: Sequence[_Node], grid: _Grid, max_per_row: int) -> float:
    # Side by side, each lane has its own padding; together they equal one row's width.
    return _row_width(min(len(nodes), max_per_row), grid) if nodes else 0.0


# ---- placing ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Placed:
    cards: tuple[Card, ...]
    frames: tuple[Frame, ...]
    edges: tuple[Edge, ...]
    lanes: tuple[Lane, ...]
    boundary: Boundary | None


@dataclass(frozen=True, slots=True)
class _Row:
    nodes: tuple[_Node, ...]
    x: float  # left of the first card
    top: float  # top of the cards
    height: float  # of every card in the row
    gap: float
    bottom_room: float  # free space under the cards, inside the lane

    def card_rect(self, i: int) -> Rect:
        return Rect(self.x + i * (CARD_W + self.gap), self.top, CARD_W, self.height)


def _place(
    nodes: Sequence[_Node],
    grid: _Grid,
    max_per_row: int,
    x: float,
    y: float,
    width: float,
    measure: Metrics,
) -> _Placed:
    runs = _lane_runs(nodes)
    side_by_side = len(nodes) <= max_per_row
    if side_by_side:
        lanes, rows = _side_by_side(runs, grid, x, y, width, measure)
    else:
        lanes, rows = _stacked(runs, grid, max_per_row, x, y, width, measure)
    cards = tuple(
        _card(node, row.card_rect(i), measure) for row in rows for i, node in enumerate(row.nodes)
    )
    by_key = {card.key: card for card in cards}
    row_of = {node.key: row for row in rows for node in row.nodes}
    edges = tuple(
        _edge(prev, node, by_key, row_of, grid, measure) for prev, node in itertools.pairwise(nodes)
    )
    frames = tuple(frame for row in rows for frame in _row_frames(row, by_key, measure))
    return _Placed(cards, frames, edges, tuple(lanes), _boundary(lanes, nodes, side_by_side))


def _lane_runs(nodes: Sequence[_Node]) -> list[tuple[str, list[_Node]]]:
    """Consecutive nodes of the same lane kind, in route order."""
    any_trusted = any(node.trusted for node in nodes)
    runs: list[tuple[str, list[_Node]]] = []
    for node in nodes:
        kind = "trusted" if node.trusted else ("untrusted" if any_trusted else "unknown")
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(node)
        else:
            runs.append((kind, [node]))
    return runs


def _lane_title(kind: str, width: float, measure: Metrics) -> list[tuple[str, str]]:
    return [
        (line, "lane-title") for line in wrap_words(LANE_TITLES[kind], width, "lane-title", measure)
    ]


def _title_height(lines: Sequence[tuple[str, str]], measure: Metrics) -> float:
    return 12 + sum(_lh(measure, style) for _, style in lines) + 4


def _side_by_side(
    runs: list[tuple[str, list[_Node]]],
    grid: _Grid,
    x: float,
    y: float,
    width: float,
    measure: Metrics,
) -> tuple[list[Lane], list[_Row]]:
    widths = [_row_width(len(run), grid) for _, run in runs]
    widths[-1] += width - sum(widths)  # the last lane takes what the minimum width leaves
    titles = [_lane_title(kind, w - 32, measure) for (kind, _), w in zip(runs, widths, strict=True)]
    title_h = max(_title_height(t, measure) for t in titles)
    card_top = y + title_h + BAND
    height = max(_content_height(node.text, measure) for _, run in runs for node in run)
    lanes_h = card_top - y + height + 26
    lanes: list[Lane] = []
    rows: list[_Row] = []
    left = x
    for (kind, run), w, title in zip(runs, widths, titles, strict=True):
        lanes.append(
            Lane(kind, Rect(left, y, w, lanes_h), _title_texts(title, left + 16, y + 12, measure))
        )
        rows.append(_Row(tuple(run), left + grid.lane_pad, card_top, height, grid.gap, 26))
        left += w
    return lanes, rows


def _stacked(
    runs: list[tuple[str, list[_Node]]],
    grid: _Grid,
    max_per_row: int,
    x: float,
    y: float,
    width: float,
    measure: Metrics,
) -> tuple[list[Lane], list[_Row]]:
    lanes: list[Lane] = []
    rows: list[_Row] = []
    top = y
    for kind, run in runs:
        title = _lane_title(kind, width - 2 * grid.lane_pad, measure)
        cursor = top + _title_height(title, measure)
        for start in range(0, len(run), max_per_row):
            chunk = tuple(run[start : start + max_per_row])
            height = max(_content_height(node.text, measure) for node in chunk)
            rows.append(_Row(chunk, x + grid.lane_pad, cursor + BAND, height, grid.gap, ROW_GAP))
            cursor += BAND + height + ROW_GAP
        rect = Rect(x, top, width, cursor - top)
        lanes.append(Lane(kind, rect, _title_texts(title, x + grid.lane_pad, top + 12, measure)))
        top = rect.bottom
    return lanes, rows


def _title_texts(
    lines: Sequence[tuple[str, str]], x: float, y: float, measure: Metrics
) -> tuple[Text, ...]:
    texts: list[Text] = []
    for text, style in lines:
        h = _lh(measure, style)
        texts.append(Text(text, style, Rect(x, y, measure.width(text, style), h)))
        y += h
    return tuple(texts)


def _boundary(lanes: Sequence[Lane], nodes: Sequence[_Node], vertical: bool) -> Boundary | None:
    trusted = next((i for i, lane in enumerate(lanes) if lane.kind == "trusted"), None)
    if trusted is None or trusted == 0:
        return None
    lane = lanes[trusted]
    hop = next(node.hops[0] for node in nodes if node.trusted)
    if vertical:
        return Boundary(
            Point(lane.rect.x, lane.rect.y), Point(lane.rect.x, lane.rect.bottom), True, hop
        )
    return Boundary(
        Point(lane.rect.x, lane.rect.y), Point(lane.rect.right, lane.rect.y), False, hop
    )


# ---- cards ------------------------------------------------------------------------------


def _lh(measure: Metrics, style: str) -> float:
    return float(measure.line_height(style))


def _badge_rows(
    badges: Sequence[tuple[str, str]], measure: Metrics
) -> list[list[tuple[str, str, float]]]:
    """Badges flowed into rows that fit the card's inner width."""
    inner = CARD_W - 2 * CARD_PAD
    rows: list[list[tuple[str, str, float]]] = []
    used = inner
    for text, kind in badges:
        w = min(measure.width(text, "badge") + 2 * BADGE_PAD_X, inner)
        if not rows or used + BADGE_GAP + w > inner:
            rows.append([])
            used = -BADGE_GAP
        rows[-1].append((text, kind, w))
        used += BADGE_GAP + w
    return rows


def _content_height(text: CardText, measure: Metrics) -> float:
    lines = sum(_lh(measure, style) for _, style in text.lines)
    count = len(_badge_rows(text.badges, measure))
    badges = count * BADGE_H + max(count - 1, 0) * BADGE_GAP
    return CARD_PAD + lines + (12 + badges if count else 0) + CARD_PAD


def _card(node: _Node, rect: Rect, measure: Metrics) -> Card:
    texts: list[Text] = []
    y = rect.y + CARD_PAD
    for text, style in node.text.lines:
        h = _lh(measure, style)
        texts.append(Text(text, style, Rect(rect.x + CARD_PAD, y, measure.width(text, style), h)))
        y += h
    badges: list[Badge] = []
    rows = _badge_rows(node.text.badges, measure)
    # Badges sit at the bottom of the card, so a row of cards lines its badges up.
    by = rect.bottom - CARD_PAD - len(rows) * BADGE_H - max(len(rows) - 1, 0) * BADGE_GAP
    for row in rows:
        bx = rect.x + CARD_PAD
        for text, kind, w in row:
            box = Rect(bx, by, w, BADGE_H)
            tw = min(measure.width(text, "badge"), w - 2 * BADGE_PAD_X)
            th = _lh(measure, "badge")
            label = Text(text, "badge", Rect(bx + BADGE_PAD_X, by + (BADGE_H - th) / 2, tw, th))
            badges.append(Badge(label, kind, box))
            bx += w + BADGE_GAP
        by += BADGE_H + BADGE_GAP
    group_id = node.group.id if node.group is not None else None
    return Card(
        node.key,
        node.hops,
        group_id,
        node.collapsed,
        node.trusted,
        rect,
        tuple(texts),
        tuple(badges),
        node.text.finding,
        node.text.tooltip,
    )


# ---- edges ------------------------------------------------------------------------------


def _edge(
    prev: _Node,
    node: _Node,
    cards: Mapping[str, Card],
    row_of: Mapping[str, _Row],
    grid: _Grid,
    measure: Metrics,
) -> Edge:
    src, dst = cards[prev.key].rect, cards[node.key].rect
    points: tuple[Point, ...]
    if row_of[prev.key].top == row_of[node.key].top:
        y = src.cy
        points = (Point(src.right, y), Point(dst.x, y))
        anchor = Point((src.right + dst.x) / 2, y - 5 - PILL_H / 2)
        note_y = y + 5
    else:
        turn_y = src.bottom + FRAME_PAD + 6 + PILL_H / 2
        right_x = src.right + min(22.0, grid.gap / 2 - 6)
        left_x = dst.x - grid.lane_pad / 2
        points = (
            Point(src.right, src.cy),
            Point(right_x, src.cy),
            Point(right_x, turn_y),
            Point(left_x, turn_y),
            Point(left_x, dst.cy),
            Point(dst.x, dst.cy),
        )
        anchor = Point((left_x + right_x) / 2, turn_y)
        note_y = turn_y + PILL_H / 2 + 2
    return _edge_labels(prev, node, points, anchor, note_y, measure)


def _edge_labels(
    prev: _Node,
    node: _Node,
    points: tuple[Point, ...],
    anchor: Point,
    note_y: float,
    measure: Metrics,
) -> Edge:
    kind = delay_class(node.delay)
    hop = node.hops[0]
    if node.delay is None:
        return Edge(prev.key, node.key, hop, points, kind, None, None, None)
    text = delay_text(node.delay)
    tw, th = measure.width(text, "pill"), _lh(measure, "pill")
    pill = Rect(anchor.x - tw / 2 - PILL_PAD_X, anchor.y - PILL_H / 2, tw + 2 * PILL_PAD_X, PILL_H)
    label = Text(text, "pill", Rect(anchor.x - tw / 2, anchor.y - th / 2, tw, th))
    note = None
    if kind in DELAY_NOTES:
        words = DELAY_NOTES[kind]
        nw, nh = measure.width(words, "pill-note"), _lh(measure, "pill-note")
        note = Text(words, "pill-note", Rect(anchor.x - nw / 2, note_y, nw, nh))
    return Edge(prev.key, node.key, hop, points, kind, label, pill, note)


# ---- expanded groups ----------------------------------------------------------------------


def _row_frames(row: _Row, cards: Mapping[str, Card], measure: Metrics) -> list[Frame]:
    """One outline per expanded group per row, titled, the first with a collapse control."""
    frames: list[Frame] = []
    members: dict[str, list[Card]] = {}
    for node in row.nodes:
        if node.group is not None and not node.collapsed:
            members.setdefault(node.group.id, []).append(cards[node.key])
    for group_id, group_cards in members.items():
        group = next(n.group for n in row.nodes if n.group is not None and n.group.id == group_id)
        assert group is not None
        first, last = group_cards[0].rect, group_cards[-1].rect
        rect = Rect(
            first.x - FRAME_PAD,
            first.y - BAND + 4,
            last.right - first.x + 2 * FRAME_PAD,
            first.h + BAND - 4 + FRAME_PAD,
        )
        frames.append(_frame(group, rect, group_cards[0].hops[0] == group.hops[0], measure))
    return frames


def _frame(group: HopGroup, rect: Rect, first: bool, measure: Metrics) -> Frame:
    h = _lh(measure, "meta")
    ty = rect.y + (BAND - 4 - h) / 2
    collapse = None
    room = rect.w - 20
    if first:
        words = "▾ collapse"
        cw = measure.width(words, "link")
        ch = _lh(measure, "link")
        collapse = Text(
            words, "link", Rect(rect.right - 10 - cw, rect.y + (BAND - 4 - ch) / 2, cw, ch)
        )
        room -= cw + 12
    label = group.label.upper() if first else f"{group.owner.upper()} INTERNAL (CONTINUED)"
    if measure.width(label, "meta") > room:
        label = f"{group.owner.upper()} INTERNAL"
    lw = min(measure.width(label, "meta"), room)
    return Frame(group.id, rect, Text(label, "meta", Rect(rect.x + 10, ty, lw, h)), collapse)
