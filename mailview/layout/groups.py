"""Which servers the diagram draws as one card, and how a delay is classed.

A provider relays a message through several of its own machines (Microsoft 365 adds three
or four, Google stamps its internal `2002:…` relays, an organisation passes mail through its
own gateways). Those servers say nothing the analyst needs at first sight, so a run of
consecutive servers of one owner, on either side of the trust boundary, is drawn as one
stacked card that expands on a click. The receiver's MX and the final mailbox always stay
cards of their own: they are where trust begins and where the message ended.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailview.core.ipscope import parse_ip
from mailview.core.record import record
from mailview.layout.servers import RouteModel, Server

FAST_LIMIT = 60.0  # seconds: below this a hop is unremarkable
SLOW_LIMIT = 3600.0  # above this it was held somewhere


@record
class HopGroup:
    """A run of servers of one provider or organisation (at least two)."""

    id: str  # stable across layouts of the same report: "g3-5" (server positions)
    owner: str  # "Microsoft 365", "Google", "ibm.com"
    hops: tuple[int, ...]  # the hops its servers wrote, oldest first
    servers: tuple[str, ...] = ()  # server keys

    @property
    def label(self) -> str:
        return f"{self.owner} · {len(self.servers) or len(self.hops)} servers"


def find_groups(model: RouteModel) -> tuple[HopGroup, ...]:
    """Maximal runs of two or more consecutive, linked servers with the same owner."""
    owners = _owners(model)
    breaks = {h.target for h in model.handovers if h.kind == "break"}
    last = len(model.servers) - 1
    groups: list[HopGroup] = []
    run: list[int] = []
    for position, server in enumerate([*model.servers, None]):
        owner = owners[position] if server is not None else None
        eligible = server is not None and _groupable(server, position, last)
        joins = (
            eligible
            and run
            and owner == owners[run[-1]]
            and position not in breaks
            and server is not None
            and server.trusted == model.servers[run[-1]].trusted
        )
        if joins:
            run.append(position)
            continue
        if len(run) >= 2 and owners[run[0]] is not None:
            groups.append(_group(model.servers, run, owners[run[0]] or ""))
        run = [position] if eligible and owner is not None else []
    return tuple(groups)


def _groupable(server: Server, position: int, last: int) -> bool:
    return not server.origin and server.role not in {"receiver's MX"} and position != last


def _owners(model: RouteModel) -> list[str | None]:
    """Each server's owner; an unnamed internal relay (`2002:…`, `eaas-14`) takes the owner of
    the server that handed it the message."""
    owners: list[str | None] = []
    linked = {h.target for h in model.handovers if h.kind == "link"}
    for position, server in enumerate(model.servers):
        owner = server.owner
        if owner is None and position in linked and owners and _unnamed(server):
            owner = owners[-1]
        owners.append(owner)
    # A bare label before a named server of the same route (`eaas-14` → salesforce.com).
    for position in range(len(owners) - 2, -1, -1):
        server = model.servers[position]
        if owners[position] is None and _unnamed(server) and not server.origin:
            owners[position] = owners[position + 1]
    return owners


def _unnamed(server: Server) -> bool:
    title = server.title
    return parse_ip(title) is not None or "." not in title or title.startswith("2002:")


def _group(servers: Sequence[Server], run: list[int], owner: str) -> HopGroup:
    members = [servers[i] for i in run]
    return HopGroup(
        f"g{run[0]}-{run[-1]}",
        owner,
        tuple(s.hop for s in members),
        tuple(s.key for s in members),
    )


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
