"""Plain geometry and text measuring for the diagram layout (no Qt).

The layout must know how wide a piece of text is to wrap host names and size cards, but it
may not import Qt. So it asks a `Metrics` object it is handed: the GUI passes one backed by
QFontMetricsF, tests and headless callers use `ApproxMetrics`. Fonts are named by a small
set of text styles (`FONTS`) that both sides agree on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from mailview.core.record import record


@record
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def intersects(self, other: Rect) -> bool:
        """True when the interiors overlap (touching edges do not count)."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def contains(self, other: Rect) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def grown(self, dx: float, dy: float) -> Rect:
        return Rect(self.x - dx, self.y - dy, self.w + 2 * dx, self.h + 2 * dy)


@record
class Point:
    x: float
    y: float


@record
class FontSpec:
    """A font as plain data; `mono` picks the fixed-pitch family."""

    pixel_size: int
    bold: bool = False
    mono: bool = False
    italic: bool = False


# Text styles used by the diagram. Read-only: shared by every layout and scene.
# Card text is at least the size of an ordinary desktop UI font (13 px); the app scales
# every style up when its own UI font is larger, so a card never reads smaller than a menu.
FONTS: Mapping[str, FontSpec] = MappingProxyType(
    {
        "caption-title": FontSpec(19, bold=True),
        "caption": FontSpec(13),
        "caption-muted": FontSpec(12),
        "lane-title": FontSpec(12, bold=True),
        "lane-note": FontSpec(12),
        "meta": FontSpec(12, bold=True),
        "title": FontSpec(14, bold=True),
        "body": FontSpec(13),
        "role": FontSpec(13, italic=True),
        "mono": FontSpec(13, mono=True),
        "muted": FontSpec(13),
        "link": FontSpec(13, bold=True),
        "finding": FontSpec(13, bold=True),
        "badge": FontSpec(12, bold=True),
        "pill": FontSpec(12, bold=True),
        "pill-note": FontSpec(11, bold=True),
        "edge": FontSpec(12),
        "edge-note": FontSpec(12, bold=True),
        "edge-break": FontSpec(12, bold=True),
        "tick": FontSpec(11),
        "legend": FontSpec(12),
        "legend-title": FontSpec(12, bold=True),
        "empty": FontSpec(14),
    }
)

# The styles drawn on a server card: the ones that must stay as large as the UI's font.
CARD_STYLES = frozenset({"title", "body", "role", "mono", "muted", "link", "finding"})


class Metrics(Protocol):
    """Measures text in one of the `FONTS` styles, in scene units (pixels at scale 1)."""

    def width(self, text: str, style: str) -> float: ...

    def line_height(self, style: str) -> float: ...


class ApproxMetrics:
    """A Qt-free estimate that errs wide, for tests and for callers without fonts."""

    def width(self, text: str, style: str) -> float:
        spec = FONTS[style]
        per_char = 0.62 if spec.mono else (0.62 if spec.bold else 0.58)
        return len(text) * spec.pixel_size * per_char

    def line_height(self, style: str) -> float:
        return round(FONTS[style].pixel_size * 1.4)


def wrap_host(text: str, width: float, style: str, metrics: Metrics) -> list[str]:
    """Break a host name into lines no wider than `width`, after its dots where possible.

    `AM6EUR05FT012.mail.protection.outlook.com` becomes `AM6EUR05FT012.` /
    `mail.protection.outlook.com`: the analyst still reads it label by label. IPv6
    addresses break after a colon the same way.
    """
    tokens = [token for token in re.split(r"(?<=[.:-])", text[:MAX_MEASURED]) if token]
    return _wrap_tokens(tokens, width, style, metrics)


# "3 h 04 min", "-1 min 23 s": number-unit and unit-number spaces bind a duration together.
_NUMBER_UNIT = re.compile(
    r"(?<=\d) (?=(?:s|min|h|d|ms|%)\b)|(?<=\bmin) (?=\d)|(?<=\d h) (?=\d)|(?<=\d d) (?=\d)"
)


def wrap_words(text: str, width: float, style: str, metrics: Metrics) -> list[str]:
    """Break prose into lines no wider than `width`, at spaces where possible.

    A duration stays whole ("1 min 23 s" is never split): the spaces inside it are made
    non-breaking.
    """
    glued = _NUMBER_UNIT.sub("\u00a0", text[: MAX_MEASURED * 4])
    lines = _wrap_tokens(_split_keep(glued, " "), width, style, metrics)
    # The lines are decided; plain spaces again, so the drawn text is what was written.
    return [line.replace("\u00a0", " ") for line in lines]


def _split_keep(text: str, sep: str) -> list[str]:
    parts = text.split(sep)
    return [part + sep for part in parts[:-1]] + [parts[-1]]


def _wrap_tokens(tokens: list[str], width: float, style: str, metrics: Metrics) -> list[str]:
    lines: list[str] = []
    current = ""
    for token in tokens:
        candidate = current + token
        if not current or metrics.width(candidate.rstrip(), style) <= width:
            current = candidate
            continue
        lines.append(current.rstrip())
        current = token
    if current.strip() or not lines:
        lines.append(current.rstrip())
    # A token wider than the line (a 60-character label) is cut by characters, never clipped.
    return [piece for line in lines for piece in _hard_break(line, width, style, metrics)]


# A label longer than this is cut before it is measured: a card or a pill shows at most a
# few lines of it, and the whole text stays in the tooltip and the details.
MAX_MEASURED = 400


def _hard_break(line: str, width: float, style: str, metrics: Metrics) -> list[str]:
    """Cut an over-long token into pieces no wider than `width`.

    Linear: each piece is guessed from the average character width and corrected by a few
    measurements, never by re-measuring the rest of the line one character at a time (a
    16,000-character HELO used to take seconds). Text past MAX_MEASURED is dropped here;
    callers keep only a few lines anyway.
    """
    if len(line) > MAX_MEASURED:
        line = line[:MAX_MEASURED]
    if metrics.width(line, style) <= width:
        return [line]
    pieces: list[str] = []
    rest = line
    while rest:
        total = metrics.width(rest, style)
        if total <= width:
            pieces.append(rest)
            break
        cut = max(1, min(len(rest), int(len(rest) * width / total)))
        while cut > 1 and metrics.width(rest[:cut], style) > width:
            cut = max(1, int(cut * 0.9) if cut > 20 else cut - 1)
        while cut < len(rest) and metrics.width(rest[: cut + 1], style) <= width:
            cut += 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces


def limit_lines(lines: list[str], most: int) -> list[str]:
    """At most `most` lines; the last kept one says text was left out (full text: tooltip)."""
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    last = kept[-1]
    kept[-1] = (last[:-1] if len(last) > 1 else last) + "…"
    return kept
