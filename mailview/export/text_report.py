"""The plain-text report `mailview analyze` prints: summary, route table, findings.

Each hop takes two lines — time, delay, protocol and address on the first, the
"from → by" names on the second — so long host names never push columns apart or get cut.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from mailview.core.findings.context import describe_delay
from mailview.core.model import Finding, Hop, Report
from mailview.export.json_report import iso_utc

WIDTH = 100
_SEVERITY_LABEL = {"high": "HIGH", "medium": "MEDIUM", "low": "LOW", "info": "INFO"}


def render_text(report: Report) -> str:
    return "\n".join(_lines(report)) + "\n"


def _lines(report: Report) -> Iterator[str]:
    info = report.input
    where = "" if info.message_count == 1 and not info.address[1:] else f", {info.label}"
    yield f"{info.name} ({info.format}{where}, sha256 {info.sha256[:16]}…)"
    yield from _summary(report)
    for note in report.notes:
        yield from _wrap(f"Note: {note}", indent="")
    yield ""
    yield from _route(report)
    yield ""
    yield from _findings(report.findings)
    if len(report.inner) > 1:
        yield ""
        yield "Messages in this input (address: label — subject):"
        for ref in report.inner:
            address = "/".join(str(i + 1) for i in ref.address)
            yield f"  {address}: {ref.label} — {ref.subject or '(no subject)'}"


def _summary(report: Report) -> Iterator[str]:
    m = report.message
    for label, value in (
        ("From", m.from_),
        ("To", m.to),
        ("Subject", m.subject),
        ("Date", m.date),
        ("Message-ID", m.message_id),
        ("Return-Path", m.return_path),
        ("Reply-To", m.reply_to),
    ):
        if value is not None:
            yield from _wrap(f"{label + ':':<12} {_one_line(value)}", indent=" " * 13)


def _route(report: Report) -> Iterator[str]:
    hops = report.hops
    if not hops:
        yield "Route: no Received headers."
        return
    total = report.total_delay_seconds
    total_text = "unknown" if total is None else describe_delay(total)
    yield f"Route: {len(hops)} hops, oldest first; total transit {total_text}"
    yield f"  {'#':>2}  {'time (UTC)':<20} {'delay':>12}  {'protocol / TLS':<24} {'from IP'}"
    for hop in hops:
        if hop.index == report.trust_boundary_hop:
            yield (
                "  " + "─" * 10 + " trust boundary: below, the recipient's own systems " + "─" * 10
            )
        yield from _hop_lines(hop)


def _hop_lines(hop: Hop) -> Iterator[str]:
    f = hop.fields
    when = "no date" if f.date is None else iso_utc(f.date.utc) or ""
    delay = "" if hop.delay_seconds is None else describe_delay(hop.delay_seconds)
    if hop.delay_seconds is not None and hop.delay_seconds < 0:
        delay += " skew"
    proto = f.with_protocol or "?"
    if f.tls is not None:
        proto += " " + (f.tls.version or "TLS")
    if f.authenticated:
        proto += " auth"
    ip = f.from_ip or "-"
    if hop.ip_scope is not None:
        ip += f" ({hop.ip_scope.value})"
    mark = " " if hop.trusted else "?"
    yield f"{mark} {hop.index:>2}  {when:<20} {delay:>12}  {proto:<24} {ip}"
    yield from _wrap(f"from {_from_names(hop)} → by {f.by_host or f.by_ip or '?'}", indent=" " * 6)


def _from_names(hop: Hop) -> str:
    f = hop.fields
    name = f.from_host or f.from_ip or "(local)"
    extras = []
    if f.from_helo and f.from_helo != name:
        extras.append(f"helo {f.from_helo}")
    if f.from_rdns and f.from_rdns != name:
        extras.append(f"rdns {f.from_rdns}")
    return name + (f" [{', '.join(extras)}]" if extras else "")


def _findings(findings: tuple[Finding, ...]) -> Iterator[str]:
    if not findings:
        yield "Findings: none."
        return
    yield f"Findings ({len(findings)}):"
    for item in findings:
        yield f"  [{_SEVERITY_LABEL[item.severity.value]}] {item.title}"
        yield from _wrap(item.detail, indent=" " * 6)
        for ev in item.evidence[:3]:
            where = f"header {ev.header_index + 1}" if ev.header_index is not None else "input"
            yield from _wrap(f"evidence ({where}): {_one_line(ev.text)}", indent=" " * 6, limit=300)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _wrap(text: str, indent: str, limit: int | None = None) -> Iterator[str]:
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    first = indent if indent.strip() == "" and text[:1] != " " else ""
    yield from textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [""]
