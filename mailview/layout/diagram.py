"""Geometry of the hop diagram, computed from a Report without Qt.

Strategy. Servers become cards and hand-overs arrows (`servers.route_model`); a collapsed
provider run becomes one stacked card. Cards are split into two lanes by the trust boundary:
what the sender's side claims, then what the receiving organisation wrote itself. Cards sit
left to right, oldest first. A short route puts both lanes side by side on one row with a
vertical boundary; a long one stacks the lanes, each wrapping into rows, with a horizontal
boundary. Given a `width`, the layout reflows to it: as many cards per row as fit at full
text size, cards widened to fill the row. Every gap between cards is sized from the widest
arrow label, so a pill always fits between the cards it joins; a row-to-row edge runs
through the gap under its row and carries its labels there. All text is measured with the
`Metrics` the caller passes, so nothing is clipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from mailview.core.model import Hop, Report
from mailview.core.record import record
from mailview.layout.caption import caption_lines, failure_caption, legend_block
from mailview.layout.cards import (
    CardContext,
    CardText,
    findings_by_hop,
    group_card,
    server_card,
)
from mailview.layout.edges import (
    EDGE_BELOW,
    FRAME_PAD,
    PILL_PAD_X,
    EdgeWords,
    edge_words,
    label_width,
    place_edge,
    stacked_height,
)
from mailview.layout.failure import (
    FailurePlan,
    Refusal,
    failure_plan,
    is_refuser,
    refusal_of,
    refusal_tooltip,
    refuser_lines,
    with_failure,
)
from mailview.layout.geometry import ApproxMetrics, Metrics, Point, Rect, limit_lines, wrap_words
from mailview.layout.groups import HopGroup, find_groups
from mailview.layout.servers import Handover, RouteModel, Server, route_model
from mailview.layout.shapes import Badge, Boundary, Card, Diagram, Edge, Frame, Lane, Text
from mailview.layout.timeline import timeline_block
from mailview.present.place import place_line

CARD_W = 280.0  # without a width to fill (exports)
MIN_CARD_W = 180.0
MAX_CARD_W = 280.0
CARD_PAD = 10.0
BADGE_H = 20.0
BADGE_PAD_X = 7.0
BADGE_GAP = 5.0
MIN_GAP = 80.0  # between cards of a row; widened to fit the widest arrow label
BAND = 28.0  # above each row of cards when a group is expanded: its frame title
ROW_GAP = 36.0  # between rows: the row-to-row edge and its labels
MARGIN = 12.0
SECTION_GAP = 18.0
MIN_WIDTH = 760.0

LANE_TITLES = {
    "untrusted": "CLAIMED BY THE SENDER — these lines could be forged",
    "trusted": "WRITTEN BY THE RECEIVING ORGANISATION — trusted",
    "unknown": "NO TRUST BOUNDARY FOUND — every line could have been forged",
    "failure": "WHERE DELIVERY STOPPED — from the delivery report",
}


@record
class _Node:
    key: str
    hops: tuple[int, ...]
    group: HopGroup | None
    collapsed: bool
    trusted: bool
    text: CardText
    servers: tuple[int, ...]  # positions in the route model
    failure: bool = False  # a refusing server's card, from a delivery report


@record
class _Grid:
    """Sizes every row shares."""

    gap: float
    lane_pad: float  # left and right inside a lane: room for wrap connectors
    card_w: float = CARD_W
    band: float = BAND


def layout_report(
    report: Report,
    *,
    metrics: Metrics | None = None,
    expanded: Iterable[str] = (),
    include_caption: bool = True,
    include_legend: bool = True,
    max_per_row: int = 5,
    width: float | None = None,
    geo: Mapping[int, str] | None = None,
    interactive: bool = True,
    returned: Report | None = None,
) -> Diagram:
    """Place everything the diagram shows. Deterministic: same inputs, same geometry.

    With `width` (scene units, e.g. a view's width at 100 %), rows reflow to fill it and
    `max_per_row` is ignored; without, rows hold at most `max_per_row` cards. A delivery
    report draws the route of the original it returns (`returned`, its analysis, when its
    headers came back; else its own) ending where delivery stopped.
    """
    measure = metrics or ApproxMetrics()
    plan = failure_plan(report, returned)
    bounce = report
    if plan is not None:
        report = plan.route
        model = with_failure(route_model(report), plan)
    else:
        model = route_model(report)
    groups = find_groups(model)
    geo_lines = geo if geo is not None else geo_texts(report)
    opened = frozenset(expanded)
    banded = bool(opened & {g.id for g in groups})
    probe = _grid_for(model, measure, CARD_W, banded, plan, report.hops)
    # Cards drawn: one per server, minus what collapsed groups fold away.
    count = len(model.servers) - sum(len(g.servers) - 1 for g in groups if g.id not in opened)
    card_w, per_row = _fit(count, probe, width, max_per_row)
    ctx = CardContext(
        measure,
        card_w - 2 * CARD_PAD,
        findings_by_hop(report.hops, report.findings),
        geo_lines,
        interactive,
    )
    nodes = _nodes(report, model, groups, opened, ctx, plan)
    grid = _Grid(probe.gap, probe.lane_pad, card_w, probe.band)
    lanes_w = _lanes_width(nodes, grid, per_row)
    full = max(lanes_w, MIN_WIDTH) + 2 * MARGIN
    if width is not None:
        full = max(full, width)
    inner_w = full - 2 * MARGIN
    y = MARGIN
    caption: tuple[Text, ...] = ()
    if include_caption:
        caption = caption_lines(report, len(nodes), MARGIN, y, inner_w, measure)
        if plan is not None:
            caption = failure_caption(bounce, plan, caption, MARGIN, inner_w, measure)
        y = caption[-1].rect.bottom + SECTION_GAP
    if not nodes:
        return _empty(report, caption, groups, full, y, measure, include_legend)
    placed = _place(nodes, model, report, grid, per_row, MARGIN, y, inner_w, measure, plan)
    y = max(lane.rect.bottom for lane in placed.lanes) + SECTION_GAP
    timeline = timeline_block(report, placed.cards, MARGIN, y, inner_w, grid.lane_pad, measure)
    if timeline is not None:
        y = timeline.rect.bottom + SECTION_GAP
    legend = None
    if include_legend:
        legend = legend_block(
            MARGIN, y, inner_w, measure, interactive=interactive, failure=plan is not None
        )
        y = legend.rect.bottom + SECTION_GAP
    return Diagram(
        width=full,
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


def _fit(count: int, grid: _Grid, width: float | None, max_per_row: int) -> tuple[float, int]:
    """Card width and cards per row: as many as fit `width` at the smallest card width,
    then widened to fill the row (never past MAX_CARD_W)."""
    if width is None:
        return CARD_W, max_per_row
    usable = width - 2 * MARGIN - 2 * grid.lane_pad
    per_row = int((usable + grid.gap) // (MIN_CARD_W + grid.gap))
    per_row = max(1, min(per_row, max(count, 1), 12))
    card_w = (usable - (per_row - 1) * grid.gap) / per_row
    return max(MIN_CARD_W, min(card_w, MAX_CARD_W)), per_row


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
    model: RouteModel,
    groups: Sequence[HopGroup],
    expanded: frozenset[str],
    ctx: CardContext,
    plan: FailurePlan | None = None,
) -> list[_Node]:
    group_of = {key: group for group in groups for key in group.servers}
    raw = {hop.index: hop.raw for hop in report.hops}
    hop_of = {hop.index: hop for hop in report.hops}
    position_of = {server.key: i for i, server in enumerate(model.servers)}
    nodes: list[_Node] = []
    for position, server in enumerate(model.servers):
        group = group_of.get(server.key)
        if group is not None and group.id not in expanded:
            if server.key == group.servers[0]:
                members = tuple(position_of[key] for key in group.servers)
                servers = [model.servers[i] for i in members]
                written = [hop_of[i] for i in group.hops if i in hop_of]
                text = group_card(group, servers, written, ctx)
                nodes.append(
                    _Node(
                        f"group-{group.id}", group.hops, group, True, server.trusted, text, members
                    )
                )
            continue
        if plan is not None and is_refuser(server):
            nodes.append(_refuser_node(server, position, model, plan, ctx))
            continue
        text = server_card(server, ctx, raw.get(server.hop, ""))
        nodes.append(
            _Node(
                f"server-{server.key}",
                (server.hop,),
                group,
                False,
                server.trusted,
                text,
                (position,),
            )
        )
    return nodes


def _refuser_node(
    server: Server, position: int, model: RouteModel, plan: FailurePlan, ctx: CardContext
) -> _Node:
    """A refusing server's card: its name, what became of the delivery, to whom, why."""
    handover = next(h for h in model.handovers if h.target == position)
    refusal = refusal_of(plan, handover)
    last = refusal is plan.refusals[-1]
    lines = _wrapped([(server.title, "title")], ctx, 2)
    lines += _wrapped([(refusal.label, "finding")], ctx, 1)
    for text, style in refuser_lines(refusal, plan, last):
        lines += _wrapped([(text, style)], ctx, 1 if style == "mono" else 2)
    badge = ("hard failure", "warn") if refusal.hard else ("soft failure", "info")
    card = CardText(tuple(lines), (badge,), refusal.severity, refusal_tooltip(refusal))
    return _Node(f"failure-{server.key}", (), None, False, False, card, (position,), True)


def _wrapped(
    lines: Sequence[tuple[str, str]], ctx: CardContext, most: int
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for text, style in lines:
        wrapped = limit_lines(wrap_words(text, ctx.width, style, ctx.metrics), most)
        out += [(line, style) for line in wrapped]
    return out


def _refused_words(handover: Handover, plan: FailurePlan) -> EdgeWords:
    refusal = refusal_of(plan, handover)
    lines = [("refused" if refusal.hard else "deferred", "edge")]
    if refusal.first.reply_code:
        lines.append((f"SMTP {refusal.first.reply_code}", "edge"))
    if refusal.first.status:  # the pill holds the code; the reason class goes under it
        lines.insert(0, (refusal.reason, "edge-break"))
    # The tooltip carries the server's own words.
    told = replace(handover, finding=refusal_tooltip(refusal))
    return EdgeWords(refusal.pill, refusal.severity.value, tuple(lines), told)


def _refused_width(refusal: Refusal, measure: Metrics) -> float:
    # The pill and the reason must fit whole between the cards: they answer "why".
    pill = measure.width(refusal.pill, "pill") + 2 * PILL_PAD_X
    return max(pill, measure.width(refusal.reason, "edge-break"))


def _grid_for(
    model: RouteModel,
    measure: Metrics,
    card_w: float,
    banded: bool,
    plan: FailurePlan | None = None,
    hops: Sequence[Hop] = (),
) -> _Grid:
    by_index = {hop.index: hop for hop in hops}
    widest = max(
        (
            _refused_width(refusal_of(plan, h), measure)
            if plan is not None and h.kind == "refused"
            else label_width(h, measure, by_index.get(h.hop))
            for h in model.handovers
        ),
        default=0.0,
    )
    # The labels sit between two expanded-group frames at worst: keep clear of both.
    gap = max(MIN_GAP, widest + 16)
    return _Grid(gap=gap, lane_pad=min(gap / 2, 24.0), card_w=card_w, band=BAND if banded else 4.0)


def geo_texts(report: Report) -> dict[int, str]:
    """Hop index → "AS8075 Microsoft · Amsterdam, NL", worded as on every other face;
    live DNS's ASN fills in when no offline database named the owner."""
    texts: dict[int, str] = {}
    for position, hop in enumerate(report.hops):
        geo = report.hop_geo[position] if position < len(report.hop_geo) else None
        lookup = report.hop_online[position] if position < len(report.hop_online) else None
        text = place_line(geo, lookup)
        if text:
            texts[hop.index] = text
    return texts


def cards_per_row(width: float) -> int:
    """How many cards of the narrowest width fit side by side in `width` scene units."""
    usable = width - 2 * MARGIN - 2 * 40.0
    return max(1, min(int((usable + MIN_GAP) // (MIN_CARD_W + MIN_GAP)), 12))


def _row_width(count: int, grid: _Grid) -> float:
    return count * grid.card_w + (count - 1) * grid.gap + 2 * grid.lane_pad


def _lanes_width(nodes: Sequence[_Node], grid: _Grid, max_per_row: int) -> float:
    # Side by side, each lane has its own padding; together they equal one row's width.
    return _row_width(min(len(nodes), max_per_row), grid) if nodes else 0.0


# ---- placing ----------------------------------------------------------------------------


@record
class _Placed:
    cards: tuple[Card, ...]
    frames: tuple[Frame, ...]
    edges: tuple[Edge, ...]
    lanes: tuple[Lane, ...]
    boundary: Boundary | None


@record
class _Row:
    nodes: tuple[_Node, ...]
    x: float  # left of the first card
    top: float  # top of the cards
    height: float  # of every card in the row
    gap: float
    bottom_room: float  # free space under the cards, inside the lane
    card_w: float = CARD_W

    def card_rect(self, i: int) -> Rect:
        return Rect(self.x + i * (self.card_w + self.gap), self.top, self.card_w, self.height)


def _place(
    nodes: Sequence[_Node],
    model: RouteModel,
    report: Report,
    grid: _Grid,
    max_per_row: int,
    x: float,
    y: float,
    width: float,
    measure: Metrics,
    plan: FailurePlan | None = None,
) -> _Placed:
    node_of = {position: node for node in nodes for position in node.servers}
    hops = {hop.index: hop for hop in report.hops}
    arrows: list[tuple[_Node, _Node, EdgeWords]] = []
    for handover in model.handovers:
        prev, node = node_of[handover.source], node_of[handover.target]
        if prev is node:
            continue  # inside a collapsed group
        words = (
            _refused_words(handover, plan)
            if plan is not None and handover.kind == "refused"
            else edge_words(handover, hops.get(handover.hop))
        )
        arrows.append((prev, node, words))
    # The words under an arrow into a card hang below the row's middle: a row is tall
    # enough for the longest of them, clear of the row-to-row arrow under it.
    under = {node.key: stacked_height(words, grid.gap, measure) for _, node, words in arrows}
    lanes, rows = _flow(nodes, grid, max_per_row, x, y, width, measure, under)
    cards = tuple(
        _card(node, row.card_rect(i), measure) for row in rows for i, node in enumerate(row.nodes)
    )
    by_key = {card.key: card for card in cards}
    edges = [
        place_edge(by_key[prev.key], by_key[node.key], words, grid.gap, grid.lane_pad, measure)
        for prev, node, words in arrows
    ]
    frames = tuple(frame for row in rows for frame in _row_frames(row, by_key, measure))
    boundary = _flow_boundary(lanes, nodes)
    if boundary is not None:
        boundary = replace(boundary, breaks=_boundary_breaks(boundary, edges))
    return _Placed(cards, frames, tuple(edges), tuple(lanes), boundary)


def _flow(
    nodes: Sequence[_Node],
    grid: _Grid,
    per_row: int,
    x: float,
    y: float,
    width: float,
    measure: Metrics,
    under: Mapping[str, float],
) -> tuple[list[Lane], list[_Row]]:
    """Cards flow left to right in rows of `per_row`, both lanes in the same flow: each row
    shades the runs of sender-side and receiver-side cards it holds, and a lane's title
    sits over its first run. A 10-server route thus takes two rows, not one per lane."""
    kinds = _kinds(nodes)
    lanes: list[Lane] = []
    rows: list[_Row] = []
    titled: set[str] = set()
    cursor = y
    for start in range(0, len(nodes), per_row):
        chunk = tuple(nodes[start : start + per_row])
        segments = _segments(chunk, kinds[start : start + per_row])
        titles = []
        failing = any(kind == "failure" for kind, _, _ in segments)
        for kind, first, last in segments:
            seg_w = (last - first + 1) * (grid.card_w + grid.gap) - 16
            if failing:
                # The lane's own width: beside the failure lane, whose wide arrow label
                # widens the gap, a pitch would run a title into its neighbour's.
                seg_w = (last - first + 1) * grid.card_w + (last - first) * grid.gap - 2
                seg_w += (grid.lane_pad if first == 0 else grid.gap / 2) - 12
                seg_w += grid.lane_pad if last == len(chunk) - 1 else grid.gap / 2
            lines = _lane_title(kind, seg_w, measure) if kind not in titled else []
            titled.add(kind)
            titles.append(lines)
        title_h = max((_title_height(t, measure) for t in titles if t), default=8.0)
        top = cursor + title_h + grid.band
        height = max(_content_height(node.text, grid.card_w, measure) for node in chunk)
        height = max(height, _edge_room(measure))
        below = max((under.get(n.key, 0.0) for n in chunk[1:]), default=0.0)
        height = max(height, 2 * (EDGE_BELOW + below))
        row = _Row(chunk, x + grid.lane_pad, top, height, grid.gap, ROW_GAP, grid.card_w)
        rows.append(row)
        bottom = top + height + 12
        for (kind, first, last), lines in zip(segments, titles, strict=True):
            left = row.card_rect(first).x - (grid.lane_pad if first == 0 else grid.gap / 2)
            right = row.card_rect(last).right + (
                grid.lane_pad if last == len(chunk) - 1 else grid.gap / 2
            )
            if last == len(chunk) - 1 and start + per_row >= len(nodes):
                right = max(right, x + width) if len(rows) > 1 else right
            rect = Rect(left, cursor, right - left, bottom - cursor)
            lanes.append(Lane(kind, rect, _title_texts(lines, left + 12, cursor + 4, measure)))
        cursor = bottom + ROW_GAP - 12
    return lanes, rows


def _kinds(nodes: Sequence[_Node]) -> list[str]:
    any_trusted = any(node.trusted for node in nodes)
    return [
        "failure"
        if n.failure
        else ("trusted" if n.trusted else ("untrusted" if any_trusted else "unknown"))
        for n in nodes
    ]


def _segments(chunk: Sequence[_Node], kinds: Sequence[str]) -> list[tuple[str, int, int]]:
    segments: list[tuple[str, int, int]] = []
    for i, kind in enumerate(kinds[: len(chunk)]):
        if segments and segments[-1][0] == kind:
            segments[-1] = (kind, segments[-1][1], i)
        else:
            segments.append((kind, i, i))
    return segments


def _flow_boundary(lanes: Sequence[Lane], nodes: Sequence[_Node]) -> Boundary | None:
    """A dashed line at the left edge of the first receiver-side run (after a sender run)."""
    for previous, lane in itertools.pairwise(lanes):
        if lane.kind == "trusted" and previous.kind == "untrusted":
            hop = next(node.hops[0] for node in nodes if node.trusted)
            if abs(previous.rect.y - lane.rect.y) < 1:
                return Boundary(
                    Point(lane.rect.x, lane.rect.y), Point(lane.rect.x, lane.rect.bottom), True, hop
                )
            return Boundary(
                Point(lane.rect.x, lane.rect.y), Point(lane.rect.right, lane.rect.y), False, hop
            )
    return None


def _boundary_breaks(boundary: Boundary, edges: Sequence[Edge]) -> tuple[tuple[float, float], ...]:
    """Where the boundary line crosses the words under an arrow: those spans stay blank."""
    spans: list[tuple[float, float]] = []
    for edge in edges:
        for line in edge.lines:
            box = line.rect
            if boundary.vertical and box.x <= boundary.start.x <= box.right:
                spans.append((box.y - 1, box.bottom + 1))
            elif not boundary.vertical and box.y <= boundary.start.y <= box.bottom:
                spans.append((box.x - 2, box.right + 2))
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _lane_title(kind: str, width: float, measure: Metrics) -> list[tuple[str, str]]:
    return [
        (line, "lane-title") for line in wrap_words(LANE_TITLES[kind], width, "lane-title", measure)
    ]


def _title_height(lines: Sequence[tuple[str, str]], measure: Metrics) -> float:
    return 6 + sum(_lh(measure, style) for _, style in lines) + 2


def _title_texts(
    lines: Sequence[tuple[str, str]], x: float, y: float, measure: Metrics
) -> tuple[Text, ...]:
    texts: list[Text] = []
    for text, style in lines:
        h = _lh(measure, style)
        texts.append(Text(text, style, Rect(x, y, measure.width(text, style), h)))
        y += h
    return tuple(texts)


def _lh(measure: Metrics, style: str) -> float:
    return float(measure.line_height(style))


def _badge_rows(
    badges: Sequence[tuple[str, str]], card_w: float, measure: Metrics
) -> list[list[tuple[str, str, float]]]:
    """Badges flowed into rows that fit the card's inner width."""
    inner = card_w - 2 * CARD_PAD
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


def _content_height(text: CardText, card_w: float, measure: Metrics) -> float:
    lines = sum(_lh(measure, style) for _, style in text.lines)
    count = len(_badge_rows(text.badges, card_w, measure))
    badges = count * BADGE_H + max(count - 1, 0) * BADGE_GAP
    return CARD_PAD + lines + (8 + badges if count else 0) + CARD_PAD


def _edge_room(measure: Metrics) -> float:
    """A card is tall enough for the pill above its arrow and three lines under it."""
    return 2 * (8 + 3 * _lh(measure, "edge"))


def _card(node: _Node, rect: Rect, measure: Metrics) -> Card:
    texts: list[Text] = []
    y = rect.y + CARD_PAD
    for text, style in node.text.lines:
        h = _lh(measure, style)
        texts.append(Text(text, style, Rect(rect.x + CARD_PAD, y, measure.width(text, style), h)))
        y += h
    badges: list[Badge] = []
    rows = _badge_rows(node.text.badges, rect.w, measure)
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
