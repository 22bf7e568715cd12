"""Online mode: a stage of the one analysis, answering its questions from today's DNS.

Strategy: the analysis reads the route and headers, asks the stage its questions (public
hop addresses, the From domain's DMARC record, the envelope domain's SPF policy for the
originating address, the recipient domain's MX, the DKIM/ARC keys of the signatures —
`core.online`), and goes on with the answers: signatures are verified with the keys DNS
returned, alignment uses the published modes, and the online rules
(`core.findings.online`) read the facts like any other rule. Every question is asked at
once, each with a timeout, and all within one overall deadline (a silent resolver costs
about one timeout, not one per question; what is left unasked at the deadline is said
so); the answers are core types carrying the moment they were looked up (they
describe today, not the delivery day). Whatever did not answer is said so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from mailview.core.analyze import AnalysisOptions
from mailview.core.auth.keys import KeyStore
from mailview.core.enrichment import OnlineAnswers, OnlineQuestions, SpfQuestion
from mailview.core.model import DmarcRecord, HopLookup, OnlineFacts, Report, SpfEvaluation
from mailview.enrich.dns import DeadlineResolver, Resolver, query_all
from mailview.enrich.online import (
    DnsKeys,
    dmarc_record,
    first_trusted_hop_is_mx,
    lookup_hops,
    mx_hosts,
)
from mailview.enrich.spf import evaluate_spf
from mailview.enrich.zones import DEFAULT_DNSBL_ZONES

__all__ = [
    "DEFAULT_DNSBL_ZONES",
    "ONLINE_DEADLINE",
    "Analyse",
    "OnlineSettings",
    "OnlineStage",
    "analyze_online",
]

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


class OnlineStage:
    """The `OnlineLookup` the analysis is given in online mode."""

    def __init__(self, settings: OnlineSettings, own_keys: KeyStore | None = None) -> None:
        self.settings = settings
        self.own_keys = own_keys

    def look_up(self, questions: OnlineQuestions) -> OnlineAnswers:
        now = datetime.now(UTC)
        # One deadline for every question of this message: a resolver that never answers
        # must not hold a thousand-hop message for a thousand timeouts.
        resolver = DeadlineResolver(self.settings.resolver, self.settings.deadline)
        with ThreadPoolExecutor(max_workers=3) as pool:
            keys_ready = pool.submit(_prefetch_keys, questions.dkim_keys, resolver)
            hops_ready = pool.submit(self._hops, questions, resolver)
            facts = self._facts(questions, now, resolver)
            keys_ready.result()
            hops = hops_ready.result()
        if resolver.skipped:
            stopped = (
                f"The look-ups stopped at their overall deadline of {self.settings.deadline:g} s; "
                f"{resolver.skipped:,} questions were not asked, and their answers are missing."
            )
            facts = dataclasses.replace(facts, problems=(*facts.problems, stopped))
        return OnlineAnswers(facts, hops, _BothKeys(self.own_keys, DnsKeys(resolver)))

    def _hops(self, questions: OnlineQuestions, resolver: Resolver) -> dict[str, HopLookup]:
        if not questions.hop_ips:
            return {}
        settings = self.settings
        return lookup_hops(questions.hop_ips, resolver, settings.dnsbl_zones, questions.need_asn)

    def _facts(self, questions: OnlineQuestions, now: datetime, resolver: Resolver) -> OnlineFacts:
        with ThreadPoolExecutor(max_workers=2) as pool:
            record_ready = pool.submit(_dmarc_of, questions.from_domain, resolver)
            mx_ready = pool.submit(_mx_of, questions.recipient_domain, resolver)
            spf = _spf(questions.spf, resolver)
            record, mx = record_ready.result(), mx_ready.result()
        by_host = questions.boundary_by_host
        return OnlineFacts(
            resolver=self.settings.resolver_label,
            looked_up_at=now,
            spf=spf,
            dmarc_record=record,
            mx_domain=questions.recipient_domain,
            mx=mx,
            first_trusted_hop_is_mx=first_trusted_hop_is_mx(mx, by_host) if mx else None,
        )


def analyze_online(analyse: Analyse, options: AnalysisOptions, online: OnlineSettings) -> Report:
    """`analyse` runs the core analysis once, with the online stage among its options."""
    return analyse(dataclasses.replace(options, online=OnlineStage(online, options.keys)))


def _prefetch_keys(names: Sequence[str], resolver: Resolver) -> None:
    """Ask for every DKIM/ARC key the message names, in parallel, to fill the cache."""
    if names:
        query_all(resolver, [(name, "TXT") for name in sorted(names)])


def _dmarc_of(domain: str | None, resolver: Resolver) -> DmarcRecord | None:
    return dmarc_record(domain, resolver) if domain else None


def _mx_of(domain: str | None, resolver: Resolver) -> tuple[str, ...]:
    return tuple(mx_hosts(domain, resolver)) if domain else ()


def _spf(question: SpfQuestion | None, resolver: Resolver) -> SpfEvaluation | None:
    if question is None:
        return None
    return evaluate_spf(question.ip, question.domain, question.sender, question.helo, resolver)
