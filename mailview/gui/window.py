"""The main window: tabs of analysed messages, menus, drops, paste, export.

Strategy: the window owns the only Worker and routes each result to the tab whose job
it was (a dict from job id to tab); a tab refuses results of any job but its latest.
Inputs arrive as Qt types (a drop's QMimeData, the clipboard) and leave `inputs` as
plain `Source`s. Problems are told in words inside the window — a tab's status page
for an input that could not be analysed, the message bar above the tabs for the rest —
never with a modal dialog, so twenty bad files do not mean twenty clicks.

Start-up: this module imports only Qt and the window's own small pieces, so the window
is painted before the analysis core, the panels of a message tab, the queue and the
exporters are loaded; those are imported where they are first used (a few hundred
milliseconds of a cold start, paid once, after the window is on screen).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mailview import __version__
from mailview.core.errors import InputError
from mailview.gui.inputs import (
    PASTED_NAME,
    BytesSource,
    PathSource,
    Source,
    can_accept,
    sources_from_mime,
)
from mailview.gui.panels import Banner, plain_label, scale_font
from mailview.gui.queue.marks import FILE_NAME as MARKS_FILE
from mailview.gui.queue.marks import MarkStore
from mailview.gui.settings import Settings
from mailview.gui.theme import apply_theme
from mailview.gui.worker import (
    FAILED,
    READY,
    Analysis,
    Analyze,
    Worker,
    analyze_source,
    options_for,
)

if TYPE_CHECKING:
    from mailview.core.analyze import AnalysisOptions
    from mailview.core.model import Report
    from mailview.gui.message_tab import MessageTab
    from mailview.gui.queue.view import QueueTab

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1400, 900)
HIDDEN_PANES = "hidden-panes"  # settings layout keys
ROUTE_MODE = "route-mode"
PANE_TITLES = {  # the panes under a tab's route (message_tab.PANES), left to right
    "findings": "&Findings pane",
    "tabs": "&Headers pane",
    "details": "Hop &details pane",
}
WELCOME = (
    "Drop an email message here (.eml, .msg, mbox, or a message dragged out of your mail "
    "client), open one with Ctrl+O, or copy a message's headers and press Ctrl+V.\n"
    "Nothing is sent anywhere: the analysis runs on this computer."
)


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: Settings | None = None,
        worker: Worker | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("mailview")
        self.setAcceptDrops(True)
        self.settings = settings or Settings()
        # Geo is offline (local databases, opened lazily); DNS only when the user says so.
        # The options are read when the first message is opened, not before the window
        # shows: reading them loads the analysis core.
        self._options: AnalysisOptions | None = None
        self._own_worker = worker is None
        self.worker = worker or Worker(analyze_source)
        self.worker.setParent(self)
        self.worker.succeeded.connect(self._on_succeeded)
        self.worker.failed.connect(self._on_failed)
        self._jobs: dict[int, MessageTab] = {}
        self._spare: MessageTab | None = None  # the next tab, built while idle
        self.queue_jobs: int | None = None  # queue worker processes (None: by CPU count)
        QTimer.singleShot(0, self._tell_settings_reset)

        self.message_bar = Banner()
        self.message_bar.setObjectName("messageBar")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("messageTabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideMiddle)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._update_actions)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_welcome())
        self.stack.addWidget(self.tabs)
        self.opening = self._build_opening()
        self.stack.addWidget(self.opening)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.statusBar().showMessage("Ready", 3000)
        self._restore_window()
        self._update_actions()

    # --- start-up -------------------------------------------------------------------

    def start(self, paths: Sequence[str]) -> None:
        """Show the window at once, then open `paths` (or load what opening a message
        needs) once its first frame is on screen: the user sees the window while the
        analysis core and the tab's panels load."""
        if paths:
            names = ", ".join(os.path.basename(p) or p for p in paths[:3])
            more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
            self.opening.setText(f"Opening {names}{more}…")
            self.stack.setCurrentWidget(self.opening)
        self.show()
        _FirstFrame(self, functools.partial(self._after_first_frame, list(paths)))

    def _after_first_frame(self, paths: list[str]) -> None:
        try:
            if paths:
                self.open_paths(paths)
            else:
                self.warm_up()
        finally:
            if self.stack.currentWidget() is self.opening:
                self.stack.setCurrentIndex(0)

    def warm_up(self) -> None:
        """Load what the first message needs (the core, the tab's panels) now, while the
        user is still reaching for a file, so the first drop is as quick as the next."""
        self.analysis_options()
        self._build_spare()

    # --- opening --------------------------------------------------------------------

    def open_paths(self, paths: Iterable[str]) -> list[MessageTab]:
        """One tab per file; a file already open is reloaded in its tab instead."""
        from mailview.gui.queue.opening import wants_queue  # noqa: PLC0415 - loads the core

        paths = list(paths)
        if wants_queue(paths):
            self.open_queue(paths)
            return []
        opened = []
        for path in paths:
            absolute = os.path.abspath(path)
            existing = self._tab_for_path(absolute)
            if existing is not None:
                self.tabs.setCurrentWidget(existing)
                self.analyze_into(existing, PathSource(absolute))
                opened.append(existing)
            else:
                opened.append(self.open_source(PathSource(absolute)))
        return opened

    def open_queue(self, paths: Sequence[str]) -> QueueTab:
        """A queue tab for many messages; Enter on a row opens it as a message tab."""
        from mailview.gui.queue.feeder import Setup  # noqa: PLC0415 - loads the core
        from mailview.gui.queue.view import QueueTab  # noqa: PLC0415

        marks = MarkStore(Path(self.settings.path).parent / MARKS_FILE)
        settings = self.settings
        setup = Setup(  # the workers analyse with the app's own geo databases and keys
            geo_paths=tuple(str(p) for p in settings.geoip_databases()),
            app_dir=str(Path(settings.path).parent),
            key_folder=str(settings.key_folder()),
        )
        queue = QueueTab([os.path.abspath(p) for p in paths], marks, self.queue_jobs, setup=setup)
        queue.openRequested.connect(self.open_queue_row)
        index = self.tabs.addTab(queue, f"Queue: {queue.title}")
        self.tabs.setCurrentIndex(index)
        self.stack.setCurrentWidget(self.tabs)
        queue.start()
        return queue

    def open_queue_row(self, label: str, sha256: str) -> MessageTab | None:
        from mailview.gui.queue.opening import message_bytes  # noqa: PLC0415 - loads the core

        del sha256  # the tab names the message; the report carries its SHA-256 again
        try:
            data = message_bytes(label)
        except InputError as err:
            self.show_message(err.sentence)
            return None
        return self.open_source(BytesSource(data, os.path.basename(label)))

    def ask_open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open a folder of messages", self.settings.last_dir()
        )
        if folder:
            self.settings.set_last_dir(folder)
            self.open_queue([folder])

    def open_sources(self, sources: Iterable[Source]) -> list[MessageTab]:
        from mailview.gui.queue.opening import wants_queue  # noqa: PLC0415 - loads the core

        paths = [s.path for s in sources if isinstance(s, PathSource)]
        if len(paths) > 1 or (paths and wants_queue(paths)):
            self.open_queue(paths)
            sources = [s for s in sources if not isinstance(s, PathSource)]
        opened = []
        for source in sources:
            if isinstance(source, PathSource):
                opened += self.open_paths([source.path])
            else:
                opened.append(self.open_source(source))
        return opened

    def open_source(self, source: Source) -> MessageTab:
        """A new tab for `source`, analysed in the background."""
        tab = self._new_tab(source)
        tab.hop_details.time_mode = self.settings.time_display()
        self._restore_layout(tab)
        tab.stateChanged.connect(lambda: self._refresh_tab(tab))
        index = self.tabs.addTab(tab, source.title)
        self.tabs.setCurrentIndex(index)
        self.stack.setCurrentWidget(self.tabs)
        self.analyze_into(tab, source)
        return tab

    def _new_tab(self, source: Source) -> MessageTab:
        """The spare tab built while the window was idle, or a new one; the next spare is
        built once this tab's result has been drawn."""
        from mailview.gui.message_tab import MessageTab  # noqa: PLC0415 - loads the panels

        tab, self._spare = self._spare, None
        if tab is None:
            tab = MessageTab(source)
        else:
            tab.source = source
        return tab

    def _prepare_next_tab(self) -> None:
        if self._spare is None:
            # Later than the result's own painting, and than most users' next drop.
            QTimer.singleShot(SPARE_DELAY_MS, self, self._build_spare)

    def _build_spare(self) -> None:
        """Build the next message tab ahead of need: a tab is a few hundred widgets, and
        building them is most of what a drop would otherwise wait for besides drawing."""
        from mailview.gui.message_tab import MessageTab  # noqa: PLC0415 - loads the panels

        if self._spare is None:
            self._spare = MessageTab(BytesSource(b"", ""), self)
            self._spare.hide()

    def analyze_into(self, tab: MessageTab, source: Source | None = None) -> int:
        """Start a job for `tab` (its own source unless given); the tab takes only its result."""
        self.analysis_options()  # the worker's default analysis has them from now on
        job_id = self.worker.submit(source or tab.source, self._online_analyze())
        self._jobs[job_id] = tab
        tab.begin(job_id, source)
        return job_id

    def _online_analyze(self) -> Analyze | None:
        """The online analysis when the user switched look-ups on, else the worker's own."""
        if not self.online_action.isChecked():
            return None
        from mailview.enrich.dns import DnsResolver  # noqa: PLC0415 - online is rare
        from mailview.enrich.pipeline import OnlineSettings  # noqa: PLC0415

        server = self.settings.resolver()
        try:
            resolver = DnsResolver([server] if server else None)
        except ValueError as err:  # a bad address in the settings, or no system resolver
            self.show_message(f"Online look-ups are not possible: {err}", Banner.ERROR)
            return None
        label = server or "the system's DNS resolver"
        online = OnlineSettings(resolver, label, tuple(self.settings.dnsbl_zones()))
        return functools.partial(analyze_source, options=self.analysis_options(), online=online)

    def _tell_settings_reset(self) -> None:
        notice = self.settings.reset_notice()
        if notice:
            self.show_message(notice, Banner.INFO)

    def analysis_options(self) -> AnalysisOptions:
        """The options every analysis of this window uses, read from the settings once."""
        if self._options is None:
            self._set_options(self._analysis_options())
        assert self._options is not None
        return self._options

    def _set_options(self, options: AnalysisOptions) -> None:
        self._options = options
        if self._own_worker:
            self.worker.set_default_analyze(functools.partial(analyze_source, options=options))

    def _analysis_options(self) -> AnalysisOptions:
        """The options every analysis of this window uses, from the settings."""
        from mailview.core.chain import TrustConfig  # noqa: PLC0415 - loads the core
        from mailview.enrich.geo import open_geo  # noqa: PLC0415

        settings = self.settings
        geo = open_geo(explicit=settings.geoip_databases(), app_data_dir=settings.path.parent)
        options = options_for(settings.key_folder(), geo)
        networks = tuple(ipaddress.ip_network(n) for n in settings.own_networks())
        trust = TrustConfig(tuple(settings.own_domains()), networks)
        return dataclasses.replace(options, trust=trust)

    def show_settings(self) -> None:
        from mailview.gui.settings_dialog import SettingsDialog  # noqa: PLC0415 - when asked

        if SettingsDialog(self.settings, self).exec() == QDialog.DialogCode.Accepted:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, self.settings.theme())  # at once: the diagram follows the palette
            self._options = self._analysis_options()
            for tab in self._message_tabs():
                tab.hop_details.time_mode = self.settings.time_display()
            self.worker.set_default_analyze(
                functools.partial(analyze_source, options=self._options)
            )
            self.statusBar().showMessage(
                "Settings saved; they apply to messages opened or reloaded from now on", 5000
            )

    def show_about(self) -> None:
        QMessageBox.about(self, "About mailview", about_text(self.analysis_options()))

    def _on_online_toggled(self, on: bool) -> None:
        self.show_message(
            "Online look-ups are ON: opening or reloading a message now sends DNS queries "
            "(reverse DNS, SPF, DMARC, DKIM keys, blocklists). Answers describe today."
            if on
            else "Online look-ups are off: nothing leaves this computer.",
            Banner.INFO,
        )
        if self.current_tab() is not None:
            self.reload_current()

    def reload_current(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            self.analyze_into(tab)

    def paste(self) -> None:
        """Analyse what the clipboard holds: message bytes, a copied file, or header text."""
        mime = QGuiApplication.clipboard().mimeData()
        sources = [] if mime is None else sources_from_mime(mime, PASTED_NAME, "pasted message")
        if not sources:
            self.show_message(
                "The clipboard holds no text to analyse. Copy a message's headers "
                "(in Outlook: File › Properties › Internet headers; in Gmail: Show original) "
                "and press Ctrl+V again."
            )
            return
        self.open_sources(sources)

    def _on_succeeded(self, job_id: int, analysis: object) -> None:
        tab = self._jobs.pop(job_id, None)
        self._prepare_next_tab()
        if tab is None or self.tabs.indexOf(tab) < 0 or not isinstance(analysis, Analysis):
            return  # the tab was closed meanwhile
        if tab.accept(job_id, analysis) and tab.path is not None:
            self.settings.add_recent_file(tab.path)

    def _on_failed(self, job_id: int, sentence: str) -> None:
        tab = self._jobs.pop(job_id, None)
        self._prepare_next_tab()
        if tab is not None and self.tabs.indexOf(tab) >= 0:
            tab.fail(job_id, sentence)

    # --- tabs ---------------------------------------------------------------------------

    def current_tab(self) -> MessageTab | None:
        return _message_tab(self.tabs.currentWidget())

    def tab(self, index: int) -> MessageTab:
        widget = _message_tab(self.tabs.widget(index))
        assert widget is not None
        return widget

    def _message_tabs(self) -> list[MessageTab]:
        widgets = (_message_tab(self.tabs.widget(i)) for i in range(self.tabs.count()))
        return [w for w in widgets if w is not None]

    def tab_count(self) -> int:
        return self.tabs.count()

    def close_tab(self, index: int | None = None) -> None:
        if index is None:
            index = self.tabs.currentIndex()
        widget = self.tabs.widget(index)
        if widget is None:
            return
        self.tabs.removeTab(index)
        if _is_queue(widget):
            widget.cancel()
        self._jobs = {job: tab for job, tab in self._jobs.items() if tab is not widget}
        widget.deleteLater()
        if not self.tabs.count():
            self.stack.setCurrentIndex(0)
        self._update_actions()

    def cycle_tab(self, step: int) -> None:
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def _tab_for_path(self, path: str) -> MessageTab | None:
        for index in range(self.tabs.count()):
            tab = _message_tab(self.tabs.widget(index))
            if tab is not None and tab.path == path:
                return tab
        return None

    def _refresh_tab(self, tab: MessageTab) -> None:
        index = self.tabs.indexOf(tab)
        if index < 0:
            return
        self.tabs.setTabText(index, tab.title)
        icon = QIcon()
        if tab.state == FAILED:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.tabs.setTabIcon(index, icon)
        lines = [tab.path or tab.title]
        if tab.report is not None and tab.report.message.subject:
            lines.insert(0, tab.report.message.subject)
        # Qt guesses whether a tooltip is rich text; escaped, the subject shows as written.
        self.tabs.setTabToolTip(index, "<p>" + "<br>".join(html.escape(x) for x in lines) + "</p>")
        if tab is self.current_tab():
            self._update_actions()

    # --- diagram actions -------------------------------------------------------------------

    def _current_report(self) -> Report | None:
        tab = self.current_tab()
        return None if tab is None else tab.report

    def _returned(self, redacted: bool) -> Report | None:
        """The current bounce's returned original, as the diagram draws it."""
        tab = self.current_tab()
        analysis = None if tab is None else tab.analysis
        if analysis is None or analysis.returned is None:
            return None
        from mailview.gui.report_export import prepared  # noqa: PLC0415 - the exporters

        return prepared(analysis.returned, redacted=redacted)

    def _with_diagram(self, action: Callable[[MessageTab], None]) -> None:
        tab = self.current_tab()
        if tab is not None and tab.report is not None:
            action(tab)

    def export_diagram(self, path: str, kind: str) -> bool:
        """Write the current tab's diagram as `kind` ("png" or "svg"); errors go to the bar."""
        report = self._current_report()
        if report is None:
            self.show_message("Open a message first: there is no diagram to export.", "info")
            return False
        from mailview.gui.diagram import export_png, export_svg  # noqa: PLC0415 - exporters
        from mailview.gui.report_export import prepared, refuse_input  # noqa: PLC0415

        redacted = self.redact_action.isChecked()
        report = prepared(report, redacted=redacted)
        returned = self._returned(redacted)
        tab = self.current_tab()
        try:
            if tab is not None:
                refuse_input(tab.source, path)
            if kind == "svg":
                export_svg(report, path, returned=returned)
            else:
                export_png(report, path, returned=returned)
        except OSError as err:
            reason = err.strerror or str(err)
            self.show_message(f"The diagram could not be saved to {path}: {reason}.")
            return False
        self.statusBar().showMessage(f"Diagram saved to {path}", 5000)
        return True

    def _ask_export(self, kind: str) -> None:
        report = self._current_report()
        if report is None:
            return
        stem = Path(report.input.name).stem or "message"
        stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in stem)
        suggested = os.path.join(self.settings.last_dir(), f"{stem}-route.{kind}")
        label = "PNG image (*.png)" if kind == "png" else "SVG drawing (*.svg)"
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export diagram as {kind.upper()}", suggested, label
        )
        if path:
            self.settings.set_last_dir(os.path.dirname(path))
            self.export_diagram(path, kind)

    def copy_diagram(self) -> None:
        report = self._current_report()
        if report is None:
            return
        from mailview.gui.diagram import render_image  # noqa: PLC0415 - the exporters
        from mailview.gui.report_export import prepared  # noqa: PLC0415

        # Light colours on purpose: the copy is pasted into tickets and documents.
        redacted = self.redact_action.isChecked()
        shown = prepared(report, redacted=redacted)
        returned = self._returned(redacted)
        QGuiApplication.clipboard().setImage(render_image(shown, returned=returned))
        self.statusBar().showMessage("Diagram copied to the clipboard", 4000)

    def export_report(self, path: str, kind: str) -> bool:
        """Write the current tab's report as Markdown, HTML or JSON; errors go to the bar."""
        tab = self.current_tab()
        report = self._current_report()
        if tab is None or report is None:
            self.show_message("Open a message first: there is no report to export.", "info")
            return False
        from mailview.gui.report_export import refuse_input, report_text, write_report  # noqa: PLC0415

        redacted = self.redact_action.isChecked()
        try:
            refuse_input(tab.source, path)
            write_report(path, report_text(report, kind, redacted=redacted))
        except OSError as err:
            self.show_message(f"The report could not be saved: {err}.")
            return False
        note = " (redacted for sharing)" if redacted else ""
        self.statusBar().showMessage(f"Report saved to {path}{note}", 5000)
        return True

    def _ask_export_report(self) -> None:
        report = self._current_report()
        if report is None:
            return
        stem = Path(report.input.name).stem or "message"
        stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in stem)
        suggested = os.path.join(self.settings.last_dir(), f"{stem}-report.md")
        from mailview.gui.report_export import KINDS  # noqa: PLC0415 - the exporters

        path, chosen = QFileDialog.getSaveFileName(
            self, "Export report", suggested, ";;".join(KINDS.values())
        )
        if not path:
            return
        self.settings.set_last_dir(os.path.dirname(path))
        suffix = Path(path).suffix.lower().lstrip(".")
        kind = suffix if suffix in KINDS else next(k for k, v in KINDS.items() if v == chosen)
        self.export_report(path, kind)

    def copy_for_ticket(self) -> None:
        tab = self.current_tab()
        report = self._current_report()
        if tab is None or report is None:
            return
        from mailview.gui.report_export import ticket_text  # noqa: PLC0415 - the exporters

        text = ticket_text(report, redacted=self.redact_action.isChecked())
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage("Summary for a ticket copied to the clipboard", 4000)

    # --- messages ---------------------------------------------------------------------------

    def show_message(self, text: str, kind: str = Banner.ERROR) -> None:
        """The window's one place for problems that belong to no tab."""
        self.message_bar.show_message(text, kind)

    def message_text(self) -> str:
        return self.message_bar.text()

    # --- drops and keys ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._accept_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._accept_drag(event)

    def _accept_drag(self, event: QDragMoveEvent) -> None:
        mime = event.mimeData()
        if mime is not None and can_accept(mime):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        sources = [] if mime is None else sources_from_mime(mime)
        if not sources:
            event.ignore()
            self.show_message(
                "Nothing in that drop can be opened: drop message files, or a message "
                "dragged out of a mail client. Links are not downloaded."
            )
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.open_sources(sources)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The Paste action's shortcut covers an active window; this catches Ctrl+V that
        # reached the window itself (no text field took it) while the shortcut could not.
        if event.matches(QKeySequence.StandardKey.Paste):
            event.accept()
            self.paste()
            return
        super().keyPressEvent(event)

    # --- settings -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if _is_queue(widget):
                widget.cancel()  # no worker outlives the window
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        self.settings.sync()
        super().closeEvent(event)

    def _restore_window(self) -> None:
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(default_size(self.screen().availableGeometry().size()))
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def _restore_layout(self, tab: MessageTab) -> None:
        """New tabs take the splitter sizes and panes the user last chose; moves are
        remembered."""
        for name in PANE_TITLES:
            tab.set_pane_visible(name, name not in self._hidden_panes())
        tab.show_route_table(self.route_table_action.isChecked())
        for name, splitter in tab.splitters.items():
            state = self.settings.layout(name)
            if state is not None and splitter.restoreState(state) and name == "route":
                tab.route_split_pending = False
            splitter.splitterMoved.connect(
                lambda _pos, _index, name=name, splitter=splitter: self._save_layout(name, splitter)
            )

    def _save_layout(self, name: str, splitter: QSplitter) -> None:
        self.settings.set_layout(name, splitter.saveState())

    def _hidden_panes(self) -> list[str]:
        saved = self.settings.layout(HIDDEN_PANES)
        names = bytes(saved.data()).decode("ascii", "replace").split(",") if saved else []
        return [name for name in names if name in PANE_TITLES]

    def toggle_pane(self, name: str, visible: bool) -> None:
        """Show or hide a pane under the route in every tab; the choice is remembered."""
        hidden = [n for n in self._hidden_panes() if n != name] + ([] if visible else [name])
        self.settings.set_layout(HIDDEN_PANES, QByteArray(",".join(hidden).encode("ascii")))
        for tab in self._message_tabs():
            tab.set_pane_visible(name, visible)

    def toggle_route_table(self, on: bool) -> None:
        """The route as a table (one row per hand-over) or as the diagram, in every tab."""
        self.settings.set_layout(ROUTE_MODE, QByteArray(b"table" if on else b"diagram"))
        for tab in self._message_tabs():
            tab.show_route_table(on)

    # --- building -----------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcuts: Iterable[QKeySequence | QKeySequence.StandardKey | str] = (),
        icon: QIcon | None = None,
        tip: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        keys = [k if isinstance(k, QKeySequence) else QKeySequence(k) for k in shortcuts]
        if keys:
            action.setShortcuts(keys)
            shown = keys[0].toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip or text.rstrip('…')} ({shown})")
        elif tip:
            action.setToolTip(tip)
        if icon is not None:
            action.setIcon(icon)
        action.triggered.connect(lambda _checked=False: slot())
        # Window-wide: the shortcuts work whichever panel has the focus.
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        style = self.style()
        std = QStyle.StandardPixmap

        def themed(name: str, fallback: QStyle.StandardPixmap | None = None) -> QIcon:
            backup = style.standardIcon(fallback) if fallback is not None else QIcon()
            return QIcon.fromTheme(name, backup)

        ctrl = "Ctrl+"
        self.open_action = self._action(
            "&Open…", self.ask_open, [QKeySequence.StandardKey.Open],
            themed("document-open", std.SP_DialogOpenButton), "Open message files",
        )  # fmt: skip
        self.paste_action = self._action(
            "&Paste headers", self.paste, [QKeySequence.StandardKey.Paste],
            themed("edit-paste"), "Analyse headers copied to the clipboard",
        )  # fmt: skip
        self.reload_action = self._action(
            "&Reload", self.reload_current, [QKeySequence.StandardKey.Refresh, "F5"],
            themed("view-refresh", std.SP_BrowserReload),
        )  # fmt: skip
        self.close_tab_action = self._action(
            "&Close tab", self.close_tab, [ctrl + "W", ctrl + "F4"]
        )
        self.quit_action = self._action("&Quit", self.close, [ctrl + "Q"])
        self.next_tab_action = self._action(
            "Next tab", lambda: self.cycle_tab(1), [ctrl + "Tab", ctrl + "PgDown"]
        )
        self.previous_tab_action = self._action(
            "Previous tab", lambda: self.cycle_tab(-1), [ctrl + "Shift+Tab", ctrl + "PgUp"]
        )
        self.zoom_in_action = self._action(
            "Zoom &in", lambda: self._with_diagram(lambda t: t.diagram.zoom_in()),
            [QKeySequence.StandardKey.ZoomIn, ctrl + "="], themed("zoom-in"),
        )  # fmt: skip
        self.zoom_out_action = self._action(
            "Zoom &out", lambda: self._with_diagram(lambda t: t.diagram.zoom_out()),
            [QKeySequence.StandardKey.ZoomOut], themed("zoom-out"),
        )  # fmt: skip
        self.fit_action = self._action(
            "&Fit diagram", lambda: self._with_diagram(lambda t: t.diagram.fit()),
            [ctrl + "0"], themed("zoom-fit-best"),
            "Back to 100 % with the route reflowed to the view's width",
        )  # fmt: skip
        self.next_hop_action = self._action(
            "&Next hop", lambda: self._with_diagram(lambda t: t.step_hop(1)),
            ["Alt+Right", "]"], themed("go-next", std.SP_ArrowRight), "Select the next (newer) hop",
        )  # fmt: skip
        self.previous_hop_action = self._action(
            "&Previous hop", lambda: self._with_diagram(lambda t: t.step_hop(-1)),
            ["Alt+Left", "["], themed("go-previous", std.SP_ArrowLeft),
            "Select the previous (older) hop",
        )  # fmt: skip
        self.export_png_action = self._action(
            "Diagram as &PNG…", lambda: self._ask_export("png"),
            icon=themed("document-save-as", std.SP_DialogSaveButton),
            tip="Save the hop diagram as a PNG image",
        )  # fmt: skip
        self.export_svg_action = self._action(
            "Diagram as &SVG…", lambda: self._ask_export("svg"),
            tip="Save the hop diagram as an SVG drawing",
        )  # fmt: skip
        self.about_action = self._action("&About mailview", self.show_about)
        self.export_report_action = self._action(
            "&Report…", self._ask_export_report, [ctrl + "Shift+E"],
            tip="Save the analysis as Markdown, HTML or JSON for a ticket",
        )  # fmt: skip
        self.ticket_action = self._action(
            "Copy for &ticket", self.copy_for_ticket, [ctrl + "Shift+T"],
            tip="Copy a short plain-text summary with defanged indicators",
        )  # fmt: skip
        self.redact_action = self._action(
            "Re&dact for sharing", lambda: None,
            tip="Replace recipient addresses, internal host names and private addresses in "
            "exports and copies",
        )  # fmt: skip
        self.redact_action.setCheckable(True)
        self.online_action = self._action(
            "&Online look-ups", lambda: None, [ctrl + "Shift+O"], themed("network-wired"),
            "Off: nothing leaves this computer. On: DNS look-ups for the messages opened or "
            "reloaded next",
        )  # fmt: skip
        self.online_action.setCheckable(True)
        # The user's default, set before the signal is connected: starting up online must
        # not reload anything or greet with a banner.
        self.online_action.setChecked(self.settings.online_by_default())
        self.online_action.toggled.connect(self._on_online_toggled)
        self.settings_action = self._action(
            "&Settings…", self.show_settings, [QKeySequence.StandardKey.Preferences],
            tip="Geo databases, online look-ups, your own systems, time display and theme",
        )  # fmt: skip
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.copy_diagram_action = self._action(
            "&Copy diagram", self.copy_diagram, [ctrl + "Shift+C"], themed("edit-copy"),
            "Copy the hop diagram to the clipboard as an image",
        )  # fmt: skip
        self.sample_action = self._action("Open the &sample message", self.open_sample)
        self.route_table_action = self._action(
            "Route &table", lambda: self.toggle_route_table(self.route_table_action.isChecked()),
            ["T", "F4"], themed("view-list-details"),
            "Show the route as a table, one row per hand-over (T)",
        )  # fmt: skip
        self.route_table_action.setCheckable(True)
        mode = self.settings.layout(ROUTE_MODE)
        self.route_table_action.setChecked(mode is not None and bytes(mode.data()) == b"table")
        hidden = self._hidden_panes()
        self.pane_actions: dict[str, QAction] = {}
        for number, (name, title) in enumerate(PANE_TITLES.items(), start=6):
            action = self._action(
                title, functools.partial(self._on_pane_action, name), [f"F{number}"],
                tip=f"Show or hide the {title.replace('&', '').lower()} under the route",
            )  # fmt: skip
            action.setCheckable(True)
            action.setChecked(name not in hidden)
            self.pane_actions[name] = action
        # Enabled only with an analysed message in front: without one they could do nothing.
        self._report_actions = (
            self.zoom_in_action, self.zoom_out_action, self.fit_action, self.next_hop_action,
            self.previous_hop_action, self.export_png_action, self.export_svg_action,
            self.copy_diagram_action, self.ticket_action, self.export_report_action,
        )  # fmt: skip

    def _on_pane_action(self, name: str) -> None:
        self.toggle_pane(name, self.pane_actions[name].isChecked())

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self._action("Open &folder…", self.ask_open_folder, ["Ctrl+Shift+F"]))
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.paste_action)
        file_menu.addAction(self.reload_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_tab_action)
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.route_table_action)
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        for action in self.pane_actions.values():
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.previous_hop_action)
        view_menu.addAction(self.next_hop_action)
        view_menu.addSeparator()
        view_menu.addAction(self.next_tab_action)
        view_menu.addAction(self.previous_tab_action)
        view_menu.addSeparator()
        view_menu.addAction(self.online_action)
        export_menu = bar.addMenu("&Export")
        export_menu.addAction(self.export_png_action)
        export_menu.addAction(self.export_svg_action)
        export_menu.addAction(self.copy_diagram_action)
        export_menu.addSeparator()
        export_menu.addAction(self.export_report_action)
        export_menu.addAction(self.ticket_action)
        export_menu.addSeparator()
        export_menu.addAction(self.redact_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.sample_action)
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")  # saveState needs a name
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(16, 16))
        groups = (
            (self.open_action, self.paste_action),
            (self.zoom_out_action, self.zoom_in_action, self.fit_action, self.route_table_action),
            (self.previous_hop_action, self.next_hop_action),
            (self.export_png_action, self.copy_diagram_action, self.ticket_action),
            (self.online_action,),
        )
        for position, group in enumerate(groups):
            if position:
                toolbar.addSeparator()
            for action in group:
                toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    def _build_opening(self) -> QLabel:
        """What a start with files shows until their tabs are built: the same sentence in
        the same place as a tab's "Analysing…" page."""
        label = plain_label(wrap=True, selectable=False)
        label.setObjectName("opening")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = label.font()
        scale_font(font, 1.2)
        label.setFont(font)
        return label

    def _build_welcome(self) -> QWidget:
        page = QWidget()
        page.setObjectName("welcome")
        title = QLabel("mailview")
        font = title.font()
        scale_font(font, 2)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = plain_label(WELCOME, wrap=True, selectable=False)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setMaximumWidth(640)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for label, slot in (
            ("Open…", self.ask_open),
            ("Paste headers", self.paste),
            ("Open the sample message", self.open_sample),
        ):
            button = QPushButton(label)
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(title)
        # Centred by stretches, not by an alignment flag: an aligned label gets no height
        # for its width, and its second line would be cut off in a small window.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(text, 100)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)
        # In a window too small for it the page scrolls: its words are never cut off.
        scroll = QScrollArea()
        scroll.setObjectName("welcomeScroll")
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        return scroll

    # --- menus --------------------------------------------------------------------------

    def ask_open(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Open messages",
            self.settings.last_dir(),
            "Email messages (*.eml *.msg *.mbox *.txt *.mbx);;All files (*)",
        )
        if paths:
            self.settings.set_last_dir(os.path.dirname(paths[0]))
            self.open_paths(paths)

    def open_sample(self) -> None:
        from mailview.assets import sample_message  # noqa: PLC0415 — only when asked

        self.open_paths([str(sample_message())])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()  # files gone since are left out here
        for path in recent:
            action = self.recent_menu.addAction(path.replace("&", "&&"))
            action.triggered.connect(lambda _checked=False, path=path: self.open_paths([path]))
        if not recent:
            empty = self.recent_menu.addAction("No recent files")
            empty.setEnabled(False)
            return
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("Clear the list", self.settings.clear_recent_files)

    def _update_actions(self) -> None:
        tab = self.current_tab()
        has_report = tab is not None and tab.state == READY
        for action in self._report_actions:
            action.setEnabled(has_report)
        has_tab = tab is not None
        self.close_tab_action.setEnabled(has_tab)
        self.reload_action.setEnabled(has_tab)
        self.setWindowTitle("mailview" if tab is None else f"{tab.title} — mailview")


def default_size(available: QSize) -> QSize:
    """1400×900, or the screen's available area when that is smaller (a 1280×800 laptop)."""
    return DEFAULT_SIZE.boundedTo(available) if available.isValid() else DEFAULT_SIZE


def about_text(options: AnalysisOptions) -> str:
    """The About box: version, the data mailview ships, and the parts it stands on."""
    from mailview.enrich.geo import EMBEDDED_ATTRIBUTION  # noqa: PLC0415 - when asked

    geo = options.geo.describe() if options.geo is not None else "no geo databases"
    return (
        f"mailview {__version__}\n\n"
        "Where an email has been, who vouches for it, and what is off about it.\n\n"
        f"Geo data in use: {geo}.\n{EMBEDDED_ATTRIBUTION}\n\n"
        "Built on Qt (PySide6, LGPL), dkimpy, dnspython, geoip2, publicsuffixlist, "
        "email-validator and extract-msg. mailview itself is Apache-2.0."
    )


def _message_tab(widget: QWidget | None) -> MessageTab | None:
    """`widget` if it is a message tab (the tab's module loads with the first tab)."""
    if widget is None:
        return None
    from mailview.gui.message_tab import MessageTab  # noqa: PLC0415

    return widget if isinstance(widget, MessageTab) else None


def _is_queue(widget: QWidget | None) -> TypeGuard[QueueTab]:
    if widget is None:
        return False
    from mailview.gui.queue.view import QueueTab  # noqa: PLC0415 - loaded with the first queue

    return isinstance(widget, QueueTab)


# The next message tab is built this long after a result arrives: once that result is
# drawn, and long before the user's next drop.
SPARE_DELAY_MS = 60

# How long to wait for the window's first frame before opening its files anyway (a
# platform that never reports the window exposed must still open them).
FIRST_FRAME_WAIT_MS = 1000


class _FirstFrame(QObject):
    """Calls `then` once, after `window`'s first frame has been painted.

    Qt paints a widget window while it handles the window's first Expose event; the call
    is posted from there, so it runs once that painting is done.
    """

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then: Callable[[], None] | None = then
        self._handle = window.windowHandle()
        if self._handle is None or self._handle.isExposed():
            QTimer.singleShot(0, self, self._fire)
            return
        self._handle.installEventFilter(self)
        QTimer.singleShot(FIRST_FRAME_WAIT_MS, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        handle = self._handle
        if event.type() == QEvent.Type.Expose and handle is not None and handle.isExposed():
            handle.removeEventFilter(self)
            QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()
