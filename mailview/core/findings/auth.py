"""Rules about who vouches for the message; each part's own module words its findings."""

from __future__ import annotations

from collections.abc import Iterator

from mailview.core.auth.addresses import address_findings
from mailview.core.auth.alignment import alignment_findings
from mailview.core.auth.arc import arc_findings
from mailview.core.auth.dkim import dkim_findings
from mailview.core.auth.trust import statement_findings
from mailview.core.findings.context import RuleContext, finding
from mailview.core.model import Finding, Severity


def statements(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.auth is not None:
        auth = ctx.auth
        yield from statement_findings(
            auth.results, auth.received_spf, auth.trusted_authserv_ids, ctx.headers
        )


def dkim_signatures(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.auth is not None:
        from_domain = ctx.auth.alignment.from_domain
        yield from dkim_findings(ctx.auth.dkim, ctx.headers, from_domain, ctx.now)


def arc_chain(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.auth is not None:
        yield from arc_findings(ctx.auth.arc, ctx.headers)


def dmarc_alignment(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.auth is not None:
        auth = ctx.auth
        yield from alignment_findings(
            auth.alignment,
            ctx.headers,
            trusted_results=[r for r in auth.results if r.trusted],
            received_spf=auth.received_spf,
            dkim_signatures=auth.dkim,
        )


def addresses(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.auth is not None:
        yield from address_findings(ctx.auth.addresses, ctx.headers)


def unreadable_statements(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.auth is not None:
        for problem in ctx.auth.problems:
            yield finding(
                "auth.results.unparsed",
                Severity.INFO,
                "Part of an authentication statement could not be read",
                problem + " The rest of the statement was read and is shown.",
                strength="direct",
            )


RULES = (
    statements,
    dkim_signatures,
    arc_chain,
    dmarc_alignment,
    addresses,
    unreadable_statements,
)
