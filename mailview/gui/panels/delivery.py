"""The "Delivery failed" panel: above the route, why a bounced message did not arrive.

Hidden for ordinary mail. For a delivery report it leads with the headline, then one
row per failed or delayed recipient: address and hard/soft, the status code in words,
the remote server's own words, who refused, and what to do. Auto-replies and feedback
reports get one line saying they are not bounces. All text is plain (it came from the
message), and the tint follows the theme so it stays readable in dark mode.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QVBoxLayout, QWidget

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


def recipient_text(entry: BounceRecipient) -> str:
    """One recipient in three lines: who and why, what the server said, what to do."""
    state = entry.state
    code = f"{entry.status} " if entry.status else ""
    lines = [
        f"{entry.address or '(recipient not named)'} — {state} — {code}{entry.reason}: "
        f"{entry.sentence}"
    ]
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
        self.rows: list[QLabel] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 6)
        self._layout.setSpacing(4)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.source)
        self.hide()

    def set_report(self, report: Report | None) -> None:
        for row in self.rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
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
            row = plain_label(recipient_text(entry), wrap=True)
            row.setObjectName("deliveryRecipient")
            row.setToolTip(entry.explanation)
            self.rows.append(row)
            self._layout.addWidget(row)
        hidden = max(bounce.recipient_count, len(bounce.recipients)) - len(shown)
        if hidden > 0:
            more = plain_label(f"… and {hidden:,} more recipients (see the text or JSON report)")
            self.rows.append(more)
            self._layout.addWidget(more)
        self._tint(bounce)
        self.show()

    def _tint(self, bounce: BounceReport) -> None:
        key = "other"
        if bounce.is_delivery_report and bounce.failed:
            key = "delayed" if bounce.outcome == "delayed" else "failed"
        base = QApplication.palette(self).color(QPalette.ColorRole.Window)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, tinted(base, _TINTS[key], 0.15))
        self.setPalette(palette)

    def text(self) -> str:
        """Everything the panel shows, for tests and copying; "" when hidden."""
        if self.isHidden():
            return ""
        return "\n".join([self.title.text(), self.source.text(), *(r.text() for r in self.rows)])


def _source_text(bounce: BounceReport) -> str:
    parts = [f"Reported by {bounce.reporting_mta or 'an unnamed server'}"]
    if bounce.arrival_date:
        parts.append(f"message arrived there {_short(bounce.arrival_date, 60)}")
    if bounce.original is not None:
        subject = _short(bounce.original.subject or "(no subject)", 100)
        parts.append(f"returned original: '{subject}'")
    parts.extend(_short(note, 160) for note in bounce.notes[:3])
    return "; ".join(parts) + "."
