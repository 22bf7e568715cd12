"""The triage queue as CSV, for the ticket or the SIEM.

Two dangers of a CSV opened in a spreadsheet are handled here: indicators are defanged
(unless the caller asks for them live) so no cell is a clickable link, and a cell that
starts with = + - @ tab or CR, which Excel, LibreOffice and Sheets read as a formula
(OWASP "CSV injection"), gets a leading apostrophe so it is shown as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import TextIO

from mailview.core.campaigns import Campaign
from mailview.export.defang import defang_address, defang_domain, defang_ip, defang_url
from mailview.present.triage import QueueRow

COLUMNS = (
    "label",
    "sha256",
    "assessment",
    "arrived_utc",
    "sender",
    "subject",
    "origin_ip",
    "country",
    "network",
    "spf",
    "dkim",
    "dmarc",
    "sending_service",
    "campaign",
    "campaign_size",
    "high",
    "medium",
    "low",
    "info",
    "domains",
    "urls",
    "mark",
    "note",
    "error",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """`cell` as text a spreadsheet will not evaluate."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_queue_csv(
    rows: Iterable[tuple[QueueRow, str | None]],
    campaigns: Mapping[str, Campaign],
    out: TextIO,
    *,
    defang: bool = True,
    marks: Mapping[str, tuple[str, str]] | None = None,
) -> int:
    """Write a header and one line per (row, campaign id); returns the lines written.
    `marks` maps a SHA-256 to the analyst's (mark, note)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row, campaign in rows:
        writer.writerow(
            [neutralise(str(v)) for v in _cells(row, campaign, campaigns, defang, marks)]
        )
        count += 1
    return count


def _cells(
    row: QueueRow,
    campaign: str | None,
    campaigns: Mapping[str, Campaign],
    defang: bool,
    marks: Mapping[str, tuple[str, str]] | None,
) -> list[object]:
    mark, note = (marks or {}).get(row.sha256, ("", ""))
    size = campaigns[campaign].size if campaign is not None and campaign in campaigns else ""
    sender = defang_address(row.sender) if defang and "@" in row.sender else row.sender
    return [
        row.label,
        row.sha256,
        row.assessment,
        row.arrived_text,
        sender,
        row.subject,
        defang_ip(row.origin_ip) if defang and row.origin_ip else row.origin_ip,
        row.country,
        row.owner,
        row.spf,
        row.dkim,
        row.dmarc,
        row.service,
        campaign or "",
        size,
        *row.counts,
        " ".join(defang_domain(d) if defang else d for d in row.domains),
        " ".join(defang_url(u) if defang else u for u in row.urls),
        mark,
        note,
        row.error or "",
    ]
