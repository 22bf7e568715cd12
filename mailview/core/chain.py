"""The route: Received headers ordered oldest first, with delays and the trust boundary.

Strategy: every MTA prepends its Received header, so reading the header block bottom-up
gives the hops in the order the message travelled. Delays compare each hop with the
previous hop that carries a readable timestamp; negative ones are kept (clock skew is a
finding, not something to hide). Trust is inferred as SpamAssassin does: the topmost hop
was written by the recipient's own system; trust walks down the chain while the system
that handed the message over was internal (private or loopback address), authenticated,
inside the user's own domains or networks, or inside the same large provider. The first
hop received from a public, unauthenticated address is the boundary: it is still trusted
(our system wrote it), but everything below it is the sender's claim.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from mailview.core.domains import is_localhost, normalise_host, org_domain, same_org
from mailview.core.ipscope import INTERNAL_SCOPES, parse_ip, scope_of
from mailview.core.model import HeaderField, Hop, ReceivedFields, Scope
from mailview.core.providers import provider_of_host
from mailview.core.received import parse_received
from mailview.core.record import record

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ROUTE_HEADERS = frozenset({"received", "x-received"})


@record
class TrustConfig:
    """What the user told us about their own systems, to make the boundary exact."""

    own_domains: tuple[str, ...] = ()
    own_networks: tuple[Network, ...] = ()

    def owns_host(self, host: str | None) -> bool:
        if not self.own_domains:
            return False
        name = normalise_host(host)
        if name is None:
            return False
        return any(name == d or name.endswith("." + d) for d in self.own_domains)

    def owns_ip(self, text: str | None) -> bool:
        if not self.own_networks:
            return False
        address = parse_ip(text)
        if address is None:
            return False
        return any(address in n for n in self.own_networks if n.version == address.version)


@record
class RouteEntry:
    """One route header and what the Received parser read from it."""

    header: HeaderField
    fields: ReceivedFields


@record
class Route:
    hops: tuple[Hop, ...]  # oldest first
    total_delay_seconds: float | None
    boundary: Hop | None  # the trusted hop that received from the first external system


def select_route_entries(entries: Sequence[RouteEntry]) -> list[RouteEntry]:
    """Received headers, plus X-Received headers written by the same receiving systems.

    Google and others stamp X-Received on internal processing steps; they count when
    their `by` is one of the Received hosts' organisations or an internal address.
    """
    if all(e.header.name.lower() == "received" for e in entries):
        return list(entries)
    received_orgs = {
        org_domain(e.fields.by_host)
        for e in entries
        if e.header.name.lower() == "received" and e.fields.by_host
    }
    received_orgs.discard(None)
    chosen = []
    for entry in entries:
        if entry.header.name.lower() == "received" or _same_system(entry.fields, received_orgs):
            chosen.append(entry)
    return chosen


def _same_system(fields: ReceivedFields, orgs: set[str | None]) -> bool:
    address = parse_ip(fields.by_host) or parse_ip(fields.by_ip)
    if address is not None:
        return scope_of(address) in INTERNAL_SCOPES
    return fields.by_host is not None and org_domain(fields.by_host) in orgs


def build_route(entries: Sequence[RouteEntry], config: TrustConfig | None = None) -> Route:
    """Order the route headers oldest first and compute delays and trust."""
    config = config or TrustConfig()
    ordered = sorted(entries, key=lambda e: e.header.index, reverse=True)
    trusted_from, external = _trusted_from(ordered, config)
    hops: list[Hop] = []
    previous_ts = None
    for position, entry in enumerate(ordered):
        date = entry.fields.date
        delay = None
        if date is not None:
            if previous_ts is not None:
                delay = (date.utc - previous_ts).total_seconds()
            previous_ts = date.utc
        hops.append(_hop(position, entry, delay, trusted=position >= trusted_from))
    boundary = hops[trusted_from] if external else None
    return Route(tuple(hops), _total_delay(hops), boundary)


def _hop(position: int, entry: RouteEntry, delay: float | None, *, trusted: bool) -> Hop:
    address = parse_ip(entry.fields.from_ip)
    return Hop(
        index=position + 1,
        header_index=entry.header.index,
        header_name=entry.header.name,
        raw=entry.header.raw,
        fields=entry.fields,
        delay_seconds=delay,
        ip_scope=None if address is None else scope_of(address),
        trusted=trusted,
    )


def _trusted_from(ordered: Sequence[RouteEntry], config: TrustConfig) -> tuple[int, bool]:
    """Position (oldest-first) of the lowest hop written by the recipient's side, and
    whether that hop received the message from outside (making it the boundary)."""
    position = len(ordered) - 1
    while position >= 0:
        if not _handed_over_internally(ordered[position].fields, config):
            return position, True
        if position == 0:
            break
        position -= 1
    return 0, False


def _handed_over_internally(fields: ReceivedFields, config: TrustConfig) -> bool:
    """Was the system that sent this hop's message one of the recipient's own?"""
    if fields.authenticated or _is_local_delivery(fields.with_protocol):
        return True
    if config.owns_ip(fields.from_ip) or config.owns_host(fields.from_rdns):
        return True
    address = parse_ip(fields.from_ip)
    if address is None:
        # No client address: a local hand-off (pipe, LMTP, `by` only) on the same machine.
        return fields.from_host is None or is_localhost(fields.from_host)
    if scope_of(address) in INTERNAL_SCOPES | {Scope.CGNAT}:
        return True
    if _rdns_in_own_org(fields):
        return True
    provider = provider_of_host(fields.by_host)
    return (
        provider is not None
        and provider.owns_address(address)
        and provider.owns_host(fields.from_rdns or fields.from_host)
    )


def _is_local_delivery(protocol: str | None) -> bool:
    """LMTP (RFC 2033) only ever runs inside one site, from the MTA to the mailbox store."""
    return protocol is not None and protocol.upper().startswith("LMTP")


def _rdns_in_own_org(fields: ReceivedFields) -> bool:
    """The reverse-DNS name our own server looked up is in our own organisation.

    Unlike the HELO name, the rDNS name is what the receiving (trusted) server found for
    the address, and a sender cannot make an address resolve into someone else's domain.
    """
    return same_org(fields.from_rdns, fields.by_host)


def _total_delay(hops: Sequence[Hop]) -> float | None:
    stamps = [h.fields.date.utc for h in hops if h.fields.date is not None]
    if len(stamps) < 2:
        return None
    return (stamps[-1] - stamps[0]).total_seconds()


def route_from_headers(headers: Sequence[HeaderField], config: TrustConfig | None = None) -> Route:
    """The route of a header block: its Received (and same-system X-Received) headers,
    parsed, ordered and judged for trust."""
    entries = [
        RouteEntry(h, parse_received(h.value)) for h in headers if h.name.lower() in ROUTE_HEADERS
    ]
    return build_route(select_route_entries(entries), config)
