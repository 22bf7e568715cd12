"""The one-line triage verdict: the worst severity found, and the top findings ranked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailview.core.model import Finding

_STRENGTH_RANK = {"direct": 0, "correlated": 1, "heuristic": 2}
TOP = 3


@dataclass(frozen=True, slots=True)
class Verdict:
    level: str  # "high" | "medium" | "low" | "info" | "none"
    summary: str


def verdict(findings: Sequence[Finding]) -> Verdict:
    """`level` is the highest severity among the findings ("none" without any); `summary`
    names the top findings, worst and best-proven first, in one line for triage."""
    if not findings:
        return Verdict("none", "nothing found that looks wrong")
    ranked = sorted(
        findings,
        key=lambda f: (f.severity.rank, _STRENGTH_RANK.get(f.strength, 3)),
    )
    level = ranked[0].severity.value
    shown = "; ".join(f"{f.title} ({f.severity.value})" for f in ranked[:TOP])
    more = len(ranked) - TOP
    tail = f"; and {more} more" if more > 0 else ""
    return Verdict(level, f"{shown}{tail}")
