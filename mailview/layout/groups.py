"""Which hops the diagram draws as one card, and how a delay is classed and labelled.

A provider relays a message through several of its own machines (Microsoft 365 adds three
or four hops to every message). Those hops say nothing the analyst needs at first sight,
so a run of consecutive trusted hops that stay inside one provider or organisation is
drawn as one stacked card that expands on a click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailview.core.domains import org_domain
from mailview.core.findings.context import describe_delay
from mailview.core.model import Hop
from mailview.core.providers import provider_of_host

FAST_LIMIT = 60.0  # seconds: below this a hop is unremarkable
SLOW_LIMIT = 3600.0  # above this it was held somewhere


@dataclass(frozen=True, slots=True)
class HopGroup:
    """A run of hops inside one provider or organisation (at least two)."""

    id: str  # stable across layouts of the same report: "g4-6"
    owner: str  # "Microsoft 365", "example.net"
    hops: tuple[int, ...]  # 1-based hop indices, oldest first

    @property
    def label(self) -> str:
        return f"{self.owner} internal · {len(self.hops)} hops"


def internal_owner(hop: Hop) -> str | None:
    """Provider or organisation a trusted hop stays inside, None if it crosses one."""
    if not hop.trusted:
        return None
    fields = hop.fields
    by = fields.by_host
    sender = fields.from_host or fields.from_rdns or fields.from_helo
    if by is None or sender is None:
        return None
    provider = provider_of_host(by)
    if provider is not None:
        return provider.name if provider_of_host(sender) is provider else None
    org = org_domain(by)
    return org if org is not None and org == org_domain(sender) else None


def find_groups(hops: Sequence[Hop]) -> tuple[HopGroup, ...]:
    """Maximal runs of two or more consecutive hops with the same internal owner."""
    groups: list[HopGroup] = []
    run: list[Hop] = []
    owner: str | None = None
    for hop in [*hops, None]:
        this = internal_owner(hop) if hop is not None else None
        if run and (this is None or this != owner):
            if len(run) >= 2 and owner is not None:
                groups.append(_group(owner, run))
            run = []
        if hop is not None and this is not None:
            owner = this
            run.append(hop)
    return tuple(groups)


def _group(owner: str, run: list[Hop]) -> HopGroup:
    return HopGroup(f"g{run[0].index}-{run[-1].index}", owner, tuple(h.index for h in run))


def delay_class(seconds: float | None) -> str:
    """`fast` < 1 min ≤ `slow` ≤ 1 h < `very-slow`; `skew` when negative; else `unknown`."""
    if seconds is None:
        return "unknown"
    if seconds < 0:
        return "skew"
    if seconds < FAST_LIMIT:
        return "fast"
    if seconds <= SLOW_LIMIT:
        return "slow"
    return "very-slow"


# Words that go beside a pill's colour, so colour is never the only signal.
DELAY_NOTES = {"skew": "clock skew", "very-slow": "held > 1 h"}


def delay_text(seconds: float) -> str:
    """`describe_delay` with a real minus sign, which reads better in a pill."""
    text = describe_delay(seconds)
    return "−" + text[1:] if text.startswith("-") else text
