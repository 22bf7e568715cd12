"""What each card says: text lines and badges, before any of it is placed.

A card is one hop, seen from the machine that wrote its Received line: the title is the
receiving host (`by`), then the client it says it talked to (`from`, IP and scope, rDNS,
HELO). The card never invents anything: a field the header did not record is left out,
and geolocation appears only when a caller passes it in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mailview.core.model import Finding, Hop, Scope, Severity
from mailview.layout.geometry import Metrics, limit_lines, wrap_host, wrap_words
from mailview.layout.groups import HopGroup, delay_text

# Scopes worth a badge: an address no outside party could have connected from.
_NOTABLE_SCOPES = {
    Scope.PRIVATE: "private IP",
    Scope.LOOPBACK: "loopback",
    Scope.LINK_LOCAL: "link-local",
    Scope.CGNAT: "carrier NAT",
    Scope.ULA: "private IPv6",
    Scope.DOCUMENTATION: "documentation IP",
    Scope.RESERVED: "reserved IP",
    Scope.UNSPECIFIED: "unspecified IP",
}


@dataclass(frozen=True, slots=True)
class CardText:
    lines: tuple[tuple[str, str], ...]  # (text, style), top to bottom
    badges: tuple[tuple[str, str], ...]  # (text, kind): neutral | good | warn | info
    finding: Severity | None  # worst finding naming this card's hops
    tooltip: str


@dataclass(frozen=True, slots=True)
class CardContext:
    """What every card may consult: the measuring, the width and the findings per hop."""

    metrics: Metrics
    width: float  # inner width available to text
    findings: Mapping[int, tuple[Finding, ...]]  # hop index → findings naming it
    geo: Mapping[int, str]  # hop index → "Amsterdam · AS8075 Microsoft"; empty for now


def findings_by_hop(
    hops: Sequence[Hop], findings: Sequence[Finding]
) -> dict[int, tuple[Finding, ...]]:
    """Findings whose evidence quotes a hop's own Received header, worst first."""
    by_header = {hop.header_index: hop.index for hop in hops}
    found: dict[int, list[Finding]] = {}
    for item in findings:
        for evidence in item.evidence:
            index = (
                by_header.get(evidence.header_index) if evidence.header_index is not None else None
            )
            if index is not None and item not in found.setdefault(index, []):
                found[index].append(item)
    return {
        index: tuple(sorted(items, key=lambda f: f.severity.rank)) for index, items in found.items()
    }


def hop_card(hop: Hop, ctx: CardContext) -> CardText:
    fields = hop.fields
    lines: list[tuple[str, str]] = [(_hop_meta(hop), "meta")]
    lines += _host_lines(fields.by_host or "receiver not named", "title", ctx, most=4)
    lines += _from_lines(hop, ctx)
    if hop.index in ctx.geo:
        lines += _prose(ctx.geo[hop.index], "muted", ctx, most=1)
    found = ctx.findings.get(hop.index, ())
    if found:
        lines += _finding_lines(found, ctx)
    return CardText(
        tuple(lines),
        _hop_badges(hop),
        found[0].severity if found else None,
        hop.raw,
    )


def group_card(group: HopGroup, hops: Sequence[Hop], ctx: CardContext) -> CardText:
    members = [h for h in hops if h.index in group.hops]
    first, last = members[0], members[-1]
    lines: list[tuple[str, str]] = [(f"HOPS {first.index}–{last.index}", "meta")]
    lines += _prose(group.label, "title", ctx, most=2)
    transit = [h.delay_seconds for h in members[1:] if h.delay_seconds is not None]
    if transit:
        lines += _prose(f"internal transit {delay_text(sum(transit))}", "body", ctx, most=1)
    lines += _host_lines(f"→ {last.fields.by_host or 'receiver not named'}", "mono", ctx, most=3)
    found = [f for h in members for f in ctx.findings.get(h.index, ())]
    if found:
        lines += _finding_lines(tuple(found), ctx)
    lines.append(("▸ click to expand", "link"))
    badges: list[tuple[str, str]] = []
    for hop in members:
        for badge in _hop_badges(hop):
            if badge not in badges:
                badges.append(badge)
    worst = min((f.severity for f in found), key=lambda s: s.rank, default=None)
    tooltip = "\n\n".join(h.raw for h in members)
    return CardText(tuple(lines), tuple(badges), worst, tooltip)


def _hop_meta(hop: Hop) -> str:
    date = hop.fields.date
    when = date.utc.strftime("%H:%M:%S UTC") if date is not None else "time not recorded"
    return f"HOP {hop.index} · {when}"


def _from_lines(hop: Hop, ctx: CardContext) -> list[tuple[str, str]]:
    fields = hop.fields
    lines: list[tuple[str, str]] = []
    if fields.from_host:
        lines += _host_lines(f"from {fields.from_host}", "body", ctx, most=3)
    elif fields.from_ip is None:
        # No sender recorded: a local submission or a hand-off inside the same system.
        lines.append(("no sender recorded (local hand-off)", "muted"))
    if fields.from_ip:
        scope = f" · {hop.ip_scope.value}" if hop.ip_scope is not None else ""
        lines += _host_lines(f"{fields.from_ip}{scope}", "mono", ctx, most=2)
    if fields.from_rdns and fields.from_rdns.lower() != (fields.from_host or "").lower():
        lines += _host_lines(f"rDNS {fields.from_rdns}", "muted", ctx, most=2)
    elif fields.from_ip and not fields.from_rdns:
        lines.append(("no rDNS recorded", "muted"))
    helo = fields.from_helo
    if helo and helo.lower() != (fields.from_host or "").lower():
        lines += _host_lines(f"HELO {helo}", "muted", ctx, most=2)
    return lines


def _finding_lines(found: Sequence[Finding], ctx: CardContext) -> list[tuple[str, str]]:
    worst = found[0]
    more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
    text = f"! {worst.severity.value.upper()} · {worst.title}{more}"
    return _prose(text, "finding", ctx, most=2)


def _hop_badges(hop: Hop) -> tuple[tuple[str, str], ...]:
    fields = hop.fields
    badges: list[tuple[str, str]] = []
    if fields.with_protocol:
        badges.append((fields.with_protocol, "neutral"))
    tls = fields.tls
    if tls is not None:
        version = (tls.version or "").replace("TLSv", "TLS ")
        badges.append((version or "TLS", "good"))
    if fields.authenticated:
        badges.append(("authenticated", "info"))
    if hop.ip_scope in _NOTABLE_SCOPES:
        badges.append((_NOTABLE_SCOPES[hop.ip_scope], "warn"))
    return tuple(badges)


def _host_lines(text: str, style: str, ctx: CardContext, most: int) -> list[tuple[str, str]]:
    wrapped = limit_lines(wrap_host(text, ctx.width, style, ctx.metrics), most)
    return [(line, style) for line in wrapped]


def _prose(text: str, style: str, ctx: CardContext, most: int) -> list[tuple[str, str]]:
    wrapped = limit_lines(wrap_words(text, ctx.width, style, ctx.metrics), most)
    return [(line, style) for line in wrapped]
