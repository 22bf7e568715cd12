"""A QGraphicsScene drawn from a layout `Diagram`.

Like orange-canvas-core's scene, it keeps dicts from model objects to their items (hop
index → card, edge → pill) so the view can select, highlight and hit-test without searching
the item tree. It never computes geometry: every rectangle comes from the layout.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
)

from mailview.core.model import Severity
from mailview.gui.diagram.palette import DiagramPalette, Swatch, font_for
from mailview.layout.geometry import Point, Rect
from mailview.layout.shapes import Card, Diagram, Edge, Legend, Text, Timeline

KEY = 0  # QGraphicsItem.data slot holding what a click on the item means
CARD_RADIUS = 8.0
STACK_OFFSET = 5.0


def qrect(rect: Rect) -> QRectF:
    return QRectF(rect.x, rect.y, rect.w, rect.h)


def rounded(rect: Rect | QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect if isinstance(rect, QRectF) else qrect(rect), radius, radius)
    return path


def _pen(colour: QColor, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(colour, width, style)
    pen.setCosmetic(False)
    return pen


def _arrow_head(tip: Point, before: Point) -> QPolygonF:
    """A head pointing along the last segment: right, left, or up into a card from below."""
    if abs(tip.x - before.x) < 0.5:
        down = 1.0 if tip.y >= before.y else -1.0
        corners = [(0.0, 0.0), (-5.0, -9 * down), (5.0, -9 * down)]
    else:
        direction = 1.0 if tip.x >= before.x else -1.0
        corners = [(0.0, 0.0), (-9 * direction, -5.0), (-9 * direction, 5.0)]
    return QPolygonF([QPointF(tip.x + dx, tip.y + dy) for dx, dy in corners])


class CardItem(QGraphicsPathItem):
    """One card: a hop, or a collapsed group's stacked card."""

    def __init__(self, card: Card, palette: DiagramPalette, scale: float = 1.0) -> None:
        super().__init__(rounded(card.rect, CARD_RADIUS))
        self.card = card
        self._palette = palette
        self.setBrush(QBrush(palette.card))
        if card.collapsed:
            self.setData(KEY, f"group:{card.group_id}")
        elif card.hops:
            self.setData(KEY, f"hop:{card.hops[0]}")
        else:  # a refusing server, from a delivery report: no header of its own
            self.setData(KEY, f"failure:{card.key}")
        self.setToolTip(card.tooltip)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2)
        self._halo = QGraphicsPathItem(
            rounded(qrect(card.rect).adjusted(-5, -5, 5, 5), CARD_RADIUS + 4), self
        )
        self._halo.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self._halo.setPen(_pen(palette.highlight, 3.0))
        self._halo.setBrush(Qt.BrushStyle.NoBrush)
        self._halo.setVisible(False)
        if card.collapsed:
            self._add_stack(palette)
        for text in card.texts:
            colour = palette.text_colour(text.style)
            if text.style == "finding" and card.finding is not None:
                colour = palette.severity_colour(card.finding)
            add_text(self, text, colour, scale=scale)
        for badge in card.badges:
            swatch = palette.badges[badge.kind]
            item = QGraphicsPathItem(rounded(badge.rect, badge.rect.h / 2), self)
            item.setBrush(QBrush(swatch.fill))
            item.setPen(_pen(swatch.border))
            add_text(item, badge.text, swatch.text, scale=scale)
        self.set_state(selected=False, highlighted=False)

    def _add_stack(self, palette: DiagramPalette) -> None:
        # Two offset sheets behind the card say "there is more in here" without words.
        for step in (2, 1):
            offset = STACK_OFFSET * step
            sheet = QGraphicsPathItem(
                rounded(qrect(self.card.rect).translated(offset, -offset), CARD_RADIUS), self
            )
            sheet.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
            sheet.setBrush(QBrush(palette.card_stack))
            sheet.setPen(_pen(palette.card_border))

    def set_state(self, *, selected: bool, highlighted: bool) -> None:
        palette = self._palette
        if selected:
            self.setPen(_pen(palette.selected, 3.0))
        elif self.card.finding is not None:
            self.setPen(_pen(palette.severity_colour(self.card.finding), 2.0))
        else:
            self.setPen(_pen(palette.card_border, 1.0))
        self._halo.setVisible(highlighted)


def add_text(
    parent: QGraphicsItem | None,
    text: Text,
    colour: QColor,
    scene: QGraphicsScene | None = None,
    scale: float = 1.0,
) -> QGraphicsSimpleTextItem:
    item = QGraphicsSimpleTextItem(parent)
    item.setFont(font_for(text.style, scale))  # before the text: its layout is done once
    item.setText(text.text)
    item.setBrush(QBrush(colour))
    # Centre the font's own height in the line box the layout measured.
    height = item.boundingRect().height()
    item.setPos(text.rect.x, text.rect.y + (text.rect.h - height) / 2)
    if parent is None and scene is not None:
        scene.addItem(item)
    return item


class DiagramScene(QGraphicsScene):
    """The drawn diagram. `build` replaces everything; selection state is re-applied by the view."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.diagram: Diagram | None = None
        self.cards: dict[str, CardItem] = {}  # card key → item
        self.hop_items: dict[int, CardItem] = {}  # hop index → the card showing it
        self.edge_labels: list[QGraphicsSimpleTextItem] = []
        self.pills: dict[int, QGraphicsPathItem] = {}  # hop index → its delay pill
        self.scale = 1.0  # font enlargement, so card text matches the UI's font

    def build(self, diagram: Diagram, palette: DiagramPalette, scale: float = 1.0) -> None:
        self.clear()
        self.scale = scale
        self.cards, self.hop_items, self.edge_labels, self.pills = {}, {}, [], {}
        self.diagram = diagram
        self.setBackgroundBrush(QBrush(palette.background))
        self.setSceneRect(QRectF(0, 0, diagram.width, diagram.height))
        self._lanes(diagram, palette)
        for frame in diagram.frames:
            self._frame(frame.rect, frame.label, frame.collapse, frame.group_id, palette)
        for edge in diagram.edges:
            self._edge(edge, palette)
        for card in diagram.cards:
            item = CardItem(card, palette, self.scale)
            self.addItem(item)
            self.cards[card.key] = item
            for index in card.hops:
                self.hop_items[index] = item
        for text in diagram.caption:
            add_text(None, text, palette.text_colour(text.style), self, self.scale)
        if diagram.timeline is not None:
            self._timeline(diagram.timeline, palette)
        if diagram.legend is not None:
            self._legend(diagram.legend, palette)
        if diagram.empty_note is not None:
            add_text(None, diagram.empty_note, palette.muted, self, self.scale)

    def apply_state(self, selected: int | None, highlighted: Iterable[int]) -> None:
        marked = set(highlighted)
        for item in self.cards.values():
            hops = set(item.card.hops)
            item.set_state(selected=selected in hops, highlighted=bool(hops & marked))

    # -- pieces ------------------------------------------------------------------------

    def _lanes(self, diagram: Diagram, palette: DiagramPalette) -> None:
        for lane in diagram.lanes:
            swatch = palette.lanes.get(lane.kind, palette.lanes["unknown"])
            item = self.addPath(rounded(lane.rect, 10), _pen(swatch.border), QBrush(swatch.fill))
            item.setZValue(-2)
            for text in lane.title:
                add_text(None, text, swatch.text, self, self.scale)
        boundary = diagram.boundary
        if boundary is not None:
            pen = _pen(palette.boundary, 1.5, Qt.PenStyle.DashLine)
            for a, b in boundary.segments():
                self.addLine(a.x, a.y, b.x, b.y, pen).setZValue(-1)

    def _frame(
        self, rect: Rect, label: Text, collapse: Text | None, group_id: str, palette: DiagramPalette
    ) -> None:
        item = self.addPath(rounded(rect, 10), _pen(palette.frame, 1.2, Qt.PenStyle.DashLine))
        item.setZValue(1)
        add_text(None, label, palette.frame, self, self.scale)
        if collapse is not None:
            text = add_text(None, collapse, palette.link, self, self.scale)
            # A generous hit box: the word alone is a small target.
            hit = QGraphicsRectItem(qrect(collapse.rect).adjusted(-6, -3, 6, 3))
            hit.setPen(Qt.PenStyle.NoPen)
            hit.setBrush(Qt.BrushStyle.NoBrush)
            hit.setData(KEY, f"collapse:{group_id}")
            hit.setToolTip("Collapse these hops into one card")
            hit.setCursor(Qt.CursorShape.PointingHandCursor)
            hit.setZValue(3)
            self.addItem(hit)
            text.setData(KEY, f"collapse:{group_id}")

    def _edge(self, edge: Edge, palette: DiagramPalette) -> None:
        swatch = palette.delays.get(edge.tone, palette.delays["unknown"])
        colour = palette.edge
        broken = edge.kind == "break"
        refused = edge.kind == "refused"
        if refused:
            colour = swatch.fill
        path = QPainterPath(QPointF(edge.points[0].x, edge.points[0].y))
        for point in edge.points[1:]:
            path.lineTo(point.x, point.y)
        style = Qt.PenStyle.DashLine if broken or edge.label is None else Qt.PenStyle.SolidLine
        line = self.addPath(path, _pen(swatch.border if broken else colour, 1.6, style))
        line.setZValue(0)
        if broken:
            self._break_mark(edge, swatch.border)
        tip, before = edge.points[-1], edge.points[-2]
        head = _arrow_head(tip, before)
        arrow = self.addPolygon(head, _pen(colour, 1.0), QBrush(colour))
        arrow.setZValue(0)
        tip_text = f"hop {edge.hop}: {edge.label_text or 'delay unknown'}"
        if refused:
            tip_text = edge.finding or ""
        if edge.finding:
            tip_text += f"\nexplained by the finding: {edge.finding}"
        for text in edge.lines:
            tone = swatch.border if text.style == "edge-break" else None
            if text.style == "edge-note":
                tone = palette.finding if edge.tone in {"high", "medium"} else swatch.border
            item = add_text(None, text, tone or palette.muted, self, self.scale)
            item.setZValue(4)
            if not refused:
                item.setData(KEY, f"hop:{edge.hop}")
            item.setToolTip(tip_text)
        if edge.label is None or edge.pill is None:
            return
        pill = self.addPath(
            rounded(edge.pill, edge.pill.h / 2), _pen(swatch.border), QBrush(swatch.fill)
        )
        pill.setZValue(4)
        pill.setToolTip(tip_text)
        if not refused:
            pill.setData(KEY, f"hop:{edge.hop}")
            pill.setCursor(Qt.CursorShape.PointingHandCursor)
            self.pills[edge.hop] = pill
        self.edge_labels.append(add_text(pill, edge.label, swatch.text, scale=self.scale))

    def _break_mark(self, edge: Edge, colour: QColor) -> None:
        """Two slanted strokes across the arrow: the chain is interrupted here."""
        first, second = edge.points[0], edge.points[1]
        # Near the start of the arrow: the pill sits at its middle.
        x = first.x + min(14.0, abs(second.x - first.x) / 4)
        y = first.y
        for dx in (-4.0, 4.0):
            stroke = self.addLine(x + dx - 4, y + 8, x + dx + 4, y - 8, _pen(colour, 2.2))
            stroke.setZValue(1)

    def _timeline(self, timeline: Timeline, palette: DiagramPalette) -> None:
        add_text(None, timeline.title, palette.muted, self, self.scale)
        y = timeline.axis_y
        self.addLine(timeline.x0, y, timeline.x1, y, _pen(palette.axis, 6.0)).setZValue(0)
        # A piece of the bar takes the colour of its hop's pill: the severity of the finding
        # that explains it, else green or amber by size (never red without a finding).
        edges = self.diagram.edges if self.diagram else ()
        tones = {edge.hop: edge.tone for edge in edges if edge.label is not None}
        for segment in timeline.segments:
            plain = {"very-slow": "slow", "skew": "info"}.get(segment.delay_class)
            kind = tones.get(segment.hop, plain or segment.delay_class)
            swatch = palette.delays.get(kind, palette.delays["unknown"])
            dy = 6.0 if segment.delay_class == "skew" else 0.0  # a backwards step runs below
            colour = swatch.border
            pen = _pen(colour, 6.0 if dy == 0 else 3.0)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            self.addLine(segment.x0, y + dy, segment.x1, y + dy, pen).setZValue(1)
        for cut in timeline.breaks:
            # The axis stops and starts again: a gap with two slanted strokes each side.
            gap = self.addRect(cut.x0 + 4, y - 6, cut.x1 - cut.x0 - 8, 12, Qt.PenStyle.NoPen)
            gap.setBrush(QBrush(palette.background))
            gap.setZValue(1.5)
            for x in (cut.x0 + 4, cut.x1 - 4):
                stroke = self.addLine(x - 3, y + 7, x + 3, y - 7, _pen(palette.muted, 1.5))
                stroke.setZValue(2)
            add_text(None, cut.label, palette.muted, self, self.scale)
        for tick in timeline.ticks:
            self.addLine(tick.x, y + 4, tick.x, y + 8, _pen(palette.muted))
            add_text(None, tick.label, palette.muted, self, self.scale)
        for marker in timeline.markers:
            self.addEllipse(
                marker.x - 4.5, y - 4.5, 9, 9, _pen(palette.background, 1.5), QBrush(palette.text)
            ).setZValue(2)
            add_text(None, marker.label, palette.text, self, self.scale)
        if timeline.boundary_x is not None:
            bx = timeline.boundary_x
            self.addLine(
                bx, y - 14, bx, y + 14, _pen(palette.boundary, 1.5, Qt.PenStyle.DashLine)
            ).setZValue(3)
        if timeline.date_header_x is not None:
            dx = timeline.date_header_x
            diamond = QPolygonF(
                [QPointF(dx, y - 7), QPointF(dx + 6, y), QPointF(dx, y + 7), QPointF(dx - 6, y)]
            )
            self.addPolygon(diamond, _pen(palette.background, 1.0), QBrush(palette.link)).setZValue(
                3
            )
        for note in timeline.notes:
            add_text(None, note, palette.muted, self, self.scale)

    def _legend(self, legend: Legend, palette: DiagramPalette) -> None:
        add_text(None, legend.title, palette.text, self, self.scale)
        for entry in legend.entries:
            self._swatch(entry.kind, entry.swatch, palette)
            if entry.swatch_text is not None:
                swatch = palette.delays.get(entry.kind)
                colour = swatch.text if swatch else palette.text
                add_text(None, entry.swatch_text, colour, self, self.scale).setZValue(3)
            add_text(None, entry.label, palette.text, self, self.scale)

    def _swatch(self, kind: str, rect: Rect, palette: DiagramPalette) -> None:
        if kind == "break":
            y = rect.y + rect.h / 2
            pen = _pen(palette.edge, 1.6, Qt.PenStyle.DashLine)
            self.addLine(rect.x, y, rect.right, y, pen)
            self.addLine(rect.cx - 6, y + 6, rect.cx - 2, y - 6, _pen(palette.edge, 2.0))
            self.addLine(rect.cx + 2, y + 6, rect.cx + 6, y - 6, _pen(palette.edge, 2.0))
        elif kind in palette.delays:
            swatch = palette.delays[kind]
            self.addPath(
                rounded(rect, rect.h / 2), _pen(swatch.border), QBrush(swatch.fill)
            ).setZValue(2)
        elif kind.startswith("lane-"):
            lane: Swatch = palette.lanes[kind.removeprefix("lane-")]
            self.addPath(rounded(rect, 4), _pen(lane.border), QBrush(lane.fill))
        elif kind == "finding":
            self.addPath(rounded(rect, 4), _pen(palette.finding, 2.0), QBrush(palette.card))
        elif kind == "refused":  # a hard failure's card, an orange one peeking from behind
            soft = qrect(rect).adjusted(6, -3, 3, -6)
            orange = palette.severity_colour(Severity.MEDIUM)
            self.addPath(rounded(soft, 3), _pen(orange, 2.0), QBrush(palette.card))
            hard = qrect(rect).adjusted(0, 3, -6, 0)
            red = palette.severity_colour(Severity.HIGH)
            self.addPath(rounded(hard, 3), _pen(red, 2.0), QBrush(palette.card))
        elif kind == "group":
            back = qrect(rect).adjusted(4, -2, 0, -4)
            self.addPath(rounded(back, 3), _pen(palette.card_border), QBrush(palette.card_stack))
            front = qrect(rect).adjusted(0, 2, -4, 0)
            self.addPath(rounded(front, 3), _pen(palette.card_border), QBrush(palette.card))
