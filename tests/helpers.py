"""Builders for tests that need hops without going through the Received parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailview.core.chain import Route, RouteEntry, build_route
from mailview.core.model import HeaderField, ParsedDate, ReceivedFields


def at(text: str) -> ParsedDate:
    """`at("2024-11-12 09:14:40")` — a UTC timestamp as a ParsedDate."""
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return ParsedDate(utc=moment, offset_minutes=0, text=text)


def plus(date: ParsedDate, seconds: float) -> ParsedDate:
    return ParsedDate(date.utc + timedelta(seconds=seconds), 0, date.text)


def route_of(*hops_newest_first: ReceivedFields, name: str = "Received") -> Route:
    """Route from fields listed as they stand in a header block (newest on top)."""
    entries = [
        RouteEntry(HeaderField(i, name, f"hop {i}", f"{name}: hop {i}", i + 1), fields)
        for i, fields in enumerate(hops_newest_first)
    ]
    return build_route(entries)


def hop(
    from_host: str | None = None,
    from_ip: str | None = None,
    by_host: str | None = None,
    date: ParsedDate | None = None,
    **more: object,
) -> ReceivedFields:
    return ReceivedFields(
        from_host=from_host,
        from_ip=from_ip,
        by_host=by_host,
        date=date,
        **more,  # type: ignore[arg-type]
    )
