"""The real window gives the route the room: whole route in view, readable, breaks named.

Driven like a user: a file dropped on the window with real drag-and-drop events, keys
pressed on the window. Everything is asserted from the scene and the view, not pixels.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsSimpleTextItem, QLabel
from pytestqt.qtbot import QtBot

from mailview.gui.message_tab import READY, MessageTab
from mailview.gui.settings import Settings
from mailview.gui.theme import apply_theme
from mailview.gui.window import MainWindow, default_size
from mailview.layout.geometry import CARD_STYLES, FONTS
from tests.corpus import CORPUS
from tests.gui_helpers import synthetic_message
from tests.gui_window_helpers import drop, file_mime, make_window

RESENT = CORPUS / "ninoseki-eml_analyzer" / "invalid_datetime.eml"
needs_corpus = pytest.mark.skipif(not RESENT.is_file(), reason=f"no corpus at {CORPUS}")


def open_by_drop(qtbot: QtBot, window: MainWindow, path: Path) -> MessageTab:
    assert drop(window, file_mime(path))
    qtbot.waitUntil(lambda: window.tab_count() >= 1 and window.tab(0).state == READY)
    tab = window.tab(window.tab_count() - 1)
    # The route/panes split and the reflow to the view's width settle after the first show.
    qtbot.waitUntil(lambda: not tab.route_split_pending, timeout=3000)
    qtbot.wait(120)
    return tab


def sized_window(qtbot: QtBot, tmp_path: Path, size: tuple[int, int]) -> MainWindow:
    window = make_window(qtbot, tmp_path)
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size() == QSize(*size))
    return window


@needs_corpus
@pytest.mark.parametrize("size", [(1400, 900), (1280, 800)])
def test_the_whole_route_is_in_view_readable_and_the_break_is_a_resend(
    qtbot: QtBot, tmp_path: Path, size: tuple[int, int]
) -> None:
    window = sized_window(qtbot, tmp_path, size)
    tab = open_by_drop(qtbot, window, RESENT)
    view = tab.diagram
    assert view.zoom_factor() == 1.0  # the default zoom: nothing shrunk to fit
    viewport = view.viewport().rect()
    # The diagram is the main area: at least half of the window.
    assert viewport.width() * viewport.height() >= 0.5 * size[0] * size[1]
    scene = view.diagram_scene()
    cards = list(scene.cards.values())
    assert len(cards) >= 6
    for item in cards:
        box = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        assert viewport.contains(box), (item.card.key, box, viewport)
    ui_pixels = QFontInfo(QApplication.font()).pixelSize()
    for item in cards:
        for text in item.childItems():
            if isinstance(text, QGraphicsSimpleTextItem):
                assert text.font().pixelSize() >= ui_pixels, text.text()
    diagram = view.diagram()
    assert diagram is not None
    (cut,) = [edge for edge in diagram.edges if edge.kind == "break"]
    assert cut.words is not None and cut.words.startswith("re-sent 2 d 18 h later")
    assert "held" not in (cut.label_text or "")
    drawn = [t.text() for t in scene.items() if isinstance(t, QGraphicsSimpleTextItem)]
    assert "re-sent" in drawn and not any("held" in t for t in drawn)


def test_card_text_grows_with_a_large_ui_font(qtbot: QtBot, tmp_path: Path) -> None:
    original = QApplication.font()
    font = QApplication.font()
    font.setPointSizeF(13)  # a user with a large desktop font (17 px at 96 dpi)
    QApplication.setFont(font)
    try:
        wanted = QFontInfo(font).pixelSize()
        assert wanted > max(FONTS[style].pixel_size for style in CARD_STYLES)
        window = make_window(qtbot, tmp_path)
        tab = open_by_drop(qtbot, window, _sample(tmp_path))
        sizes = [
            text.font().pixelSize()
            for item in tab.diagram.diagram_scene().cards.values()
            for text in item.childItems()
            if isinstance(text, QGraphicsSimpleTextItem)
        ]
        assert sizes and min(sizes) >= wanted
    finally:
        QApplication.setFont(original)


def _sample(tmp_path: Path) -> Path:
    from mailview.assets import sample_message

    return Path(sample_message())


def test_route_table_is_one_key_away_and_follows_the_selection(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(qtbot, tmp_path)
    tab = open_by_drop(qtbot, window, _sample(tmp_path))
    report = tab.report
    assert report is not None
    QTest.keyClick(window, Qt.Key.Key_T)
    assert tab.route_table_shown()
    table = tab.route_table
    assert table.rowCount() == len(report.hops)
    cell = table.item(1, 3)
    assert cell is not None and cell.text().endswith(report.hops[1].fields.by_host or "")
    table.selectRow(2)
    assert tab.current_hop == 3
    QTest.keyClick(window, Qt.Key.Key_T)
    assert not tab.route_table_shown()
    # The choice is remembered for the next window.
    assert window.settings.layout("route-mode") is not None


def test_hidden_panes_are_remembered_for_new_tabs(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    open_by_drop(qtbot, window, _sample(tmp_path))
    QTest.keyClick(window, Qt.Key.Key_F6)  # the findings pane
    assert window.tab(0).hidden_panes() == ["findings"]
    again = MainWindow(Settings(tmp_path / "config" / "mailview.ini"))
    qtbot.addWidget(again)
    again.show()
    tab = open_by_drop(qtbot, again, _sample(tmp_path))
    assert tab.hidden_panes() == ["findings"]
    assert not again.pane_actions["findings"].isChecked()


def test_a_theme_change_redraws_the_diagram_without_a_restart(qtbot: QtBot, tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = make_window(qtbot, tmp_path)
    tab = open_by_drop(qtbot, window, _sample(tmp_path))
    before = tab.diagram.diagram_scene().backgroundBrush().color().lightnessF()
    try:
        apply_theme(app, "dark" if before > 0.5 else "light")
        qtbot.waitUntil(
            lambda: (
                (tab.diagram.diagram_scene().backgroundBrush().color().lightnessF() > 0.5)
                != (before > 0.5)
            )
        )
    finally:
        apply_theme(app, "system")


def test_the_welcome_text_is_never_clipped(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    for size in ((1280, 800), (640, 360), (420, 300)):
        window.resize(*size)
        qtbot.wait(30)
        label = next(w for w in window.findChildren(QLabel) if w.text().startswith("Drop an email"))
        assert label.height() >= label.heightForWidth(label.width()), size


def test_the_default_size_fits_a_small_screen() -> None:
    assert default_size(QSize(1280, 800)) == QSize(1280, 800)
    assert default_size(QSize(1920, 1080)) == QSize(1400, 900)


def test_thirty_servers_scroll_down_at_full_size_never_sideways(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = sized_window(qtbot, tmp_path, (1400, 900))
    path = tmp_path / "thirty.eml"
    path.write_bytes(synthetic_message(30))
    tab = open_by_drop(qtbot, window, path)
    view = tab.diagram
    diagram = view.diagram()
    assert diagram is not None
    for group in diagram.groups:
        view.expand_group(group.id)
    qtbot.wait(60)
    assert len(view.diagram_scene().cards) == 31
    assert view.zoom_factor() == 1.0
    assert view.horizontalScrollBar().maximum() == 0  # rows reflow to the view's width
    assert view.verticalScrollBar().maximum() > 0  # a long route scrolls down
    ui_pixels = QFontInfo(QApplication.font()).pixelSize()
    view.fit()  # "Fit" reflows at 100 %: it never shrinks text below the UI's size
    assert view.zoom_factor() == 1.0
    texts = [
        t
        for item in view.diagram_scene().cards.values()
        for t in item.childItems()
        if isinstance(t, QGraphicsSimpleTextItem)
    ]
    assert min(t.font().pixelSize() for t in texts) >= ui_pixels
