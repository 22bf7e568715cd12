"""Rules about the input itself: what the loader found malformed, what the file held."""

from __future__ import annotations

from collections.abc import Iterator

from mailview.core.findings.context import RuleContext, finding
from mailview.core.model import Finding, Severity


def loader_defects(ctx: RuleContext) -> Iterator[Finding]:
    for defect in ctx.message.defects:
        yield finding(
            "input.malformed",
            Severity.INFO,
            "Malformed input",
            defect + " Everything else in the message was analysed.",
        )


RULES = (loader_defects,)
