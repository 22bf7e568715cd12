"""The timeline under the lanes: every dated hop on one axis, to scale, in UTC.

Hops a second apart land on the same spot, so markers whose labels would collide are merged
into one ("hops 4–6") until no two labels overlap. Tick spacing is the smallest round step
whose labels keep clear of each other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from mailview.core.model import Report
from mailview.layout.geometry import Metrics, Rect, wrap_words
from mailview.layout.groups import delay_class, delay_text
from mailview.layout.shapes import (
    Card,
    Text,
    Timeline,
    TimelineMarker,
    TimelineSegment,
    TimelineTick,
)

_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200)
_DAY = 86400
_LABEL_GAP = 10.0
_DATE_HEADER_REACH = 7 * _DAY  # a Date header further off than this would crush the scale


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
    start, end = min(times), max(times)
    x0, x1 = x + pad, x + width - pad
    span = max((end - start).total_seconds(), 1.0)

    def at(moment: datetime) -> float:
        return x0 + (moment - start).total_seconds() / span * (x1 - x0)

    title_h = measure.line_height("lane-title")
    title = Text(
        "TIMELINE (UTC, TO SCALE)",
        "lane-title",
        Rect(x0, y + 10, measure.width("TIMELINE (UTC, TO SCALE)", "lane-title"), title_h),
    )
    tick_h = measure.line_height("tick")
    marker_y = title.rect.bottom + 8
    axis_y = marker_y + tick_h + 12
    markers = _markers([(i, at(t)) for i, t in dated], marker_y, x, x + width, measure)
    ticks = _ticks(start, end, at, axis_y + 10, x, x + width, measure)
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
    )


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


def _markers(
    points: list[tuple[int, float]], y: float, left: float, right: float, measure: Metrics
) -> tuple[TimelineMarker, ...]:
    """One marker per hop, merged left to right while their labels would collide.

    A stack keeps this linear in the number of hops (500-hop messages exist): each new
    marker only has to be compared with the last one kept, and a merge only re-measures
    the merged label.
    """
    clusters: list[list[tuple[int, float]]] = []
    boxes: list[Text] = []
    for point in sorted(points, key=lambda p: (p[1], p[0])):
        clusters.append([point])
        boxes.append(_marker_label(clusters[-1], y, left, right, measure))
        while len(boxes) > 1 and boxes[-2].rect.right + _LABEL_GAP > boxes[-1].rect.x:
            merged = clusters[-2] + clusters[-1]
            del clusters[-2:], boxes[-2:]
            clusters.append(merged)
            boxes.append(_marker_label(merged, y, left, right, measure))
    return tuple(
        TimelineMarker(_mean_x(c), tuple(sorted(i for i, _ in c)), box)
        for c, box in zip(clusters, boxes, strict=True)
    )


def _mean_x(cluster: Sequence[tuple[int, float]]) -> float:
    return sum(x for _, x in cluster) / len(cluster)


def _marker_label(
    cluster: Sequence[tuple[int, float]], y: float, left: float, right: float, measure: Metrics
) -> Text:
    text = _hop_list([i for i, _ in cluster])
    w, h = measure.width(text, "tick"), measure.line_height("tick")
    lx = min(max(_mean_x(cluster) - w / 2, left), right - w)
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
        parts.append(f"total transit {delay_text(report.total_delay_seconds)}")
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
