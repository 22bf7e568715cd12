"""The plain-text report `mailview analyze` prints: summary, route table, findings.

Each hop takes two lines — time, delay, protocol and address on the first, the
"from → by" names on the second — so long host names never push columns apart or get cut.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from mailview.core.defects import BUDGET
from mailview.core.findings.context import describe_delay
from mailview.core.model import Finding, Hop, Report
from mailview.core.verdict import verdict
from mailview.export.markdown import vendor_label
from mailview.export.text_auth import auth_lines

WIDTH = 100
_SEVERITY_LABEL = {"high": "HIGH", "medium": "MEDIUM", "low": "LOW", "info": "INFO"}


def render_text(report: Report) -> str:
    return "\n".join(_lines(report)) + "\n"


def _lines(report: Report) -> Iterator[str]:
    info = report.input
    where = "" if info.label == "the message" else f", {info.label}"
    yield f"{info.name} ({info.format}{where}, sha256 {info.sha256[:16]}…)"
    found = verdict(report.findings)
    yield from _wrap(f"Verdict: {found.level.upper()} — {found.summary}", indent="  ")
    yield from _summary(report)
    if report.originators:
        origins = ", ".join(f"{o.ip} ({o.source})" for o in report.originators)
        yield from _wrap(f"{'Origin:':<12} {origins}", indent=" " * 13)
    for note in report.notes:
        yield from _wrap(f"Note: {note}", indent="")
    yield ""
    yield from _route(report)
    if report.auth is not None and (report.auth.results or report.auth.dkim):
        yield ""
        for line in auth_lines(report.auth):
            indent = " " * (len(line) - len(line.lstrip()) + 2)
            yield from _wrap(line, indent=indent, first="")
    if report.vendors:
        yield ""
        yield "Verdicts stamped by the receiving systems:"
        for vendor in report.vendors:
            yield from _wrap(f"{vendor_label(vendor)}: {vendor.summary}", indent="    ", first="  ")
    yield ""
    yield from _findings(report.findings)
    skipped = [d for d in report.defects if d.code == BUDGET]
    if skipped:
        yield ""
        yield "Not examined (limits that keep hostile input fast):"
        for defect in skipped:
            yield from _wrap(str(defect), indent=" " * 4, first="  ")
    if len(report.inner) > 1:
        yield ""
        yield "Messages in this input (pick one with --message):"
        for ref in report.inner:
            address = selector(ref.address, info.message_count)
            chosen = " ◀ analysed" if ref.address == info.address else ""
            line = f"{address}: {ref.label} — {ref.subject or '(no subject)'}{chosen}"
            yield from _wrap(line, indent=" " * 6, first="  ")


def selector(address: tuple[int, ...], message_count: int) -> str:
    """The `--message` value that picks the message at `address` (1-based, slash-separated).

    The first number always counts messages in the file, so a single message's own
    attachments are `1/1`, `1/2`, … whether or not the file is an mbox.
    """
    steps = address if message_count > 1 else (0, *address)
    return "/".join(str(step + 1) for step in steps)


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
    count = "1 hop" if len(hops) == 1 else f"{len(hops)} hops"
    yield f"Route: {count}, oldest first; total transit {total_text}"
    if any(not h.trusted for h in hops):
        yield "  (? = a hop the sender claims; nobody the recipient trusts can vouch for it)"
    yield f"  {'#':>3}  {'time (UTC)':<19}  {'delay':>17}  protocol / TLS"
    for hop in hops:
        if hop.index == report.trust_boundary_hop and hop.index > 1:
            yield "  " + " trust boundary: from here on, the recipient's own systems ".center(
                WIDTH - 4, "─"
            )
        yield from _hop_lines(hop)


def _hop_lines(hop: Hop) -> Iterator[str]:
    f = hop.fields
    when = "no date" if f.date is None else f.date.utc.strftime("%Y-%m-%d %H:%M:%S")
    delay = "" if hop.delay_seconds is None else describe_delay(hop.delay_seconds)
    if hop.delay_seconds is not None and hop.delay_seconds < 0:
        delay += " skew"
    proto = f.with_protocol or "-"
    if f.tls is not None:
        proto += " " + (f.tls.version or "TLS")
    if f.authenticated:
        proto += " authenticated"
    mark = " " if hop.trusted else "?"
    yield f"{mark} {hop.index:>3}  {when:<19}  {delay:>17}  {proto}"
    by = f.by_host or f.by_ip or "?"
    yield from _wrap(f"from {_from_names(hop)}", indent=" " * 9, first=" " * 7)
    yield from _wrap(f"→ by {by}", indent=" " * 9, first=" " * 7)


def _from_names(hop: Hop) -> str:
    f = hop.fields
    name = f.from_host or "(local)"
    extras = []
    if f.from_helo and f.from_helo != name:
        extras.append(f"helo {f.from_helo}")
    if f.from_rdns and f.from_rdns != name:
        extras.append(f"rdns {f.from_rdns}")
    if f.from_ip and f.from_ip != name:
        scope = "" if hop.ip_scope is None else f" {hop.ip_scope.value}"
        extras.append(f"{f.from_ip}{scope}")
    return name + (f" [{', '.join(extras)}]" if extras else "")


def _findings(findings: tuple[Finding, ...]) -> Iterator[str]:
    if not findings:
        yield "Findings: none."
        return
    yield f"Findings ({len(findings)}):"
    for item in findings:
        yield f"  [{_SEVERITY_LABEL[item.severity.value]}] {item.title}"
        yield from _wrap(item.detail, indent=" " * 6, first=" " * 6)
        for ev in item.evidence[:3]:
            where = f"header {ev.header_index + 1}" if ev.header_index is not None else "input"
            text = f"evidence ({where}): {_one_line(ev.text)}"
            yield from _wrap(text, indent=" " * 8, first=" " * 6, limit=2000)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _wrap(text: str, indent: str, first: str = "", limit: int | None = None) -> Iterator[str]:
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    lines = textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    )
    yield from lines or [first]
