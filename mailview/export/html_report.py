"""The HTML report: one self-contained, inert file to attach to a ticket or mail.

Strategy: a single document with inline CSS only, the route diagram embedded as a
`data:` PNG, no scripts and no element that points anywhere — message URLs appear only as
escaped (and by default defanged) text, never as links — and a Content-Security-Policy
that forbids everything else, so that even a mistake in escaping could not load or run
anything. Every value is escaped with `html.escape(quote=True)` at the one place it is
written (`_e`). The sections and their wording come from `export.markdown`, so the HTML
and Markdown reports say the same things.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator, Sequence

from mailview.core.indicators import Indicators
from mailview.core.model import Finding, Report
from mailview.core.verdict import verdict_of
from mailview.export.markdown import (
    AuthFacts,
    auth_facts,
    clean,
    evidence_label,
    hop_rows,
    indicator_rows,
    one_line,
    redaction_line,
    summary_fields,
    transit,
    vendor_label,
)
from mailview.export.redact import RedactionMap
from mailview.present.place import databases_note

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

# Light colours that also print; print drops backgrounds, so severity is in words too.
_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a; background: #fff;
  max-width: 1200px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.5em; word-break: break-word; }
h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top;
  word-break: break-word; }
th { background: #f2f2f2; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: .5em; white-space: pre-wrap;
  word-break: break-all; }
.verdict { font-size: 1.15em; padding: .5em; border-left: 6px solid #888; background: #f6f6f6; }
.high { border-color: #c62828; } .medium { border-color: #ef6c00; }
.low { border-color: #f9a825; } .info, .none { border-color: #2e7d32; }
.claimed td { color: #6b4e00; background: #fff8e1; }
.boundary td { font-weight: bold; text-align: center; background: #e3f2fd; }
.badge { display: inline-block; border: 1px solid #999; border-radius: 3px; padding: 0 .4em;
  margin-right: .3em; }
.redacted { font-style: italic; }
img.diagram { max-width: 100%; border: 1px solid #ddd; }
@media print { body { margin: 0; max-width: none; } .claimed td, .boundary td, th, pre {
  background: none; } h2 { break-after: avoid; } tr, pre { break-inside: avoid; } }
"""


def _e(text: str | None) -> str:
    """The one escaping function: every value written into the document passes here."""
    return html.escape(clean(text or ""), quote=True)


def render_html(
    report: Report,
    *,
    indicators: Indicators | None = None,
    defang: bool = True,
    diagram_png: bytes | None = None,
    redacted: bool | RedactionMap = False,
) -> str:
    """The report as one HTML document. `redacted` is False, True, or the RedactionMap
    `redact` returned (then the note counts what was replaced)."""
    title = one_line(report.message.subject, "(no subject)")
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)} — mailview</title>\n<style>{_CSS}</style>\n</head>\n<body>"
    )
    body = "\n".join(_body(report, title, indicators, defang, diagram_png, redacted))
    return f"{head}\n{body}\n</body>\n</html>\n"


def _body(
    report: Report,
    title: str,
    indicators: Indicators | None,
    defang: bool,
    diagram: bytes | None,
    redacted: bool | RedactionMap,
) -> Iterator[str]:
    yield f"<h1>{_e(title)}</h1>"
    if redacted:
        yield f'<p class="redacted">{_e(redaction_line(redacted))}</p>'
    found = verdict_of(report)
    yield (
        f'<p class="verdict {_e(found.level)} {_e(found.assessment.value)}">'
        f"<strong>Verdict: {_e(found.sentence)}</strong></p>\n"
        f"<p>Top findings (worst: <strong>{_e(found.level.upper())}</strong>): "
        f"{_e(found.summary)}</p>"
    )
    yield "<table>"
    for label, value in summary_fields(report):
        yield f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>"
    yield "</table>"
    yield from _route(report, diagram)
    if report.auth is not None:
        yield from _auth(auth_facts(report.auth))
    yield from _findings(report.findings)
    yield from _vendors(report)
    indicators = indicators if indicators is not None else report.indicators
    if indicators is not None:
        yield from _indicators(indicator_rows(indicators, defang=defang), defang)
    yield "<p><small>Written by mailview. This file loads nothing and runs nothing.</small></p>"


_HOP_HEAD = (
    "#",
    "Time (UTC)",
    "Delay",
    "From → by",
    "IP",
    "Scope",
    "Place / network",
    "Protocol / TLS",
    "Trusted?",
)


def _route(report: Report, diagram: bytes | None) -> Iterator[str]:
    yield "<h2>Route</h2>"
    if not report.hops:
        yield "<p>No Received headers.</p>"
    else:
        yield (
            f"<p>{_e(transit(report))}; oldest hop first. <em>claimed</em> = written before "
            "the recipient's own systems: nobody the recipient trusts can vouch for it.</p>"
        )
        yield "<table>"
        yield "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in _HOP_HEAD) + "</tr>"
        for row in hop_rows(report):
            if row.boundary_before:
                yield (
                    f'<tr class="boundary"><td colspan="{len(_HOP_HEAD)}">trust boundary: '
                    "from here on, the recipient's own systems</td></tr>"
                )
            cells = (
                str(row.index),
                row.time,
                row.delay,
                f"{row.from_} → {row.by}",
                row.ip,
                row.scope,
                row.place,
                row.protocol,
                "yes" if row.trusted else "claimed",
            )
            css = "" if row.trusted else ' class="claimed"'
            yield f"<tr{css}>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"
        yield "</table>"
        note = databases_note(report)
        if note:
            yield f"<p>{_e(note)}</p>"
    if diagram:
        encoded = base64.b64encode(diagram).decode("ascii")
        yield (
            f'<p><img class="diagram" alt="Route diagram" '
            f'src="data:image/png;base64,{encoded}"></p>'
        )


def _auth(facts: AuthFacts) -> Iterator[str]:
    yield "<h2>Authentication</h2>"
    yield "<p>" + "".join(f'<span class="badge">{_e(b)}</span>' for b in facts.badges) + "</p>"
    yield "<ul>"
    yield f"<li>The receiver's own verdicts come from: {_e(facts.receiver_ids)}</li>"
    yield f"<li>DMARC alignment (computed by mailview): {_e(facts.alignment)}</li>"
    yield from (f"<li>{_e(line)}</li>" for line in facts.signatures)
    yield "</ul>"
    for heading, lines in (
        ("Written by the receiver's own systems (trusted):", facts.trusted),
        ("Claimed before the receiver's systems (could be forged):", facts.claimed),
    ):
        if lines:
            yield f"<p>{_e(heading)}</p><ul>"
            yield from (f"<li>{_e(line)}</li>" for line in lines)
            yield "</ul>"


def _findings(findings: Sequence[Finding]) -> Iterator[str]:
    yield f"<h2>Findings ({len(findings)})</h2>"
    if not findings:
        yield "<p>None.</p>"
    for item in findings:
        level = item.severity.value
        yield f'<h3 class="{_e(level)}">{_e(level.upper())}: {_e(item.title)}</h3>'
        yield f"<p>{_e(item.detail)} <em>({_e(item.strength)} evidence)</em></p>"
        for ev in item.evidence:
            yield f"<p>Evidence, {_e(evidence_label(ev.header_index, ev.header_name))}:</p>"
            yield f"<pre>{_e(ev.text)}</pre>"


def _vendors(report: Report) -> Iterator[str]:
    if not report.vendors:
        return
    yield "<h2>Verdicts stamped by the receiving systems</h2>"
    for vendor in report.vendors:
        yield f"<h3>{_e(vendor_label(vendor))}</h3>"
        yield f"<p>{_e(vendor.summary)}</p>"
        if vendor.fields:
            yield "<table><tr><th>Field</th><th>Value</th><th>Meaning</th></tr>"
            for field in vendor.fields:
                meaning = field.meaning or "(not known to mailview)"
                yield (
                    f"<tr><td>{_e(field.key)}</td><td>{_e(field.raw)}</td>"
                    f"<td>{_e(meaning)}</td></tr>"
                )
            yield "</table>"


def _indicators(rows: list[tuple[str, str, str]], defang: bool) -> Iterator[str]:
    yield "<h2>Indicators</h2>"
    if defang:
        yield "<p>Defanged ([.], hxxp) so that nothing here is clickable.</p>"
    if not rows:
        yield "<p>None.</p>"
        return
    yield "<table><tr><th>Kind</th><th>Indicator</th><th>Notes</th></tr>"
    for kind, value, note in rows:
        yield f"<tr><td>{_e(kind)}</td><td>{_e(value)}</td><td>{_e(note)}</td></tr>"
    yield "</table>"
