"""Plain geometry and text measuring for the diagram layout (no Qt).

The layout must know how wide a piece of text is to wrap host names and size cards, but it
may not import Qt. So it asks a `Metrics` object it is handed: the GUI passes one backed by
QFontMetricsF, tests and headless callers use `ApproxMetrics`. Fonts are named by a small
set of text styles (`FONTS`) that both sides agree on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class FontSpec:
    """A font as plain data; `mono` picks the fixed-pitch family."""

    pixel_size: int
    bold: bool = False
    mono: bool = False
    italic: bool = False


# Text styles used by the diagram. Read-only: shared by every layout and scene.
FONTS: Mapping[str, FontSpec] = MappingProxyType(
    {
        "caption-title": FontSpec(19, bold=True),
        "caption": FontSpec(13),
        "caption-muted": FontSpec(12),
        "lane-title": FontSpec(11, bold=True),
        "lane-note": FontSpec(11),
        "meta": FontSpec(10, bold=True),
        "title": FontSpec(14, bold=True),
        "body": FontSpec(12),
        "mono": FontSpec(12, mono=True),
        "muted": FontSpec(11),
        "link": FontSpec(12, bold=True),
        "finding": FontSpec(11, bold=True),
        "badge": FontSpec(10, bold=True),
        "pill": FontSpec(11, bold=True),
        "pill-note": FontSpec(10, bold=True),
        "tick": FontSpec(10),
        "legend": FontSpec(11),
        "legend-title": FontSpec(12, bold=True),
        "empty": FontSpec(14),
    }
)


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
    tokens = [token for token in re.split(r"(?<=[.:-])", text) if token]
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
    glued = _NUMBER_UNIT.sub("\u00a0", text)
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


def _hard_break(line: str, width: float, style: str, metrics: Metrics) -> list[str]:
    pieces: list[str] = []
    rest = line
    while rest and metrics.width(rest, style) > width:
        cut = len(rest) - 1
        while cut > 1 and metrics.width(rest[:cut], style) > width:
            cut -= 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def limit_lines(lines: list[str], most: int) -> list[str]:
    """At most `most` lines; the last kept one says text was left out (full text: tooltip)."""
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    last = kept[-1]
    kept[-1] = (last[:-1] if len(last) > 1 else last) + "…"
    return kept
