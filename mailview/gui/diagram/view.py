"""The interactive hop diagram: zoom, pan, click or arrow through hops, expand groups."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

from mailview.core.model import Report
from mailview.gui.diagram.palette import DiagramPalette, shared_metrics, ui_scale
from mailview.gui.diagram.scene import KEY, DiagramScene
from mailview.layout import Diagram, layout_report
from mailview.layout.failure import failure_plan

ZOOM_STEP = 1.25
MIN_ZOOM = 0.1
MAX_ZOOM = 6.0
CLICK_SLOP = 4  # pixels a press may move and still be a click rather than a pan
REFLOW_DELAY_MS = 40  # a window being dragged wider reflows once it pauses, not per pixel


class DiagramView(QGraphicsView):
    """Shows a Report's route; emits `hopActivated(index)` (1-based) when the user picks a hop."""

    hopActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = DiagramScene(self)
        self.setScene(self._scene)
        self._scale = ui_scale(self.font())
        self._metrics = shared_metrics(self._scale)
        self._report: Report | None = None
        self._returned: Report | None = None  # a bounce's original, whose route is drawn
        self._foreign = False  # the hops drawn are the returned original's
        self._expanded: set[str] = set()
        self._selected: int | None = None
        self._highlighted: frozenset[int] = frozenset()
        self._press: QPoint | None = None
        self._width = 0.0  # the width the route was last laid out for (reflows follow it)
        self._stale = False  # a report is set but not drawn yet (the view was hidden)
        self._reflow = QTimer(self)
        self._reflow.setSingleShot(True)
        self._reflow.setInterval(REFLOW_DELAY_MS)
        self._reflow.timeout.connect(self._reflow_now)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    # -- public API ----------------------------------------------------------------------

    def set_report(self, report: Report | None, returned: Report | None = None) -> None:
        """Draw `report`'s route; a bounce's draws `returned` (its original's analysis)."""
        self._report = report
        self._returned = returned
        # The returned original's hops are not the report's: the route table, findings and
        # hop details speak of the bounce's own, so selections are not shared with them.
        plan = failure_plan(report, returned) if report is not None else None
        self._foreign = plan is not None and plan.returned
        self._expanded = set()
        self._selected = None
        self._highlighted = frozenset()
        self.resetTransform()
        # A hidden view does not know its final width yet, and rows wrap to that width:
        # build when it is shown (or first asked), so a big route is laid out only once.
        self._stale = report is not None and not self.isVisible()
        if not self._stale:
            self._rebuild()
        self.horizontalScrollBar().setValue(0)
        self.verticalScrollBar().setValue(0)

    def _ensure_built(self) -> None:
        if self._stale:
            self._stale = False
            self._rebuild()

    def select_hop(self, index: int | None) -> None:
        self._ensure_built()
        diagram = self.diagram()
        if index is None or diagram is None or self._foreign:
            self._selected = None
            self._apply_state()
            return
        group = diagram.group_of_hop(index)
        if group is not None and group.id not in self._expanded:
            self._expanded.add(group.id)
            self._rebuild()
        self._selected = index
        self._apply_state()
        item = self._scene.hop_items.get(index)
        if item is not None:
            self.ensureVisible(item, 40, 40)

    def highlight_hops(self, indices: Iterable[int]) -> None:
        self._ensure_built()
        self._highlighted = frozenset(() if self._foreign else indices)
        self._apply_state()

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP)

    def fit(self) -> None:
        """Back to 100 % with the route reflowed to the view's width: cards wrap into rows
        instead of shrinking below a readable size; a long route then scrolls down."""
        self._ensure_built()
        self.resetTransform()
        self._rebuild()
        self.horizontalScrollBar().setValue(0)

    def zoom_factor(self) -> float:
        return self.transform().m11()

    def layout_width(self) -> float:
        """The width (scene units) rows are wrapped to: the viewport's, at 100 %."""
        return float(max(self.viewport().width() - 2, 320))

    def hop_item_count(self) -> int:
        self._ensure_built()
        return len(self._scene.cards)

    def edge_label_texts(self) -> list[str]:
        self._ensure_built()
        diagram = self.diagram()
        if diagram is None:
            return []
        return [edge.label_text for edge in diagram.edges if edge.label_text is not None]

    def diagram(self) -> Diagram | None:
        """The layout currently drawn (None when there is no report)."""
        self._ensure_built()
        return self._scene.diagram if self._report is not None else None

    def diagram_scene(self) -> DiagramScene:
        self._ensure_built()
        return self._scene

    def expand_group(self, group_id: str, expanded: bool = True) -> None:
        self._ensure_built()
        (self._expanded.add if expanded else self._expanded.discard)(group_id)
        self._rebuild()

    # -- drawing -------------------------------------------------------------------------

    def _rebuild(self) -> None:
        if self._report is None:
            self._scene.clear()
            self._scene.diagram = None
            self._scene.cards, self._scene.hop_items = {}, {}
            self._scene.edge_labels, self._scene.pills = [], {}
            self._scene.setSceneRect(QRectF())
            return
        self._width = self.layout_width()
        diagram = layout_report(
            self._report,
            metrics=self._metrics,
            expanded=self._expanded,
            width=self._width,
            include_caption=False,  # the window shows subject and sender around the view
            returned=self._returned,
        )
        self._scene.build(diagram, DiagramPalette.from_qpalette(self.palette()), self._scale)
        self._apply_state()

    def _apply_state(self) -> None:
        self._scene.apply_state(self._selected, self._highlighted)

    def _zoom(self, factor: float) -> None:
        current = self.transform().m11()
        target = min(max(current * factor, MIN_ZOOM), MAX_ZOOM)
        if target != current:
            self.scale(target / current, target / current)

    # -- events --------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._ensure_built()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._stale or self._report is None:
            return  # drawn when shown, at the size it has then
        if abs(self.layout_width() - self._width) >= 1:
            self._reflow.start()

    def _reflow_now(self) -> None:
        if self._report is not None and abs(self.layout_width() - self._width) >= 1:
            self._rebuild()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        kind = event.type()
        if kind == QEvent.Type.FontChange:
            self._scale = ui_scale(self.font())
            self._metrics = shared_metrics(self._scale)
        if kind in (QEvent.Type.PaletteChange, QEvent.Type.FontChange) and not self._stale:
            self._rebuild()  # a theme change shows at once, no restart

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._zoom(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            event.accept()
            return
        super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        pos = event.position().toPoint()
        if press is not None and (pos - press).manhattanLength() <= CLICK_SLOP:
            self._click(pos)
        event.accept()  # the press was ours (a click or a pan): so is its release

    def _click(self, pos: QPoint) -> None:
        key = _key_at(self.itemAt(pos))
        if key is None:
            return
        kind, _, value = key.partition(":")
        if kind == "hop" and not self._foreign:
            self.select_hop(int(value))
            self.hopActivated.emit(int(value))
        elif kind == "group":
            self.expand_group(value)
        elif kind == "collapse":
            self.expand_group(value, expanded=False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Left) and self._report is not None:
            self._step(1 if key == Qt.Key.Key_Right else -1)
        elif ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif ctrl and key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key == Qt.Key.Key_F and not ctrl:
            self.fit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _step(self, direction: int) -> None:
        assert self._report is not None
        count = len(self._report.hops)
        if count == 0 or self._foreign:
            return
        if self._selected is None:
            target = 1 if direction > 0 else count
        else:
            target = min(max(self._selected + direction, 1), count)
        if target != self._selected:
            self.select_hop(target)
            self.hopActivated.emit(target)


def _key_at(item: QGraphicsItem | None) -> str | None:
    """What a click on `item` means: its own key, or the nearest ancestor's."""
    while item is not None:
        key = item.data(KEY)
        if isinstance(key, str):
            return key
        item = item.parentItem()
    return None
