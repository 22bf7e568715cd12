"""Geometry of the hop diagram, computed from a Report in pure Python (no Qt).

The GUI draws what `layout_report` places; tests check the geometry without a display.
"""

from mailview.layout.diagram import CARD_W, cards_per_row, layout_report
from mailview.layout.geometry import FONTS, ApproxMetrics, FontSpec, Metrics, Point, Rect
from mailview.layout.groups import HopGroup, delay_class, find_groups
from mailview.layout.shapes import (
    Badge,
    Boundary,
    Card,
    Diagram,
    Edge,
    Frame,
    Lane,
    Legend,
    LegendEntry,
    Text,
    Timeline,
)

__all__ = [
    "CARD_W",
    "FONTS",
    "ApproxMetrics",
    "Badge",
    "Boundary",
    "Card",
    "Diagram",
    "Edge",
    "FontSpec",
    "Frame",
    "HopGroup",
    "Lane",
    "Legend",
    "LegendEntry",
    "Metrics",
    "Point",
    "Rect",
    "Text",
    "Timeline",
    "cards_per_row",
    "delay_class",
    "find_groups",
    "layout_report",
]
