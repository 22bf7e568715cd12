"""The scope of an IP address, decided from the address alone (no look-up).

Strategy: the stdlib `ipaddress` knows most special-purpose blocks (RFC 6890 registries);
we name the ones an analyst cares about separately (RFC 1918 private, RFC 6598 CGNAT,
RFC 5737/3849 documentation, RFC 2544 benchmarking, RFC 4193 ULA) and look through
IPv4-mapped (::ffff:a.b.c.d) and 6to4 (2002:AABB:CCDD::) addresses to the IPv4 inside,
because Google writes its internal hops as 6to4 forms of 10.x addresses.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from mailview.core.model import Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4_BLOCKS: tuple[tuple[ipaddress.IPv4Network, Scope], ...] = tuple(
    (ipaddress.IPv4Network(net), scope)
    for net, scope in (
        ("10.0.0.0/8", Scope.PRIVATE),  # RFC 1918
        ("172.16.0.0/12", Scope.PRIVATE),
        ("192.168.0.0/16", Scope.PRIVATE),
        ("100.64.0.0/10", Scope.CGNAT),  # RFC 6598 shared address space
        ("127.0.0.0/8", Scope.LOOPBACK),
        ("169.254.0.0/16", Scope.LINK_LOCAL),
        ("192.0.2.0/24", Scope.DOCUMENTATION),  # RFC 5737 TEST-NET-1..3
        ("198.51.100.0/24", Scope.DOCUMENTATION),
        ("203.0.113.0/24", Scope.DOCUMENTATION),
        ("198.18.0.0/15", Scope.BENCHMARK),  # RFC 2544
        ("0.0.0.0/32", Scope.UNSPECIFIED),
        ("0.0.0.0/8", Scope.RESERVED),  # "this network", RFC 1122
        ("224.0.0.0/4", Scope.MULTICAST),
        ("240.0.0.0/4", Scope.RESERVED),  # includes 255.255.255.255
        ("192.0.0.0/24", Scope.RESERVED),  # IETF protocol assignments
    )
)

_V6_BLOCKS: tuple[tuple[ipaddress.IPv6Network, Scope], ...] = tuple(
    (ipaddress.IPv6Network(net), scope)
    for net, scope in (
        ("::1/128", Scope.LOOPBACK),
        ("::/128", Scope.UNSPECIFIED),
        ("fe80::/10", Scope.LINK_LOCAL),
        ("fc00::/7", Scope.ULA),  # RFC 4193
        ("2001:db8::/32", Scope.DOCUMENTATION),  # RFC 3849
        ("3fff::/20", Scope.DOCUMENTATION),  # RFC 9637
        ("ff00::/8", Scope.MULTICAST),
        ("2001:2::/48", Scope.BENCHMARK),  # RFC 5180
        ("fec0::/10", Scope.RESERVED),  # deprecated site-local
    )
)

# RFC 3986 §3.2.2 IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet; only a
# shape check here (ipaddress validates the octets), to turn host names away cheaply.
_DOTTED_QUAD = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")

# Scopes that are inside somebody's own network: a hop from one of these was handed over
# by a machine of the same organisation that wrote the hop.
INTERNAL_SCOPES = frozenset({Scope.PRIVATE, Scope.LOOPBACK, Scope.LINK_LOCAL, Scope.ULA})
# Scopes of addresses on the open internet (documentation and benchmark blocks stand in
# for public addresses in samples and tests, and are routed like them when misused).
EXTERNAL_SCOPES = frozenset({Scope.PUBLIC, Scope.DOCUMENTATION, Scope.BENCHMARK})


# Both functions are pure and the same few addresses recur in every hop of a message, while
# `ipaddress` parsing costs microseconds; a bounded cache keeps the hot path cheap.
@lru_cache(maxsize=8192)
def parse_ip(text: str | None) -> IPAddress | None:
    """The address in `text` (brackets, `IPv6:` and a zone index allowed), or None."""
    if not text:
        return None
    candidate = text.strip().strip("[]")
    if candidate[:5].lower() == "ipv6:":
        candidate = candidate[5:]
    candidate = candidate.split("%", 1)[0]
    if ":" not in candidate:
        return _ipv4(candidate)
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def _ipv4(text: str) -> ipaddress.IPv4Address | None:
    """Dotted-quad IPv4 read by hand: ipaddress's own string parsing costs ~10x more."""
    if not _DOTTED_QUAD.fullmatch(text):
        return None  # a host name, most often
    value = 0
    for octet in text.split("."):
        # ipaddress rejects leading zeros (ambiguous octal), and so do we.
        if (len(octet) > 1 and octet[0] == "0") or int(octet) > 255:
            return None
        value = value << 8 | int(octet)
    return ipaddress.IPv4Address(value)


@lru_cache(maxsize=8192)
def scope_of(address: IPAddress) -> Scope:
    """Where `address` lives: public unless it falls in a special-purpose block."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return scope_of(inner)
        return _first_block(int(address), _V6_RANGES)
    return _first_block(int(address), _V4_RANGES)


def _first_block(value: int, ranges: tuple[tuple[int, int, Scope], ...]) -> Scope:
    for first, last, scope in ranges:
        if first <= value <= last:
            return scope
    return Scope.PUBLIC


def _ranges(
    blocks: tuple[tuple[ipaddress.IPv4Network, Scope], ...]
    | tuple[tuple[ipaddress.IPv6Network, Scope], ...],
) -> tuple[tuple[int, int, Scope], ...]:
    """Blocks as integer bounds: comparing ints is far cheaper than `address in network`."""
    return tuple(
        (int(net.network_address), int(net.broadcast_address), scope) for net, scope in blocks
    )


_V4_RANGES = _ranges(_V4_BLOCKS)
_V6_RANGES = _ranges(_V6_BLOCKS)


def scope_of_text(text: str | None) -> Scope | None:
    """The scope of the address written in `text`, or None when it is not an address."""
    address = parse_ip(text)
    return None if address is None else scope_of(address)
