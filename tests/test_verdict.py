"""The triage verdict: worst severity first, best-proven first within it."""

from mailview.core.model import Finding, Severity
from mailview.core.verdict import verdict


def make(title: str, severity: Severity, strength: str = "direct") -> Finding:
    return Finding("x", severity, title, "detail", (), strength)


def test_no_findings_is_level_none() -> None:
    found = verdict([])
    assert (found.level, found.summary) == ("none", "nothing found that looks wrong")


def test_level_is_the_worst_and_summary_ranks_the_top_three() -> None:
    findings = [
        make("a low one", Severity.LOW),
        make("a pattern", Severity.HIGH, "heuristic"),
        make("stated", Severity.HIGH, "direct"),
        make("medium", Severity.MEDIUM),
        make("info", Severity.INFO),
    ]
    found = verdict(findings)
    assert found.level == "high"
    assert found.summary == "stated (high); a pattern (high); medium (medium); and 2 more"
