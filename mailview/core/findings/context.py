"""What a finding rule may look at: the parsed message, read-only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from mailview.core.auth.model import AuthReport
from mailview.core.chain import Route
from mailview.core.model import (
    Evidence,
    Finding,
    GeoInfo,
    HeaderField,
    Hop,
    LoadedMessage,
    Severity,
)
from mailview.present.durations import describe_delay as describe_delay  # noqa: PLC0414


@dataclass(frozen=True, slots=True)
class RuleContext:
    message: LoadedMessage
    headers: tuple[HeaderField, ...]
    route: Route
    now: datetime  # timezone-aware; injected so that analysis stays reproducible
    auth: AuthReport | None = None
    hop_geo: tuple[GeoInfo | None, ...] = ()  # aligned with route.hops; empty without geo


Rule = Callable[[RuleContext], Iterable[Finding]]


def hop_evidence(hop: Hop) -> Evidence:
    """The Received header a hop came from, as evidence."""
    return Evidence(hop.header_index, hop.header_name, hop.raw)


def finding(
    code: str,
    severity: Severity,
    title: str,
    detail: str,
    evidence: Iterable[Evidence] = (),
    strength: str = "direct",
) -> Finding:
    return Finding(code, severity, title, detail, tuple(evidence), strength)
