"""Export the hop diagram as PNG or SVG, for pasting into a ticket.

It renders a scene built for the purpose (caption and legend included, every group
collapsed, the light palette unless asked), never a view: the output does not depend on
a window's size, scroll position or zoom, and works on the offscreen platform.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from mailview.core.model import Report
from mailview.export.safe_text import xml_document_safe, xml_safe
from mailview.export.writer import write_bytes
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


def png_bytes(report: Report, scale: float = 2.0, *, returned: Report | None = None) -> bytes:
    """The diagram as PNG bytes. Raises OSError saying what went wrong."""
    image = render_image(report, scale, returned=returned)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"PNG"))
    if not writer.write(image):
        raise OSError(f"the diagram could not be encoded as PNG: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def export_png(
    report: Report, path: str | Path, scale: float = 2.0, *, returned: Report | None = None
) -> None:
    """Write the diagram as a PNG, atomically. Raises OSError saying what went wrong."""
    write_bytes(path, png_bytes(report, scale, returned=returned))


def svg_bytes(report: Report, *, returned: Report | None = None) -> bytes:
    """The diagram as an SVG document (text stays text), well-formed XML whatever the
    message's text holds. Raises OSError on failure."""
    scene = build_export_scene(report, returned=returned)
    source = scene.sceneRect()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(math.ceil(source.width()), math.ceil(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(xml_safe(f"Route of {report.message.subject or report.input.name}"))
    generator.setDescription("Hop diagram exported by mailview")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError("the SVG writer could not start")
    try:
        _hints(painter)
        painter.fillRect(QRectF(0, 0, source.width(), source.height()), scene.backgroundBrush())
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
    buffer.close()
    # Qt writes a control character from a header as it is (or as a reference), which XML
    # forbids: the document would not open.
    return xml_document_safe(bytes(data.data()))


def export_svg(report: Report, path: str | Path, *, returned: Report | None = None) -> None:
    """Write the diagram as SVG, atomically. Raises OSError on failure."""
    write_bytes(path, svg_bytes(report, returned=returned))


def _hints(painter: QPainter) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
