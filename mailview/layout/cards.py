"""What each card says: text lines and badges, before any of it is placed.

A card is one server: the name it gave itself, the other names it was given (HELO, rDNS),
its address as the next receiver recorded it, its place and network, its role, and on the
receiver's MX the verdicts it stamped. The card never invents anything: a field no header
recorded is left out. Every line is cut to a few screen lines; the full text stays in the
tooltip and the hop details.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mailview.core.model import Finding, Hop, Scope, Severity
from mailview.core.record import record
from mailview.layout.geometry import Metrics, limit_lines, wrap_host, wrap_words
from mailview.layout.groups import HopGroup
from mailview.layout.servers import Server
from mailview.present.durations import delay_label

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


@record
class CardText:
    lines: tuple[tuple[str, str], ...]  # (text, style), top to bottom
    badges: tuple[tuple[str, str], ...]  # (text, kind): neutral | good | warn | info
    finding: Severity | None  # worst finding naming this card's hops
    tooltip: str


@record
class CardContext:
    """What every card may consult: the measuring, the width and the findings per hop."""

    metrics: Metrics
    width: float  # inner width available to text
    findings: Mapping[int, tuple[Finding, ...]]  # hop index → findings naming it
    geo: Mapping[int, str]  # hop index → "Amsterdam · AS8075 Microsoft" (online ASN included)
    interactive: bool = True  # False for exports: no "click to expand"


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


_EDGE_CODES = frozenset(
    {"route.negative_delay", "route.slow_hop", "route.hops_out_of_order", "route.broken_chain"}
)


def server_card(server: Server, ctx: CardContext, tooltip: str) -> CardText:
    lines = _host_lines(server.title, "title", ctx, most=2)
    for kind, name in server.names[:2]:
        lines += _host_lines(f"{kind} {name}", "muted", ctx, most=1)
    if server.ip:
        # The scope of a non-public address is its badge: the address stays on one line.
        lines += _host_lines(server.ip, "mono", ctx, most=2)
    elif server.origin:
        lines.append(("no address recorded", "muted"))
    place = ctx.geo.get(server.described_by) if server.described_by is not None else None
    if place and server.geo is not None and place == server.geo.country:
        place = None  # the country chip says it already
    if place:
        lines += _prose(place, "muted", ctx, most=2)
    badges = _server_badges(server, with_country=not place)
    if server.role:
        lines += _prose(server.role, "role", ctx, most=1)
    if server.verdicts:
        lines += _prose(" · ".join(server.verdicts), "body", ctx, most=2)
    found = tuple(f for f in ctx.findings.get(server.hop, ()) if f.code not in _EDGE_CODES)
    if found and server.wrote:
        lines += _finding_lines(found, ctx, most=2)
    else:
        found = ()
    if found:  # the card shows one line of it; the tooltip says it whole
        titles = "\n".join(f"{f.severity.value.upper()}: {f.title}" for f in found)
        tooltip = f"{titles}\n\n{tooltip}"
    return CardText(tuple(lines), badges, found[0].severity if found else None, tooltip)


def group_card(
    group: HopGroup, members: Sequence[Server], written: Sequence[Hop], ctx: CardContext
) -> CardText:
    """The stacked card of a run of servers (`members`) and the hops they wrote."""
    first, last = members[0], members[-1]
    lines = _prose(group.label, "title", ctx, most=2)
    lines += _host_lines(f"{first.title} → {last.title}", "mono", ctx, most=1)
    transit = [h.delay_seconds for h in written[1:] if h.delay_seconds is not None]
    if transit:
        lines += _prose(f"internal transit {delay_label(sum(transit))}", "body", ctx, most=1)
    found = [
        f
        for s in members
        for f in ctx.findings.get(s.hop, ())
        if f.code not in _EDGE_CODES and s.wrote
    ]
    if found:
        lines += _finding_lines(tuple(found), ctx)
    lines.append(
        ("▸ click to expand", "link") if ctx.interactive else ("drawn as one card", "muted")
    )
    badges: list[tuple[str, str]] = []
    for server in members:
        for badge in _server_badges(server):
            if badge not in badges:
                badges.append(badge)
    worst = min((f.severity for f in found), key=lambda s: s.rank, default=None)
    tooltip = "\n\n".join(h.raw for h in written)
    return CardText(tuple(lines), tuple(badges[:4]), worst, tooltip)


def _finding_lines(
    found: Sequence[Finding], ctx: CardContext, most: int = 1
) -> list[tuple[str, str]]:
    worst = found[0]
    more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
    text = f"! {worst.severity.value.upper()} · {worst.title}{more}"
    return _prose(text, "finding", ctx, most=most)


def _server_badges(server: Server, with_country: bool = True) -> tuple[tuple[str, str], ...]:
    badges: list[tuple[str, str]] = []
    if with_country and server.geo is not None and server.geo.country:
        badges.append((server.geo.country, "neutral"))
    if server.scope in _NOTABLE_SCOPES:
        badges.append((_NOTABLE_SCOPES[server.scope], "warn"))
    elif server.scope is not None and server.scope is not Scope.PUBLIC:
        badges.append((f"{server.scope.value} IP", "warn"))
    return tuple(badges)


def _host_lines(text: str, style: str, ctx: CardContext, most: int) -> list[tuple[str, str]]:
    wrapped = limit_lines(wrap_host(text, ctx.width, style, ctx.metrics), most)
    return [(line, style) for line in wrapped]


def _prose(text: str, style: str, ctx: CardContext, most: int) -> list[tuple[str, str]]:
    wrapped = limit_lines(wrap_words(text, ctx.width, style, ctx.metrics), most)
    return [(line, style) for line in wrapped]
