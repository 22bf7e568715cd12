"""The strip at the top of a tab: who, what, when, how long in transit, and the verdict.

Values sit in frameless read-only line edits: one line each however long the Subject,
selectable for copying, scrollable with the keyboard, and never interpreted as HTML.
"""

from __future__ import annotations

import email.utils
import html
from collections import Counter

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mailview.core.model import Report, Severity
from mailview.core.verdict import WORDS, Assessment, verdict_of
from mailview.gui.panels import plain_label
from mailview.gui.panels.findings import SEVERITY_WORD
from mailview.present.wording import describe_delay


class ValueField(QLineEdit):
    """One line of message text: selectable, plain, starts at its beginning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFrame(False)
        self.setAcceptDrops(False)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(Qt.GlobalColor.transparent))
        self.setPalette(palette)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextMargins(0, 0, 0, 0)

    def sizeHint(self) -> QSize:
        # A frameless read-only line needs no editing padding: a label's height keeps the
        # summary short, so the route below gets the room.
        hint = super().sizeHint()
        return QSize(hint.width(), self.fontMetrics().height() + 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def set_value(self, text: str | None, missing: str = "—") -> None:
        shown = " ".join(text.split()) if text else missing
        self.setText(shown)
        self.setCursorPosition(0)  # setText leaves the view scrolled to the end
        self.setToolTip(f"<p>{html.escape(shown)}</p>" if len(shown) > 60 else "")


def verdict_text(report: Report) -> str:
    """`HIGH 1 · MEDIUM 2 · LOW 1`, most severe first; `No findings` when there are none."""
    counts = Counter(f.severity for f in report.findings)
    ordered = sorted(counts, key=lambda s: s.rank)
    if not ordered:
        return "No findings"
    return " · ".join(f"{SEVERITY_WORD[s]} {counts[s]}" for s in ordered)


def worst_severity(report: Report) -> Severity | None:
    if not report.findings:
        return None
    return min((f.severity for f in report.findings), key=lambda s: s.rank)


def sender_text(value: str | None) -> str | None:
    """`Name <address>` with the quoting tidied, or the value as written.

    The parser is only trusted when its address is the one the value ends with: a
    hostile From such as `<b>Boss</b> <x@y>` parses as the address "b", and the
    summary must never show less (or other) than what the header says.
    """
    if not value:
        return None
    flat = " ".join(value.split())
    name, address = email.utils.parseaddr(flat)
    if name and "@" in address and flat.endswith(f"<{address}>"):
        return f"{name} <{address}>"
    return flat


def transit_text(report: Report) -> str:
    count = len(report.hops)
    if not count:
        return "unknown: no Received headers"
    hops = "1 hop" if count == 1 else f"{count} hops"
    if report.total_delay_seconds is None:
        return f"unknown (hop dates missing) over {hops}"
    return f"{describe_delay(report.total_delay_seconds)} over {hops}"


# The judgement's colour: red to act, orange to look, yellow for bulk, green for nothing
# found, none of our own for "cannot tell". The words carry the meaning; colour only
# draws the eye.
ASSESSMENT_FILL = {
    Assessment.LIKELY_MALICIOUS: (QColor("#c62828"), QColor("#ffffff")),
    Assessment.SUSPICIOUS: (QColor("#f57c00"), QColor("#000000")),
    Assessment.UNWANTED: (QColor("#fbc02d"), QColor("#000000")),
    Assessment.NO_CONCERNS: (QColor("#2e7d32"), QColor("#ffffff")),
}


def judgement_text(report: Report) -> str:
    """The judgement's one line, then the findings counted by severity."""
    found = verdict_of(report)
    return f"{found.sentence}  ({verdict_text(report)})"


class VerdictChip(QLabel):
    """The judgement in words ("Likely malicious", "No concerns found", …), coloured by it.

    The counts by severity and the reasons are in its tooltip and in the summary's
    verdict line below the subject."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictChip")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_report(self, report: Report) -> None:
        found = verdict_of(report)
        self.setText(WORDS[found.assessment])
        self.setAccessibleName(f"Verdict: {found.sentence}")
        self.setToolTip(f"<p>{html.escape(found.sentence)}</p><p>{verdict_text(report)}</p>")
        colours = ASSESSMENT_FILL.get(found.assessment)
        if colours is None:
            # No colour of our own: the theme's text on the theme's background.
            style = "border: 1px solid palette(mid); color: palette(window-text);"
        else:
            fill, ink = colours
            style = f"background: {fill.name()}; color: {ink.name()}; border: none;"
        self.setStyleSheet(
            f"QLabel#verdictChip {{ {style} border-radius: 10px; padding: 3px 12px; "
            "font-weight: bold; }"
        )


class SummaryPanel(QFrame):
    """From, To, Subject, Date, Message-ID, transit time and verdict; notes below."""

    _FIELDS = ("From", "To", "Date", "Message-ID", "Transit", "Origin", "Input", "Look-ups")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summary")
        self.subject = ValueField()
        self.subject.setObjectName("summarySubject")
        font = self.subject.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.subject.setFont(font)
        self.subject.setAccessibleName("Subject")
        self.chip = VerdictChip()
        self.judgement = plain_label(wrap=True)
        self.judgement.setObjectName("summaryJudgement")
        self.judgement.setAccessibleName("Verdict")

        self.fields: dict[str, ValueField] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        # Two columns of caption/value pairs: From/To, Date/Message-ID, Transit/Origin, Input.
        for position, name in enumerate(self._FIELDS):
            row, pair = divmod(position, 2)
            caption = QLabel(name)
            caption.setEnabled(False)  # the theme's muted text colour, in light and dark
            field = ValueField()
            field.setAccessibleName(name)
            self.fields[name] = field
            grid.addWidget(caption, row, pair * 2, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(field, row, pair * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.subject, 1)
        top.addWidget(self.chip, 0, Qt.AlignmentFlag.AlignVCenter)

        self.notes = plain_label(wrap=True)
        self.notes.setObjectName("summaryNotes")
        self.notes.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.judgement)
        layout.addLayout(grid)
        layout.addWidget(self.notes)

    def set_report(self, report: Report) -> None:
        m = report.message
        self.subject.set_value(m.subject, missing="(no subject)")
        self.chip.set_report(report)
        self.judgement.setText(judgement_text(report))
        self.fields["From"].set_value(sender_text(m.from_))
        self.fields["To"].set_value(m.to)
        date = m.date
        if date and m.date_parsed is not None:
            date += f"  ({m.date_parsed.utc:%Y-%m-%d %H:%M:%S} UTC)"
        self.fields["Date"].set_value(date)
        self.fields["Message-ID"].set_value(m.message_id)
        self.fields["Transit"].set_value(transit_text(report))
        origins = ", ".join(f"{o.ip} ({o.source})" for o in report.originators)
        self.fields["Origin"].set_value(origins or None, missing="not recorded")
        info = report.input
        self.fields["Input"].set_value(
            f"{info.name} · {info.format} · {info.size:,} bytes · SHA-256 {info.sha256[:16]}…"
        )
        self.fields["Look-ups"].set_value(self._lookups(report))
        notes = list(report.notes)
        if info.label != "the message":
            notes.insert(0, f"Analysed: {info.label}.")
        if info.message_count > 1:
            notes.append(f"The input holds {info.message_count} messages; this is {info.label}.")
        self.notes.setText("\n".join(f"Note: {note}" for note in dict.fromkeys(notes)))
        self.notes.setVisible(bool(notes))

    def _lookups(self, report: Report) -> str:
        geo = f"; geo: {report.geo_source}" if report.geo_source else ""
        if report.online is None:
            return f"offline — nothing was sent{geo}"
        when = report.online.looked_up_at.strftime("%Y-%m-%d %H:%M UTC")
        return f"online via {report.online.resolver}, {when} (answers describe today){geo}"

    def value(self, name: str) -> str:
        """The shown text of a field ("Subject", "From", …), for tests and copying."""
        return self.subject.text() if name == "Subject" else self.fields[name].text()
