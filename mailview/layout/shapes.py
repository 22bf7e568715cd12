"""The frozen output of the layout: everything the scene draws, already placed."""

from __future__ import annotations

from mailview.core.model import Severity
from mailview.core.record import record
from mailview.layout.geometry import Point, Rect
from mailview.layout.groups import HopGroup


@record
class Text:
    """One line of text in a style of `FONTS`, with the box it was measured to fill."""

    text: str
    style: str
    rect: Rect


@record
class Badge:
    text: Text
    kind: str  # neutral | good | warn | info
    rect: Rect


@record
class Card:
    key: str  # "hop-3" or "group-g4-6"
    hops: tuple[int, ...]  # the hops it stands for (one, or a collapsed group's)
    group_id: str | None  # its group, collapsed or expanded
    collapsed: bool  # a collapsed group's stacked card
    trusted: bool
    rect: Rect
    texts: tuple[Text, ...]
    badges: tuple[Badge, ...]
    finding: Severity | None  # worst finding that names one of its hops
    tooltip: str  # the raw Received header(s)


@record
class Frame:
    """The outline around an expanded group's cards (one per row it spans)."""

    group_id: str
    rect: Rect
    label: Text
    collapse: Text | None  # the "collapse" affordance, on the group's first frame


@record
class Edge:
    source: str  # card keys
    target: str
    hop: int  # the hop whose delay it carries (the target's first)
    points: tuple[Point, ...]  # polyline; the arrow head is at the last point
    delay_class: str  # fast | slow | very-slow | skew | unknown
    label: Text | None  # the pill's text: the delay, or a break's first word
    pill: Rect | None
    note: Text | None  # the first line under the arrow ("clock skew", "ESMTPS", …)
    kind: str = "link"  # link | break (the chain breaks: two headers name different servers)
    tone: str = "unknown"  # pill colour: fast | slow | unknown, or the explaining severity
    lines: tuple[Text, ...] = ()  # every line under the arrow (note included)
    words: str | None = None  # a break's name: "re-sent 2 d 18 h later through Mailgun …"
    finding: str | None = None  # title of the finding that explains the pill's colour

    @property
    def label_text(self) -> str | None:
        if self.kind == "break":
            return self.words
        if self.label is None:
            return None
        notes = [line.text for line in self.lines if line.style == "edge-note"]
        return " ".join([self.label.text, *notes])


@record
class Lane:
    kind: str  # untrusted | trusted | unknown
    rect: Rect
    title: tuple[Text, ...]


@record
class Boundary:
    """The dashed trust-boundary line between the lanes."""

    start: Point
    end: Point
    vertical: bool
    hop: int
    # Spans along the line (y from..to when vertical, else x) left blank where the words
    # under an arrow cross it: a dash through "TLS 1.0" makes it unreadable.
    breaks: tuple[tuple[float, float], ...] = ()

    def segments(self) -> tuple[tuple[Point, Point], ...]:
        """The pieces of the line drawn: from start to end, around the breaks."""
        vertical = self.vertical
        first, last = (self.start.y, self.end.y) if vertical else (self.start.x, self.end.x)
        pieces, at = [], first
        for start, end in (*self.breaks, (last, last)):
            if min(start, last) > at:
                pieces.append((at, min(start, last)))
            at = max(at, end)
        fixed = self.start.x if vertical else self.start.y
        return tuple(
            (Point(fixed, a), Point(fixed, b)) if vertical else (Point(a, fixed), Point(b, fixed))
            for a, b in pieces
        )


@record
class TimelineTick:
    x: float
    label: Text


@record
class TimelineMarker:
    x: float
    hops: tuple[int, ...]
    label: Text


@record
class TimelineSegment:
    x0: float
    x1: float
    delay_class: str
    hop: int


@record
class TimelineBreak:
    """A cut in the axis: `label` ("2 d 18 h") of time left out between x0 and x1."""

    x0: float
    x1: float
    label: Text


@record
class Timeline:
    rect: Rect
    title: Text
    axis_y: float
    x0: float
    x1: float
    ticks: tuple[TimelineTick, ...]
    markers: tuple[TimelineMarker, ...]
    segments: tuple[TimelineSegment, ...]
    date_header_x: float | None  # where the message's Date header falls, if it has one
    boundary_x: float | None  # when the first trusted hop wrote its line
    notes: tuple[Text, ...]
    breaks: tuple[TimelineBreak, ...] = ()  # where the axis skips a long stretch of time


@record
class LegendEntry:
    kind: str  # a delay class, or lane-untrusted | lane-trusted | finding | group | selected
    swatch: Rect
    swatch_text: Text | None  # the text inside a pill-shaped swatch
    label: Text


@record
class Legend:
    rect: Rect
    title: Text
    entries: tuple[LegendEntry, ...]


@record
class Diagram:
    width: float
    height: float
    cards: tuple[Card, ...]
    frames: tuple[Frame, ...]
    edges: tuple[Edge, ...]
    lanes: tuple[Lane, ...]
    boundary: Boundary | None
    timeline: Timeline | None
    caption: tuple[Text, ...]
    legend: Legend | None
    groups: tuple[HopGroup, ...]
    empty_note: Text | None  # said instead of a route when there is none

    def card_of_hop(self, index: int) -> Card | None:
        return next((card for card in self.cards if index in card.hops), None)

    def group_of_hop(self, index: int) -> HopGroup | None:
        return next((group for group in self.groups if index in group.hops), None)
