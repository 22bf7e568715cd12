"""Any byte string gives a report or the core's InputError — never another exception."""

import contextlib
import functools
import time
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailview.core.analyze import (
    MAX_ROUTE_HEADERS,
    AnalysisOptions,
    analyze_bytes,
    analyze_text,
)
from mailview.core.errors import InputError
from mailview.export.json_report import report_to_dict
from mailview.export.text_report import render_text

STRICT = AnalysisOptions(strict=True)
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RECEIVED_WORDS = st.sampled_from(
    [
        "Received:", "from", "by", "with", "id", "for", "via", "ESMTPS", "(", ")", "[", "]",
        ";", "helo=", "HELO", "envelope-from", "<a@b.example>", "192.0.2.1", "[IPv6:::1]",
        "2603:10b6::1", "Tue, 12 Nov 2024 09:14:40 +0000", "(PST)", "m=+0.0", "\r\n ",
        "\r\n", "\n", "\t", "=?utf-8?q?x?=", "\x00", "\xff", "mail.example.com", "unknown",
        "Date:", "From:", "Subject:", "Message-ID:", "X-Received:", "version=TLS1_2,",
    ]
)  # fmt: skip


def check(data: bytes) -> None:
    try:
        report = analyze_bytes(data, "fuzz", options=STRICT)
    except InputError as err:
        assert err.sentence and "\n" not in err.sentence
        return
    report_to_dict(report)
    render_text(report)


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)


@SETTINGS
@given(st.lists(RECEIVED_WORDS, max_size=80).map(" ".join))
def test_received_shaped_text(text: str) -> None:
    check(text.encode("utf-8", "surrogateescape"))
    with contextlib.suppress(InputError):
        analyze_text(text, options=STRICT)


@SETTINGS
@given(st.text(max_size=400), st.binary(max_size=200))
def test_junk_around_a_real_header_block(prefix: str, junk: bytes) -> None:
    block = (
        b"Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTP id 1;"
        b" Tue, 12 Nov 2024 09:14:40 +0000\r\nFrom: x@a.example\r\nSubject: s\r\n\r\nbody\r\n"
    )
    check(prefix.encode("utf-8", "surrogateescape") + block)
    check(block + junk)
    check(block[: len(junk) % len(block)])


def seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def test_ten_thousand_received_headers_analyse_in_linear_time() -> None:
    """A safety net against quadratic work: 10x the hops must not cost ~100x the time."""

    def message(count: int, run: int) -> bytes:
        # Each run's ids differ, so no run is served from the memo caches of an earlier
        # one: the 1,000-hop message would fit them and the 10,000-hop one would not.
        lines = [
            f"Received: from h{i}.example (h{i}.example [192.0.2.{i % 250}]) by h{i + 1}.example"
            f" with ESMTP id r{run}x{i}; Tue, 12 Nov 2024 09:{i % 60:02d}:00 +0000\r\n"
            for i in range(count)
        ]
        return ("".join(lines) + "From: a@b.example\r\n\r\n").encode()

    def best(count: int, runs: int) -> float:
        inputs = [message(count, run) for run in range(runs)]
        return min(seconds(functools.partial(analyze_bytes, m, options=STRICT)) for m in inputs)

    t_small, t_large = best(1000, 3), best(10_000, 2)
    report = analyze_bytes(message(10_000, 9))
    # The route stops at its budget (the newest hops kept) and the report says so.
    assert len(report.hops) == MAX_ROUTE_HEADERS
    assert f"{10_000 - MAX_ROUTE_HEADERS:,} received headers beyond" in " ".join(report.defects)
    assert t_large < 30 * t_small + 0.5, (t_small, t_large)


def test_one_megabyte_header_analyses_quickly() -> None:
    for value in ("(" * 1_000_000, "from " + "a(" * 500_000, "by x; " + "1 " * 500_000):
        data = f"Received: {value}\r\nSubject: big\r\n\r\n".encode()
        elapsed = seconds(functools.partial(analyze_bytes, data, options=STRICT))
        assert elapsed < 5.0, (value[:20], elapsed)
