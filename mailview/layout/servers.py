"""The route as servers and hand-overs, the way the diagram draws it.

Strategy. A Received header describes a hand-over: the server that wrote it (`by`) took the
message from a client (`from`, its HELO, rDNS and IP as the writer recorded them). So one
server appears in two headers: it names itself in the `by` of the header it wrote, and the
next receiver records its address and names in the `from` of the next header. The model
walks the hops oldest first and keeps one `Server` per machine: the origin (the first
`from`), then each receiving server, enriched with what the next header says about it.
Where the next header does not come from the server the previous one reached (the core's
`continues_from` test, the same one its broken-chain finding uses), the sender of the next
header is a server of its own and the hand-over between them is a *break*, named in words
from the findings that explain it. Linear in the number of hops.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from mailview.core.domains import is_localhost, normalise_host, org_domain
from mailview.core.findings.route import continues_from
from mailview.core.ipscope import INTERNAL_SCOPES, parse_ip
from mailview.core.model import Finding, GeoInfo, Hop, Report, Scope, Severity
from mailview.core.providers import PROVIDERS, provider_of_host
from mailview.core.record import record
from mailview.core.vendors.senders import SERVICES
from mailview.present.durations import describe_delay

_PROVIDER_NAMES = frozenset(p.name for p in PROVIDERS)
SLOW_LIMIT = 3600.0  # a gap longer than this across a break is a new sending, not a queue

# Finding codes that explain a hand-over's delay or a break in the chain.
_DELAY_CODES = frozenset({"route.negative_delay", "route.slow_hop", "route.broken_chain"})
# Filtering gateways by the organisational domain of their hosts: a server of theirs is
# there to scan the message, whichever side of the trust boundary it stands on.
_GATEWAYS = {
    "pphosted.com": "Proofpoint",
    "ppe-hosted.com": "Proofpoint",
    "mimecast.com": "Mimecast",
    "mimecast-offshore.com": "Mimecast",
    "antispamcloud.com": "SpamExperts",
    "iphmx.com": "Cisco Secure Email",
    "barracudanetworks.com": "Barracuda",
    "messagelabs.com": "Broadcom Email Security",
    "trendmicro.com": "Trend Micro",
    "trendmicro.eu": "Trend Micro",
    "hornetsecurity.com": "Hornetsecurity",
    "fireeyecloud.com": "Trellix",
    "sophos.com": "Sophos",
}
# Names under these endings are private to one site: they name no organisation.
_SITE_LOCAL = ("local", "internal", "lan", "localdomain", "home", "corp", "intranet", "svc")


@record
class Server:
    key: str  # "s0", "s1", …: stable for one report
    title: str  # the name it gave itself in `by`, else the name others recorded
    names: tuple[tuple[str, str], ...]  # other names: ("HELO", …), ("rDNS", …), ("from", …)
    ip: str | None  # its address as the next receiver recorded it
    scope: Scope | None
    geo: GeoInfo | None
    role: str | None  # "sender's client", "receiver's MX", "mailbox", …
    owner: str | None  # provider, sending service or organisation it belongs to
    trusted: bool
    hop: int  # the hop whose header it wrote (its sender's: for an origin or a re-sender)
    wrote: bool  # True when `hop` is the header this server wrote
    described_by: int | None = None  # the hop whose `from` side records its address
    verdicts: tuple[str, ...] = ()  # on the receiver's MX: "SPF softfail", "DKIM pass", …

    @property
    def origin(self) -> bool:
        return not self.wrote


@record
class Handover:
    source: int  # positions in `RouteModel.servers`
    target: int
    hop: int  # the header that records it (for a break: the first header after it)
    kind: str  # link | break
    delay: float | None
    severity: Severity | None  # of the worst finding that explains it
    words: str | None  # a break's name: "re-sent 2 d 18 h later through Mailgun …"
    finding: str | None  # the explaining finding's title
    parts: tuple[str, ...] = ()  # a break's name in stackable pieces


@record
class RouteModel:
    servers: tuple[Server, ...]
    handovers: tuple[Handover, ...]

    def server_of_hop(self, index: int) -> Server | None:
        """The server that wrote hop `index` (or, failing that, the one it describes)."""
        found = None
        for server in self.servers:
            if server.hop == index:
                found = server
                if server.wrote:
                    return server
        return found


def route_model(report: Report) -> RouteModel:
    hops = report.hops
    if not hops:
        return RouteModel((), ())
    geo = report.hop_geo
    explainers = _explainers(report)
    servers: list[Server] = []
    handovers: list[Handover] = []
    if _has_sender(hops[0]) and not _same_machine(hops[0]):
        servers.append(_sender(hops[0], _geo(geo, hops[0]), "s0"))
    for position, hop in enumerate(hops):
        if position:
            older = hops[position - 1]
            if continues_from(older, hop):
                if _has_sender(hop):
                    servers[-1] = _enrich(servers[-1], hop, _geo(geo, hop))
            elif _has_sender(hop):
                servers.append(_sender(hop, _geo(geo, hop), f"s{len(servers)}"))
                handovers.append(_break(report, explainers, older, hop, len(servers) - 2))
        servers.append(_receiver(hop, f"s{len(servers)}"))
        if len(servers) > 1:
            carries = servers[-2].hop != hop.index
            handovers.append(_link(explainers, hop, len(servers) - 2, carries))
    return RouteModel(_with_roles(report, servers), tuple(handovers))


def _geo(geo: Sequence[GeoInfo | None], hop: Hop) -> GeoInfo | None:
    position = hop.index - 1
    return geo[position] if position < len(geo) else None


def _same_machine(hop: Hop) -> bool:
    """The first hop came from the loopback address: a program on the server itself
    submitted the message, so there is no other machine to draw."""
    return hop.ip_scope is Scope.LOOPBACK or (
        hop.fields.from_ip is None and is_localhost(hop.fields.from_host)
    )


def _has_sender(hop: Hop) -> bool:
    f = hop.fields
    return bool(f.from_host or f.from_ip or f.from_helo or f.from_rdns)


def _sender(hop: Hop, geo: GeoInfo | None, key: str) -> Server:
    """A server known only from the `from` side of `hop`: the origin, or a re-sender."""
    f = hop.fields
    title = f.from_rdns or f.from_host or f.from_helo or f.from_ip or "sender not named"
    return Server(
        key=key,
        title=title,
        names=_other_names(title, hop),
        ip=f.from_ip,
        scope=hop.ip_scope,
        geo=geo,
        role=None,
        owner=owner_of((title, *(n for _, n in _other_names(title, hop)))),
        trusted=False,
        hop=hop.index,
        wrote=False,
        described_by=hop.index,
    )


def _receiver(hop: Hop, key: str) -> Server:
    f = hop.fields
    title = f.by_host or f.by_ip or "receiver not named"
    return Server(
        key=key,
        title=title,
        names=(),
        ip=f.by_ip if f.by_ip and f.by_ip != title else None,
        scope=None,
        geo=None,
        role=None,
        owner=owner_of((title,)),
        trusted=hop.trusted,
        hop=hop.index,
        wrote=True,
    )


def _enrich(server: Server, hop: Hop, geo: GeoInfo | None) -> Server:
    """What the next receiver recorded about `server` when it took the message from it."""
    f = hop.fields
    title = server.title
    if title == "receiver not named" or parse_ip(title) is not None:
        title = f.from_rdns or f.from_host or f.from_helo or title
    names = _merge(server.names, _other_names(title, hop))
    return replace(
        server,
        title=title,
        names=names,
        ip=f.from_ip or server.ip,
        scope=hop.ip_scope if f.from_ip else server.scope,
        geo=geo or server.geo,
        owner=owner_of((title, *(n for _, n in names))),
        described_by=hop.index if f.from_ip else server.described_by,
    )


def _other_names(title: str, hop: Hop) -> tuple[tuple[str, str], ...]:
    f = hop.fields
    seen = {normalise_host(title)}
    names: list[tuple[str, str]] = []
    for kind, name in (("rDNS", f.from_rdns), ("HELO", f.from_helo), ("from", f.from_host)):
        key = normalise_host(name)
        if name and key not in seen and parse_ip(name) is None and key != "unknown":
            seen.add(key)
            names.append((kind, name))
    return tuple(names)


def _merge(
    first: tuple[tuple[str, str], ...], second: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    seen = {normalise_host(n) for _, n in first}
    return first + tuple((k, n) for k, n in second if normalise_host(n) not in seen)


def owner_of(names: Sequence[str]) -> str | None:
    """The provider, sending service or organisation any of `names` belongs to."""
    for name in names:
        provider = provider_of_host(name)
        if provider is not None:
            return provider.name
    for name in names:
        host = normalise_host(name) or ""
        for service in SERVICES:
            if any(host == d or host.endswith("." + d) for d in service.domains):
                return service.name
    public = [n for n in names if (normalise_host(n) or "").rsplit(".", 1)[-1] not in _SITE_LOCAL]
    return next((org for org in map(org_domain, public) if org), None)


# ---- hand-overs --------------------------------------------------------------------------


def _explainers(report: Report) -> dict[int, list[Finding]]:
    """Hop index → findings about delays or breaks whose newest quoted hop it is, worst
    first. Built once per route, so the hand-overs cost one look-up each."""
    hop_of = {h.header_index: h.index for h in report.hops}
    found: dict[int, list[Finding]] = {}
    for item in report.findings:
        if item.code not in _DELAY_CODES:
            continue
        quoted = [hop_of[e.header_index] for e in item.evidence if e.header_index in hop_of]
        if quoted:
            found.setdefault(max(quoted), []).append(item)
    for items in found.values():
        items.sort(key=lambda f: f.severity.rank)
    return found


def _link(
    explainers: Mapping[int, list[Finding]], hop: Hop, source: int, carries_delay: bool
) -> Handover:
    delay = hop.delay_seconds if carries_delay else None
    found = explainers.get(hop.index, []) if delay is not None else []
    found = [f for f in found if f.code != "route.broken_chain"]
    return Handover(
        source=source,
        target=source + 1,
        hop=hop.index,
        kind="link",
        delay=delay,
        severity=found[0].severity if found else None,
        words=None,
        finding=found[0].title if found else None,
    )


def _break(
    report: Report,
    explainers: Mapping[int, list[Finding]],
    older: Hop,
    newer: Hop,
    source: int,
) -> Handover:
    found = explainers.get(newer.index, [])
    parts = break_parts(older, newer, _through(report, newer))
    return Handover(
        source=source,
        target=source + 1,
        hop=newer.index,
        kind="break",
        delay=newer.delay_seconds,
        severity=found[0].severity if found else None,
        words=" ".join(parts),
        finding=found[0].title if found else None,
        parts=parts,
    )


def _through(report: Report, hop: Hop) -> str | None:
    """Who carried the message after a break: the first provider or service named there."""
    for later in report.hops[hop.index - 1 : hop.index + 1]:
        f = later.fields
        owner = owner_of([n for n in (f.from_rdns, f.from_host, f.by_host) if n])
        if owner is not None and (_is_service(owner) or owner in _PROVIDER_NAMES):
            return owner
    return None


def _is_service(name: str) -> bool:
    return any(service.name == name for service in SERVICES)


def break_words(older: Hop, newer: Hop, through: str | None) -> str:
    """The name of a break: a re-send, a forward, or headers missing."""
    return " ".join(break_parts(older, newer, through))


def break_parts(older: Hop, newer: Hop, through: str | None) -> tuple[str, ...]:
    """`break_words` in the pieces a diagram stacks: ("re-sent", "2 d 18 h later", …)."""
    delay = newer.delay_seconds
    by = (f"through {through}",) if through else ()
    if delay is not None and delay > SLOW_LIMIT:
        return ("re-sent", f"{describe_delay(delay)} later", *by, "(new submission)")
    if _delivered(older):
        later = (f"{describe_delay(delay)} later",) if delay is not None and delay >= 60 else ()
        return ("forwarded", *later, *by)
    return ("gap:", "headers missing")


def _delivered(hop: Hop) -> bool:
    """The hop put the message in a mailbox (LMTP, a local delivery, or `for` a recipient)."""
    protocol = (hop.fields.with_protocol or "").upper()
    return protocol.startswith("LMTP") or protocol in {"LOCAL", "IMAP", "POP3"}


# ---- roles -------------------------------------------------------------------------------


def _with_roles(report: Report, servers: list[Server]) -> tuple[Server, ...]:
    boundary = report.trust_boundary_hop
    verdicts = _mx_verdicts(report)
    last = len(servers) - 1
    placed: list[Server] = []
    for position, server in enumerate(servers):
        role = None
        stamps: tuple[str, ...] = ()
        if server.origin:
            role = "sender's client" if _client(server) else "sending server"
            if position > 0:
                role = "new sender after the break"
        elif server.trusted and server.hop == boundary:
            role, stamps = "receiver's MX", verdicts
        elif position == last and server.trusted:
            role = "mailbox"
        elif not server.trusted and server.owner and _is_service(server.owner):
            role = f"{server.owner} (sending service)"
        gateway = _GATEWAYS.get(server.owner or "")
        if gateway is not None:
            role = f"{role} · {gateway} gateway" if role else f"{gateway} gateway"
        placed.append(replace(server, role=role, verdicts=stamps))
    return tuple(placed)


def _client(server: Server) -> bool:
    if server.scope in INTERNAL_SCOPES:
        return True
    return "." not in server.title and parse_ip(server.title) is None


def _mx_verdicts(report: Report) -> tuple[str, ...]:
    auth = report.auth
    if auth is None:
        return ()
    said: dict[str, list[str]] = {}
    for result in auth.results:
        method = result.method.lower()
        if result.trusted and method in {"spf", "dkim", "dmarc"}:
            values = said.setdefault(method, [])
            if result.result not in values:
                values.append(result.result)
    return tuple(f"{m.upper()} {'/'.join(said[m])}" for m in ("spf", "dkim", "dmarc") if m in said)
