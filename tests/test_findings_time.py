"""Date-header rules: each raises its finding on the case it is about, and stays quiet on
the near miss next to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailview.core.chain import (
    route_from_headers,
)
from mailview.core.errors import InputError
from mailview.core.findings import time as rules
from mailview.core.findings.context import Rule, RuleContext
from mailview.core.load import load_bytes
from mailview.core.model import Finding, Severity
from tests.corpus import CORPUS, corpus_files

NOW = datetime(2024, 11, 13, tzinfo=UTC)


def context(data: bytes, now: datetime = NOW) -> RuleContext:
    message = load_bytes(data)[0]
    route = route_from_headers(message.headers)
    return RuleContext(message, message.headers, route, now)


def message(date: str | None, *stamps: str) -> bytes:
    """Received headers stamped `stamps` (newest first), then the Date header."""
    lines = [
        f"Received: from h{i}.example (h{i}.example [192.0.2.{i + 1}]) by mx{i}.example"
        f" with ESMTP id {i}; {stamp}"
        for i, stamp in enumerate(stamps)
    ]
    if date is not None:
        lines.append(f"Date: {date}")
    lines += ["From: a@example.com", "Subject: hi", "", "body", ""]
    return "\r\n".join(lines).encode()


def run(rule: Rule, data: bytes, now: datetime = NOW) -> list[Finding]:
    return list(rule(context(data, now)))


SENT = "Tue, 12 Nov 2024 09:00:00 +0000"
DELIVERED = "Tue, 12 Nov 2024 09:00:30 +0000"


def test_unreadable_date() -> None:
    found = run(rules.date_unreadable, message("Whenever", DELIVERED, SENT))
    assert [(f.code, f.severity) for f in found] == [("time.date_unparseable", Severity.LOW)]
    assert "'Whenever'" in found[0].detail
    assert found[0].evidence[0].header_name == "Date"


@pytest.mark.parametrize("date", [SENT, None])  # a readable Date, or none at all
def test_readable_or_missing_date_is_not_unreadable(date: str | None) -> None:
    assert run(rules.date_unreadable, message(date, DELIVERED)) == []


@pytest.mark.parametrize(
    ("date", "words"),
    [
        ("Tue, 12 Nov 2024 09:00:00 -0000", "'-0000'"),
        ("Tue, 12 Nov 2024 09:00:00", "no time zone"),
    ],
)
def test_date_without_zone(date: str, words: str) -> None:
    found = run(rules.date_without_zone, message(date, DELIVERED))
    assert [(f.code, f.severity) for f in found] == [("time.date_no_zone", Severity.INFO)]
    assert words in found[0].detail


def test_date_with_zone_is_quiet() -> None:
    assert run(rules.date_without_zone, message("Tue, 12 Nov 2024 10:00:00 +0100")) == []


def test_date_in_the_future() -> None:
    found = run(rules.date_in_future, message("Fri, 15 Nov 2024 09:00:00 +0000"))
    assert [(f.code, f.severity) for f in found] == [("time.date_in_future", Severity.MEDIUM)]
    assert "2 d 9 h" in found[0].title


def test_date_a_few_hours_ahead_is_not_the_future() -> None:
    assert run(rules.date_in_future, message("Wed, 13 Nov 2024 20:00:00 +0000")) == []


def test_date_after_delivery() -> None:
    data = message("Tue, 12 Nov 2024 11:00:00 +0000", DELIVERED, SENT)
    found = run(rules.date_against_route, data)
    assert [(f.code, f.severity) for f in found] == [("time.date_after_delivery", Severity.MEDIUM)]
    assert found[0].strength == "correlated"
    assert [e.header_name for e in found[0].evidence] == ["Date", "Received"]


def test_date_after_first_hop_but_before_delivery_is_low() -> None:
    data = message("Tue, 12 Nov 2024 10:00:00 +0000", "Tue, 12 Nov 2024 12:00:00 +0000", SENT)
    found = run(rules.date_against_route, data)
    assert [(f.code, f.severity) for f in found] == [("time.date_after_delivery", Severity.LOW)]


@pytest.mark.parametrize(
    ("date", "severity"),
    [
        ("Tue, 12 Nov 2024 06:00:00 +0000", Severity.LOW),  # three hours before
        ("Sat, 9 Nov 2024 09:00:00 +0000", Severity.MEDIUM),  # three days before
    ],
)
def test_date_long_before_the_first_hop(date: str, severity: Severity) -> None:
    found = run(rules.date_against_route, message(date, DELIVERED, SENT))
    assert [(f.code, f.severity) for f in found] == [("time.date_before_route", severity)]


@pytest.mark.parametrize(
    "date",
    [
        "Tue, 12 Nov 2024 08:59:58 +0000",  # seconds before sending: the normal case
        "Tue, 12 Nov 2024 07:30:00 +0000",  # ninety minutes in an outbox
        "Tue, 12 Nov 2024 09:10:00 +0000",  # ten minutes of clock drift
        "Tue, 12 Nov 2024 10:00:00 +0100",  # the same moment in another zone
        "Tue, 12 Nov 2024 18:00:00",  # no zone: local time could be UTC+9
    ],
)
def test_date_consistent_with_the_route(date: str) -> None:
    assert run(rules.date_against_route, message(date, DELIVERED, SENT)) == []


def test_no_route_no_comparison() -> None:
    assert run(rules.date_against_route, message("Sat, 9 Nov 2024 09:00:00 +0000")) == []


@pytest.mark.corpus
def test_corpus_sweep_never_raises() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    for path in files:
        try:
            ctx = context(path.read_bytes())
        except InputError:
            continue
        for rule in rules.RULES:
            for found in rule(ctx):
                assert found.code.startswith("time."), path
