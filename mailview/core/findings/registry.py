"""The rule registry: every rule, run in order, worst findings first.

A rule is a function from a `RuleContext` to findings. Rules never raise on message
content; should one fail through a bug anyway, its failure becomes an `internal.rule_failed`
finding so the rest of the analysis is still shown (unless `strict`, as in the tests, where
the bug should surface). `run_rules` orders the result by severity, the worst first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from mailview.core.defects import BUDGET, Defect
from mailview.core.findings import attachments as attachment_rules
from mailview.core.findings import auth as auth_rules
from mailview.core.findings import content as content_rules
from mailview.core.findings import credentials as credential_rules
from mailview.core.findings import geo as geo_rules
from mailview.core.findings import identity as identity_rules
from mailview.core.findings import input as input_rules
from mailview.core.findings import links as link_rules
from mailview.core.findings import online as online_rules
from mailview.core.findings import route as route_rules
from mailview.core.findings import route_claims as route_claims_rules
from mailview.core.findings import time as time_rules
from mailview.core.findings.context import Rule, RuleContext, finding
from mailview.core.model import Finding, Severity

RULES: tuple[Rule, ...] = (
    *input_rules.RULES,
    *route_rules.RULES,
    *route_claims_rules.RULES,
    *time_rules.RULES,
    *auth_rules.RULES,
    *content_rules.RULES,
    *link_rules.RULES,
    *credential_rules.RULES,
    *attachment_rules.RULES,
    *identity_rules.RULES,
    *geo_rules.RULES,
    *online_rules.RULES,
)


def run_rules(
    ctx: RuleContext, rules: tuple[Rule, ...] = RULES, *, strict: bool = False
) -> tuple[Finding, ...]:
    found: list[Finding] = []
    for rule in rules:
        try:
            found.extend(rule(ctx))
        except Exception as err:
            if strict:
                raise
            found.append(_rule_failed(rule, err))
    return worst_first(found)


# Findings of one kind listed, at most: 100k Received lines each breaking the chain say
# nothing the first hundred do not, and would make every report and export that big.
MAX_PER_CODE = 100


def within_budget(findings: tuple[Finding, ...]) -> tuple[tuple[Finding, ...], tuple[Defect, ...]]:
    """At most `MAX_PER_CODE` findings of each code (the worst first, as given), and a
    budget defect saying how many of which code were left out."""
    if len(findings) <= MAX_PER_CODE:
        return findings, ()  # no code can be over the limit: nothing to count
    counts: Counter[str] = Counter()
    kept: list[Finding] = []
    for item in findings:
        counts[item.code] += 1
        if counts[item.code] <= MAX_PER_CODE:
            kept.append(item)
    skipped = tuple(
        Defect(
            BUDGET,
            f"{n - MAX_PER_CODE:,} more findings '{code}' were not listed "
            f"(at most {MAX_PER_CODE} of one kind).",
        )
        for code, n in counts.items()
        if n > MAX_PER_CODE
    )
    return (tuple(kept), skipped) if skipped else (findings, ())


def worst_first(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings by severity, the worst first; stable, so rule order holds within one."""
    return tuple(sorted(findings, key=lambda f: f.severity.rank))


def _rule_failed(rule: Rule, err: Exception) -> Finding:
    name = getattr(rule, "__name__", repr(rule))
    return finding(
        "internal.rule_failed",
        Severity.INFO,
        f"The check '{name}' could not run",
        f"An internal error stopped this check ({type(err).__name__}: {err}). The other "
        "results are complete; please report this message to the mailview developers.",
    )


__all__ = ["RULES", "RuleContext", "run_rules"]
