from datetime import UTC, datetime

from mailview.core.model import ParsedDate
from mailview.gui.timefmt import format_moment

DATE = ParsedDate(
    datetime(2024, 11, 12, 9, 5, 11, tzinfo=UTC), 60, "Tue, 12 Nov 2024 10:05:11 +0100"
)


def test_utc_and_as_written() -> None:
    assert format_moment(DATE, "utc") == "2024-11-12 09:05:11 UTC"
    assert format_moment(DATE, "original") == "2024-11-12 10:05:11 +0100 (as written)"


def test_unknown_offset_falls_back_to_utc_and_local_says_so() -> None:
    unknown = ParsedDate(DATE.utc, None, "Tue, 12 Nov 2024 09:05:11 -0000")
    assert format_moment(unknown, "original") == "2024-11-12 09:05:11 UTC"
    assert "local" in format_moment(DATE, "local")
