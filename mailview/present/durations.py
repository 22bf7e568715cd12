"""How a duration is written, everywhere mailview writes one (findings included).

No imports from the rest of mailview: the analysis core words its findings with it too.
"""

from __future__ import annotations

MINUS = "\u2212"  # a real minus sign: reads better than a hyphen in a pill or a table


def describe_delay(seconds: float) -> str:
    """A duration in words an analyst reads at a glance: `3 h 04 min`, `12 s`, `-5 s`."""
    magnitude = abs(seconds)
    sign = "-" if seconds < 0 else ""
    if magnitude < 60:
        return f"{sign}{magnitude:.0f} s"
    minutes, secs = divmod(round(magnitude), 60)
    if minutes < 60:
        return f"{sign}{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{sign}{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{sign}{days} d {hours} h"


def delay_label(seconds: float) -> str:
    """`describe_delay` with a real minus sign, for pills, tables and timelines."""
    text = describe_delay(seconds)
    return MINUS + text[1:] if text.startswith("-") else text
