"""The Markdown report, for pasting into Jira, ServiceNow or a GitHub issue.

Strategy: the facts every shareable format shows (hop rows, authentication in words,
indicator rows) are computed once here as plain strings, so the HTML report and the
ticket text say exactly the same thing; this module then only decides the Markdown
syntax. Every value that came from the message is made inert before it is written:
inline text goes through `md_text` (backslash escapes for every character CommonMark or
GFM would read as syntax, so `<script>` shows as text and `[x](javascript:…)` is no
link), and raw header text goes into fenced blocks whose fence is longer than any
backtick run inside. Indicators are defanged unless the caller asks otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from urllib.parse import quote

from mailview import __version__
from mailview.core.auth.alignment import COMPUTED_WORDS
from mailview.core.auth.model import AuthReport, AuthResult, DkimSignature
from mailview.core.indicators import Indicators
from mailview.core.model import Finding, GeoInfo, Hop, Report
from mailview.core.record import record
from mailview.core.vendors.model import VendorVerdict
from mailview.core.verdict import verdict_of
from mailview.core.words import show_controls
from mailview.export.defang import defang_address, defang_domain, defang_ip, defang_url
from mailview.export.redact import RedactionMap
from mailview.present.place import databases_note, place_line
from mailview.present.wording import (
    BODY_HASH,
    SIGNATURE_CHECK,
    hop_delay,
    hop_protocol,
    hop_sender,
    hop_time,
)
from mailview.present.wording import transit as transit  # noqa: PLC0414 — for html, ticket

# --- plain facts shared by the Markdown, HTML and ticket renderings -----------------------

# C0/C1 controls (tab and newline kept by `clean`) and lone surrogates (from
# surrogateescape-decoded input) would corrupt a file or a clipboard; they are dropped.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """`text` with control characters and lone surrogates removed, line breaks kept as \\n."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str | None, default: str = "") -> str:
    """`text` on one line (whitespace runs become one space), or `default` when empty."""
    if text is None:
        return default
    flat = _SPACES.sub(" ", clean(text)).strip()
    return flat or default


@record
class HopRow:
    index: int
    time: str  # "2024-11-12 09:05:11" (UTC) or "no date"
    delay: str  # "10 min 51 s", "-1 min 23 s (clock skew)", "" for the first
    from_: str  # the sending side: name [helo …, rdns …]
    by: str
    ip: str
    scope: str
    place: str  # city, country · AS and network; "" without geo facts
    protocol: str  # "ESMTP TLSv1.2 authenticated"
    trusted: bool
    boundary_before: bool  # the trust boundary lies between this hop and the one before


def hop_rows(report: Report) -> list[HopRow]:
    return [_hop_row(report, position, hop) for position, hop in enumerate(report.hops)]


def _hop_row(report: Report, position: int, hop: Hop) -> HopRow:
    f = hop.fields
    geo = report.hop_geo[position] if position < len(report.hop_geo) else None
    return HopRow(
        index=hop.index,
        time=hop_time(f),
        delay=hop_delay(hop),
        from_=one_line(hop_sender(hop)),
        by=one_line(f.by_host or f.by_ip, "?"),
        ip=one_line(f.from_ip),
        scope="" if hop.ip_scope is None else hop.ip_scope.value,
        place=_place(geo),
        protocol=one_line(hop_protocol(f)),
        trusted=hop.trusted,
        boundary_before=hop.index == report.trust_boundary_hop and hop.index > 1,
    )


def _place(geo: GeoInfo | None) -> str:
    return place_line(geo) or ""


@record
class AuthFacts:
    badges: tuple[str, ...]  # "SPF pass", "DKIM fail", "DMARC not reported"
    receiver_ids: str  # the receiver's own authserv-ids, or "none found"
    alignment: str  # the computed DMARC alignment, explained
    trusted: tuple[str, ...]  # results the receiver's own systems wrote
    claimed: tuple[str, ...]  # results written before them: could be forged
    signatures: tuple[str, ...]  # what each DKIM signature proves


_BADGE_METHODS = ("spf", "dkim", "dmarc", "arc", "compauth")
_BODY = BODY_HASH
_VERIFY = SIGNATURE_CHECK


def auth_facts(auth: AuthReport) -> AuthFacts:
    trusted = [r for r in auth.results if r.trusted]
    badges = []
    for method in _BADGE_METHODS:
        said = [r.result for r in trusted if r.method.lower() == method]
        if said:
            badges.append(f"{method.upper()} {'/'.join(dict.fromkeys(said))}")
        elif method in {"spf", "dkim", "dmarc"}:
            badges.append(f"{method.upper()} not reported by the receiver")
    a = auth.alignment
    stated = f"; the receiver says dmarc={a.receiver_says}" if a.receiver_says else ""
    return AuthFacts(
        badges=tuple(badges),
        receiver_ids=one_line(", ".join(auth.trusted_authserv_ids), "none found"),
        alignment=one_line(
            f"{COMPUTED_WORDS.get(a.dmarc_computed, a.dmarc_computed)} — {a.explanation}{stated}"
        ),
        trusted=tuple(_statement(r) for r in trusted),
        claimed=tuple(_statement(r) for r in auth.results if not r.trusted),
        signatures=tuple(_signature(s) for s in auth.dkim),
    )


def _statement(r: AuthResult) -> str:
    props = " ".join(f"{k}={v}" for k, v in r.properties[:4])
    by = r.authserv_id or "no authserv-id"
    note = f" ({r.comment})" if r.comment else ""
    text = f"{r.method.upper()} {r.result} {props} — by {by}, header {r.header_index + 1}{note}"
    return one_line(text)


def _signature(s: DkimSignature) -> str:
    body = _BODY.get(s.body_hash or "", "body not checked")
    verify = _VERIFY.get(s.verification, s.verification)
    return one_line(f"DKIM signature d={s.domain} s={s.selector} a={s.algorithm}: {body}; {verify}")


def indicator_rows(indicators: Indicators, *, defang: bool) -> list[tuple[str, str, str]]:
    """(kind, value, note) per indicator; values defanged unless `defang` is False."""

    def keep(text: str) -> str:
        return text

    ip, dom, url, addr = (
        (defang_ip, defang_domain, defang_url, defang_address) if defang else (keep,) * 4
    )
    rows: list[tuple[str, str, str]] = []
    for i in indicators.ips:
        hop = f", hop {i.hop_index}" if i.hop_index is not None else ""
        scope = "" if i.scope is None else f", {i.scope.value}"
        rows.append(("IP", ip(i.ip), f"{i.role}{hop}{scope}"))
    rows.extend(("address", addr(a.address), a.role) for a in indicators.addresses)
    rows.extend(("domain", dom(d), "") for d in indicators.domains)
    for u in indicators.urls:
        note: str = u.source
        if u.mismatch and u.shown_text:
            note += f"; the link text shows {u.shown_text!r} but it points elsewhere"
        rows.append(("URL", url(u.url), note))
    for att in indicators.attachments:
        detected = f", looks like {att.detected_type}" if att.detected_type else ""
        size = "size unknown" if att.size is None else f"{att.size} bytes"
        note = f"{size}, declared {att.declared_type}{detected}"
        rows.append(("attachment", f"{att.name or '(unnamed)'} sha256 {att.sha256 or '?'}", note))
    # A bidi control in a file name shows `fdp.exe` as `exe.pdf`: written as an escape.
    return [
        (kind, show_controls(one_line(value)), show_controls(one_line(note)))
        for kind, value, note in rows
    ]


def redaction_line(redacted: bool | RedactionMap) -> str:
    """ "Redacted for sharing: …", with counts when given the map `redact` returned."""
    if isinstance(redacted, RedactionMap):
        return f"Redacted for sharing: {redacted.describe()}"
    return (
        "Redacted for sharing: recipient addresses, internal host names and private IPs "
        "replaced by placeholders"
    )


def summary_fields(report: Report) -> list[tuple[str, str]]:
    m, info = report.message, report.input
    where = "" if info.label == "the message" else f" ({info.label})"
    return [
        ("From", one_line(m.from_, "-")),
        ("To", one_line(m.to, "-")),
        ("Date", one_line(m.date, "-")),
        ("Message-ID", one_line(m.message_id, "-")),
        ("Transit", transit(report)),
        ("SHA-256", info.sha256),
        ("mailview version", __version__),
        ("Input", one_line(f"{info.name}{where}, {info.format}")),
    ]


def vendor_label(vendor: VendorVerdict) -> str:
    """`Microsoft 365 (X-Forefront-Antispam-Report)`; a summary over several of a vendor's
    headers names no header of its own: `Microsoft 365 (combined verdict)`."""
    source = "combined verdict" if vendor.header_index is None else vendor.header
    return f"{vendor.vendor} ({source})"


def evidence_label(header_index: int | None, header_name: str | None) -> str:
    where = "input" if header_index is None else f"header {header_index + 1}"
    return f"{where} ({header_name})" if header_name else where


# --- Markdown syntax -------------------------------------------------------------------

# Every ASCII punctuation character CommonMark/GFM can read as syntax (emphasis, links,
# HTML, tables, strikethrough, entities, math), escaped with a backslash: CommonMark §2.4
# guarantees an escaped punctuation character is shown as itself.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()|~&!$#])")
_BACKTICKS = re.compile(r"`+")


def md_text(text: str | None, default: str = "") -> str:
    """One line of message-derived text, inert in Markdown (safe in table cells too)."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text, default))


def md_code_block(text: str) -> str:
    """A fenced code block; the fence is longer than any backtick run in `text`."""
    body = clean(text)
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def render_markdown(
    report: Report,
    *,
    indicators: Indicators | None = None,
    defang: bool = True,
    diagram_png_name: str | None = None,
    redacted: bool | RedactionMap = False,
) -> str:
    """The report in Markdown. `redacted` is False, True, or the RedactionMap `redact`
    returned (then the note counts what was replaced)."""
    return "\n".join(_markdown(report, indicators, defang, diagram_png_name, redacted)) + "\n"


def _markdown(
    report: Report,
    indicators: Indicators | None,
    defang: bool,
    diagram: str | None,
    redacted: bool | RedactionMap,
) -> Iterator[str]:
    yield f"# {md_text(report.message.subject, '(no subject)')}"
    yield ""
    if redacted:
        yield f"*{md_text(redaction_line(redacted))}*"
        yield ""
    found = verdict_of(report)
    yield f"**Verdict: {md_text(found.sentence)}**"
    yield ""
    yield f"Top findings (worst: {found.level.upper()}): {md_text(found.summary)}"
    yield ""
    yield "| Field | Value |"
    yield "|---|---|"
    for label, value in summary_fields(report):
        yield f"| {label} | {md_text(value)} |"
    yield ""
    yield from _md_route(report, diagram)
    if report.auth is not None:
        yield from _md_auth(auth_facts(report.auth))
    yield from _md_findings(report.findings)
    yield from _md_vendors(report)
    indicators = indicators if indicators is not None else report.indicators
    if indicators is not None:
        yield from _md_indicators(indicator_rows(indicators, defang=defang), defang)


def _md_route(report: Report, diagram: str | None) -> Iterator[str]:
    yield "## Route"
    yield ""
    if not report.hops:
        yield "No Received headers."
        yield ""
        return
    yield (
        f"{md_text(transit(report))}; oldest hop first. *claimed* = written before the "
        "recipient's own systems: nobody the recipient trusts can vouch for it."
    )
    yield ""
    yield "| # | Time (UTC) | Delay | From → by | IP | Scope | Place / network | Protocol / TLS | Trusted? |"  # noqa: E501
    yield "|---:|---|---:|---|---|---|---|---|---|"
    for row in hop_rows(report):
        if row.boundary_before:
            yield (
                "| | | | **— trust boundary: from here on, the recipient's own systems —** "
                "| | | | | |"
            )
        cells = (
            str(row.index),
            row.time,
            md_text(row.delay),
            f"{md_text(row.from_)} → {md_text(row.by)}",
            md_text(row.ip),
            row.scope,
            md_text(row.place),
            md_text(row.protocol),
            "yes" if row.trusted else "*claimed*",
        )
        yield "| " + " | ".join(cells) + " |"
    yield ""
    note = databases_note(report)
    if note and report.hops:
        yield md_text(note)
        yield ""
    if diagram:
        yield f"![Route diagram]({quote(diagram)})"
        yield ""


def _md_auth(facts: AuthFacts) -> Iterator[str]:
    yield "## Authentication"
    yield ""
    yield " · ".join(f"**{md_text(b)}**" for b in facts.badges)
    yield ""
    yield f"- The receiver's own verdicts come from: {md_text(facts.receiver_ids)}"
    yield f"- DMARC alignment (computed by mailview): {md_text(facts.alignment)}"
    for line in facts.signatures:
        yield f"- {md_text(line)}"
    if facts.trusted:
        yield ""
        yield "Written by the receiver's own systems (trusted):"
        yield ""
        yield from (f"- {md_text(line)}" for line in facts.trusted)
    if facts.claimed:
        yield ""
        yield "Claimed before the receiver's systems (could be forged):"
        yield ""
        yield from (f"- {md_text(line)}" for line in facts.claimed)
    yield ""


def _md_findings(findings: Sequence[Finding]) -> Iterator[str]:
    yield f"## Findings ({len(findings)})"
    yield ""
    if not findings:
        yield "None."
        yield ""
    for item in findings:
        yield f"### {item.severity.value.upper()}: {md_text(item.title)}"
        yield ""
        yield f"{md_text(item.detail)} *({md_text(item.strength)} evidence)*"
        yield ""
        for ev in item.evidence:
            yield f"Evidence, {md_text(evidence_label(ev.header_index, ev.header_name))}:"
            yield ""
            yield md_code_block(ev.text)
            yield ""


def _md_vendors(report: Report) -> Iterator[str]:
    if not report.vendors:
        return
    yield "## Verdicts stamped by the receiving systems"
    yield ""
    for vendor in report.vendors:
        yield f"### {md_text(vendor_label(vendor))}"
        yield ""
        yield md_text(vendor.summary)
        yield ""
        if vendor.fields:
            yield "| Field | Value | Meaning |"
            yield "|---|---|---|"
            for field in vendor.fields:
                meaning = md_text(field.meaning, "(not known to mailview)")
                yield f"| {md_text(field.key)} | {md_text(field.raw)} | {meaning} |"
            yield ""


def _md_indicators(rows: list[tuple[str, str, str]], defang: bool) -> Iterator[str]:
    yield "## Indicators"
    yield ""
    if defang:
        yield "Defanged (`[.]`, `hxxp`) so that nothing here is clickable."
        yield ""
    if not rows:
        yield "None."
        yield ""
        return
    yield "| Kind | Indicator | Notes |"
    yield "|---|---|---|"
    for kind, value, note in rows:
        yield f"| {kind} | {md_text(value)} | {md_text(note)} |"
    yield ""
