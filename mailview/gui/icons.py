"""The application icon, as a QIcon over the PNG renderings shipped with the app.

The PNGs follow the freedesktop hicolor layout (`hicolor/<N>x<N>/apps/<APP_ID>.png`) so a
Linux package can copy the folder as is; `packaging/make_icons.py` regenerates them from
the SVG master. Pre-rendered sizes are used rather than the SVG because the small ones
are drawn differently (a simplified master for 24 px and below) and QtSvg is then not
needed at run time.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

APP_ID = "io.github.mailview.Mailview"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# At and below this size the renderings come from the simplified master.
SMALL_MAX = 24


def icons_dir() -> Path:
    """The icons folder: `mailview/icons` in an installed wheel, else the checkout's `icons/`."""
    # Mirrors mailview.assets.resources_dir(): the wheel force-includes `icons/` there.
    packaged = Path(str(resources.files("mailview"))) / "icons"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "icons"


def png_relpath(size: int) -> Path:
    """Where the `size` px rendering lives below an icons folder."""
    return Path("hicolor") / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def app_icon() -> QIcon:
    """The application icon with every shipped size; needs a QGuiApplication to exist."""
    icon = QIcon()
    root = icons_dir()
    for size in ICON_SIZES:
        path = root / png_relpath(size)
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    if icon.isNull():
        # A broken install should still start, with Qt's default icon.
        log.warning("no application icon found under %s", root)
    return icon
