"""Large mail providers whose internal hops may be trusted once the provider is.

Microsoft 365 and Google relay a message through several of their own machines, and those
machines use public addresses. A hop written by a provider's system, from an address in
that provider's published sending ranges, whose sender names itself as part of the same
provider, is internal to it: the trust boundary lies further down. The ranges are the
providers' documented outbound/internal blocks; they only widen trust when both the host
names and the address agree, so a stale range costs precision, never safety.
"""

from __future__ import annotations

import ipaddress

from mailview.core.domains import normalise_host
from mailview.core.ipscope import IPAddress
from mailview.core.record import record

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@record
class Provider:
    name: str
    domains: frozenset[str]  # organisational domains of its hosts
    networks: tuple[Network, ...]
    # The autonomous system that announces these ranges and its owner's short name, so a
    # hop from them names its network owner even when no geo database covers it.
    asn: int | None = None
    as_org: str | None = None

    def owns_host(self, host: str | None) -> bool:
        name = normalise_host(host)
        return name is not None and self._owns_name(name)

    def _owns_name(self, name: str) -> bool:
        return any(name == domain or name.endswith("." + domain) for domain in self.domains)

    def owns_address(self, address: IPAddress) -> bool:
        value, version = int(address), address.version
        return any(
            net.version == version
            and int(net.network_address) <= value <= int(net.broadcast_address)
            for net in self.networks
        )


def _nets(*blocks: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(block) for block in blocks)


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "Microsoft 365",
        frozenset({"outlook.com", "office365.com", "microsoft.com", "exchangelabs.com"}),
        _nets(
            "40.92.0.0/15",
            "40.107.0.0/16",
            "52.100.0.0/14",
            "104.47.0.0/17",
            "2a01:111:f400::/48",
            "2a01:111:f403::/48",
            "2603:1000::/24",
        ),
        asn=8075,
        as_org="Microsoft",
    ),
    Provider(
        "Google",
        frozenset({"google.com", "gmail.com", "googlemail.com"}),
        _nets(
            "209.85.128.0/17",
            "74.125.0.0/16",
            "64.233.160.0/19",
            "66.102.0.0/20",
            "66.249.80.0/20",
            "72.14.192.0/18",
            "108.177.8.0/21",
            "172.217.0.0/19",
            "173.194.0.0/16",
            "2607:f8b0::/32",
            "2a00:1450::/32",
            "2404:6800::/32",
            "2800:3f0::/32",
            "2c0f:fb50::/32",
        ),
        asn=15169,
        as_org="Google",
    ),
)


def provider_of_host(host: str | None) -> Provider | None:
    """The provider whose organisational domain `host` is in, if any."""
    name = normalise_host(host)
    if name is None:
        return None
    return next((p for p in PROVIDERS if p._owns_name(name)), None)


def provider_of_address(address: IPAddress) -> Provider | None:
    """The provider whose published ranges hold `address`, if any."""
    return next((p for p in PROVIDERS if p.owns_address(address)), None)
