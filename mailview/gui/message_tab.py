"""One message per tab: summary, authentication and filter strips, hop diagram, findings,
headers, source, authentication, vendor verdicts, hop details.

A tab is built empty when its job is submitted and shows "Analysing…" until the result
arrives. It remembers the id of its latest job and refuses any other result, so a slow
earlier analysis can never overwrite a newer one. Everything here runs on the GUI
thread and only builds widgets from a finished `Analysis`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QLayout,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mailview.core.model import Finding, Hop, Report
from mailview.gui.diagram import DiagramView
from mailview.gui.diagram.route_table import RouteTable
from mailview.gui.inputs import PathSource, Source
from mailview.gui.panels import plain_label, scale_font
from mailview.gui.panels.auth import AuthPanel
from mailview.gui.panels.delivery import DeliveryPanel
from mailview.gui.panels.findings import FindingsPanel, evidence_hops
from mailview.gui.panels.headers import HeadersPanel
from mailview.gui.panels.hop_details import HopDetailsPanel
from mailview.gui.panels.source import SourcePanel
from mailview.gui.panels.summary import SummaryPanel
from mailview.gui.panels.verdicts import VerdictsPanel
from mailview.gui.worker import FAILED, LOADING, READY, Analysis

# Default splitter sizes (pixels; only their ratio matters until the user drags one). The
# route is the main area: the diagram spans the window's width above the panes, and takes
# 85 % of the height the summary leaves, so it keeps at least half the window at
# 1280×800 and larger. Findings, headers and hop details sit side by side under it; each
# pane can be shrunk, hidden (View menu) or dragged, and the window remembers the layout.
DEFAULT_SIZES = {
    "route": [85, 15],  # the route (diagram or table) above the panes, in per cent
    "panes": [380, 640, 380],  # findings | headers, source, authentication… | hop details
    "findings": [200, 260],  # list above explanation
    "hop": [300, 160],  # hop fields above the header as written
    "auth": [600, 340],  # statements | DKIM signatures and ARC
}
PANES = ("findings", "tabs", "details")  # the panes under the route, left to right

# The tab states live with the worker (the window reads them without loading this module).
__all__ = ["DEFAULT_SIZES", "FAILED", "LOADING", "PANES", "READY", "MessageTab"]


class TabPages(QStackedWidget):
    """The status page and the analysis, filling the tab.

    A tab takes the height the window gives it, whatever its width, so it answers no
    height-for-width: otherwise each layout pass of the tab and of the window's tab
    stack would wrap every word-wrapped label of both pages, shown or not, only to
    throw the heights away. The pages' own layouts still wrap their labels."""

    def hasHeightForWidth(self) -> bool:
        return False


class MessageTab(QWidget):
    """The analysis of one input."""

    stateChanged = Signal()

    def __init__(self, source: Source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.job_id: int | None = None
        self.state = LOADING
        self.analysis: Analysis | None = None
        self.error: str | None = None
        self.current_hop: int | None = None
        self.highlighted_hops: list[int] = []
        # Until the user moves it (or a saved layout is restored), the route/panes split is
        # a share of the height the tab really gets, applied once it is known.
        self.route_split_pending = True

        self.summary = SummaryPanel()
        self.delivery = DeliveryPanel()
        self.diagram = DiagramView()
        self.diagram.setObjectName("diagram")
        self.diagram.setAccessibleName("Hop diagram")
        self.diagram.setAcceptDrops(False)  # drops go up to the window, which opens tabs
        self.diagram.setMinimumSize(320, 180)
        self.diagram.hopActivated.connect(self._on_hop_activated)
        self.findings = FindingsPanel()
        self.findings.findingSelected.connect(self._on_finding)
        self.headers = HeadersPanel()
        self.source_panel = SourcePanel()
        self.hop_details = HopDetailsPanel()
        self.auth = self._build_auth()
        self.verdicts = self._build_verdicts()

        self.lower_tabs = self._build_lower_tabs()
        self.route_table = RouteTable()
        self.route_table.hopActivated.connect(self._on_table_hop)
        self.route_views = self._build_route_views()

        self.splitters: dict[str, QSplitter] = {}
        panes = self._splitter(
            "panes", Qt.Orientation.Horizontal, self.findings, self.lower_tabs, self.hop_details
        )
        self.panes = {
            "findings": self.findings,
            "tabs": self.lower_tabs,
            "details": self.hop_details,
        }
        for pane in (*self.panes.values(), panes):
            # The route's share wins: a pane may shrink to a strip (its contents scroll), so
            # its layout must not push its minimum back up to the contents' own.
            layout = pane.layout()
            if layout is not None:
                layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
            pane.setMinimumHeight(48)
        main = self._splitter("route", Qt.Orientation.Vertical, self.route_views, panes)
        self.splitters["findings"] = self.findings.splitter
        self.splitters["hop"] = self.hop_details.splitter
        self.splitters["auth"] = self.auth.splitter
        self.findings.splitter.setSizes(DEFAULT_SIZES["findings"])
        self.auth.splitter.setSizes(DEFAULT_SIZES["auth"])

        self.pages = TabPages()
        self.pages.addWidget(self._build_status_page())
        self.pages.addWidget(self._build_content(main))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)
        self._show_status(f"Analysing {source.title}…", None)

    def _build_route_views(self) -> QStackedWidget:
        """The diagram and the route table, one shown at a time (T switches)."""
        views = QStackedWidget()
        views.setObjectName("routeViews")
        views.addWidget(self.diagram)
        views.addWidget(self.route_table)
        return views

    def _build_lower_tabs(self) -> QTabWidget:
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        tabs.addTab(self.headers, "Headers")
        tabs.addTab(self.source_panel, "Source")
        tabs.addTab(self.auth, "Authentication")
        tabs.addTab(self.verdicts, "Verdicts")
        # A page the user is not looking at is filled when first shown: its widgets would
        # otherwise be built and laid out between a drop and the diagram, for nobody.
        self._unfilled: dict[int, Callable[[], None]] = {}
        tabs.currentChanged.connect(self._fill_page)
        return tabs

    def _fill_when_shown(self, page: QWidget, fill: Callable[[], None]) -> None:
        index = self.lower_tabs.indexOf(page)
        self._unfilled[index] = fill
        if index == self.lower_tabs.currentIndex():
            self._fill_page(index)

    def _fill_page(self, index: int) -> None:
        fill = self._unfilled.pop(index, None)
        if fill is not None:
            fill()

    def _build_content(self, main: QWidget) -> QWidget:
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(4)
        content_layout.addWidget(self.summary)
        # The badges sit under the summary, so who vouches for the message reads at a
        # glance; the statements behind them are in the Authentication tab below. The
        # filters' lead verdict follows, hidden when no filter left one.
        content_layout.addWidget(self.auth.strip)
        content_layout.addWidget(self.verdicts.strip)
        content_layout.addWidget(self.delivery)
        content_layout.addWidget(main, 1)
        return content

    # --- jobs -------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def report(self) -> Report | None:
        return None if self.analysis is None else self.analysis.report

    @property
    def path(self) -> str | None:
        return self.source.path if isinstance(self.source, PathSource) else None

    def begin(self, job_id: int, source: Source | None = None) -> None:
        """A new job now owns this tab; results of earlier ones will be refused."""
        self.job_id = job_id
        if source is not None:
            self.source = source
        if self.analysis is None:
            self.state = LOADING
            self._show_status(f"Analysing {self.source.title}…", None)
        self.stateChanged.emit()

    def accept(self, job_id: int, analysis: Analysis) -> bool:
        """Show `analysis` if it is the result of the latest job; False when stale."""
        if job_id != self.job_id:
            return False
        self.analysis, self.error, self.state = analysis, None, READY
        report = analysis.report
        self.summary.set_report(report)
        self.auth.strip.set_auth(report.auth)
        self.verdicts.strip.set_vendors(report.vendors)
        self.delivery.set_report(report)
        self.diagram.set_report(report, analysis.returned)
        self.findings.set_report(report)
        self.headers.set_headers(report.headers)
        self._fill_when_shown(self.auth, partial(self.auth.set_details, report))
        self._fill_when_shown(self.verdicts, partial(self.verdicts.set_details, report))
        self.source_panel.set_source(analysis.source_text, analysis.source_note)
        self.current_hop = None
        self.highlighted_hops = []
        self.hop_details.set_hop(None, report)
        self.route_table.set_report(report)
        self.pages.setCurrentIndex(1)
        if self.route_split_pending:
            QTimer.singleShot(0, self._split_route)  # the split is known once it shows
        self.stateChanged.emit()
        return True

    def fail(self, job_id: int, sentence: str) -> bool:
        """Show why the input could not be analysed; False when the job is stale."""
        if job_id != self.job_id:
            return False
        self.analysis, self.error, self.state = None, sentence, FAILED
        self.diagram.set_report(None)
        self._show_status(sentence, QStyle.StandardPixmap.SP_MessageBoxCritical)
        self.stateChanged.emit()
        return True

    def _build_status_page(self) -> QWidget:
        """Loading and failure get the whole tab: a centred sentence is what matters then."""
        self.status_icon = QLabel()
        self.status_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = plain_label(wrap=True)
        self.status.setObjectName("tabStatus")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.status.font()
        scale_font(font, 1.2)
        self.status.setFont(font)
        self.hint = plain_label(
            "Other tabs are not affected. Drop another file here, open one with Ctrl+O, "
            "or close this tab with Ctrl+W.",
            wrap=True,
            selectable=False,
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setEnabled(False)
        status_page = QWidget()
        status_layout = QVBoxLayout(status_page)
        status_layout.addStretch(1)
        status_layout.addWidget(self.status_icon)
        status_layout.addWidget(self.status)
        status_layout.addWidget(self.hint)
        status_layout.addStretch(2)
        status_layout.setContentsMargins(48, 24, 48, 24)
        return status_page

    # --- panes ----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.route_split_pending:
            QTimer.singleShot(0, self._split_route)

    def _split_route(self) -> None:
        splitter = self.splitters["route"]
        total = sum(splitter.sizes())
        if not self.route_split_pending or total <= 0 or not splitter.isVisible():
            return
        self.route_split_pending = False
        share = DEFAULT_SIZES["route"][0] / sum(DEFAULT_SIZES["route"])
        route = round(total * share)
        splitter.setSizes([route, total - route])

    def show_route_table(self, on: bool) -> None:
        """The route as a table instead of the diagram (same hops, same selection)."""
        self.route_views.setCurrentWidget(self.route_table if on else self.diagram)
        (self.route_table if on else self.diagram).setFocus()

    def route_table_shown(self) -> bool:
        return self.route_views.currentWidget() is self.route_table

    def set_pane_visible(self, name: str, visible: bool) -> None:
        self.panes[name].setVisible(visible)
        panes = self.splitters["panes"]
        panes.setVisible(any(not w.isHidden() for w in self.panes.values()))

    def hidden_panes(self) -> list[str]:
        return [name for name, widget in self.panes.items() if widget.isHidden()]

    def status_text(self) -> str:
        """The sentence on the status page ("Analysing…", or the error)."""
        return self.status.text()

    def _show_status(self, text: str, icon: QStyle.StandardPixmap | None) -> None:
        self.status.setText(text)
        if icon is None:
            self.status_icon.clear()
        else:
            self.status_icon.setPixmap(self.style().standardIcon(icon).pixmap(48, 48))
        self.hint.setVisible(icon is not None)
        self.pages.setCurrentIndex(0)

    # --- hops and findings -------------------------------------------------------------

    def hop(self, index: int) -> Hop | None:
        report = self.report
        if report is None or not 1 <= index <= len(report.hops):
            return None
        return report.hops[index - 1]

    def select_hop(self, index: int | None) -> None:
        """Select hop `index` (1-based) in the diagram and show its details."""
        if index is not None and self.hop(index) is None:
            return
        self.diagram.select_hop(index)
        self.route_table.select_hop(index)
        self._show_hop(index)

    def step_hop(self, delta: int) -> None:
        """Move the hop selection by `delta`, starting from an end when none is selected."""
        report = self.report
        if report is None or not report.hops:
            return
        count = len(report.hops)
        if self.current_hop is None:
            target = 1 if delta > 0 else count
        else:
            target = max(1, min(count, self.current_hop + delta))
        self.select_hop(target)

    def _on_hop_activated(self, index: int) -> None:
        self.route_table.select_hop(index)
        self._show_hop(index)

    def _on_table_hop(self, index: int) -> None:
        self.diagram.select_hop(index)
        self._show_hop(index)

    def _show_hop(self, index: int | None) -> None:
        hop = None if index is None else self.hop(index)
        self.current_hop = None if hop is None else hop.index
        self.hop_details.set_hop(hop, self.report)
        if hop is not None:
            self.headers.select_header_indices([hop.header_index])

    def _on_finding(self, finding: Finding | None) -> None:
        report = self.report
        if report is None:
            return
        if finding is None:
            self.highlighted_hops = []
            self.diagram.highlight_hops([])
            return
        self.highlighted_hops = evidence_hops(report, finding)
        self.diagram.highlight_hops(self.highlighted_hops)
        indices = [e.header_index for e in finding.evidence if e.header_index is not None]
        self.lower_tabs.setCurrentWidget(self.headers)
        self.headers.select_header_indices(indices)

    # --- authentication --------------------------------------------------------------

    def _build_auth(self) -> AuthPanel:
        panel = AuthPanel()
        panel.headerActivated.connect(self._on_auth_header)
        panel.strip.badgeClicked.connect(self._on_badge)
        return panel

    def show_auth(self) -> None:
        self.lower_tabs.setCurrentWidget(self.auth)

    def _on_badge(self, mechanism: str) -> None:
        self.show_auth()
        self.auth.select_method(mechanism)

    def _on_auth_header(self, header_index: int, reveal: bool) -> None:
        """A click selects the statement's header; Enter or a double-click goes to it."""
        self.headers.select_header_indices([header_index])
        if reveal:
            self.lower_tabs.setCurrentWidget(self.headers)

    # --- vendor verdicts ----------------------------------------------------------------

    def _build_verdicts(self) -> VerdictsPanel:
        panel = VerdictsPanel()
        panel.headersActivated.connect(self._on_vendor_headers)
        panel.strip.clicked.connect(self._on_vendor_strip)
        return panel

    def show_verdicts(self) -> None:
        self.lower_tabs.setCurrentWidget(self.verdicts)

    def _on_vendor_strip(self) -> None:
        self.show_verdicts()
        self.verdicts.select_group(0)

    def _on_vendor_headers(self, indices: list[int], reveal: bool) -> None:
        """A verdict's header rows are selected, and its hop highlighted when the header is
        a Received one; Enter or a double-click goes to the Headers tab."""
        report = self.report
        if report is None:
            return
        self.headers.select_header_indices(indices)
        self.highlighted_hops = [h.index for h in report.hops if h.header_index in indices]
        self.diagram.highlight_hops(self.highlighted_hops)
        if reveal:
            self.lower_tabs.setCurrentWidget(self.headers)

    # --- layout -------------------------------------------------------------------------

    def _splitter(self, name: str, orientation: Qt.Orientation, *widgets: QWidget) -> QSplitter:
        splitter = QSplitter(orientation)
        splitter.setObjectName(name)
        for widget in widgets:
            splitter.addWidget(widget)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0 if name == "route" else 1, 1)
        splitter.setSizes(DEFAULT_SIZES[name])
        self.splitters[name] = splitter
        return splitter
