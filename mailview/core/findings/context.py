"""What a finding rule may look at: the parsed message, read-only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar, cast

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
from mailview.core.record import record
from mailview.present.durations import describe_delay as describe_delay  # noqa: PLC0414

if TYPE_CHECKING:  # indicators imports the address parser, which builds findings
    from mailview.core.indicators import Content

_T = TypeVar("_T")


@record
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
    # The headers by lower-cased name, in order: dozens of rules ask for one name, and
    # scanning every header for each was a tenth of the rules' time.
    by_name: Mapping[str, tuple[HeaderField, ...]] = field(init=False, repr=False, compare=False)
    # What several rules derive alike (the link targets, the List-* organisations), made
    # by the first rule that asks for it: see `once`.
    shared: dict[Callable[[RuleContext], object], object] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", _by_name(self.headers))
        object.__setattr__(self, "shared", {})

    def once(self, make: Callable[[RuleContext], _T]) -> _T:
        """`make(self)`, made for the first rule that asks and handed to the others as it
        is: what `make` returns is read, never changed."""
        try:
            return cast(_T, self.shared[make])
        except KeyError:
            made = make(self)
            self.shared[make] = made
            return made

    def named(self, name: str) -> tuple[HeaderField, ...]:
        """The headers called `name` (lower case), in order."""
        return self.by_name.get(name, ())

    def first(self, name: str) -> HeaderField | None:
        """The first header called `name` (lower case), or None."""
        found = self.by_name.get(name)
        return found[0] if found else None


def _by_name(headers: tuple[HeaderField, ...]) -> dict[str, tuple[HeaderField, ...]]:
    index: dict[str, list[HeaderField]] = {}
    for header in headers:
        index.setdefault(header.name.lower(), []).append(header)
    return {name: tuple(found) for name, found in index.items()}


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
