"""Where delivery stopped: a bounce's failure drawn as the last step of a route.

Strategy. A delivery report names, per failed or delayed recipient, the server that
refused (Remote-MTA) and the server that wrote the report (Reporting-MTA). When the
original's headers came back, its route is the one drawn (it is the journey that failed);
otherwise the bounce's own route is cut after the reporting server, where the bounce began.
The route then ends in one "refused" hand-over per refusing server: from the reporting
server, or the last server that had the message, to a card for the refuser, red for a hard
failure and orange (medium) for a soft one. Recipients are grouped by refuser, so a report with
10,000 recipients still draws at most `MAX_REFUSERS` cards. Linear in the recipients.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailview.core.bounce import BounceRecipient
from mailview.core.domains import normalise_host
from mailview.core.model import Report, Severity
from mailview.core.record import record
from mailview.layout.servers import Handover, RouteModel, Server, owner_of

MAX_REFUSERS = 3  # failure cards drawn; the rest are counted on the last one
UNNAMED = "recipient's server"
_SHOWN_RECIPIENTS = 3  # addresses listed on a card; the tooltip lists a few more
_TIP_RECIPIENTS = 12


@record
class Refusal:
    """One refusing server and what it said."""

    server: str  # its name (Remote-MTA), or UNNAMED
    named: bool
    hard: bool  # any permanent failure among its recipients
    recipients: tuple[BounceRecipient, ...]  # the first few of them, worst first
    count: int  # all the recipients it refused

    @property
    def first(self) -> BounceRecipient:
        return self.recipients[0]

    @property
    def label(self) -> str:
        """What the arrow says: "✗ 5.1.1 userunknown" (a delay: "↻ 4.2.2 mailboxfull")."""
        return " ".join((self.pill, self.reason)) if self.first.status else self.pill

    @property
    def pill(self) -> str:
        """The status code with its mark ("✗ 5.1.1"), or the reason when there is no code."""
        head = self.first
        mark = "↻" if head.action == "delayed" else "✗"
        return f"{mark} {head.status or head.reason}"

    @property
    def reason(self) -> str:
        return self.first.reason

    @property
    def severity(self) -> Severity:
        """Red for a hard failure, orange for a soft one (the pill and card colours)."""
        return Severity.HIGH if self.hard else Severity.MEDIUM


@record
class FailurePlan:
    """What the diagram of a bounce draws: whose route, cut where, ending in which refusals."""

    route: Report  # the report whose hops are drawn
    returned: bool  # True: the returned original's route; False: the bounce's own
    reporter: str | None  # the Reporting-MTA
    refusals: tuple[Refusal, ...]
    more: int  # refusing servers not drawn
    recipient_count: int  # failed or delayed recipients the report names


def failure_plan(report: Report, original: Report | None = None) -> FailurePlan | None:
    """The failure to draw for `report`, None for ordinary mail or a report with no failed
    or delayed recipient. `original`: the analysis of the returned original, if any."""
    bounce = report.bounce
    if bounce is None or not bounce.is_delivery_report:
        return None
    failed = bounce.failed
    if not failed:
        return None
    refusals = _refusals(failed)
    returned = original is not None and bool(original.hops)
    extra = max(bounce.recipient_count - len(bounce.recipients), 0)
    return FailurePlan(
        route=original if returned and original is not None else report,
        returned=returned,
        reporter=bounce.reporting_mta,
        refusals=tuple(refusals[:MAX_REFUSERS]),
        more=max(len(refusals) - MAX_REFUSERS, 0),
        recipient_count=len(failed) + extra,
    )


def _refusals(failed: Sequence[BounceRecipient]) -> list[Refusal]:
    order: list[str] = []
    by_server: dict[str, list[BounceRecipient]] = {}
    names: dict[str, str] = {}
    for recipient in failed:
        name = (recipient.remote_mta or "").strip()
        key = normalise_host(name) or "" if name else ""
        if key not in by_server:
            order.append(key)
            by_server[key] = []
            names[key] = name or UNNAMED
        by_server[key].append(recipient)
    refusals = []
    for key in order:
        members = by_server[key]
        # A hard failure leads: it is the one that will not cure itself.
        members.sort(key=lambda r: 0 if r.permanent else 1)
        refusals.append(
            Refusal(
                server=names[key],
                named=bool(key),
                hard=any(r.permanent for r in members),
                recipients=tuple(members[:_TIP_RECIPIENTS]),
                count=len(members),
            )
        )
    return refusals


# ---- the route model ---------------------------------------------------------------------


def with_failure(model: RouteModel, plan: FailurePlan) -> RouteModel:
    """`model` ending in the plan's refusals. On the bounce's own route, the servers after
    the reporting server are the bounce's way back, not the original's: they are cut."""
    servers = list(model.servers)
    handovers = list(model.handovers)
    last_hop = max((s.hop for s in servers), default=0)
    if not plan.returned:
        cut = _reporter_position(servers, plan.reporter)
        servers = servers[: cut + 1] if cut is not None else servers[:1]
        handovers = [h for h in handovers if h.target < len(servers)]
    elif plan.reporter and _reporter_position(servers, plan.reporter) is None and servers:
        servers.append(_reporter_card(plan.reporter, len(servers), last_hop))
        handovers.append(_plain_link(len(servers) - 2, last_hop))
    if not servers:
        servers.append(_reporter_card(plan.reporter or "sender's server", 0, last_hop))
    source = len(servers) - 1
    for number, refusal in enumerate(plan.refusals):
        servers.append(_refuser_card(refusal, len(servers), last_hop))
        handovers.append(_refused(source, len(servers) - 1, number))
    return RouteModel(tuple(servers), tuple(handovers))


def _reporter_position(servers: Sequence[Server], reporter: str | None) -> int | None:
    """The last server that is the reporting MTA, by any name it was given."""
    wanted = normalise_host(reporter) if reporter else None
    if not wanted:
        return None
    for position in range(len(servers) - 1, -1, -1):
        server = servers[position]
        names = (server.title, *(n for _, n in server.names))
        if any(normalise_host(n) == wanted for n in names):
            return position
    return None


def _reporter_card(name: str, position: int, hop: int) -> Server:
    return Server(
        key=f"s{position}",
        title=name,
        names=(),
        ip=None,
        scope=None,
        geo=None,
        role="reported the failure",
        owner=owner_of((name,)),
        trusted=False,
        hop=hop,
        wrote=False,
    )


def _refuser_card(refusal: Refusal, position: int, hop: int) -> Server:
    return Server(
        key=f"refused-{position}",
        title=refusal.server,
        names=(),
        ip=None,
        scope=None,
        geo=None,
        role="refused delivery" if refusal.hard else "deferred delivery",
        owner=owner_of((refusal.server,)) if refusal.named else None,
        trusted=False,
        hop=hop,
        wrote=False,
    )


def _plain_link(source: int, hop: int) -> Handover:
    return Handover(source, source + 1, hop, "link", None, None, None, None)


def _refused(source: int, target: int, number: int) -> Handover:
    return Handover(
        source=source,
        target=target,
        hop=0,  # no header records it: the delivery report does
        kind="refused",
        delay=None,
        severity=None,
        words=None,
        finding=None,
        parts=(str(number),),  # which refusal of the plan it draws
    )


def is_refuser(server: Server) -> bool:
    return server.key.startswith("refused-")


def refusal_of(plan: FailurePlan, handover: Handover) -> Refusal:
    return plan.refusals[int(handover.parts[0])]


def refuser_lines(refusal: Refusal, plan: FailurePlan, last: bool) -> list[tuple[str, str]]:
    """What a failure card says under the server's name, before wrapping."""
    head = refusal.first
    lines = [(head.state, "role")]
    shown = refusal.recipients[:_SHOWN_RECIPIENTS]
    lines += [(r.address or "(recipient not named)", "mono") for r in shown]
    if refusal.count > len(shown):
        lines.append((f"+{refusal.count - len(shown)} more recipients", "muted"))
    lines.append((head.sentence, "body"))
    if last and plan.more:
        lines.append((f"+{plan.more} more refusing servers: see the delivery report", "muted"))
    return lines


def refusal_tooltip(refusal: Refusal) -> str:
    """The diagnostic in the server's own words, for each recipient listed."""
    parts = []
    for r in refusal.recipients:
        said = r.diagnostic or "(no diagnostic given)"
        parts.append(
            f"{r.address or '(recipient not named)'} — {r.status or 'no status'} {r.reason}\n"
            f"{r.explanation}\n{said}"
        )
    return f"{refusal.server}: {refusal.first.state}\n\n" + "\n\n".join(parts)
