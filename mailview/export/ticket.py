""" "Copy for ticket": the report as a few dozen lines of plain text for a ticket field.

Strategy: the same facts as the Markdown and HTML reports (shared from
`export.markdown`), cut to what an analyst pastes into a ticket: the verdict, one line
per hop, authentication in one line, the top findings, and defanged indicators. Plain
text needs no escaping, but every value is put on one line with control characters
removed, so a hostile header cannot fake extra lines; long lists are capped so the
whole stays at about forty lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailview.core.indicators import Indicators
from mailview.core.model import Report
from mailview.core.verdict import verdict_of
from mailview.export.markdown import (
    auth_facts,
    hop_rows,
    indicator_rows,
    one_line,
    transit,
)
from mailview.export.text_bounce import ticket_lines

TOP_FINDINGS = 5
MAX_HOPS = 10  # the first and last hops are kept; the middle of a long relay chain is not
MAX_URLS = 5
MAX_ATTACHMENTS = 3
MAX_LINE = 300  # a ticket field is no place for a 2 kB header


def render_ticket(report: Report, *, indicators: Indicators | None = None) -> str:
    indicators = indicators if indicators is not None else report.indicators
    return "\n".join(_cut(line) for line in _lines(report, indicators)) + "\n"


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _lines(report: Report, indicators: Indicators | None) -> Iterator[str]:
    yield from ticket_lines(report)
    found = verdict_of(report)
    yield f"Verdict: {one_line(found.sentence)}"
    if found.reasons:
        yield f"Because of: {', '.join(found.reasons)}"
    m = report.message
    yield f"Subject: {one_line(m.subject, '(no subject)')}"
    yield f"From: {one_line(m.from_, '-')}  |  Date: {one_line(m.date, '-')}"
    yield f"Input: {one_line(report.input.name)} sha256 {report.input.sha256}"
    yield from _route(report)
    if report.auth is not None:
        facts = auth_facts(report.auth)
        yield one_line(f"Auth: {', '.join(facts.badges)}; alignment {facts.alignment}")
    yield from _findings(report)
    if indicators is not None:
        yield from _indicators(indicators)


def _route(report: Report) -> Iterator[str]:
    rows = hop_rows(report)
    yield f"Route ({transit(report)}, oldest first; ? = claimed by the sender):"
    shown = rows
    if len(rows) > MAX_HOPS:
        half = MAX_HOPS // 2
        shown = [*rows[:half], *rows[-half:]]
    for position, row in enumerate(shown):
        if len(rows) > MAX_HOPS and position == MAX_HOPS // 2:
            yield f"   … {len(rows) - MAX_HOPS} more hops …"
        time = row.time[11:] + "Z" if row.time != "no date" else "no date"
        ip = f" [{row.ip}]" if row.ip else ""
        mark = "" if row.trusted else " ?"
        yield f"{row.index}. {time} {row.from_} → {row.by}{ip} {row.protocol}{mark}"


def _findings(report: Report) -> Iterator[str]:
    if not report.findings:
        yield "Findings: none."
        return
    yield f"Findings ({len(report.findings)}, top {min(TOP_FINDINGS, len(report.findings))}):"
    # The verdict's own order: worst first, and among equals the best-proven first.
    severity = ("high", "medium", "low", "info")
    strength = ("direct", "correlated", "heuristic")
    ranked = sorted(
        report.findings,
        key=lambda f: (
            severity.index(f.severity.value),
            strength.index(f.strength) if f.strength in strength else len(strength),
        ),
    )
    for item in ranked[:TOP_FINDINGS]:
        yield f"- [{item.severity.value.upper()}] {one_line(item.title)}"


def _indicators(indicators: Indicators) -> Iterator[str]:
    rows = indicator_rows(indicators, defang=True)
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for kind, value, note in rows:
        by_kind.setdefault(kind, []).append((value, note))
    if not rows:
        yield "Indicators: none."
        return
    yield "Indicators (defanged):"
    for kind, label in (("IP", "IPs"), ("domain", "Domains"), ("address", "Addresses")):
        values = list(dict.fromkeys(v for v, _ in by_kind.get(kind, [])))
        if values:
            more = f" (+{len(values) - 10} more)" if len(values) > 10 else ""
            yield f"  {label}: {', '.join(values[:10])}{more}"
    for value, _ in by_kind.get("URL", [])[:MAX_URLS]:
        yield f"  URL: {value}"
    for value, note in by_kind.get("attachment", [])[:MAX_ATTACHMENTS]:
        yield f"  Attachment: {value} ({note})"
