"""Rules about what online mode found in today's DNS: blocklists, reverse DNS, SPF.

Strategy: online mode is a stage of the analysis (`OnlineLookup` in `core.enrichment`);
its answers reach the rules through the context like everything else, and these rules
read them. Every answer describes the day it was looked up, not the delivery day, and
each finding says so. Offline (no answers) they find nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailview.core.domains import normalise_host, same_org
from mailview.core.findings.context import RuleContext, finding, hop_evidence
from mailview.core.ipscope import parse_ip
from mailview.core.model import Finding, Hop, HopLookup, OnlineFacts, Severity


def hop_lookups(ctx: RuleContext) -> Iterator[Finding]:
    for hop, lookup in zip(ctx.route.hops, ctx.hop_online, strict=False):
        if lookup is not None:
            yield from _hop_findings(hop, lookup)


def policies(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.online is not None:
        yield from _policy_findings(ctx.online)


def _hop_findings(hop: Hop, lookup: HopLookup) -> list[Finding]:
    found = []
    today = lookup.looked_up_at.strftime("%Y-%m-%d")
    for zone in lookup.dnsbl:
        found.append(
            finding(
                "online.dnsbl_listed",
                Severity.MEDIUM,
                f"Hop {hop.index}'s address {hop.fields.from_ip} is on a blocklist ({zone})",
                f"On {today} the blocklist {zone} lists {hop.fields.from_ip}, which handed "
                f"over hop {hop.index}. Listings change daily: it says how the address is "
                "seen now, not necessarily when the message was sent.",
                [hop_evidence(hop)],
            )
        )
    found += _name_findings(hop, lookup, today)
    if lookup.ptr and lookup.fcrdns is False:
        found.append(
            finding(
                "online.fcrdns_mismatch",
                Severity.LOW,
                f"Hop {hop.index}: the reverse DNS name does not point back to the address",
                f"{hop.fields.from_ip} has the reverse DNS name {lookup.ptr}, but that name "
                f"does not resolve back to {hop.fields.from_ip} (as of {today}). Real mail "
                "servers normally have matching forward and reverse DNS.",
                [hop_evidence(hop)],
                strength="heuristic",
            )
        )
    return found


def _name_findings(hop: Hop, lookup: HopLookup, today: str) -> list[Finding]:
    """Today's reverse DNS against the HELO name the client gave and the rDNS name the
    receiving server recorded at delivery."""
    found: list[Finding] = []
    ptr, fields = normalise_host(lookup.ptr), hop.fields
    if ptr is None:
        return found
    recorded = normalise_host(fields.from_rdns)
    if recorded and recorded != ptr:
        found.append(
            finding(
                "online.rdns_changed",
                Severity.INFO,
                f"Hop {hop.index}: the reverse DNS name has changed since delivery",
                f"At delivery the receiving server recorded {recorded} for {fields.from_ip}; "
                f"on {today} the address resolves to {ptr}. Addresses get reassigned; the "
                "recorded name is the one that described the sender then.",
                [hop_evidence(hop)],
            )
        )
    helo = normalise_host(fields.from_helo)
    if helo and parse_ip(helo) is None and "." in helo and not same_org(helo, ptr):
        found.append(
            finding(
                "online.helo_mismatch",
                Severity.LOW,
                f"Hop {hop.index}: the HELO name does not match the address's reverse DNS",
                f"The sending client introduced itself as {helo}, but {fields.from_ip} "
                f"resolves to {ptr} (as of {today}), in another organisation. Legitimate "
                "servers usually greet with their own name; spam software often does not.",
                [hop_evidence(hop)],
                strength="heuristic",
            )
        )
    return found


def _policy_findings(facts: OnlineFacts) -> list[Finding]:
    found: list[Finding] = []
    spf = facts.spf
    if spf is not None and spf.result in {"fail", "softfail", "permerror"}:
        severity = Severity.MEDIUM if spf.result == "fail" else Severity.LOW
        found.append(
            finding(
                f"online.spf_{spf.result}",
                severity,
                f"SPF today: {spf.result} for {spf.ip} at {spf.domain}",
                f"Evaluated now against the published policy of {spf.domain}, the originating "
                f"address {spf.ip} gets '{spf.result}': {spf.explanation} The policy may have "
                "changed since the message was sent.",
                strength="direct",
            )
        )
    if facts.first_trusted_hop_is_mx is False and facts.mx_domain:
        found.append(
            finding(
                "online.first_hop_not_mx",
                Severity.INFO,
                f"The first trusted hop is not an MX host of {facts.mx_domain}",
                f"The receiving side's first hop is not among the MX hosts {facts.mx_domain} "
                f"publishes today ({', '.join(facts.mx) or 'none'}). A gateway or a changed MX "
                "explains this as often as a message injected past the MX does.",
                strength="heuristic",
            )
        )
    return found


RULES = (hop_lookups, policies)
