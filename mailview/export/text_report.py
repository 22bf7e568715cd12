"""The plain-text report `mailview analyze` prints: summary, route table, findings.

Each hop takes two lines — time, delay, protocol and address on the first, the
"from → by" names on the second — so long host names never push columns apart or get cut.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from mailview.core.defects import BUDGET
from mailview.core.indicators import Indicators
from mailview.core.model import Finding, Hop, Report
from mailview.core.verdict import verdict_of
from mailview.export.defang import defang_url
from mailview.export.markdown import vendor_label
from mailview.export.text_auth import auth_lines
from mailview.export.text_bounce import bounce_lines
from mailview.present.place import databases_note, place_line
from mailview.present.wording import describe_delay, hop_delay, hop_protocol, hop_sender, hop_time

WIDTH = 100
_SEVERITY_LABEL = {"high": "HIGH", "medium": "MEDIUM", "low": "LOW", "info": "INFO"}


def render_text(report: Report) -> str:
    return "\n".join(_lines(report)) + "\n"


def _lines(report: Report) -> Iterator[str]:
    info = report.input
    where = "" if info.label == "the message" else f", {info.label}"
    yield f"{info.name} ({info.format}{where}, sha256 {info.sha256[:16]}…)"
    yield from bounce_lines(report)
    found = verdict_of(report)
    yield from _wrap(f"Verdict: {found.sentence}", indent="  ")
    if found.reasons:
        yield from _wrap(f"Because of: {', '.join(found.reasons)}", indent="  ", first="  ")
    yield from _wrap(
        f"Top findings (worst: {found.level.upper()}): {found.summary}", indent="    ", first="  "
    )
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
    if report.indicators is not None:
        yield ""
        yield from _indicators(report.indicators)
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
        yield from _hop_lines(hop, report)
    note = databases_note(report)
    if note:
        yield from _wrap(note, indent="    ", first="  ")


def _hop_lines(hop: Hop, report: Report) -> Iterator[str]:
    f = hop.fields
    when = hop_time(f)
    delay = hop_delay(hop, skew=" skew")
    mark = " " if hop.trusted else "?"
    yield f"{mark} {hop.index:>3}  {when:<19}  {delay:>17}  {hop_protocol(f)}"
    by = f.by_host or f.by_ip or "?"
    yield from _wrap(f"from {hop_sender(hop, with_ip=True)}", indent=" " * 9, first=" " * 7)
    place = _place(hop, report)  # of the sending address, so right under it
    if place:
        yield from _wrap(place, indent=" " * 9, first=" " * 9)
    yield from _wrap(f"→ by {by}", indent=" " * 9, first=" " * 7)


def _place(hop: Hop, report: Report) -> str | None:
    """ "AS8075 Microsoft · NL" for the sending address, when a database knows it."""
    position = hop.index - 1
    geo = report.hop_geo[position] if position < len(report.hop_geo) else None
    lookup = report.hop_online[position] if position < len(report.hop_online) else None
    return place_line(geo, lookup)


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


MAX_INDICATORS = 20  # per kind; the JSON report has them all


def _indicators(found: Indicators) -> Iterator[str]:
    """What to search for elsewhere. URLs are defanged (`hxxps://evil[.]example`), as in
    the ticket text: a terminal turns a plain URL into a link one click away."""
    if not (found.ips or found.addresses or found.urls or found.attachments):
        yield "Indicators: none."
        return
    yield "Indicators:"
    rows: list[tuple[str, str]] = [(f"IP ({i.role})", i.ip) for i in found.ips]
    rows += [(f"address ({a.role})", a.address) for a in found.addresses]
    rows += [("domain", d) for d in found.domains]
    for url in found.urls:
        shown = f"  [text shows {url.shown_text!r}]" if url.mismatch else ""
        rows.append(("URL", f"{defang_url(url.url)}{shown}"))
    for form in found.forms:
        asks = " with a password field" if form.password else ""
        action = defang_url(form.action) if form.action else "(no action)"
        rows.append(("form", f"{action}{asks} in {form.part}"))
    for att in found.attachments:
        kind = att.detected_type or att.declared_type
        digest = f" sha256 {att.sha256}" if att.sha256 else ""
        rows.append(("attachment", f"{att.name or '(unnamed)'} ({kind}){digest}"))
    counts: dict[str, int] = {}
    for kind, value in rows:
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= MAX_INDICATORS:
            yield from _wrap(f"{kind + ':':<22} {_one_line(value)}", indent=" " * 25, first="  ")
    for kind, count in counts.items():
        if count > MAX_INDICATORS:
            yield f"  … and {count - MAX_INDICATORS} more {kind} (see --json)"
    for problem in found.problems:
        yield from _wrap(f"Note: {problem}", indent="    ", first="  ")


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
