"""What a finding rule may look at: the parsed message, read-only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mailview.core.auth.model import AuthReport
from mailview.core.chain import Route
from mailview.core.model import (
    Evidence,
    Finding,
    GeoInfo,
    HeaderField,
    Hop,
    HopLookup,
    LoadedMessage,
    OnlineFacts,
    Severity,
)
from mailview.present.durations import describe_delay as describe_delay  # noqa: PLC0414

if TYPE_CHECKING:  # indicators imports the address parser, which builds findings
    from mailview.core.indicators import Content


@dataclass(frozen=True, slots=True)
class RuleContext:
    message: LoadedMessage
    headers: tuple[HeaderField, ...]
    route: Route
    now: datetime  # timezone-aware; injected so that analysis stays reproducible
    auth: AuthReport | None = None
    hop_geo: tuple[GeoInfo | None, ...] = ()  # aligned with route.hops; empty without geo
    content: Content | None = None  # what reading the body found (None: not read)
    online: OnlineFacts | None = None  # today's DNS, report-wide (None: offline)
    hop_online: tuple[HopLookup | None, ...] = ()  # today's DNS per hop (empty: offline)


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
