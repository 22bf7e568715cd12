"""The hop diagram: a QGraphicsView of a Report's route, and its PNG/SVG export."""

from mailview.gui.diagram.export import export_png, export_svg, render_image
from mailview.gui.diagram.palette import DiagramPalette
from mailview.gui.diagram.scene import DiagramScene
from mailview.gui.diagram.view import DiagramView

__all__ = [
    "DiagramPalette",
    "DiagramScene",
    "DiagramView",
    "export_png",
    "export_svg",
    "render_image",
]
