"""The timeline under the lanes: every dated hop on one axis, to scale, in UTC.

Hops a second apart land on the same spot, so markers whose labels would collide are merged
into one ("hops 4–6") until no two labels overlap. Tick spacing is the smallest round step
whose labels keep clear of each other. When one stretch of time dwarfs the rest (a message
re-sent two days later, a Date header far off), the axis is broken there: each cluster of
moments keeps its own scale and the cut says how much time it leaves out, so the hops
never collapse into one dot.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import UTC, datetime

from mailview.core.model import Report
from mailview.core.record import mutable_record
from mailview.layout.geometry import Metrics, Rect, wrap_words
from mailview.layout.groups import delay_class
from mailview.layout.shapes import (
    Card,
    Text,
    Timeline,
    TimelineBreak,
    TimelineMarker,
    TimelineSegment,
    TimelineTick,
)
from mailview.present.durations import delay_label

_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200)
_DAY = 86400
_LABEL_GAP = 10.0
_DATE_HEADER_REACH = 7 * _DAY  # a Date header further off than this would crush the scale
_BREAK_MIN_S = 3600.0  # a gap shorter than this never breaks the axis
_BREAK_SHARE = 0.5  # … nor one taking less than this share of the whole span
_BREAK_W = 70.0  # room the cut takes on the axis


def timeline_block(
    report: Report,
    cards: Sequence[Card],
    x: float,
    y: float,
    width: float,
    pad: float,
    measure: Metrics,
) -> Timeline | None:
    dated = [(hop.index, hop.fields.date.utc) for hop in report.hops if hop.fields.date is not None]
    if not dated:
        return None
    header = report.message.date_parsed
    header_time = header.utc if header is not None else None
    times = [t for _, t in dated]
    if (
        header_time is not None
        and abs((header_time - min(times)).total_seconds()) <= _DATE_HEADER_REACH
    ):
        times.append(header_time)
    else:
        header_time = None
    x0, x1 = x + pad, x + width - pad
    scale = _Scale.of(sorted(times), x0, x1)
    at = scale.at
    heading = "TIMELINE (UTC, TO SCALE" + ("; CUT WHERE TIME JUMPS)" if scale.cuts else ")")
    title_h = measure.line_height("lane-title")
    title = Text(
        heading, "lane-title", Rect(x0, y + 10, measure.width(heading, "lane-title"), title_h)
    )
    tick_h = measure.line_height("tick")
    marker_y = title.rect.bottom + 8
    axis_y = marker_y + tick_h + 12
    markers = _markers([(i, at(t)) for i, t in dated], marker_y, x, x + width, measure)
    ticks = tuple(
        tick
        for first, last, left, right in scale.pieces
        for tick in _ticks(first, last, at, axis_y + 10, left, right, measure)
        or _moment_tick(first, at(first), axis_y + 10, (x, x + width), measure)
    )
    breaks = tuple(
        TimelineBreak(a, b, _cut_label(seconds, (a + b) / 2, axis_y + 10, measure))
        for a, b, seconds in scale.cuts
    )
    segments = _segments(report, at)
    boundary_x = _boundary_x(report, at)
    notes_y = axis_y + 10 + tick_h + 10
    notes = _notes(report, dated, header_time, x0, notes_y, x1 - x0, measure)
    bottom = (notes[-1].rect.bottom if notes else notes_y) + 12
    return Timeline(
        rect=Rect(x, y, width, bottom - y),
        title=title,
        axis_y=axis_y,
        x0=x0,
        x1=x1,
        ticks=ticks,
        markers=markers,
        segments=segments,
        date_header_x=at(header_time) if header_time is not None else None,
        boundary_x=boundary_x,
        notes=notes,
        breaks=breaks,
    )


class _Scale:
    """Moment → x: linear, or piecewise linear with cuts across the long gaps."""

    def __init__(
        self,
        pieces: list[tuple[datetime, datetime, float, float]],
        cuts: list[tuple[float, float, float]],
    ) -> None:
        self.pieces = pieces  # (first, last, left x, right x) per cluster of moments
        self.cuts = cuts  # (x0, x1, seconds left out)

    @staticmethod
    def of(times: list[datetime], x0: float, x1: float) -> _Scale:
        span = max((times[-1] - times[0]).total_seconds(), 1.0)
        clusters = [[times[0]]]
        for before, moment in itertools.pairwise(times):
            gap = (moment - before).total_seconds()
            if gap > _BREAK_MIN_S and gap > _BREAK_SHARE * span:
                clusters.append([moment])
            else:
                clusters[-1].append(moment)
        if len(clusters) == 1:
            return _Scale([(times[0], times[-1], x0, x1)], [])
        spans = [(c[-1] - c[0]).total_seconds() for c in clusters]
        floor = max(sum(spans) / len(clusters), 1.0)  # a one-moment cluster still gets room
        weights = [s + floor for s in spans]
        room = x1 - x0 - _BREAK_W * (len(clusters) - 1)
        pieces: list[tuple[datetime, datetime, float, float]] = []
        cuts: list[tuple[float, float, float]] = []
        left = x0
        for i, (cluster, weight) in enumerate(zip(clusters, weights, strict=True)):
            right = left + room * weight / sum(weights)
            pieces.append((cluster[0], cluster[-1], left, right))
            if i + 1 < len(clusters):
                gap = (clusters[i + 1][0] - cluster[-1]).total_seconds()
                cuts.append((right, right + _BREAK_W, gap))
            left = right + _BREAK_W
        return _Scale(pieces, cuts)

    def at(self, moment: datetime) -> float:
        for first, last, left, right in self.pieces:
            if moment <= last or (first, last, left, right) == self.pieces[-1]:
                length = (last - first).total_seconds()
                if length <= 0:
                    return (left + right) / 2
                share = (moment - first).total_seconds() / length
                return left + min(max(share, 0.0), 1.0) * (right - left)
        return self.pieces[-1][3]


def _moment_tick(
    moment: datetime, x: float, y: float, bounds: tuple[float, float], measure: Metrics
) -> tuple[TimelineTick, ...]:
    """A cluster too short for round ticks is labelled with its own moment."""
    text = moment.strftime("%d %b %H:%M:%S")
    w, h = measure.width(text, "tick"), measure.line_height("tick")
    left = min(max(x - w / 2, bounds[0]), bounds[1] - w)
    return (TimelineTick(x, Text(text, "tick", Rect(left, y, w, h))),)


def _cut_label(seconds: float, cx: float, y: float, measure: Metrics) -> Text:
    text = f"⋯ {delay_label(seconds)} ⋯"
    w, h = measure.width(text, "tick"), measure.line_height("tick")
    return Text(text, "tick", Rect(cx - w / 2, y, w, h))


def _hop_list(hops: Sequence[int]) -> str:
    """`hop 3`, `hops 4–6`, `hops 1, 3, 5–7`."""
    ordered = sorted(set(hops))
    ranges: list[tuple[int, int]] = []
    for index in ordered:
        if ranges and index == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], index)
        else:
            ranges.append((index, index))
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in ranges]
    return ("hop " if len(ordered) == 1 else "hops ") + ", ".join(parts)


@mutable_record
class _Cluster:
    """Hops whose markers share one spot: their indices, and the sum of their x for the mean."""

    hops: list[int]
    x_sum: float
    lo: int
    hi: int

    @property
    def x(self) -> float:
        return self.x_sum / len(self.hops)

    def absorb(self, other: _Cluster) -> None:
        # The longer list is extended, so each hop is copied O(log n) times at most.
        if len(other.hops) > len(self.hops):
            self.hops, other.hops = other.hops, self.hops
        self.hops.extend(other.hops)
        self.x_sum += other.x_sum
        self.lo, self.hi = min(self.lo, other.lo), max(self.hi, other.hi)


def _markers(
    points: list[tuple[int, float]], y: float, left: float, right: float, measure: Metrics
) -> tuple[TimelineMarker, ...]:
    """One marker per hop, merged left to right while their labels would collide.

    A stack keeps this linear in the number of hops (500-hop messages exist): each new
    marker only has to be compared with the last one kept; a merge keeps a running sum
    for the mean, and a big cluster's label is built from its count, not its list.
    """
    clusters: list[_Cluster] = []
    boxes: list[Text] = []
    for index, x in sorted(points, key=lambda p: (p[1], p[0])):
        clusters.append(_Cluster([index], x, index, index))
        boxes.append(_marker_label(clusters[-1], y, left, right, measure))
        while len(boxes) > 1 and boxes[-2].rect.right + _LABEL_GAP > boxes[-1].rect.x:
            last = clusters.pop()
            boxes.pop()
            clusters[-1].absorb(last)
            boxes[-1] = _marker_label(clusters[-1], y, left, right, measure)
    return tuple(
        TimelineMarker(c.x, tuple(sorted(c.hops)), box)
        for c, box in zip(clusters, boxes, strict=True)
    )


_LISTED = 12  # up to this many hops a label lists them ("hops 1, 3, 5–7"), beyond it counts


def _marker_label(cluster: _Cluster, y: float, left: float, right: float, measure: Metrics) -> Text:
    count = len(cluster.hops)
    listed = count <= _LISTED
    text = _hop_list(cluster.hops) if listed else f"{count} hops, {cluster.lo}–{cluster.hi}"
    w, h = measure.width(text, "tick"), measure.line_height("tick")
    lx = min(max(cluster.x - w / 2, left), right - w)
    return Text(text, "tick", Rect(lx, y, w, h))


def _tick_format(step: int, span: float) -> str:
    if span >= _DAY:
        return "%d %b" if step >= _DAY else "%d %b %H:%M"
    return "%H:%M:%S" if step < 60 else "%H:%M"


def _ticks(
    start: datetime,
    end: datetime,
    at: object,
    y: float,
    left: float,
    right: float,
    measure: Metrics,
) -> tuple[TimelineTick, ...]:
    assert callable(at)
    span = max((end - start).total_seconds(), 1.0)
    px_per_s = (right - left) / span
    steps = [*_STEPS, *(_DAY * n for n in (1, 2, 7, 14, 30, 91, 365))]
    chosen = steps[-1]
    for step in steps:
        sample = start.strftime(_tick_format(step, span))
        if step * px_per_s >= measure.width(sample, "tick") + 3 * _LABEL_GAP:
            chosen = step
            break
    fmt = _tick_format(chosen, span)
    first = math.ceil(start.timestamp() / chosen) * chosen
    ticks: list[TimelineTick] = []
    moment = first
    while moment <= end.timestamp():
        when = datetime.fromtimestamp(moment, UTC)
        text = when.strftime(fmt)
        w, h = measure.width(text, "tick"), measure.line_height("tick")
        tx = at(when)
        if left <= tx - w / 2 and tx + w / 2 <= right:
            ticks.append(TimelineTick(tx, Text(text, "tick", Rect(tx - w / 2, y, w, h))))
        moment += chosen
    return tuple(ticks)


def _segments(report: Report, at: object) -> tuple[TimelineSegment, ...]:
    """One bar piece per delay between two dated hops, coloured by its class."""
    assert callable(at)
    segments: list[TimelineSegment] = []
    previous = None
    for hop in report.hops:
        date = hop.fields.date
        if date is None:
            continue
        if previous is not None:
            seconds = (date.utc - previous).total_seconds()
            segments.append(
                TimelineSegment(at(previous), at(date.utc), delay_class(seconds), hop.index)
            )
        previous = date.utc
    return tuple(segments)


def _boundary_x(report: Report, at: object) -> float | None:
    assert callable(at)
    index = report.trust_boundary_hop
    hop = next((h for h in report.hops if h.index == index), None)
    if hop is None or hop.fields.date is None or index == 1:
        return None
    x: float = at(hop.fields.date.utc)
    return x


def _notes(
    report: Report,
    dated: Sequence[tuple[int, datetime]],
    header_time: datetime | None,
    x: float,
    y: float,
    width: float,
    measure: Metrics,
) -> tuple[Text, ...]:
    first, last = dated[0], dated[-1]
    same_day = first[1].date() == last[1].date()
    last_format = "%H:%M:%S" if same_day else "%d %b %Y %H:%M:%S"
    parts = [
        f"hop {first[0]} {first[1].strftime('%d %b %Y %H:%M:%S')} UTC",
        f"last hop {last[0]} {last[1].strftime(last_format)} UTC",
    ]
    if header_time is not None:
        parts.append(f"◆ Date header {header_time.strftime('%H:%M:%S')} UTC")
    share = _share_before_boundary(report, dated)
    if share is not None:
        parts.append(
            f"┆ {share} of the transit time passed before the receiving organisation had it"
        )
    elif report.total_delay_seconds is not None:
        parts.append(f"total transit {delay_label(report.total_delay_seconds)}")
    lines = wrap_words("  ·  ".join(parts), width, "tick", measure)
    h = measure.line_height("tick")
    return tuple(
        Text(line, "tick", Rect(x, y + i * h, measure.width(line, "tick"), h))
        for i, line in enumerate(lines)
    )


def _share_before_boundary(report: Report, dated: Sequence[tuple[int, datetime]]) -> str | None:
    index = report.trust_boundary_hop
    when = next((t for i, t in dated if i == index), None)
    if when is None or index == dated[0][0]:
        return None
    total = (dated[-1][1] - dated[0][1]).total_seconds()
    before = (when - dated[0][1]).total_seconds()
    if total <= 0 or not 0 <= before <= total:
        return None
    # Floor, not round: "100 %" would claim the receiver added no time at all.
    return f"{math.floor(before / total * 100)} %"
