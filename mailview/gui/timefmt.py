"""Times as the user chose to read them: in UTC, in local time, or as each header wrote
them (with the writer's own offset, which is what the header's author saw)."""

from __future__ import annotations

from datetime import timedelta, timezone

from mailview.core.model import ParsedDate

MODES = ("utc", "local", "original")


def format_moment(date: ParsedDate, mode: str) -> str:
    if mode == "local":
        local = date.utc.astimezone()
        return f"{local:%Y-%m-%d %H:%M:%S} local ({local:%z})"
    if mode == "original" and date.offset_minutes is not None:
        zone = timezone(timedelta(minutes=date.offset_minutes))
        return f"{date.utc.astimezone(zone):%Y-%m-%d %H:%M:%S %z} (as written)"
    return f"{date.utc:%Y-%m-%d %H:%M:%S} UTC"
