"""Reading the date-time written in Date: and Received: headers.

Strategy: match one of three anchored shapes, cleaning the text first when needed.

1. Fast path: the usual "Mon, 6 Jun 2022 10:00:00 +0000 (UTC)" is matched as written;
   the anchored pattern simply stops after the zone.
2. Otherwise clean: reject anything longer than any date could be (keeps the work
   bounded), drop comments (nested, RFC 5322 §3.2.2) such as ``(PDT)`` or ``(-03)``,
   drop the ``m=+0.123`` monotonic-clock suffix Go's ``time.Time.String()`` appends
   (SendGrid), and collapse whitespace.
3. Match, in order: the RFC 5322 §3.3 ``date-time`` with the §4.3 obsolete forms
   (optional weekday, 2- and 3-digit years, named and military zones, missing seconds),
   ISO 8601 as some MTAs write it, and the C ``ctime()``/``date(1)`` layout.
4. Validate: the numbers must make a real date and time, so month 13, hour 25 or year 0
   give None rather than a guess.

Every pattern is anchored and built from bounded quantifiers, and the cleaning runs on at
most ``_MAX_LEN`` characters, so the time spent is small whatever the input.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from mailview.core.lazy_re import LazyPattern
from mailview.core.model import ParsedDate

# A real date with a zone comment is well under 100 characters; 512 leaves room for
# odd spacing and long comments while keeping the regex work trivially bounded.
_MAX_LEN = 512

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_BY_PREFIX = {name[:3]: (number, name) for number, name in enumerate(_MONTHS, start=1)}
_WEEKDAY_BY_PREFIX = {name[:3]: name for name in _WEEKDAYS}

# RFC 5322 §4.3 obs-zone: "UT" / "GMT" / "EST" / "EDT" / "CST" / "CDT" / "MST" / "MDT" /
# "PST" / "PDT", plus zone names in wide use whose meaning is not in doubt. Names with
# more than one common meaning (IST, BST, AST, …) are deliberately absent: §4.3 says an
# unknown zone name is to be taken as "-0000" (offset unknown) rather than guessed.
_ZONES: dict[str, int] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
    "AKST": -540,
    "AKDT": -480,
    "HST": -600,
    "WET": 0,
    "WEST": 60,
    "CET": 60,
    "CEST": 120,
    "MET": 60,
    "MEST": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "JST": 540,
    "KST": 540,
    "HKT": 480,
    "AEST": 600,
    "AEDT": 660,
    "ACST": 570,
    "ACDT": 630,
    "AWST": 480,
    "NZST": 720,
    "NZDT": 780,
}

# Numeric zone written as +hhmm (RFC 5322), +hh:mm (ISO 8601), +hmm or +hh (sloppy MTAs),
# optionally after "GMT"/"UTC" as in "GMT+0200".
_ZONE = r"(?:(?:gmt|utc|ut) ?)?(?P<num>[+-](?:\d\d:\d\d|\d{3,4}|\d\d))|(?P<alpha>[a-z]{1,5})"

# The general patterns below are compiled on first use: most dates take the `_COMMON`
# shortcut and never reach them.

# RFC 5322 §3.3: date-time = [ day-of-week "," ] date time [CFWS]
#   date = day month year ; time = time-of-day zone ; time-of-day = hour ":" minute [ ":" second ]
# with §4.3 obs-day-of-week / obs-year (2 or 3 digits) / obs-zone; day and month may be
# joined by "-" as some old software wrote them. Whitespace runs are bounded (at most 9)
# so the pattern also works on uncleaned text.
_RFC5322 = LazyPattern(
    r"(?:(?P<wd>[a-z]{2,9})\.?\s{0,9},?\s{0,9})?"
    r"(?P<day>\d{1,2})(?:\s{1,9}|-)?(?P<mon>[a-z]{3,9})\.?(?:\s{1,9}|-)?(?P<year>\d{2,4})"
    r"\s{0,9},?\s{0,9}(?P<hh>\d{1,2})\s{0,9}:\s{0,9}(?P<mm>\d{1,2})"
    r"(?:\s{0,9}:\s{0,9}(?P<ss>\d{1,2})(?:[.,](?P<frac>\d{1,9}))?)?"
    r"(?:\s{0,9}(?:" + _ZONE + r"))?(?![a-z0-9:])",
    re.IGNORECASE,
)

# ISO 8601 (RFC 3339 profile and the space-separated variant): 2022-04-08T12:34:56.789Z
_ISO8601 = LazyPattern(
    r"(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})[t ]"
    r"(?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
    r"(?: ?(?:(?P<z>z)|" + _ZONE + r"))?(?![a-z0-9:])",
    re.IGNORECASE,
)

# C ctime() / date(1): "Mon Jun  6 10:00:00 2022", "Mon Jun 6 10:00:00 UTC 2022"
_CTIME = LazyPattern(
    r"(?P<wd>[a-z]{3,9}),? (?P<mon>[a-z]{3,9}) (?P<day>\d{1,2}),? "
    r"(?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2})(?:[.,](?P<frac>\d{1,9}))?)? "
    r"(?:(?:" + _ZONE + r") )?(?P<year>\d{4})(?![a-z0-9:])",
    re.IGNORECASE,
)

# Go's time.Time.String() appends the monotonic clock reading: "m=+0.123456789".
_GO_MONOTONIC = LazyPattern(r" m=[+-]?\d{1,20}(?:\.\d{1,20})?$")
_COMMENT_CHARS = LazyPattern(r"[()\\]")

# The layout nearly every MTA writes, "Mon, 6 Jun 2022 10:00:00 +0000", spelled out in
# ASCII without the options of _RFC5322. The general pattern reads any text this matches
# the same way (each of its greedy choices lands where this one does, and the final
# look-ahead, case-blind as there, is the same), so this is a shortcut, not a new reading.
_COMMON = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?([0-9]{1,2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([0-9]{4}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-5][0-9])(?i:(?![a-z0-9:]))"
)


class _Parts(NamedTuple):
    """The numbers a pattern matched, before validation."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    micro: int
    offset: int | None  # minutes east of UTC, None when unknown


def parse_date(text: str) -> ParsedDate | None:
    """Read an RFC 5322 (or obsolete, ISO 8601 or ctime) date; None when none can be read."""
    stripped = text.strip()
    # Fast path: the anchored RFC 5322 pattern ignores whatever follows the zone, so the
    # usual "…+0000 (UTC)" needs no cleaning. Without a zone a comment may be hiding one
    # ("10:00 (x) +0200"), so that and everything else is cleaned first.
    parts = _match_common(stripped) or _match_rfc5322(stripped, require_zone=True)
    if parts is None:
        work = _clean(stripped)
        if not work:
            return None
        parts = _match_rfc5322(work) or _match_iso8601(work) or _match_ctime(work)
    if parts is None:
        return None
    utc = _to_utc(parts)
    if utc is None:
        return None
    return ParsedDate(utc=utc, offset_minutes=parts.offset, text=stripped)


def _clean(text: str) -> str:
    """Comments, the Go clock suffix and extra whitespace removed; "" when too long."""
    if len(text) > _MAX_LEN:
        return ""
    if "(" in text or ")" in text:
        text = _drop_comments(text)
    text = " ".join(text.split())
    return _GO_MONOTONIC.sub("", text)


def _drop_comments(text: str) -> str:
    """Text outside (possibly nested) comments; an unclosed comment runs to the end."""
    out: list[str] = []
    depth = 0
    pos = 0
    for m in _COMMENT_CHARS.finditer(text):
        ch = m.group()
        if depth == 0:
            out.append(text[pos : m.start()])
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(text[m.start() : m.end()])  # a backslash outside comments is kept
        pos = m.end()
        if ch == "\\" and depth > 0:
            pos += 1  # quoted-pair inside a comment: the next char is literal
    if depth == 0:
        out.append(text[pos:])
    return " ".join(out)


def _match_common(text: str) -> _Parts | None:
    """The common layout (`_COMMON`) when all of it is valid; else None, and the general
    patterns decide (they also know what to do with a year 0999 or a zone +2400)."""
    m = _COMMON.match(text)
    if m is None:
        return None
    day, mon, year, hh, mm, ss, sign, zone_hh, zone_mm = m.groups()
    year_number, zone_hours = int(year), int(zone_hh)
    if year_number < 1900 or zone_hours > 23:  # as _rfc_year, _numeric_offset
        return None
    east = zone_hours * 60 + int(zone_mm)
    offset = (None if east == 0 else -east) if sign == "-" else east  # "-0000": unknown
    month = _MONTH_BY_PREFIX[mon.lower()][0]
    return _Parts(year_number, month, int(day), int(hh), int(mm), int(ss), 0, offset)


def _match_rfc5322(text: str, *, require_zone: bool = False) -> _Parts | None:
    m = _RFC5322.match(text)
    if m is None:
        return None
    weekday, mon, year, num, alpha = m.group("wd", "mon", "year", "num", "alpha")
    if not _known_weekday(weekday):
        return None
    if require_zone and num is None and alpha is None:
        return None
    month = _month_number(mon)
    year_number = _rfc_year(year)
    valid, offset = _zone_offset(num, alpha)
    if month is None or year_number is None or not valid:
        return None
    return _parts(year_number, month, m, offset)


def _match_iso8601(text: str) -> _Parts | None:
    m = _ISO8601.match(text)
    if m is None:
        return None
    year, mon, z, num, alpha = m.group("year", "mon", "z", "num", "alpha")
    valid, offset = (True, 0) if z else _zone_offset(num, alpha)
    if not valid:
        return None
    return _parts(int(year), int(mon), m, offset)


def _match_ctime(text: str) -> _Parts | None:
    m = _CTIME.match(text)
    if m is None:
        return None
    weekday, mon, year, num, alpha = m.group("wd", "mon", "year", "num", "alpha")
    if not _known_weekday(weekday):
        return None
    month = _month_number(mon)
    valid, offset = _zone_offset(num, alpha)
    if month is None or not valid:
        return None
    return _parts(int(year), month, m, offset)


def _parts(year: int, month: int, m: re.Match[str], offset: int | None) -> _Parts:
    """The numbers; one `group` call for all of them, the tuple built positionally."""
    day, hh, mm, ss, frac = m.group("day", "hh", "mm", "ss", "frac")
    micro = int(frac[:6].ljust(6, "0")) if frac else 0
    return _Parts(year, month, int(day), int(hh), int(mm), int(ss) if ss else 0, micro, offset)


def _known_weekday(word: str | None) -> bool:
    """A weekday, when written, must be one (its value is not checked against the date)."""
    if word is None:
        return True
    low = word.lower()
    full = _WEEKDAY_BY_PREFIX.get(low[:3])
    return full is not None and full.startswith(low)


def _month_number(word: str) -> int | None:
    """1-12 for "Jun", "June", "Sept", …; None for anything else."""
    low = word.lower()
    entry = _MONTH_BY_PREFIX.get(low[:3])
    return entry[0] if entry is not None and entry[1].startswith(low) else None


def _rfc_year(digits: str) -> int | None:
    """RFC 5322 §4.3 obs-year: 2 digits < 50 are 20xx, else 19xx; 3 digits add 1900."""
    value = int(digits)
    if len(digits) == 2:
        return value + (2000 if value < 50 else 1900)
    if len(digits) == 3:
        return value + 1900
    return value if value >= 1900 else None  # §3.3: "1900 or later"


def _zone_offset(num: str | None, alpha: str | None) -> tuple[bool, int | None]:
    """(valid, minutes east of UTC); the offset is None when unknown: -0000, no zone or
    a zone name whose meaning is not known."""
    if num is not None:
        return _numeric_offset(num)
    if alpha is None:
        return True, None  # no zone written: the offset is unknown, the time is read as UTC
    # §4.3: military zones and unknown names "SHOULD all be considered equivalent to -0000".
    return True, _ZONES.get(alpha.upper())


def _numeric_offset(num: str) -> tuple[bool, int | None]:
    sign = -1 if num[0] == "-" else 1
    digits = num[1:].replace(":", "")
    if len(digits) == 2:
        hours, minutes = int(digits), 0
    else:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    if hours > 23 or minutes > 59:
        return False, None
    if sign < 0 and hours == 0 and minutes == 0:
        return True, None  # RFC 5322 §3.3: "-0000" means the local offset is unknown
    return True, sign * (hours * 60 + minutes)


def _to_utc(p: _Parts) -> datetime | None:
    """The instant in UTC, or None when the fields do not make a real date and time."""
    leap = p.second == 60  # RFC 5322 §3.3 allows a leap second; fold it into the next
    try:
        local = datetime(
            p.year, p.month, p.day, p.hour, p.minute, 59 if leap else p.second, p.micro, UTC
        )
        if not leap and not p.offset:
            return local  # already UTC: no timedelta to add
        return local + timedelta(seconds=leap - 60 * (p.offset or 0))
    except (ValueError, OverflowError):
        return None
