"""Export the hop diagram as PNG or SVG, for pasting into a ticket.

It renders a scene built for the purpose (caption and legend included, every group
collapsed, the light palette unless asked), never a view: the output does not depend on
a window's size, scroll position or zoom, and works on the offscreen platform.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSaveFile, QSize
from PySide6.QtGui import QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from mailview.core.model import Report
from mailview.gui.diagram.palette import DiagramPalette, QtMetrics
from mailview.gui.diagram.scene import DiagramScene
from mailview.layout import layout_report


def build_export_scene(
    report: Report, *, dark: bool = False, returned: Report | None = None
) -> DiagramScene:
    """The scene an export renders: diagram, caption and legend (`returned`: a bounce's
    original, analysed, whose route is drawn ending in the failure)."""
    if not isinstance(QApplication.instance(), QApplication):
        # QGraphicsScene needs QtWidgets; under a bare QGuiApplication it crashes.
        raise RuntimeError("exporting the hop diagram needs a QApplication (QtWidgets) instance")
    palette = DiagramPalette.dark_theme() if dark else DiagramPalette.light()
    scene = DiagramScene()
    diagram = layout_report(report, metrics=QtMetrics(), interactive=False, returned=returned)
    scene.build(diagram, palette)
    return scene


def render_image(
    report: Report, scale: float = 2.0, *, dark: bool = False, returned: Report | None = None
) -> QImage:
    """The diagram as an image `scale` times the scene size, on the palette's background."""
    scene = build_export_scene(report, dark=dark, returned=returned)
    source = scene.sceneRect()
    size = QSize(math.ceil(source.width() * scale), math.ceil(source.height() * scale))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(scene.backgroundBrush().color())
    painter = QPainter(image)
    try:
        _hints(painter)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    finally:
        painter.end()
    return image


def export_png(
    report: Report, path: str | Path, scale: float = 2.0, *, returned: Report | None = None
) -> None:
    """Write the diagram as a PNG, atomically. Raises OSError saying what went wrong."""
    image = render_image(report, scale, returned=returned)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"PNG"))
    if not writer.write(image):
        raise OSError(f"could not encode the diagram as PNG for {path}: {writer.errorString()}")
    buffer.close()
    _write_atomically(Path(path), bytes(data.data()))


def export_svg(report: Report, path: str | Path, *, returned: Report | None = None) -> None:
    """Write the diagram as SVG (text stays text), atomically. Raises OSError on failure."""
    scene = build_export_scene(report, returned=returned)
    source = scene.sceneRect()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(math.ceil(source.width()), math.ceil(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(f"Route of {report.message.subject or report.input.name}")
    generator.setDescription("Hop diagram exported by mailview")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not start the SVG writer for {path}")
    try:
        _hints(painter)
        painter.fillRect(QRectF(0, 0, source.width(), source.height()), scene.backgroundBrush())
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
    buffer.close()
    _write_atomically(Path(path), bytes(data.data()))


def _hints(painter: QPainter) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through QSaveFile: the target is replaced only once every byte is on disk."""
    file = QSaveFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.WriteOnly):
        raise OSError(f"cannot write {path}: {file.errorString()}")
    if file.write(data) != len(data):
        message = file.errorString()
        file.cancelWriting()
        raise OSError(f"cannot write {path}: {message}")
    if not file.commit():
        raise OSError(f"cannot save {path}: {file.errorString()}")
