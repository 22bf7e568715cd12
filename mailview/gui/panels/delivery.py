"""The "Delivery failed" panel: above the route, why a bounced message did not arrive.

Hidden for ordinary mail. For a delivery report it leads with the headline, then one
line per failed or delayed recipient: address, hard/soft, code and reason. The remote
server's own words, who refused and what to do are in the line's tooltip and under a
"Details" toggle, so the panel leaves the route below it room. Auto-replies and feedback
reports get one line saying they are not bounces. All text is plain (it came from the
message), and the tint follows the theme so it stays readable in dark mode.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mailview.core.bounce import BounceRecipient, BounceReport
from mailview.core.model import Report
from mailview.gui.panels import plain_label, tinted

MAX_ROWS = 3  # recipients shown; the rest are counted (the panel sits above the route)
MAX_TEXT = 300  # characters of a diagnostic shown

_TINTS = {"failed": QColor("#d32f2f"), "delayed": QColor("#f9a825"), "other": QColor("#1e88e5")}


def _short(text: str | None, limit: int = MAX_TEXT) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def title_of(bounce: BounceReport) -> str:
    if not bounce.is_delivery_report:
        return "Not a bounce"
    if bounce.outcome == "delayed":
        return "Delivery delayed"
    if bounce.outcome == "delivered":
        return "Delivery report"
    return "Delivery failed"


def recipient_line(entry: BounceRecipient) -> str:
    """One recipient on one line: who, what became of it, the code and why in words."""
    code = f"{entry.status} " if entry.status else ""
    return (
        f"{entry.address or '(recipient not named)'} — {entry.state} — {code}{entry.reason}: "
        f"{entry.sentence}"
    )


def recipient_details(entry: BounceRecipient) -> str:
    """What the server said, who refused, and what to do: the details of one line."""
    lines = []
    said = []
    if entry.remote_mta:
        said.append(f"Refused by {_short(entry.remote_mta, 120)}")
    if entry.diagnostic:
        said.append(f"{'said' if said else 'Server said'}: {_short(entry.diagnostic)}")
    if said:
        lines.append("    " + " ".join(said))
    lines.append(f"    What to do: {entry.hint}")
    return "\n".join(lines)


class DeliveryPanel(QFrame):
    """Why delivery failed; hidden unless the message is a delivery report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deliveryPanel")
        self.setAccessibleName("Delivery failure")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.title = plain_label(wrap=True)
        self.title.setObjectName("deliveryTitle")
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.source = plain_label(wrap=True)
        self.source.setObjectName("deliverySource")
        self.toggle = QToolButton()
        self.toggle.setObjectName("deliveryDetails")
        self.toggle.setCheckable(True)
        self.toggle.setText("Details")
        self.toggle.setToolTip("Show what each server said, who refused, and what to do")
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._show_details)
        self.rows: list[QLabel] = []
        self.details: list[QLabel] = []  # under each row, shown by the toggle
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 4, 10, 4)
        self._layout.setSpacing(2)
        self._layout.addWidget(self.title)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.source, 1)
        head.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        self._layout.addLayout(head)
        self.hide()

    def set_report(self, report: Report | None) -> None:
        for row in (*self.rows, *self.details):
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows, self.details = [], []
        bounce = None if report is None else report.bounce
        if bounce is None:
            self.hide()
            return
        title = title_of(bounce)
        headline = _short(bounce.headline)
        self.title.setText(headline if headline.startswith(title) else f"{title}: {headline}")
        self.source.setText(_source_text(bounce))
        shown = bounce.failed[:MAX_ROWS] if bounce.failed else bounce.recipients[:MAX_ROWS]
        for entry in shown:
            row = plain_label(recipient_line(entry), wrap=False)
            row.setObjectName("deliveryRecipient")
            # One line whatever its length: the panel must not widen the window.
            row.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            details = recipient_details(entry)
            row.setToolTip(f"{entry.explanation}\n\n{details.replace('    ', '')}")
            detail = plain_label(details, wrap=True)
            detail.setObjectName("deliveryRecipientDetails")
            detail.setVisible(self.toggle.isChecked())
            self.rows.append(row)
            self.details.append(detail)
            self._layout.addWidget(row)
            self._layout.addWidget(detail)
        self.toggle.setVisible(bool(shown))
        hidden = max(bounce.recipient_count, len(bounce.recipients)) - len(shown)
        if hidden > 0:
            more = plain_label(f"… and {hidden:,} more recipients (see the text or JSON report)")
            self.rows.append(more)
            self._layout.addWidget(more)
        self._tint(bounce)
        self.show()

    def _show_details(self, shown: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        for detail in self.details:
            detail.setVisible(shown)

    def _tint(self, bounce: BounceReport) -> None:
        key = "other"
        if bounce.is_delivery_report and bounce.failed:
            key = "delayed" if bounce.outcome == "delayed" else "failed"
        base = QApplication.palette(self).color(QPalette.ColorRole.Window)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, tinted(base, _TINTS[key], 0.15))
        self.setPalette(palette)

    def text(self) -> str:
        """Everything the panel holds (details included), for tests and copying; "" when
        hidden."""
        if self.isHidden():
            return ""
        lines = [self.title.text(), self.source.text()]
        for position, row in enumerate(self.rows):
            lines.append(row.text())
            if position < len(self.details):
                lines.append(self.details[position].text())
        return "\n".join(lines)


def _source_text(bounce: BounceReport) -> str:
    parts = [f"Reported by {bounce.reporting_mta or 'an unnamed server'}"]
    if bounce.arrival_date:
        parts.append(f"message arrived there {_short(bounce.arrival_date, 60)}")
    if bounce.original is not None:
        subject = _short(bounce.original.subject or "(no subject)", 100)
        parts.append(f"returned original: '{subject}'")
    parts.extend(_short(note, 160) for note in bounce.notes[:3])
    return "; ".join(parts) + "."
