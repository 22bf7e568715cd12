"""A bounce opened in the window: the route that failed ends in the refusing server's card.

Driven like a user: files dropped with real drag-and-drop events, clicks on the view and
the panel's toggle. The exported picture is checked by its pixels.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mailview.core.analyze import analyze_bytes, analyze_returned
from mailview.core.model import Severity
from mailview.gui.diagram import render_image
from mailview.gui.diagram.export import build_export_scene
from mailview.gui.diagram.palette import DiagramPalette
from mailview.gui.diagram.scene import CardItem
from mailview.gui.message_tab import READY, MessageTab
from mailview.gui.window import MainWindow
from tests.bounce_samples import dsn
from tests.corpus import CORPUS
from tests.gui_window_helpers import bytes_mime, drop, file_mime, make_window
from tests.test_layout_failure import HARD, ORIGINAL, SOFT

pytestmark = pytest.mark.gui

POSTFIX = CORPUS / "bounces" / "lhost-postfix-04.eml"
MULTI = CORPUS / "bounces" / "rfc3464-35.eml"
needs_corpus = pytest.mark.skipif(
    not (POSTFIX.is_file() and MULTI.is_file()), reason=f"no corpus at {CORPUS}"
)


def opened(qtbot: QtBot, window: MainWindow, mime: object) -> MessageTab:
    assert drop(window, mime)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: window.tab_count() >= 1 and window.tab(0).state == READY)
    tab = window.tab(window.tab_count() - 1)
    qtbot.waitUntil(lambda: not tab.route_split_pending, timeout=3000)
    qtbot.wait(120)
    return tab


def failure_items(tab: MessageTab) -> list[CardItem]:
    scene = tab.diagram.diagram_scene()
    return [item for key, item in scene.cards.items() if key.startswith("failure-")]


def sized(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    window = make_window(qtbot, tmp_path)
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.size() == QSize(1280, 800))
    return window


@needs_corpus
def test_a_real_postfix_bounce_ends_its_route_in_the_refusing_server(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = sized(qtbot, tmp_path)
    tab = opened(qtbot, window, file_mime(POSTFIX))
    (item,) = failure_items(tab)
    assert item.card.texts[0].text == "mx01.example.co.jp"
    assert "550 5.1.1 Address rejected kijitora@example.co.jp" in item.toolTip()
    red = DiagramPalette.from_qpalette(tab.diagram.palette()).severity_colour(Severity.HIGH)
    assert item.pen().color() == red
    # In view at the default zoom, right of every other card.
    view = tab.diagram
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(item.sceneBoundingRect())
    assert all(
        item.card.rect.x >= other.card.rect.right
        for other in view.diagram_scene().cards.values()
        if other is not item
    )
    # A click on it is harmless: it stands for no header of the bounce.
    centre = view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert tab.current_hop is None


@needs_corpus
def test_the_panel_stays_compact_and_leaves_the_route_room(qtbot: QtBot, tmp_path: Path) -> None:
    window = sized(qtbot, tmp_path)
    tab = opened(qtbot, window, file_mime(MULTI))
    panel = tab.delivery
    assert len(panel.rows) == 3 and all(not d.isVisible() for d in panel.details)
    line = panel.rows[0].fontMetrics().height()
    assert panel.height() <= 8 * line  # title, source, three recipients
    viewport = tab.diagram.viewport().height()
    assert viewport >= 3 * panel.height() // 2
    assert "550 'kijitora@nyaan.example.com' is not a registered gateway user" in (
        panel.rows[0].toolTip()
    )
    QTest.mouseClick(panel.toggle, Qt.MouseButton.LeftButton)
    assert all(d.isVisible() for d in panel.details)
    assert "What to do:" in panel.details[0].text()
    items = failure_items(tab)
    assert [i.card.texts[0].text for i in items] == [
        "nyaan.example.com",
        "recipient's server",
        "neko.example.or.jp",
    ]


def test_a_synthetic_bounce_dropped_from_a_mail_client(qtbot: QtBot, tmp_path: Path) -> None:
    window = sized(qtbot, tmp_path)
    tab = opened(qtbot, window, bytes_mime(dsn([SOFT], original=ORIGINAL)))
    (item,) = failure_items(tab)
    orange = DiagramPalette.from_qpalette(tab.diagram.palette()).severity_colour(Severity.MEDIUM)
    assert item.pen().color() == orange
    assert item.card.texts[0].text == "mx.other.example"
    # The original's route is drawn: its client's card comes first.
    first = min(tab.diagram.diagram_scene().cards.values(), key=lambda i: i.card.rect.x)
    assert first.card.texts[0].text == "laptop.sender.example"


def test_ordinary_mail_in_the_window_has_no_failure_card(qtbot: QtBot, tmp_path: Path) -> None:
    window = sized(qtbot, tmp_path)
    tab = opened(qtbot, window, bytes_mime(ORIGINAL))
    assert not failure_items(tab) and not tab.delivery.isVisible()


def test_the_exported_picture_shows_the_failure_in_red_and_says_what_it_is(qtbot: QtBot) -> None:
    data = dsn([HARD], original=ORIGINAL)
    report = analyze_bytes(data, "bounce.eml")
    returned = analyze_returned(data, report)
    scene = build_export_scene(report, returned=returned)
    assert scene.diagram is not None
    caption = " ".join(t.text for t in scene.diagram.caption)
    assert "route of the returned original, ending where delivery stopped" in caption
    card = next(c for c in scene.diagram.cards if c.key.startswith("failure-"))
    image = render_image(report, 2.0, returned=returned)
    red = DiagramPalette.light().severity_colour(Severity.HIGH)
    # The card's outline, on its left edge at mid-height, is drawn in the failure's red.
    x, y = round(card.rect.x * 2), round(card.rect.cy * 2)
    found = [QColor(image.pixel(x + dx, y)) for dx in range(-2, 3)]
    assert any(_close(c, red) for c in found)
    plain = render_image(report, 2.0)  # without the original: the bounce's own route
    assert plain.size() != image.size() or plain != image


def _close(a: QColor, b: QColor) -> bool:
    pairs = ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue()))
    return all(abs(p - q) <= 40 for p, q in pairs)


def test_the_command_line_export_draws_the_same_failure(qtbot: QtBot, tmp_path: Path) -> None:
    data = dsn([HARD], original=ORIGINAL)
    source = tmp_path / "bounce.eml"
    source.write_bytes(data)
    png = tmp_path / "route.png"
    done = subprocess.run(
        [sys.executable, "-m", "mailview", "export", str(source), "--png", str(png)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    report = analyze_bytes(data, "bounce.eml")
    with_failure = render_image(report, 2.0, returned=analyze_returned(data, report))
    written = QImage(str(png)).convertToFormat(with_failure.format())
    own_route = render_image(report, 2.0)
    # The same picture as the app's export (up to antialiasing), not the bounce's own route.
    assert _differing(written, with_failure) < 0.2 * _differing(written, own_route)


def _differing(a: QImage, b: QImage) -> int:
    """Pixels that differ, sampled on a grid (the images are a few megapixels)."""
    if a.size() != b.size():
        return a.width() * a.height()
    return sum(
        a.pixel(x, y) != b.pixel(x, y)
        for x in range(0, a.width(), 7)
        for y in range(0, a.height(), 7)
    )
