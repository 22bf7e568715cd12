"""The hop diagram on the offscreen platform: items drawn, clicks, keys, exports."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from mailview.assets import sample_message
from mailview.core.analyze import analyze_path
from mailview.core.model import Report
from mailview.gui.diagram import DiagramPalette, DiagramView, export_png, export_svg, render_image
from mailview.gui.diagram.export import build_export_scene
from mailview.gui.diagram.scene import CardItem
from tests.gui_helpers import synthetic_report

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def sample() -> Report:
    return analyze_path(sample_message())


@pytest.fixture(scope="module")
def long_route() -> Report:
    return synthetic_report(30)


@pytest.fixture
def view(qtbot, sample: Report) -> DiagramView:  # type: ignore[no-untyped-def]
    widget = DiagramView()
    qtbot.addWidget(widget)
    widget.resize(1400, 700)
    widget.set_report(sample)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _click_item(qtbot, view: DiagramView, item: CardItem) -> None:  # type: ignore[no-untyped-def]
    # A point inside the card but clear of its text, so the hit test sees the card itself.
    rect = item.sceneBoundingRect()
    view.ensureVisible(item)
    point = view.mapFromScene(QPointF(rect.right() - 8, rect.center().y()))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_sample_draws_the_microsoft_run_as_one_node(view: DiagramView) -> None:
    # One card per server: the MX and the mailbox on their own, Microsoft 365's two
    # internal servers between them stacked into one card.
    assert view.hop_item_count() == 5
    labels = view.edge_label_texts()
    assert len(labels) == 4  # the hand-over inside the stacked card is inside it
    assert [label for label in labels if "clock skew" in label] == ["−1 min 23 s clock skew"]
    drawn = [item.text() for item in view.diagram_scene().edge_labels]
    assert drawn == ["10 min 51 s", "−1 min 23 s", "1 s", "1 s"]


def test_clicking_the_group_expands_it_and_collapse_folds_it(qtbot, view: DiagramView) -> None:  # type: ignore[no-untyped-def]
    scene = view.diagram_scene()
    _click_item(qtbot, view, scene.cards["group-g3-4"])
    assert view.hop_item_count() == 6
    assert len(view.edge_label_texts()) == 5
    collapse = next(i for i in scene.items() if i.data(0) == "collapse:g3-4" and i.toolTip())
    view.ensureVisible(collapse)
    point = view.mapFromScene(collapse.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.hop_item_count() == 5


def test_click_emits_the_hop_and_arrows_move(qtbot, view: DiagramView) -> None:  # type: ignore[no-untyped-def]
    scene = view.diagram_scene()
    with qtbot.waitSignal(view.hopActivated) as blocker:
        _click_item(qtbot, view, scene.hop_items[2])
    assert blocker.args == [2]
    with qtbot.waitSignal(view.hopActivated) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert blocker.args == [3]
    with qtbot.waitSignal(view.hopActivated) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert blocker.args == [4]  # moving into the collapsed group expands it
    assert view.hop_item_count() == 6
    with qtbot.waitSignal(view.hopActivated) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Left)
    assert blocker.args == [3]


def test_select_and_highlight(view: DiagramView) -> None:
    view.select_hop(5)
    assert view.hop_item_count() == 6  # hop 5 was inside the collapsed group
    scene = view.diagram_scene()
    palette = DiagramPalette.from_qpalette(view.palette())
    assert scene.hop_items[5].pen().color() == palette.selected
    view.highlight_hops([2, 3])
    halos = {i: scene.hop_items[i].childItems()[0].isVisible() for i in (1, 2, 3)}
    assert halos == {1: False, 2: True, 3: True}
    view.highlight_hops([])
    assert not scene.hop_items[2].childItems()[0].isVisible()
    view.select_hop(None)
    assert scene.hop_items[5].pen().color() != palette.selected


def test_zoom_fit_and_clear(view: DiagramView) -> None:
    before = view.transform().m11()
    view.zoom_in()
    assert view.transform().m11() > before
    view.zoom_out()
    view.zoom_out()
    assert view.transform().m11() < before
    view.fit()
    view.set_report(None)
    assert view.hop_item_count() == 0 and view.edge_label_texts() == []


def test_tooltip_is_the_raw_header(view: DiagramView, sample: Report) -> None:
    # The findings the card names in one line come first, then the header as written.
    tooltip = view.diagram_scene().hop_items[2].toolTip()
    assert tooltip.endswith(sample.hops[1].raw)
    card = view.diagram_scene().hop_items[2].card
    assert card.finding is None or card.finding.value.upper() in tooltip


def test_thirty_hops_neither_overlap_nor_clip(qtbot, long_route: Report) -> None:  # type: ignore[no-untyped-def]
    widget = DiagramView()
    qtbot.addWidget(widget)
    widget.set_report(long_route)
    diagram = widget.diagram()
    assert diagram is not None
    for group in {card.group_id for card in diagram.cards if card.collapsed}:
        assert group is not None
        widget.expand_group(group)
    scene = widget.diagram_scene()
    cards = list(scene.cards.values())
    assert len(cards) == 31  # the sender's computer, then one server per hop
    for a, b in itertools.combinations(cards, 2):
        assert not a.sceneBoundingRect().intersects(b.sceneBoundingRect())
    for card in cards:
        box = card.sceneBoundingRect()
        # The card's own lines and its badges' labels (grandchildren).
        descendants = [*card.childItems(), *(g for c in card.childItems() for g in c.childItems())]
        texts = [item for item in descendants if isinstance(item, QGraphicsSimpleTextItem)]
        assert len(texts) >= 3  # title, address or role, and more
        for text in texts:
            assert box.contains(text.sceneBoundingRect()), text.text()
    pills = [label.parentItem().sceneBoundingRect() for label in scene.edge_labels]
    for pill in pills:
        assert not any(pill.intersects(c.sceneBoundingRect()) for c in cards)


def _colour(image: QImage, x: float, y: float, scale: float = 2.0) -> QColor:
    return image.pixelColor(round(x * scale), round(y * scale))


def test_export_png_size_and_known_pixels(qapp, tmp_path: Path, sample: Report) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "route.png"
    export_png(sample, target)
    image = QImage(str(target))
    scene = build_export_scene(sample)
    rect = scene.sceneRect()
    assert abs(image.width() - rect.width() * 2) <= 1
    assert abs(image.height() - rect.height() * 2) <= 1
    assert image.pixelColor(1, 1) == QColor("#ffffff")
    light = DiagramPalette.light()
    diagram = scene.diagram
    assert diagram is not None
    skew = next(edge for edge in diagram.edges if edge.delay_class == "skew")
    assert skew.pill is not None
    # Inside the pill, left of its text: the pill's own fill.
    # The pill takes the colour of the finding that explains it (a LOW clock skew).
    assert skew.tone == "low"
    assert _colour(image, skew.pill.x + 4, skew.pill.cy) == light.delays["low"].fill
    # A card's left border, half way down: the outline in its finding's severity colour.
    card = diagram.card_of_hop(2)
    assert card is not None and card.finding is not None
    border = _colour(image, card.rect.x, card.rect.cy)
    assert _distance(border, light.severity_colour(card.finding)) < 60
    # Inside the trusted lane, away from everything: the lane's fill.
    lane = diagram.lanes[1]
    assert _colour(image, lane.rect.right - 6, lane.rect.bottom - 6) == light.lanes["trusted"].fill


def _distance(a: QColor, b: QColor) -> float:
    return math.dist((a.red(), a.green(), a.blue()), (b.red(), b.green(), b.blue()))


def test_export_png_failure_is_an_oserror(qapp, tmp_path: Path, sample: Report) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OSError, match=r"route\.png could not be written: no such file"):
        export_png(sample, tmp_path / "missing" / "route.png")


def test_export_svg_is_wellformed_with_host_names(qapp, tmp_path: Path, sample: Report) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "route.svg"
    export_svg(sample, target)
    root = ET.parse(target).getroot()
    assert root.tag.endswith("svg")
    text = "".join("".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text"))
    for host in (
        "smtp.gmail.com",
        "mail.paypa1-billing.example",
        "BN2PEPF000044A5.mail.protection.outlook.com",
    ):
        assert host in text
    assert "Microsoft 365 · 2 servers" in text
    assert "click to expand" not in text  # an export carries no interactive hints


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_dark_export_keeps_text_readable(qapp, sample: Report) -> None:  # type: ignore[no-untyped-def]
    image = render_image(sample, 2.0, dark=True)
    background = image.pixelColor(1, 1)
    assert background == DiagramPalette.dark_theme().background
    title = build_export_scene(sample, dark=True).diagram.caption[0].rect  # type: ignore[union-attr]
    # The most contrasting pixel inside the caption title: a glyph's core.
    best = max(
        _contrast(_colour(image, x, y, 1.0), background)
        for x in range(int(title.x * 2), int(title.right * 2), 2)
        for y in range(int(title.y * 2), int(title.bottom * 2), 2)
    )
    assert best >= 7.0
    palette = DiagramPalette.dark_theme()
    for swatch in (*palette.delays.values(), *palette.badges.values()):
        assert _contrast(swatch.text, swatch.fill) >= 4.5
    for swatch in (
        *DiagramPalette.light().delays.values(),
        *DiagramPalette.light().badges.values(),
    ):
        assert _contrast(swatch.text, swatch.fill) >= 4.5
