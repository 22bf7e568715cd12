"""Drawing without a window, for `mailview export` and scripts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from mailview.core.model import Report
from mailview.gui.diagram import export_png, export_svg
from mailview.gui.diagram.export import png_bytes, svg_bytes


def write_diagram(
    report: Report, *, png: Path | None, svg: Path | None, returned: Report | None = None
) -> list[Path]:
    """Write the report's hop diagram; returns the files written. Raises OSError.
    `returned`: a bounce's original, analysed, whose route is drawn with the failure."""
    # The scene is made of QGraphicsItems, which need a QApplication (QtWidgets), not just
    # a QGuiApplication; on the offscreen platform it needs no display.
    app = QApplication.instance() or QApplication(["mailview"])
    written: list[Path] = []
    if png is not None:
        export_png(report, png, returned=returned)
        written.append(png)
    if svg is not None:
        export_svg(report, svg, returned=returned)
        written.append(svg)
    del app  # keep the application alive until the drawing is done
    return written


def diagram_png(report: Report, returned: Report | None = None) -> bytes:
    """The report's hop diagram as PNG bytes (2x), e.g. to embed in an HTML report."""
    app = QApplication.instance() or QApplication(["mailview"])
    data = png_bytes(report, returned=returned)
    del app
    return data


def diagram_svg(report: Report, returned: Report | None = None) -> bytes:
    """The report's hop diagram as an SVG document."""
    app = QApplication.instance() or QApplication(["mailview"])
    data = svg_bytes(report, returned=returned)
    del app
    return data
