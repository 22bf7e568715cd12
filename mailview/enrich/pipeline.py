"""Online mode: the offline analysis, then what live DNS can add, in one report.

Strategy: analyse as offline; collect the questions the report raises — the public hop
addresses, the From domain's DMARC record, the envelope domain's SPF policy for the
originating address, the recipient domain's MX, the DKIM keys of the signatures — and ask
them all at once, each with a timeout and all within one overall deadline (what is left
unasked then is said so); then analyse again with the keys DNS returned so
signatures verify, and attach the answers with the moment they were looked up (they
describe today, not the delivery day). Whatever did not answer is said so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from mailview.core.analyze import AnalysisOptions
from mailview.core.auth.keys import KeyStore
from mailview.core.domains import normalise_host, same_org
from mailview.core.findings.context import finding, hop_evidence
from mailview.core.findings.registry import worst_first
from mailview.core.ipscope import EXTERNAL_SCOPES, parse_ip
from mailview.core.model import (
    DmarcRecordInfo,
    Finding,
    Hop,
    HopLookup,
    OnlineFacts,
    Report,
    Severity,
    SpfEvaluationInfo,
)
from mailview.core.summary import first_values
from mailview.enrich.dns import DeadlineResolver, Resolver, query_all
from mailview.enrich.online import (
    DmarcRecord,
    DnsKeys,
    HopOnline,
    dmarc_record,
    first_trusted_hop_is_mx,
    lookup_hops,
    mx_hosts,
)
from mailview.enrich.spf import SpfEvaluation, evaluate_spf

# Widely used public blocklists that answer DNS queries; the user's own list replaces them.
DEFAULT_DNSBL_ZONES = ("zen.spamhaus.org", "bl.spamcop.net")

Analyse = Callable[[AnalysisOptions], Report]


# Seconds all look-ups of one message may take together (each query also has its own
# lifetime): a silent resolver and a thousand hops must not hold a message for minutes.
ONLINE_DEADLINE = 20.0


@dataclasses.dataclass(frozen=True, slots=True)
class OnlineSettings:
    resolver: Resolver
    resolver_label: str  # "system" or ADDRESS[:PORT], for the report
    dnsbl_zones: Sequence[str] = DEFAULT_DNSBL_ZONES
    deadline: float = ONLINE_DEADLINE


class _BothKeys:
    """The user's own key store first (rotated keys), then live DNS."""

    def __init__(self, first: KeyStore | None, second: KeyStore) -> None:
        self._first, self._second = first, second

    def txt(self, name: str) -> bytes | None:
        found = self._first.txt(name) if self._first is not None else None
        return found if found is not None else self._second.txt(name)


def analyze_online(analyse: Analyse, options: AnalysisOptions, online: OnlineSettings) -> Report:
    """`analyse` runs the core analysis with the options it is given.

    The offline pass says what to ask; every question is then asked at once (a silent
    resolver costs about one timeout, not one per question); the final pass verifies
    signatures with the keys DNS returned, which are already in the resolver's cache.
    """
    offline = analyse(options)
    now = datetime.now(UTC)
    resolver = DeadlineResolver(online.resolver, online.deadline)
    online = dataclasses.replace(online, resolver=resolver)
    with ThreadPoolExecutor(max_workers=5) as pool:
        keys_ready = pool.submit(_prefetch_keys, offline, resolver)
        hops_ready = pool.submit(_hop_lookups, offline, online)
        facts_ready = pool.submit(_facts, offline, online, now)
        keys_ready.result()
        lookups, facts = hops_ready.result(), facts_ready.result()
    # The final pass: keys from DNS (cached by now) and the published alignment modes.
    record = facts.dmarc_record
    live = dataclasses.replace(
        options,
        keys=_BothKeys(options.keys, DnsKeys(resolver)),
        dmarc_modes=None if record is None else (record.aspf, record.adkim),
    )
    report = analyse(live)
    hop_online = tuple(
        _hop_lookup(lookups.get(h.fields.from_ip or "")) if h.fields.from_ip else None
        for h in report.hops
    )
    if resolver.skipped:
        stopped = (
            f"The look-ups stopped at their overall deadline of {online.deadline:g} s; "
            f"{resolver.skipped:,} questions were not asked, and their answers are missing."
        )
        facts = dataclasses.replace(facts, problems=(*facts.problems, stopped))
    found = _findings(report, hop_online, facts)
    return dataclasses.replace(
        report,
        online=facts,
        hop_online=hop_online,
        findings=worst_first((*report.findings, *found)),
    )


def _prefetch_keys(report: Report, resolver: Resolver) -> None:
    """Ask for every DKIM/ARC key the message names, in parallel, to fill the cache."""
    names = {
        f"{s.selector}._domainkey.{s.domain}"
        for s in (report.auth.dkim if report.auth else ())
        if s.selector and s.domain
    }
    if names:
        query_all(resolver, [(name, "TXT") for name in sorted(names)])


def _hop_lookups(report: Report, online: OnlineSettings) -> dict[str, HopOnline]:
    ips = _public_ips(report)
    if not ips:
        return {}
    need_asn = not any(g is not None and g.asn for g in report.hop_geo)
    return lookup_hops(ips, online.resolver, online.dnsbl_zones, need_asn)


def _public_ips(report: Report) -> list[str]:
    ips = [h.fields.from_ip for h in report.hops if h.ip_scope in EXTERNAL_SCOPES]
    ips += [o.ip for o in report.originators]
    return list(dict.fromkeys(ip for ip in ips if ip))


def _hop_lookup(found: HopOnline | None) -> HopLookup | None:
    if found is None:
        return None
    return HopLookup(
        ptr=found.ptr,
        fcrdns=found.fcrdns,
        asn=found.asn,
        as_org=found.as_org,
        dnsbl=tuple(found.dnsbl),
        looked_up_at=found.looked_up_at,
        problems=tuple(found.problems),
    )


def _facts(report: Report, online: OnlineSettings, now: datetime) -> OnlineFacts:
    from_domain = report.auth.alignment.from_domain if report.auth else None
    mx_domain = _recipient_domain(report)
    boundary = _boundary(report)
    with ThreadPoolExecutor(max_workers=3) as pool:
        record_ready = pool.submit(_dmarc_of, from_domain, online.resolver)
        mx_ready = pool.submit(_mx_of, mx_domain, online.resolver)
        spf = _spf(report, boundary, online.resolver)
        record, mx = record_ready.result(), mx_ready.result()
    return OnlineFacts(
        resolver=online.resolver_label,
        looked_up_at=now,
        spf=spf,
        dmarc_record=None if record is None else _dmarc_info(record),
        mx_domain=mx_domain,
        mx=mx,
        first_trusted_hop_is_mx=(
            first_trusted_hop_is_mx(mx, boundary.fields.by_host) if mx and boundary else None
        ),
    )


def _dmarc_of(domain: str | None, resolver: Resolver) -> DmarcRecord | None:
    return dmarc_record(domain, resolver) if domain else None


def _mx_of(domain: str | None, resolver: Resolver) -> tuple[str, ...]:
    return tuple(mx_hosts(domain, resolver)) if domain else ()


def _boundary(report: Report) -> Hop | None:
    index = report.trust_boundary_hop
    return None if index is None else report.hops[index - 1]


def _recipient_domain(report: Report) -> str | None:
    for check in report.auth.addresses if report.auth else ():
        if check.header == "To" and check.valid and check.address and "@" in check.address:
            return check.address.rpartition("@")[2].lower()
    return None


def _spf(report: Report, boundary: Hop | None, resolver: Resolver) -> SpfEvaluationInfo | None:
    """The originating address against the envelope domain's published policy."""
    if boundary is None or not boundary.fields.from_ip or boundary.ip_scope not in EXTERNAL_SCOPES:
        return None
    alignment = report.auth.alignment if report.auth else None
    domain = alignment.spf_domain if alignment else None
    if not domain:
        return None
    sender = _sender(report, domain)
    found: SpfEvaluation = evaluate_spf(
        boundary.fields.from_ip, domain, sender, boundary.fields.from_helo, resolver
    )
    return SpfEvaluationInfo(
        result=found.result,
        domain=found.domain,
        ip=found.ip,
        record=found.record,
        matched=found.matched,
        path=tuple(found.path),
        dns_lookups=found.dns_lookups,
        explanation=found.explanation,
    )


def _sender(report: Report, domain: str) -> str:
    path = first_values(report.headers).get("return-path")
    address = path.value.strip().strip("<>") if path is not None else ""
    return address if address.lower().endswith("@" + domain) else f"postmaster@{domain}"


def _dmarc_info(record: DmarcRecord) -> DmarcRecordInfo:
    return DmarcRecordInfo(
        domain=record.found_at,
        record=record.record,
        policy=record.p,
        subdomain_policy=record.sp,
        pct=record.pct,
        adkim=record.adkim,
        aspf=record.aspf,
        rua=tuple(record.rua),
    )


def _findings(
    report: Report, hop_online: tuple[HopLookup | None, ...], facts: OnlineFacts
) -> list[Finding]:
    found: list[Finding] = []
    for hop, lookup in zip(report.hops, hop_online, strict=True):
        if lookup is not None:
            found += _hop_findings(hop, lookup)
    found += _policy_findings(report, facts)
    return found


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


def _policy_findings(report: Report, facts: OnlineFacts) -> list[Finding]:
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
