"""Rules about the Date header: unreadable, zoneless, in the future, or at odds with the route.

Strategy: the Date header is written by the sender's mail program, the Received dates by
the servers on the way. The sender writes Date when the message is composed or sent;
servers stamp it as it passes. So Date should come a little before the oldest hop and
never after the newest (delivery). Mail held in an outbox or a queue legitimately waits
hours, hence graded thresholds; a Date after delivery, or days in the future, means a
wrong clock or a Date written to make an old message look new (or the reverse).
The route's own dates are judged in `route.py`; only the Date header is judged here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from mailview.core.dates import parse_date
from mailview.core.findings.context import RuleContext, describe_delay, finding, hop_evidence
from mailview.core.model import Evidence, Finding, HeaderField, Hop, ParsedDate, Severity

# Outbox, offline laptop, a queue behind a slow relay: a couple of hours is ordinary.
BEFORE_LOW_S = 2 * 3600.0
BEFORE_MEDIUM_S = 24 * 3600.0
# Sender and server clocks disagree by seconds to minutes on a normal day.
AFTER_TOLERANCE_S = 15 * 60.0
FUTURE_S = 24 * 3600.0
# A Date without a zone (or with a zone name nobody agrees on) is local time at an unknown
# offset; read as UTC it may be off by up to 14 hours either way (UTC-12 to UTC+14).
UNKNOWN_ZONE_SLACK_S = 14 * 3600.0


def _date_field(ctx: RuleContext) -> HeaderField | None:
    return ctx.first("date")


def _parsed(field: HeaderField) -> ParsedDate | None:
    return _parsed_value(field.value)


# The four Date rules of a message read the same value: it is parsed once. One entry is
# all they need, and all it keeps, however long the value.
@functools.lru_cache(maxsize=1)
def _parsed_value(value: str) -> ParsedDate | None:
    return parse_date(value)


def _evidence(field: HeaderField) -> Evidence:
    return Evidence(field.index, field.name, field.raw)


def date_unreadable(ctx: RuleContext) -> Iterator[Finding]:
    field = _date_field(ctx)
    if field is None or _parsed(field) is not None:
        return
    shown = field.value.strip()[:80] or "(empty)"
    yield finding(
        "time.date_unparseable",
        Severity.LOW,
        "The Date header cannot be read",
        f"The Date header says '{shown}', which is not a date a mail program writes. "
        "Every standard mail program writes a well-formed date; a garbled one points to "
        "hand-made or bulk-sending software.",
        [_evidence(field)],
    )


def date_without_zone(ctx: RuleContext) -> Iterator[Finding]:
    field = _date_field(ctx)
    parsed = None if field is None else _parsed(field)
    if field is None or parsed is None or parsed.offset_minutes is not None:
        return
    how = (
        "gives '-0000', which says the sender's time zone is unknown"
        if "-0000" in field.value
        else "gives no time zone the analysis can rely on"
    )
    yield finding(
        "time.date_no_zone",
        Severity.INFO,
        "The Date header has no time zone",
        f"The Date header {how}; it was read as UTC, so comparisons with the route may "
        "be off by the sender's offset.",
        [_evidence(field)],
    )


def date_in_future(ctx: RuleContext) -> Iterator[Finding]:
    field = _date_field(ctx)
    parsed = None if field is None else _parsed(field)
    if field is None or parsed is None:
        return
    ahead = (parsed.utc - ctx.now).total_seconds()
    if ahead <= FUTURE_S:
        return
    yield finding(
        "time.date_in_future",
        Severity.MEDIUM,
        f"The Date header is {describe_delay(ahead)} in the future",
        f"The message says it was written {describe_delay(ahead)} after the time of this "
        "analysis. The sender's clock is badly wrong, or the date was set on purpose — "
        "bulk senders do it to keep their message at the top of a date-sorted inbox.",
        [_evidence(field)],
    )


def date_against_route(ctx: RuleContext) -> Iterator[Finding]:
    field = _date_field(ctx)
    parsed = None if field is None else _parsed(field)
    dated = [h for h in ctx.route.hops if h.fields.date is not None]
    if field is None or parsed is None or not dated:
        return
    slack = _zone_slack(field, parsed)
    found = _after_route(field, parsed, dated, slack) or _before_route(
        field, parsed, dated[0], slack
    )
    if found is not None:
        yield found


def _zone_slack(field: HeaderField, parsed: ParsedDate) -> float:
    """Extra tolerance when the Date's offset is unknown; "-0000" means UTC (RFC 5322 §3.3)."""
    if parsed.offset_minutes is not None or "-0000" in field.value:
        return 0.0
    return UNKNOWN_ZONE_SLACK_S


def _hop_time(hop: Hop) -> float:
    date = hop.fields.date
    return 0.0 if date is None else date.utc.timestamp()


def _after_route(
    field: HeaderField, parsed: ParsedDate, dated: list[Hop], slack: float
) -> Finding | None:
    """Date later than a hop: medium when later than delivery, low when only than hop 1."""
    written = parsed.utc.timestamp()
    last, first = dated[-1], dated[0]
    after_last = written - _hop_time(last)
    after_first = written - _hop_time(first)
    if after_last > AFTER_TOLERANCE_S + slack:
        return finding(
            "time.date_after_delivery",
            Severity.MEDIUM,
            f"Written {describe_delay(after_last)} after it was delivered",
            f"The Date header is {describe_delay(after_last)} later than the last server "
            f"stamp (hop {last.index}), i.e. after the message had already arrived. The "
            "sender's clock is wrong or the Date header was forged.",
            [_evidence(field), hop_evidence(last)],
            strength="correlated",
        )
    if after_first > AFTER_TOLERANCE_S + slack:
        return finding(
            "time.date_after_delivery",
            Severity.LOW,
            f"Written {describe_delay(after_first)} after the first server saw it",
            f"The Date header is {describe_delay(after_first)} later than the oldest "
            f"server stamp (hop {first.index}). A message cannot be written after it was "
            "sent: one of the two clocks is wrong, or the Date header was changed.",
            [_evidence(field), hop_evidence(first)],
            strength="correlated",
        )
    return None


def _before_route(
    field: HeaderField, parsed: ParsedDate, first: Hop, slack: float
) -> Finding | None:
    gap = _hop_time(first) - parsed.utc.timestamp()
    if gap <= BEFORE_LOW_S + slack:
        return None
    severe = gap > BEFORE_MEDIUM_S + slack
    return finding(
        "time.date_before_route",
        Severity.MEDIUM if severe else Severity.LOW,
        f"Written {describe_delay(gap)} before it was sent",
        f"The Date header is {describe_delay(gap)} earlier than the oldest server stamp "
        f"(hop {first.index}). Mail held in an outbox or a queue waits a while, "
        + (
            "but days rather than hours suggest an old message sent again, or a Date "
            "header written to mislead."
            if severe
            else "so this may be harmless; a long gap can also mean a re-sent old message."
        ),
        [_evidence(field), hop_evidence(first)],
        strength="correlated",
    )


RULES = (date_unreadable, date_without_zone, date_in_future, date_against_route)
