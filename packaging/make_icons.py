"""Regenerates every raster rendering of the application icon from its SVG masters.

    .venv/bin/python packaging/make_icons.py              # rewrites icons/ in the checkout
    .venv/bin/python packaging/make_icons.py --out DIR    # writes the same tree into DIR
    .venv/bin/python packaging/make_icons.py --png-only   # the hicolor PNGs only, no Pillow

Writes `hicolor/<N>x<N>/apps/<APP_ID>.png` for every size the app ships, `mailview.ico`
(Windows, 16-256 px) and `mailview.icns` (macOS, 32-1024 px). QtSvg rasterises (it is
what the app itself draws with, so no extra SVG library); Pillow only packs the .ico and
.icns containers. Sizes up to SMALL_MAX come from `mailview-small.svg` when present,
because the full drawing turns to mush at 16 px.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# Before Qt loads: rendering needs no display, and must not pick one up by accident.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from mailview.gui.icons import ICON_SIZES, SMALL_MAX, icons_dir, png_relpath

MASTER = "mailview.svg"
SMALL_MASTER = "mailview-small.svg"
ICO_NAME = "mailview.ico"
ICNS_NAME = "mailview.icns"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico entry can hold
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)  # what Pillow's ICNS writer stores
# Never written as a PNG: only the .icns wants it (Retina 512@2x).
ICNS_ONLY = 1024


def master_for(source: Path, size: int) -> Path:
    small = source / SMALL_MASTER
    if size <= SMALL_MAX and small.is_file():
        return small
    return source / MASTER


def render(svg: Path, size: int) -> QImage:
    """`svg` drawn into a transparent size x size image, straight (not premultiplied) alpha."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide's stubs want the format as bytes, its runtime only takes str.
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise SystemExit("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def write_pngs(source: Path, out: Path) -> dict[int, bytes]:
    """Every hicolor PNG under `out`; returns the encoded PNG of each size (plus 1024)."""
    encoded: dict[int, bytes] = {}
    for size in (*ICON_SIZES, ICNS_ONLY):
        encoded[size] = png_bytes(render(master_for(source, size), size))
        if size in ICON_SIZES:
            path = out / png_relpath(size)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(encoded[size])
    return encoded


def write_bundles(encoded: dict[int, bytes], out: Path) -> None:
    """The .ico and .icns, each size from its own rendering rather than resampled."""
    # Imported here so --png-only runs where Pillow is not installed.
    from PIL import Image  # noqa: PLC0415

    images = {size: Image.open(io.BytesIO(data)).convert("RGBA") for size, data in encoded.items()}
    largest_ico = max(ICO_SIZES)
    images[largest_ico].save(
        out / ICO_NAME,
        format="ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=[images[size] for size in ICO_SIZES if size != largest_ico],
    )
    largest_icns = max(ICNS_SIZES)
    images[largest_icns].save(
        out / ICNS_NAME,
        format="ICNS",
        append_images=[images[size] for size in ICNS_SIZES if size != largest_icns],
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=icons_dir(), help="folder of the SVGs")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: source)")
    parser.add_argument("--png-only", action="store_true", help="skip the .ico and .icns")
    args = parser.parse_args(argv)
    out: Path = args.out or args.source
    # QPainter and the SVG renderer want a GUI application object to exist.
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    encoded = write_pngs(args.source, out)
    if not args.png_only:
        write_bundles(encoded, out)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
