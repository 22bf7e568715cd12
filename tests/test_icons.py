"""The application icon: the shipped renderings, the .ico/.icns bundles, app_icon() and
the generator that makes them from the SVG masters."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from mailview.gui.icons import ICON_SIZES, app_icon, icons_dir, png_relpath

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "packaging" / "make_icons.py"
ICO_SIZES = {16, 24, 32, 48, 64, 128, 256}
# Pillow's ICNS writer: 128, 256, 512, 1024 (ic07-ic10), 32@2x and up (ic11-ic14).
ICNS_TYPES = {b"ic07", b"ic08", b"ic09", b"ic10", b"ic11", b"ic12", b"ic13", b"ic14"}


def rgba(path: Path) -> QImage:
    image = QImage(str(path))
    assert not image.isNull(), f"unreadable: {path}"
    return image


def rgba_bytes(image: QImage) -> bytes:
    # RGBA8888 rows are width * 4 bytes, so the buffer has no row padding.
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    return bytes(converted.constBits())


def alphas(image: QImage) -> bytes:
    return rgba_bytes(image)[3::4]


def ico_sizes(path: Path) -> set[int]:
    data = path.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1), "not an icon file"
    # Each 16-byte directory entry starts with width and height; 0 stands for 256.
    widths = [data[6 + 16 * i] or 256 for i in range(count)]
    heights = [data[7 + 16 * i] or 256 for i in range(count)]
    assert widths == heights
    return set(widths)


def icns_types(path: Path) -> set[bytes]:
    data = path.read_bytes()
    magic, total = struct.unpack_from(">4sI", data, 0)
    assert magic == b"icns"
    assert total == len(data)
    types: set[bytes] = set()
    offset = 8
    while offset < total:
        kind, length = struct.unpack_from(">4sI", data, offset)
        assert length > 8
        types.add(kind)
        offset += length
    assert offset == total
    return types


@pytest.mark.parametrize("size", ICON_SIZES)
def test_every_png_is_its_exact_size_with_alpha_and_a_shape(size: int) -> None:
    image = rgba(icons_dir() / png_relpath(size))
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    alpha = alphas(image)
    opaque = sum(1 for a in alpha if a == 255)
    clear = sum(1 for a in alpha if a == 0)
    # An envelope, not a filled square nor an empty canvas: solid in the middle,
    # see-through above and below it.
    assert opaque > len(alpha) // 2
    assert clear > len(alpha) // 10
    assert alpha[(size // 2) * size + size // 2] == 255
    assert alpha[0] == 0


def test_the_small_sizes_are_drawn_from_their_own_master() -> None:
    # The simplified master has no rings round the hops: scaling 32 px down to 16 px
    # would not give the same picture.
    small = rgba_bytes(rgba(icons_dir() / png_relpath(16)))
    scaled = rgba_bytes(rgba(icons_dir() / png_relpath(32)).scaled(16, 16))
    assert small != scaled
    assert (icons_dir() / "mailview-small.svg").is_file()


def test_the_ico_holds_every_windows_size() -> None:
    assert ico_sizes(icons_dir() / "mailview.ico") == ICO_SIZES


def test_the_icns_holds_every_macos_size() -> None:
    assert icns_types(icons_dir() / "mailview.icns") >= ICNS_TYPES


def test_icons_dir_is_the_checkouts_icons_folder() -> None:
    assert icons_dir() == ROOT / "icons"
    assert (icons_dir() / "mailview.svg").is_file()


def test_app_icon_offers_every_shipped_size(qapp: QApplication) -> None:
    icon = app_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert sizes == {(n, n) for n in ICON_SIZES}
    assert icon.pixmap(16).toImage().size() == rgba(icons_dir() / png_relpath(16)).size()


def run_generator(out: Path, *extra: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("size", [16, 256])
def test_the_generator_reproduces_the_shipped_pngs(tmp_path: Path, size: int) -> None:
    run_generator(tmp_path, "--png-only")
    for n in ICON_SIZES:
        assert (tmp_path / png_relpath(n)).is_file()
    assert not (tmp_path / "mailview.ico").exists()
    fresh = rgba(tmp_path / png_relpath(size))
    shipped = rgba(icons_dir() / png_relpath(size))
    assert fresh.size() == shipped.size()
    # Another Qt version may antialias an edge a shade differently; an edited master
    # that was not re-rendered changes far more than that.
    diffs = [abs(a - b) for a, b in zip(rgba_bytes(fresh), rgba_bytes(shipped), strict=True)]
    assert max(diffs) <= 24
    assert sum(diffs) / len(diffs) < 0.5


def test_the_generator_writes_the_ico_and_icns(tmp_path: Path) -> None:
    pytest.importorskip("PIL", reason="Pillow packs the .ico and .icns")
    run_generator(tmp_path)
    assert ico_sizes(tmp_path / "mailview.ico") == ICO_SIZES
    assert icns_types(tmp_path / "mailview.icns") >= ICNS_TYPES
