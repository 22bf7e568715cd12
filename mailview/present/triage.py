"""One message of a triage queue as a compact row: what the queue and its CSV show.

A queue of thousands keeps these, never the Reports (a report holds every header and
indicator); opening a row analyses the message again. Every value is plain and
picklable, so a worker process builds the row and the GUI thread only inserts it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mailview.core.campaigns import Traits, origin, traits_of
from mailview.core.model import Report, Severity
from mailview.core.record import record
from mailview.core.verdict import WORDS, Assessment, verdict_of
from mailview.present.place import network_text

MAX_URLS = 20  # links kept per row for the CSV: enough for a ticket, bounded
SEVERITIES = (Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)


@record
class QueueRow:
    label: str  # "box.mbox#3" or the file's path: where to find the message again
    sha256: str
    assessment: str  # Assessment value; "" when the message could not be read
    arrived: float | None = None  # seconds since the epoch (receiver's time, else Date)
    sender: str = ""
    subject: str = ""
    origin_ip: str = ""
    country: str = ""
    owner: str = ""  # "AS8075 Microsoft"
    spf: str = ""
    dkim: str = ""
    dmarc: str = ""
    service: str = ""
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # findings: high, medium, low, info
    domains: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    traits: Traits | None = None
    error: str | None = None  # why it could not be read, in words
    sentence: str = ""  # the verdict's one line

    @property
    def assessment_text(self) -> str:
        if self.error is not None:
            return "Unreadable"
        try:
            return WORDS[Assessment(self.assessment)]
        except ValueError:
            return self.assessment

    @property
    def arrived_text(self) -> str:
        if self.arrived is None:
            return ""
        return datetime.fromtimestamp(self.arrived, UTC).strftime("%Y-%m-%d %H:%M")

    @property
    def origin_text(self) -> str:
        parts = [p for p in (self.origin_ip, self.country, self.owner) if p]
        return " · ".join(parts)


def row_of(label: str, report: Report) -> QueueRow:
    ip, geo = origin(report)
    judged = report.verdict or verdict_of(report)
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in report.findings:
        counts[finding.severity] += 1
    traits = traits_of(report)
    indicators = report.indicators
    spf, dkim, dmarc = glance(report)
    return QueueRow(
        label=label,
        sha256=report.input.sha256,
        assessment=str(judged.assessment),
        arrived=traits.arrived,
        sender=report.message.from_ or "",
        subject=report.message.subject or "",
        origin_ip=ip or "",
        country=(geo.country or "") if geo else "",
        owner=(network_text(geo.asn, geo.as_org) or "") if geo else "",
        spf=spf,
        dkim=dkim,
        dmarc=dmarc,
        service=traits.service,
        counts=(
            counts[Severity.HIGH],
            counts[Severity.MEDIUM],
            counts[Severity.LOW],
            counts[Severity.INFO],
        ),
        domains=indicators.domains if indicators else (),
        urls=tuple(u.url for u in indicators.urls[:MAX_URLS]) if indicators else (),
        traits=traits,
        sentence=judged.sentence,
    )


def failed_row(label: str, sha256: str, sentence: str) -> QueueRow:
    return QueueRow(label=label, sha256=sha256, assessment="", error=sentence)


def glance(report: Report) -> tuple[str, str, str]:
    """SPF, DKIM and DMARC in one word each: the receiver's trusted results first, then
    what mailview computed ("" when nothing says)."""
    auth = report.auth
    if auth is None:
        return "", "", ""
    said: dict[str, str] = {}
    for result in auth.results:
        if result.trusted and result.method in ("spf", "dkim", "dmarc"):
            said.setdefault(result.method, result.result)
    spf = said.get("spf") or next((s.result for s in auth.received_spf if s.trusted), "")
    dkim = said.get("dkim") or next((s.verification for s in auth.dkim), "")
    dmarc = said.get("dmarc") or auth.alignment.dmarc_computed
    return spf, dkim, "" if dmarc in ("unknown", "none") else dmarc
