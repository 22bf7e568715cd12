"""Preferences: geo databases, online look-ups, the user's own systems, and display.

Strategy: the dialog edits a copy of the values and writes them to `Settings` only on OK,
so Cancel (or closing the window) discards everything, including added databases. Text
the user types is checked as they type, with the reason shown in plain words under the
field, and OK stays disabled while anything is invalid: a bad resolver address saved now
would only surface later as a failed look-up far from where it was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mailview.enrich.dns import DnsConfigError, parse_nameserver
from mailview.enrich.geo import open_geo
from mailview.gui.settings import Settings, parse_domain, parse_network
from mailview.present.place import database_line

TIME_CHOICES = (
    ("As written in the header", "original"),
    ("UTC", "utc"),
    ("Local time", "local"),
)
THEME_CHOICES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))
_PATH_ROLE = Qt.ItemDataRole.UserRole  # the path of a database the user added, else None
MMDB_FILTER = "Geo databases (*.mmdb *.plv);;All files (*)"

FileChooser = Callable[[QWidget], list[str]]


def choose_databases(parent: QWidget) -> list[str]:
    """Ask for .mmdb files with Qt's file dialog (replaced in tests)."""
    paths, _filter = QFileDialog.getOpenFileNames(
        parent, "Add GeoIP database", str(Path.home()), MMDB_FILTER
    )
    return paths


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # file names and user text are not HTML
    label.setWordWrap(True)
    return label


def _error_label() -> QLabel:
    label = _label("")
    label.setObjectName("error")
    label.setStyleSheet("color: #b00020;")
    label.hide()
    return label


def _lines(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


def _invalid(lines: list[str], parse: Callable[[str], str | None]) -> list[str]:
    return [line for line in lines if parse(line) is None]


class SettingsDialog(QDialog):
    """The preferences window; `exec()` returns Accepted when the values were saved."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        choose_files: FileChooser = choose_databases,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._choose_files = choose_files
        self._geo_paths: list[Path] = settings.geoip_databases()
        self.setWindowTitle("Settings")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._geo_tab(), "GeoIP")
        self.tabs.addTab(self._online_tab(), "Online")
        self.tabs.addTab(self._own_tab(), "Own systems")
        self.tabs.addTab(self._display_tab(), "Display")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self._load()
        self._refresh_geo()
        self.validate()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    # --- tabs -----------------------------------------------------------------------

    def _geo_tab(self) -> QWidget:
        page = QWidget()
        self.geo_list = QListWidget()
        self.geo_list.currentItemChanged.connect(self._update_remove)
        self.add_geo_button = QPushButton("Add database…")
        self.add_geo_button.clicked.connect(self.add_databases)
        self.remove_geo_button = QPushButton("Remove")
        self.remove_geo_button.clicked.connect(self.remove_database)
        self.geo_problems = _error_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_geo_button)
        buttons.addWidget(self.remove_geo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(
            _label(
                "Databases in use, the preferred one first. Each fact (country, city, "
                "network owner) comes from the first database that knows it:"
            )
        )
        layout.addWidget(self.geo_list)
        layout.addLayout(buttons)
        layout.addWidget(self.geo_problems)
        layout.addWidget(
            _label(
                "Databases found in the standard folders and the built-in one are used "
                "too; only the ones added here can be removed here."
            )
        )
        return page

    def _online_tab(self) -> QWidget:
        page = QWidget()
        self.online_check = QCheckBox("Start with online look-ups on")
        self.resolver_edit = QLineEdit()
        self.resolver_edit.setPlaceholderText("the system's resolver")
        self.resolver_edit.textChanged.connect(self.validate)
        self.resolver_error = _error_label()
        self.dnsbl_edit = QPlainTextEdit()
        self.dnsbl_edit.setTabChangesFocus(True)
        self.dnsbl_edit.textChanged.connect(self.validate)
        self.dnsbl_error = _error_label()
        form = QFormLayout(page)
        form.addRow(self.online_check)
        form.addRow(_label("DNS resolver (ADDRESS[:PORT]):"), self.resolver_edit)
        form.addRow(self.resolver_error)
        form.addRow(_label("Blocklist (DNSBL) zones, one per line:"), self.dnsbl_edit)
        form.addRow(self.dnsbl_error)
        return page

    def _own_tab(self) -> QWidget:
        page = QWidget()
        self.domains_edit = QPlainTextEdit()
        self.domains_edit.setTabChangesFocus(True)
        self.domains_edit.textChanged.connect(self.validate)
        self.domains_error = _error_label()
        self.networks_edit = QPlainTextEdit()
        self.networks_edit.setTabChangesFocus(True)
        self.networks_edit.textChanged.connect(self.validate)
        self.networks_error = _error_label()
        form = QFormLayout(page)
        form.addRow(_label("Your own domains, one per line:"), self.domains_edit)
        form.addRow(self.domains_error)
        form.addRow(_label("Your own networks (CIDR), one per line:"), self.networks_edit)
        form.addRow(self.networks_error)
        return page

    def _display_tab(self) -> QWidget:
        page = QWidget()
        self.time_combo = QComboBox()
        for text, value in TIME_CHOICES:
            self.time_combo.addItem(text, value)
        self.theme_combo = QComboBox()
        for text, value in THEME_CHOICES:
            self.theme_combo.addItem(text, value)
        form = QFormLayout(page)
        form.addRow(_label("Show times:"), self.time_combo)
        form.addRow(_label("Theme:"), self.theme_combo)
        return page

    # --- values ---------------------------------------------------------------------

    def _load(self) -> None:
        s = self.settings
        self.online_check.setChecked(s.online_by_default())
        self.resolver_edit.setText(s.resolver() or "")
        self.dnsbl_edit.setPlainText("\n".join(s.dnsbl_zones()))
        self.domains_edit.setPlainText("\n".join(s.own_domains()))
        self.networks_edit.setPlainText("\n".join(s.own_networks()))
        self.time_combo.setCurrentIndex(max(0, self.time_combo.findData(s.time_display())))
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(s.theme())))

    def validate(self) -> bool:
        """Show what is wrong under each field; OK is enabled only when nothing is."""
        errors = [
            (self.resolver_error, self._resolver_problem()),
            (self.dnsbl_error, self._list_problem(self.dnsbl_edit, parse_domain, "zone")),
            (self.domains_error, self._list_problem(self.domains_edit, parse_domain, "domain")),
            (
                self.networks_error,
                self._list_problem(self.networks_edit, parse_network, "network (CIDR)"),
            ),
        ]
        for label, problem in errors:
            label.setText(problem or "")
            label.setVisible(bool(problem))
        valid = not any(problem for _label, problem in errors)
        self.ok_button.setEnabled(valid)
        return valid

    def _resolver_problem(self) -> str | None:
        text = self.resolver_edit.text().strip()
        if not text:
            return None
        try:
            parse_nameserver(text)
        except DnsConfigError:
            return f"Not an IP address with an optional port: {text}"
        return None

    @staticmethod
    def _list_problem(
        edit: QPlainTextEdit, parse: Callable[[str], str | None], what: str
    ) -> str | None:
        bad = _invalid(_lines(edit), parse)
        if not bad:
            return None
        return f"Not a valid {what}: {', '.join(bad)}"

    def accept(self) -> None:
        if not self.validate():
            return
        s = self.settings
        s.set_geoip_databases(self._geo_paths)
        s.set_online_by_default(self.online_check.isChecked())
        s.set_resolver(self.resolver_edit.text())
        s.set_dnsbl_zones(_lines(self.dnsbl_edit))
        s.set_own_domains(_lines(self.domains_edit))
        s.set_own_networks(_lines(self.networks_edit))
        s.set_time_display(self.time_combo.currentData())
        s.set_theme(self.theme_combo.currentData())
        s.sync()
        super().accept()

    # --- geo databases --------------------------------------------------------------

    def add_databases(self) -> None:
        for text in self._choose_files(self):
            path = Path(text)
            if path not in self._geo_paths:
                self._geo_paths.append(path)
        self._refresh_geo()

    def remove_database(self) -> None:
        item = self.geo_list.currentItem()
        path = item.data(_PATH_ROLE) if item is not None else None
        if path is None:
            return
        self._geo_paths = [p for p in self._geo_paths if str(p) != path]
        self._refresh_geo()

    def geo_paths(self) -> list[Path]:
        """The databases the user added, as they will be saved on OK."""
        return list(self._geo_paths)

    def _refresh_geo(self) -> None:
        geo = open_geo(explicit=self._geo_paths, app_data_dir=self.settings.path.parent)
        try:
            infos, problems = geo.databases(), geo.problems()
        finally:
            geo.close()  # the dialog only lists them; the analysis opens its own
        added = {str(p) for p in self._geo_paths}
        self.geo_list.clear()
        shown: set[str] = set()
        covered: set[str] = set()
        for info in infos:
            text = database_line(info.database_type, info.built, info.embedded, info.answers_text)
            if covered.issuperset(info.answers):
                text += " (not needed: the databases above answer all of it)"
            covered.update(info.answers)
            self._add_geo_item(f"{text}\n    {info.path}", str(info.path), str(info.path) in added)
            shown.add(str(info.path))
        for path in sorted(added - shown):  # added but unusable: listed so it can be removed
            self._add_geo_item(f"Not usable — {path}", path, True)
        self.geo_problems.setText("\n".join(problems))
        self.geo_problems.setVisible(bool(problems))
        self._update_remove()

    def _add_geo_item(self, text: str, path: str, removable: bool) -> None:
        item = QListWidgetItem(text)
        item.setData(_PATH_ROLE, path if removable else None)
        if not removable:
            item.setToolTip("Found in a standard folder or built in; not removable here.")
        self.geo_list.addItem(item)

    def _update_remove(self) -> None:
        item = self.geo_list.currentItem()
        self.remove_geo_button.setEnabled(item is not None and item.data(_PATH_ROLE) is not None)
