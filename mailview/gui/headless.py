"""Drawing without a window, for `mailview export` and scripts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from mailview.core.model import Report
from mailview.gui.diagram import export_png, export_svg


def write_diagram(report: Report, *, png: Path | None, svg: Path | None) -> list[Path]:
    """Write the report's hop diagram; returns the files written. Raises OSError."""
    # The scene is made of QGraphicsItems, which need a QApplication (QtWidgets), not just
    # a QGuiApplication; on the offscreen platform it needs no display.
    app = QApplication.instance() or QApplication(["mailview"])
    written: list[Path] = []
    if png is not None:
        export_png(report, png)
        written.append(png)
    if svg is not None:
        export_svg(report, svg)
        written.append(svg)
    del app  # keep the application alive until the drawing is done
    return written
