"""What one hop's Received header says, field by field, with the header as written.

Values are selectable plain-text labels in a form, so an analyst can copy an IP or a
queue id into a ticket; the raw header below is the evidence itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mailview.core.model import Hop, Report
from mailview.gui.panels import monospace_font, plain_label
from mailview.gui.timefmt import format_moment
from mailview.present.place import place_line, sources_text
from mailview.present.wording import describe_delay

PLACEHOLDER = (
    "Click a hop in the diagram, or press Alt+Right / Alt+Left, to see what its "
    "Received header says."
)


def hop_rows(hop: Hop, report: Report, time_mode: str = "utc") -> list[tuple[str, str]]:
    """(label, value) pairs for the form; fields the header did not give are left out."""
    f = hop.fields
    rows: list[tuple[str, str]] = []
    position = f"{hop.index} of {len(report.hops)} (1 is the oldest)"
    if hop.index == report.trust_boundary_hop:
        position += " · trust boundary: the first hop written by the recipient's systems"
    rows.append(("Hop", position))
    rows.append(
        (
            "Written by",
            "the recipient's own systems (trusted)"
            if hop.trusted
            else "a system before the trust boundary: the sender's claim, not verifiable",
        )
    )
    rows.append(("Header", f"#{hop.header_index + 1} {hop.header_name}"))
    rows += _with_place(_named_rows(hop), _geo_rows(hop, report))
    if f.date is not None:
        rows.append(("Date", f"{f.date.text}  ({format_moment(f.date, time_mode)})"))
    elif f.date_text:
        rows.append(("Date", f"{f.date_text} (not understood)"))
    if hop.delay_seconds is not None:
        delay = describe_delay(hop.delay_seconds)
        if hop.delay_seconds < 0:
            delay += " — earlier than the hop before: clock skew, or a forged line"
        rows.append(("Delay", delay))
    if f.problems:
        rows.append(("Problems", "; ".join(f.problems)))
    return rows + _lookup_rows(hop, report)


def _with_place(
    named: list[tuple[str, str]], place: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The owner and place right under the address they describe."""
    labels = [label for label, _ in named]
    at = labels.index("From IP") + 1 if "From IP" in labels else len(named)
    return named[:at] + place + named[at:]


def _geo_rows(hop: Hop, report: Report) -> list[tuple[str, str]]:
    """The offline databases' owner and place for the sender, and where they come from."""
    position = hop.index - 1
    geo = report.hop_geo[position] if position < len(report.hop_geo) else None
    line = place_line(geo)
    if geo is None or not line:
        return []
    return [("Network · place", line), ("Geo source", sources_text(geo))]


def _lookup_rows(hop: Hop, report: Report) -> list[tuple[str, str]]:
    """Live DNS answers (online mode) for the sender."""
    position = hop.index - 1
    rows: list[tuple[str, str]] = []
    geo = report.hop_geo[position] if position < len(report.hop_geo) else None
    lookup = report.hop_online[position] if position < len(report.hop_online) else None
    if lookup is not None:
        when = lookup.looked_up_at.strftime("%Y-%m-%d %H:%M UTC")
        confirmed = {True: "confirmed", False: "does NOT resolve back", None: "not checked"}
        rows.append(("rDNS today", f"{lookup.ptr or 'none'} ({confirmed[lookup.fcrdns]}; {when})"))
        if lookup.asn and not (geo and geo.asn):
            rows.append(("Network (DNS)", f"AS{lookup.asn} {lookup.as_org or ''}".strip()))
        rows.append(("Blocklists", ", ".join(lookup.dnsbl) or "not listed"))
        if lookup.problems:
            rows.append(("Look-up problems", "; ".join(lookup.problems)))
    return rows


def _named_rows(hop: Hop) -> list[tuple[str, str]]:
    """Who handed the message to whom, and how."""
    f = hop.fields
    ip = f.from_ip
    if ip and hop.ip_scope is not None:
        ip += f" ({hop.ip_scope.value} address)"
    tls = None
    if f.tls is not None:
        bits = f"{f.tls.bits} bits" if f.tls.bits else None
        tls = " · ".join(p for p in (f.tls.version or "yes", f.tls.cipher, bits) if p)
    authenticated = None
    if f.authenticated:
        authenticated = f"yes, as {f.authenticated_as}" if f.authenticated_as else "yes"
    candidates = (
        ("From", f.from_host),
        ("HELO name", f.from_helo),
        ("Reverse DNS", f.from_rdns),
        ("From IP", ip),
        ("By", f.by_host),
        ("By IP", f.by_ip),
        ("Protocol", f.with_protocol),
        ("TLS", tls),
        ("Authenticated", authenticated),
        ("Envelope from", f.envelope_from),
        ("For", f.for_addr),
        ("Via", f.via),
        ("Queue ID", f.id),
        ("Software", f.software),
    )
    return [(label, value) for label, value in candidates if value]


class HopDetailsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hop: Hop | None = None
        self.title = QLabel("Hop details")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.placeholder = plain_label(PLACEHOLDER, wrap=True, selectable=False)
        self.placeholder.setEnabled(False)  # the disabled colour reads as a hint in any theme
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self._form_host = QWidget()
        self.form = QFormLayout(self._form_host)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self._form_host)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.raw_title = QLabel("Received header as written")
        self.raw = QPlainTextEdit()
        self.raw.setObjectName("hopRaw")
        self.raw.setAccessibleName("Raw Received header")
        self.raw.setReadOnly(True)
        self.raw.setAcceptDrops(False)
        self.raw.setFont(monospace_font())
        raw_box = QWidget()
        raw_layout = QVBoxLayout(raw_box)
        raw_layout.setContentsMargins(0, 0, 0, 0)
        raw_layout.addWidget(self.raw_title)
        raw_layout.addWidget(self.raw, 1)
        # The fields and the header as written share the pane; the user sets the split.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("hop")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(raw_box)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([300, 160])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.splitter, 1)
        self.set_hop(None, None)

    time_mode = "utc"  # utc | local | original, from the settings (see gui/timefmt.py)

    def set_hop(self, hop: Hop | None, report: Report | None) -> None:
        self.hop = hop
        while self.form.rowCount():
            self.form.removeRow(0)
        shown = hop is not None and report is not None
        self.placeholder.setVisible(not shown)
        self.splitter.setVisible(shown)
        if hop is None or report is None:
            self.title.setText("Hop details")
            self.raw.clear()
            return
        self.title.setText(f"Hop {hop.index}")
        for label, value in hop_rows(hop, report, self.time_mode):
            field = plain_label(value, wrap=True)
            self.form.addRow(label + ":", field)
        self.raw.setPlainText(hop.raw.replace("\r\n", "\n"))

    def values(self) -> dict[str, str]:
        """The form's rows as text, for tests and copying."""
        found: dict[str, str] = {}
        for row in range(self.form.rowCount()):
            label = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and field is not None:
                label_widget, field_widget = label.widget(), field.widget()
                if isinstance(label_widget, QLabel) and isinstance(field_widget, QLabel):
                    found[label_widget.text().rstrip(":")] = field_widget.text()
        return found
