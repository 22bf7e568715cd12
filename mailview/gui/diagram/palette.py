"""Colours and fonts of the hop diagram, for light and dark surroundings.

Severity colours are chosen per theme so a pill's text stays readable on its fill in both
(contrast ≥ 4.5:1); the light set is what an exported PNG for a ticket uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetricsF, QPalette

from mailview.core.model import Severity
from mailview.layout.geometry import CARD_STYLES, FONTS


@dataclass(frozen=True, slots=True)
class Swatch:
    fill: QColor
    text: QColor
    border: QColor


def _c(name: str) -> QColor:
    return QColor(name)


def _darker(colour: QColor) -> QColor:
    return colour.darker(135)


@dataclass(frozen=True, slots=True)
class DiagramPalette:
    dark: bool
    background: QColor
    text: QColor
    muted: QColor
    card: QColor
    card_border: QColor
    card_stack: QColor
    edge: QColor
    boundary: QColor
    link: QColor
    finding: QColor
    selected: QColor
    highlight: QColor
    frame: QColor
    axis: QColor
    lanes: dict[str, Swatch] = field(default_factory=dict)  # untrusted | trusted | unknown
    delays: dict[str, Swatch] = field(
        default_factory=dict
    )  # fast | slow | very-slow | skew | unknown
    badges: dict[str, Swatch] = field(default_factory=dict)  # neutral | good | warn | info

    @staticmethod
    def light() -> DiagramPalette:
        return DiagramPalette(
            dark=False,
            background=_c("#ffffff"),
            text=_c("#1f2328"),
            muted=_c("#57606a"),
            card=_c("#ffffff"),
            card_border=_c("#b8c0c8"),
            card_stack=_c("#eef1f4"),
            edge=_c("#57606a"),
            boundary=_c("#6e7781"),
            link=_c("#0969da"),
            finding=_c("#cf222e"),
            selected=_c("#0969da"),
            highlight=_c("#e36209"),
            frame=_c("#6f8fb8"),
            axis=_c("#d0d7de"),
            lanes={
                "untrusted": Swatch(_c("#fff7e6"), _c("#8a5300"), _c("#f0d08a")),
                "trusted": Swatch(_c("#eef5ff"), _c("#0b57b0"), _c("#b6d2f5")),
                "unknown": Swatch(_c("#f6f6f7"), _c("#4b5563"), _c("#d4d4d8")),
            },
            delays={
                "fast": Swatch(_c("#dafbe1"), _c("#0f5323"), _c("#4ac26b")),
                "slow": Swatch(_c("#fff1c2"), _c("#6b4300"), _c("#d4a72c")),
                "very-slow": Swatch(_c("#cf222e"), _c("#ffffff"), _c("#a40e26")),
                "skew": Swatch(_c("#cf222e"), _c("#ffffff"), _c("#a40e26")),
                "unknown": Swatch(_c("#eef1f4"), _c("#424a53"), _c("#afb8c1")),
                "high": Swatch(_c("#cf222e"), _c("#ffffff"), _c("#a40e26")),
                "medium": Swatch(_c("#bc4c00"), _c("#ffffff"), _c("#953800")),
                "low": Swatch(_c("#fff8c5"), _c("#633c01"), _c("#bf8700")),
                "info": Swatch(_c("#ddf4ff"), _c("#0550ae"), _c("#54aeff")),
            },
            badges={
                "neutral": Swatch(_c("#eef1f4"), _c("#32383f"), _c("#d0d7de")),
                "good": Swatch(_c("#dafbe1"), _c("#0f5323"), _c("#aceebb")),
                "warn": Swatch(_c("#fff1c2"), _c("#6b4300"), _c("#f2d27a")),
                "info": Swatch(_c("#ddf4ff"), _c("#0550ae"), _c("#9cd4fb")),
            },
        )

    @staticmethod
    def dark_theme() -> DiagramPalette:
        return DiagramPalette(
            dark=True,
            background=_c("#0d1117"),
            text=_c("#e6edf3"),
            muted=_c("#9ea7b3"),
            card=_c("#161b22"),
            card_border=_c("#454d57"),
            card_stack=_c("#1f252e"),
            edge=_c("#9ea7b3"),
            boundary=_c("#8b949e"),
            link=_c("#58a6ff"),
            finding=_c("#ff7b72"),
            selected=_c("#58a6ff"),
            highlight=_c("#ffa657"),
            frame=_c("#5b7fae"),
            axis=_c("#30363d"),
            lanes={
                "untrusted": Swatch(_c("#221b0e"), _c("#e3b341"), _c("#5c4716")),
                "trusted": Swatch(_c("#0e1a2d"), _c("#79b8ff"), _c("#1f4b85")),
                "unknown": Swatch(_c("#18191c"), _c("#c9d1d9"), _c("#3d444d")),
            },
            delays={
                "fast": Swatch(_c("#12361f"), _c("#8ff0b0"), _c("#2ea043")),
                "slow": Swatch(_c("#3b2d07"), _c("#f5cd5b"), _c("#bb8009")),
                "very-slow": Swatch(_c("#da3633"), _c("#ffffff"), _c("#f85149")),
                "skew": Swatch(_c("#da3633"), _c("#ffffff"), _c("#f85149")),
                "unknown": Swatch(_c("#262c36"), _c("#c9d1d9"), _c("#454d57")),
                "high": Swatch(_c("#da3633"), _c("#ffffff"), _c("#f85149")),
                "medium": Swatch(_c("#9b4215"), _c("#ffffff"), _c("#db6d28")),
                "low": Swatch(_c("#3b2d07"), _c("#f5cd5b"), _c("#bb8009")),
                "info": Swatch(_c("#0c2d6b"), _c("#a5d6ff"), _c("#388bfd")),
            },
            badges={
                "neutral": Swatch(_c("#262c36"), _c("#d1d7e0"), _c("#3d444d")),
                "good": Swatch(_c("#12361f"), _c("#8ff0b0"), _c("#1f6f3a")),
                "warn": Swatch(_c("#3b2d07"), _c("#f5cd5b"), _c("#6c5210")),
                "info": Swatch(_c("#0c2d6b"), _c("#a5d6ff"), _c("#1f4b85")),
            },
        )

    @staticmethod
    def from_qpalette(palette: QPalette) -> DiagramPalette:
        """The set that suits a widget's palette: dark when its window colour is dark."""
        window = palette.color(QPalette.ColorRole.Window)
        return DiagramPalette.dark_theme() if window.lightnessF() < 0.5 else DiagramPalette.light()

    def severity_colour(self, severity: Severity) -> QColor:
        """Outline and words of a finding on a card: the colour of its severity, so an INFO
        finding never reads like a HIGH one."""
        if severity is Severity.HIGH:
            return self.finding
        swatch = self.delays[severity.value]
        return swatch.border if self.dark else _darker(swatch.border)

    def text_colour(self, style: str) -> QColor:
        """Colour of a card or caption text style (pills and badges have their own)."""
        if style in {"meta", "muted", "tick", "caption-muted", "lane-note", "edge", "role"}:
            return self.muted
        if style == "link":
            return self.link
        if style == "finding":
            return self.finding
        return self.text


def ui_scale(ui_font: QFont) -> float:
    """How much to enlarge the diagram's styles so card text is as large as `ui_font`."""
    pixels = QFontInfo(ui_font).pixelSize()
    smallest = min(FONTS[style].pixel_size for style in CARD_STYLES)
    return max(1.0, pixels / smallest)


@cache
def font_for(style: str, scale: float = 1.0) -> QFont:
    """The QFont of a layout text style. Cached: fonts are immutable values once made."""
    spec = FONTS[style]
    font = QFont()
    if spec.mono:
        font.setFamilies(["DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
        font.setStyleHint(QFont.StyleHint.TypeWriter)
    else:
        font.setFamilies(["DejaVu Sans", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif"])
        font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPixelSize(max(1, round(spec.pixel_size * scale)))
    font.setBold(spec.bold)
    font.setItalic(spec.italic)
    return font


_CACHE_LIMIT = 50_000


@cache
def shared_metrics(scale: float = 1.0) -> QtMetrics:
    """One measuring cache per font scale for the whole app: every tab measures the same
    host names and labels, so a new tab finds most widths already known."""
    return QtMetrics(scale)


class QtMetrics:
    """The layout's `Metrics`, measured with the fonts the scene will draw in."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self._metrics: dict[str, QFontMetricsF] = {}
        self._widths: dict[tuple[str, str], float] = {}

    def _fm(self, style: str) -> QFontMetricsF:
        fm = self._metrics.get(style)
        if fm is None:
            fm = self._metrics[style] = QFontMetricsF(font_for(style, self.scale))
        return fm

    def width(self, text: str, style: str) -> float:
        key = (text, style)
        width = self._widths.get(key)
        if width is None:
            # Rounded up, plus a pixel: antialiased glyphs bleed past the advance.
            fm = self._fm(style)
            if len(self._widths) > _CACHE_LIMIT:
                self._widths.clear()  # shared by every tab: kept bounded
            width = self._widths[key] = float(int(fm.horizontalAdvance(text)) + 2)
        return width

    def line_height(self, style: str) -> float:
        return float(int(self._fm(style).height() * 1.18) + 1)
