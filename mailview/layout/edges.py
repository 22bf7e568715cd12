"""What an arrow of the hop diagram says, and where its pill and lines go.

An arrow is one hand-over: its pill carries the delay (or a break's first word) in the
colour of the finding that explains it; the lines under it carry the protocol, TLS and time
the Received header recorded, or the rest of a break's name. Placing is left to the
diagram: `place_edge` only needs the two cards and the gap between them.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailview.core.model import Hop
from mailview.core.record import record
from mailview.layout.geometry import Metrics, Point, Rect, limit_lines, wrap_words
from mailview.layout.groups import delay_class
from mailview.layout.servers import Handover
from mailview.layout.shapes import Card, Edge, Text
from mailview.present.durations import delay_label
from mailview.present.wording import tls_label

PILL_PAD_X = 8.0
PILL_H = 22.0
EDGE_BELOW = 5.0  # from an arrow down to the first line under it
FRAME_PAD = 7.0  # an expanded group's outline, which a row-to-row edge keeps clear of


def _line_height(measure: Metrics, style: str) -> float:
    return float(measure.line_height(style))


@record
class EdgeWords:
    """What an arrow says, before it is placed: a pill and the lines under it."""

    pill: str | None
    tone: str  # a delay class, or a severity (high | medium | low | info), or "break"
    lines: tuple[tuple[str, str], ...]  # (text, style)
    handover: Handover


def edge_words(handover: Handover, report_hop: Hop | None) -> EdgeWords:
    tone = _tone(handover)
    lines: list[tuple[str, str]] = []
    if handover.kind == "break":
        head, *rest = handover.parts or ("break",)
        return EdgeWords(head, tone, tuple((p, "edge-break") for p in rest), handover)
    pill = delay_label(handover.delay) if handover.delay is not None else None
    if handover.delay is not None and handover.delay < 0:
        lines.append(("clock skew", "edge-note"))
    if report_hop is not None:
        f = report_hop.fields
        if f.with_protocol:
            lines.append((f.with_protocol, "edge"))
        tls = tls_label(f)
        if tls:
            lines.append((tls, "edge"))
        if f.authenticated:
            lines.append(("authenticated", "edge"))
        if f.date is not None:
            lines.append((f.date.utc.strftime("%H:%M:%S"), "edge"))
    return EdgeWords(pill, tone, tuple(lines), handover)


def _tone(handover: Handover) -> str:
    """The colour of an arrow's pill: the severity of the finding that explains it; without
    one, green under a minute and amber above — red only ever comes from a finding."""
    if handover.severity is not None:
        return handover.severity.value
    if handover.kind == "break":
        return "unknown"
    kind = delay_class(handover.delay)
    return {"very-slow": "slow", "skew": "info"}.get(kind, kind)


def label_width(handover: Handover, measure: Metrics, report_hop: Hop | None = None) -> float:
    """The widest word the arrow's label holds (its own lines, and samples of the usual
    ones so that gaps agree across routes): a word wider than the gap would break."""
    words = edge_words(handover, report_hop)
    widths = [measure.width(text, style) for text, style in words.lines]
    widths += [measure.width(t, "edge") for t in ("ESMTPSA", "TLS 1.3", "00:00:00")]
    if words.pill:
        widths.append(measure.width(words.pill, "pill") + 2 * PILL_PAD_X)
    return min(max(widths, default=0.0), 110.0)


def place_edge(
    source: Card, target: Card, words: EdgeWords, gap: float, lane_pad: float, measure: Metrics
) -> Edge:
    """The arrow from `source` to `target` with its pill and lines: straight between two
    cards of a row, or down through the gap under the row and back to the next row."""
    src, dst = source.rect, target.rect
    points: tuple[Point, ...]
    lines: tuple[Text, ...]
    if src.y == dst.y and dst.x - src.right > gap + 1:
        # Not neighbours (a second refusing server): under the row, up into the target.
        turn_y = src.bottom + FRAME_PAD + 6
        points = (
            Point(src.cx, src.bottom),
            Point(src.cx, turn_y),
            Point(dst.cx, turn_y),
            Point(dst.cx, dst.bottom),
        )
        anchor = Point(dst.x - gap / 2, turn_y)
        lines = ()
    elif src.y == dst.y:
        y = src.cy
        points = (Point(src.right, y), Point(dst.x, y))
        anchor = Point((src.right + dst.x) / 2, y - 5 - PILL_H / 2)
        lines = _stack_lines(words.lines, anchor.x, y + EDGE_BELOW, gap - 10, measure)
    else:
        turn_y = src.bottom + FRAME_PAD + 6 + PILL_H / 2
        right_x = src.right + min(22.0, gap / 2 - 6)
        left_x = dst.x - lane_pad / 2
        points = (
            Point(src.right, src.cy),
            Point(right_x, src.cy),
            Point(right_x, turn_y),
            Point(left_x, turn_y),
            Point(left_x, dst.cy),
            Point(dst.x, dst.cy),
        )
        anchor = Point((left_x + right_x) / 2, turn_y)
        lines = _inline_lines(words, anchor, measure)
    label = pill = None
    if words.pill is not None:
        text = words.pill
        tw, th = measure.width(text, "pill"), _line_height(measure, "pill")
        pill = Rect(
            anchor.x - tw / 2 - PILL_PAD_X, anchor.y - PILL_H / 2, tw + 2 * PILL_PAD_X, PILL_H
        )
        label = Text(text, "pill", Rect(anchor.x - tw / 2, anchor.y - th / 2, tw, th))
    handover = words.handover
    return Edge(
        source.key,
        target.key,
        handover.hop,
        points,
        delay_class(handover.delay),
        label,
        pill,
        lines[0] if lines else None,
        kind=handover.kind,
        tone=words.tone,
        lines=lines,
        words=handover.words,
        finding=handover.finding,
    )


def stacked_height(words: EdgeWords, gap: float, measure: Metrics) -> float:
    """How far below the arrow its words reach when it joins two cards of a row."""
    lines = _stack_lines(words.lines, 0.0, 0.0, gap - 10, measure)
    return lines[-1].rect.bottom if lines else 0.0


def _stack_lines(
    lines: Sequence[tuple[str, str]], cx: float, y: float, width: float, measure: Metrics
) -> tuple[Text, ...]:
    """Lines centred under an arrow, each wrapped to the gap between the cards."""
    placed: list[Text] = []
    for text, style in lines:
        for piece in limit_lines(wrap_words(text, width, style, measure), 3):
            w, h = min(measure.width(piece, style), width), _line_height(measure, style)
            placed.append(Text(piece, style, Rect(cx - w / 2, y, w, h)))
            y += h
    return tuple(placed)


def _inline_lines(words: EdgeWords, anchor: Point, measure: Metrics) -> tuple[Text, ...]:
    """On a row-to-row edge the lines run on one line right of the pill."""
    if not words.lines:
        return ()
    style = words.lines[0][1]
    text = (
        " · ".join(t for t, _ in words.lines)
        if words.handover.kind != "break"
        else " ".join(t for t, _ in words.lines)
    )
    pill_w = measure.width(words.pill, "pill") + 2 * PILL_PAD_X if words.pill else 0.0
    w, h = measure.width(text, style), _line_height(measure, style)
    # Above the line, right of the pill: never drawn across the connector itself.
    return (Text(text, style, Rect(anchor.x + pill_w / 2 + 8, anchor.y - h - 1, w, h)),)
