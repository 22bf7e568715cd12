"""Rules about the Received chain: missing, unreadable, out of order, broken, skewed."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from mailview.core.domains import is_localhost, normalise_host, same_org
from mailview.core.findings.context import RuleContext, describe_delay, finding, hop_evidence
from mailview.core.ipscope import EXTERNAL_SCOPES, INTERNAL_SCOPES, IPAddress, parse_ip
from mailview.core.model import Finding, Hop, Severity

# Clocks of well-run MTAs agree to within a few seconds; a minute of disagreement is
# still ordinary NTP-less drift, more than an hour means a wrong clock or a forged line.
SKEW_TOLERANCE_S = 60.0
SKEW_SERIOUS_S = 3600.0
FUTURE_TOLERANCE_S = 15 * 60.0


def no_received(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.route.hops:
        return
    yield finding(
        "route.no_received",
        Severity.LOW,
        "No Received headers",
        "The message carries no Received headers, so its route cannot be traced. That is "
        "normal for a draft or a copy from a Sent folder, but a message that arrived by "
        "mail always has at least one.",
        strength="direct",
    )


def unreadable_received(ctx: RuleContext) -> Iterator[Finding]:
    for hop in ctx.route.hops:
        if hop.fields.date is None:
            what = (
                f"its date '{hop.fields.date_text}' could not be read"
                if hop.fields.date_text
                else "it carries no date"
            )
            yield finding(
                "route.received_date_unparseable",
                Severity.LOW,
                f"Hop {hop.index} has no readable date",
                f"Hop {hop.index} cannot be placed in time because {what}; its delay is "
                "unknown and the total transit time leaves it out.",
                [hop_evidence(hop)],
            )
        for problem in hop.fields.problems:
            if "date" in problem.lower():
                continue  # said above, in words about the hop
            yield finding(
                "route.received_unparsed",
                Severity.INFO,
                f"Part of hop {hop.index} could not be read",
                problem,
                [hop_evidence(hop)],
            )


def negative_delay(ctx: RuleContext) -> Iterator[Finding]:
    previous_dated: Hop | None = None
    for hop in ctx.route.hops:
        delay = hop.delay_seconds
        if delay is not None and delay < 0:
            yield _skew_finding(hop, delay, previous_dated)
        if hop.fields.date is not None:
            previous_dated = hop


def _skew_finding(hop: Hop, delay: float, previous: Hop | None) -> Finding:
    serious = -delay > SKEW_SERIOUS_S
    if serious:
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW if -delay > SKEW_TOLERANCE_S else Severity.INFO
    return finding(
        "route.negative_delay",
        severity,
        f"Clock skew at hop {hop.index} ({describe_delay(delay)})",
        f"Hop {hop.index} is stamped {describe_delay(-delay)} earlier than the hop before "
        "it. Either one of the two servers' clocks is wrong (clock skew) or one of the "
        "lines was written by someone else than it claims."
        + (" A gap this large is rarely a clock error." if serious else ""),
        [hop_evidence(h) for h in (previous, hop) if h is not None],
        strength="correlated" if serious else "direct",
    )


def out_of_order(ctx: RuleContext) -> Iterator[Finding]:
    """Several backward steps, or a chain dated the wrong way round, is not clock skew."""
    dated = [h for h in ctx.route.hops if h.fields.date is not None]
    steps = [h.delay_seconds for h in dated if h.delay_seconds is not None]
    backward = [s for s in steps if s < -SKEW_TOLERANCE_S]
    reversed_chain = len(steps) >= 2 and all(s < 0 for s in steps)
    if len(backward) < 2 and not reversed_chain:
        return
    detail = (
        "Read oldest first, every hop is stamped earlier than the one before: the Received "
        "headers appear in reverse order, as if they were re-ordered by a copy or written "
        "by hand."
        if reversed_chain
        else f"{len(backward)} hops are stamped earlier than the hop before them. The "
        "Received headers are not in the order their timestamps say; some may have been "
        "inserted or moved."
    )
    yield finding(
        "route.hops_out_of_order",
        Severity.MEDIUM,
        "Hops out of order",
        detail,
        [hop_evidence(h) for h in dated],
        strength="correlated",
    )


def future_hop(ctx: RuleContext) -> Iterator[Finding]:
    for hop in ctx.route.hops:
        date = hop.fields.date
        if date is None:
            continue
        ahead = (date.utc - ctx.now).total_seconds()
        if ahead > FUTURE_TOLERANCE_S:
            yield finding(
                "route.hop_in_future",
                Severity.MEDIUM,
                f"Hop {hop.index} is dated in the future",
                f"Hop {hop.index} is stamped {describe_delay(ahead)} after the time of "
                "this analysis. A server's clock was wrong or the line was forged.",
                [hop_evidence(hop)],
            )


def broken_chain(ctx: RuleContext) -> Iterator[Finding]:
    hops = ctx.route.hops
    for older, newer in itertools.pairwise(hops):
        if newer.header_name.lower() != "received" or older.header_name.lower() != "received":
            continue
        if continues_from(older, newer):
            continue
        by = older.fields.by_host or older.fields.by_ip
        sender = newer.fields.from_rdns or newer.fields.from_host or newer.fields.from_ip
        yield finding(
            "route.broken_chain",
            Severity.LOW,
            f"Chain breaks between hop {older.index} and hop {newer.index}",
            f"Hop {older.index} says the message reached {by}, but hop {newer.index} says it "
            f"came from {sender}. Each server should receive from the previous one; a gap "
            "means an unrecorded relay or a line that does not belong to this route.",
            [hop_evidence(older), hop_evidence(newer)],
            strength="heuristic",
        )


def continues_from(older: Hop, newer: Hop) -> bool:
    """Does `newer` plausibly come from the system that wrote `older`?

    Only a real contradiction counts: when one side names no host or address comparable
    with the other (a bare internal label, an address against a name), the chain is
    given the benefit of the doubt.
    """
    by_names, by_ips = _names_and_ips(older.fields.by_host, older.fields.by_ip)
    f = newer.fields
    from_names, from_ips = _names_and_ips(f.from_host, f.from_helo, f.from_rdns, f.from_ip)
    if any(is_localhost(n) for n in from_names) or any(a.is_loopback for a in from_ips):
        return True  # a content filter or local hand-off on the same machine
    if by_ips & from_ips:
        return True
    if any(_same_machine_or_org(a, b) for a in by_names for b in from_names):
        return True
    names_comparable = any("." in n for n in by_names) and any("." in n for n in from_names)
    ips_comparable = bool(by_ips) and bool(from_ips)
    return not (names_comparable or ips_comparable)


def _names_and_ips(*values: str | None) -> tuple[set[str], set[IPAddress]]:
    names: set[str] = set()
    ips: set[IPAddress] = set()
    for value in values:
        address = parse_ip(value)
        if address is not None:
            ips.add(address)
            continue
        name = normalise_host(value)
        if name is not None and name != "unknown":
            names.add(name)
    return names, ips


def _same_machine_or_org(a: str, b: str) -> bool:
    return a == b or a.split(".", 1)[0] == b.split(".", 1)[0] or same_org(a, b)


def private_after_public(ctx: RuleContext) -> Iterator[Finding]:
    """A private or loopback sender after a public hop, not explained by the chain.

    Inside each organisation mail passes private addresses and content filters on
    loopback; such hops continue from the system that wrote the previous hop. One that
    does not — the message had crossed the internet, then claims to come from a LAN
    address of some other machine — suggests a forged or transplanted line.
    """
    public_seen: Hop | None = None
    previous: Hop | None = None
    for hop in ctx.route.hops:
        if hop.ip_scope in EXTERNAL_SCOPES:
            public_seen = hop
        elif (
            public_seen is not None
            and previous is not None
            and hop.ip_scope in INTERNAL_SCOPES
            and not continues_from(previous, hop)
        ):
            yield _private_after_public(public_seen, hop)
        previous = hop


def _private_after_public(public: Hop, hop: Hop) -> Finding:
    scope = hop.ip_scope.value if hop.ip_scope is not None else "internal"
    return finding(
        "route.private_after_public",
        Severity.LOW,
        f"Hop {hop.index} comes from a {scope} address after a public hop",
        f"Hop {public.index} already came from a public address ({public.fields.from_ip}), "
        f"yet hop {hop.index} says it came from {hop.fields.from_ip}, a {scope} address of a "
        "machine the previous hop does not name. Mail that has crossed the internet does "
        "not usually re-enter a private network that way; the line may be forged, or an "
        "unrecorded relay sits in between.",
        [hop_evidence(public), hop_evidence(hop)],
        strength="heuristic",
    )


RULES = (
    no_received,
    unreadable_received,
    negative_delay,
    out_of_order,
    future_hop,
    broken_chain,
    private_after_public,
)
