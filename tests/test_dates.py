"""parse_date: RFC 5322 §3.3 date-time, the §4.3 obsolete forms, and what MTAs write.

Expected instants were worked out by hand from each text (local time minus offset).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailview.core.dates import parse_date


def utc(
    year: int, month: int, day: int, hour: int, minute: int, second: int, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


# (text, expected UTC instant, expected offset in minutes east of UTC)
GOOD: list[tuple[str, datetime, int | None]] = [
    # RFC 5322 §3.3 with a zone comment
    ("Tue, 15 May 2001 23:40:33 +0000 (Eire)", utc(2001, 5, 15, 23, 40, 33), 0),
    ("Mon, 6 Jun 2022 10:00:00 -0300 (-03)", utc(2022, 6, 6, 13, 0, 0), -180),
    ("Fri,  7 Dec 2001 10:47:43 +1100 (EST)", utc(2001, 12, 6, 23, 47, 43), 660),
    ("Thu, 10 Nov 2022 04:27:15 +0100 (CET)", utc(2022, 11, 10, 3, 27, 15), 60),
    # no weekday; "-0000" = offset unknown, time read as UTC (§3.3)
    ("16 Dec 2002 14:31:36 -0000", utc(2002, 12, 16, 14, 31, 36), None),
    ("Thu, 6 Dec 2001 09:21:06 -0000 (GMT)", utc(2001, 12, 6, 9, 21, 6), None),
    # named zones, §4.3 obs-zone and well-known others
    ("Sun, 07 Feb 2010 14:02:38 PST", utc(2010, 2, 7, 22, 2, 38), -480),
    ("Fri, 29 Jun 2012 05:06:37 PDT", utc(2012, 6, 29, 12, 6, 37), -420),
    ("Thu, 1 Jan 2015 00:30:00 EDT", utc(2015, 1, 1, 4, 30, 0), -240),
    ("Mon, 6 Jun 2022 10:00:00 CST", utc(2022, 6, 6, 16, 0, 0), -360),
    ("Mon, 6 Jun 2022 10:00:00 GMT", utc(2022, 6, 6, 10, 0, 0), 0),
    ("Mon, 6 Jun 2022 10:00:00 UT", utc(2022, 6, 6, 10, 0, 0), 0),
    ("Mon, 6 Jun 2022 10:00:00 UTC", utc(2022, 6, 6, 10, 0, 0), 0),
    ("Mon, 6 Jun 2022 10:00:00 CEST", utc(2022, 6, 6, 8, 0, 0), 120),
    # ambiguous or unknown names and military letters: -0000 per §4.3
    ("Mon, 6 Jun 2022 10:00:00 IST", utc(2022, 6, 6, 10, 0, 0), None),
    ("Mon, 6 Jun 2022 10:00:00 A", utc(2022, 6, 6, 10, 0, 0), None),
    ("Mon, 6 Jun 2022 10:00:00 Z", utc(2022, 6, 6, 10, 0, 0), None),
    # §4.3 obs-year: 2 digits < 50 → 20xx, else 19xx; 3 digits + 1900; missing seconds
    ("6 Jun 22 10:00 +0200", utc(2022, 6, 6, 8, 0, 0), 120),
    ("6 Jun 99 10:00:00 +0000", utc(1999, 6, 6, 10, 0, 0), 0),
    ("6 Jun 49 10:00:00 +0000", utc(2049, 6, 6, 10, 0, 0), 0),
    ("6 Jun 50 10:00:00 +0000", utc(1950, 6, 6, 10, 0, 0), 0),
    ("Thu, 6 Jun 102 10:00:00 +0000", utc(2002, 6, 6, 10, 0, 0), 0),
    # fractional seconds and the Go monotonic suffix (SendGrid)
    (
        "Fri, 08 Apr 2022 12:34:56.789123 +0000 (UTC) m=+0.123456789",
        utc(2022, 4, 8, 12, 34, 56, 789123),
        0,
    ),
    # no zone at all: offset unknown
    ("Wed, 19 Jun 2002 20:50:49", utc(2002, 6, 19, 20, 50, 49), None),
    # comments anywhere count as whitespace (RFC 5322 CFWS)
    ("Mon, 6 Jun 2022 10:00:00 (a comment) +0200", utc(2022, 6, 6, 8, 0, 0), 120),
    ("Mon, 6 (x (nested)) Jun 2022 10:00 +0000", utc(2022, 6, 6, 10, 0, 0), 0),
    # extra whitespace, and a date folded across lines
    ("  Mon,   6  Jun  2022   10:00:00   +0000  ", utc(2022, 6, 6, 10, 0, 0), 0),
    ("Fri, 07 Dec 2001\r\n    10:47:44 +1100 (EST)", utc(2001, 12, 6, 23, 47, 44), 660),
    ("Sat, 5 Oct 2024  00:48:25 GMT (GMT)", utc(2024, 10, 5, 0, 48, 25), 0),
    # full names, leap second
    ("Tuesday, 7 June 2022 10:00:00 +0100", utc(2022, 6, 7, 9, 0, 0), 60),
    ("31 Dec 1998 23:59:60 +0000", utc(1999, 1, 1, 0, 0, 0), 0),
    # ISO 8601 as some MTAs (and Go's time.String) write it
    ("2022-04-08T12:34:56.789Z", utc(2022, 4, 8, 12, 34, 56, 789000), 0),
    ("2022-04-08T14:34:56+02:00", utc(2022, 4, 8, 12, 34, 56), 120),
    (
        "2022-04-08 11:30:22.555545384 +0000 UTC m=+0.473290447",
        utc(2022, 4, 8, 11, 30, 22, 555545),
        0,
    ),
    # C ctime() / date(1)
    ("Mon Jun  6 10:00:00 2022", utc(2022, 6, 6, 10, 0, 0), None),
    ("Mon Jun 6 10:00:00 EDT 2022", utc(2022, 6, 6, 14, 0, 0), -240),
]


@pytest.mark.parametrize(("text", "instant", "offset"), GOOD)
def test_reads_date(text: str, instant: datetime, offset: int | None) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.utc == instant
    assert parsed.utc.tzinfo is UTC
    assert parsed.offset_minutes == offset
    assert parsed.text == text.strip()


BAD = [
    "",
    "   ",
    "Foo 99",
    "tomorrow",
    "Mon, 6 Foo 2022 10:00:00 +0000",  # no such month
    "Mon, 32 Jan 2022 10:00:00 +0000",  # day 32
    "Mon, 30 Feb 2022 10:00:00 +0000",  # 30 February
    "6 Jun 2022 25:00:00 +0000",  # hour 25
    "6 Jun 2022 10:61:00 +0000",  # minute 61
    "1 Jan 0000 10:00:00 +0000",  # year 0
    "1 Jan 1899 10:00:00 +0000",  # §3.3: four-digit years are 1900 or later
    "Mon, 6 Jun 2022 10:00:00 +2500",  # offset beyond a day
    "Mon, 6 Jun 2022 10:00:00 +0075",  # 75 minutes
    "Funday, 6 Jun 2022 10:00:00 +0000",  # not a weekday
    "2022-13-01T00:00:00Z",  # month 13
    "Mon, 6 Jun 2022",  # no time
    "(Mon, 6 Jun 2022 10:00:00 +0000)",  # all comment
    "x" * 100_000,
]


@pytest.mark.parametrize("text", BAD)
def test_rejects_non_dates(text: str) -> None:
    assert parse_date(text) is None


def test_minus_zero_and_plus_zero_name_the_same_instant() -> None:
    unknown = parse_date("16 Dec 2002 14:31:36 -0000")
    known = parse_date("16 Dec 2002 14:31:36 +0000")
    assert unknown is not None and known is not None
    assert unknown.utc == known.utc
    assert (unknown.offset_minutes, known.offset_minutes) == (None, 0)
