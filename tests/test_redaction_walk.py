"""Redaction over everything an export shows: no original private value in any output.

The message below carries a recipient's identity and the receiving organisation's
internal details in every place a hostile test found one surviving `--redact`: in link
URLs (plain and %40-encoded), a VERP Return-Path, an encoded-word display name, private
IPs in X-Originating-IP and Exchange's OriginalClientIPAddress, intranet URLs, internal
hosts after `@` in In-Reply-To, and the From address equal to To. Every output format is
written with `--redact` and searched, and every string field of the redacted report and
indicators is walked.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailview.core.analyze import analyze_bytes, message_at
from mailview.core.indicators import extract_indicators
from mailview.export.html_report import render_html
from mailview.export.json_indicators import indicators_to_dict
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import Redaction
from mailview.export.text_report import render_text
from mailview.export.ticket import render_ticket

MESSAGE = """\
Return-Path: <bounces+bob.jones=contoso.com@lists.example.net>
Received: from mbox7.contoso.com (10.1.2.3) by mx01.contoso.com with ESMTP id 7;
 Mon, 1 Jan 2024 10:00:05 +0000
Received: from relay.example.net (relay.example.net [198.51.100.9])
 by mx01.contoso.com with ESMTPS id 6 for <bob.jones@contoso.com>;
 Mon, 1 Jan 2024 10:00:01 +0000
From: {sender}
To: =?utf-8?Q?J=C3=B6rg_Bauer?= <joerg.bauer@contoso.com>, bob.jones@contoso.com
Subject: Your mailbox
Date: Mon, 1 Jan 2024 09:59:58 +0000
Message-ID: <m1@lists.example.net>
In-Reply-To: <prev.77@exch02.corp.contoso.com>
X-Originating-IP: [10.20.30.40]
X-MS-Exchange-Organization-OriginalClientIPAddress: 172.16.5.6
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<a href="http://track.example.net/c?u=bob.jones%40contoso.com">open</a>
<a href="http://intranet/wiki/Mailbox">wiki</a>
<a href="https://portal.contoso.local/reset?for=joerg.bauer@contoso.com">reset</a>
<a href="http://10.9.8.7/admin">admin</a>
"""

PRIVATE = (
    "bob.jones@contoso.com",
    "bob.jones%40contoso.com",
    "bob.jones=contoso.com",
    "joerg.bauer@contoso.com",
    "J=C3=B6rg_Bauer",
    "Jörg Bauer",
    "10.1.2.3",
    "10.20.30.40",
    "172.16.5.6",
    "10.9.8.7",
    "//intranet",
    "portal.contoso.local",
    "exch02.corp.contoso.com",
    "mx01.contoso.com",
    "mbox7.contoso.com",
)
SENDERS = ("Service Desk <desk@lists.example.net>", "bob.jones@contoso.com")


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [value for value in PRIVATE if value.lower() in lowered]


def strings(value: object) -> Iterator[str]:
    """Every string inside a report or indicators: dataclasses, tuples, lists, dicts."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from strings(getattr(value, field.name))


@pytest.fixture(params=SENDERS, ids=["other-sender", "from-equals-to"])
def message(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / "reported.eml"
    path.write_text(MESSAGE.format(sender=request.param))
    return path


def test_the_message_really_holds_every_private_value(message: Path) -> None:
    data = message.read_bytes()
    report = analyze_bytes(data, message.name)
    document = report_to_dict(report)
    document["indicators"] = indicators_to_dict(
        extract_indicators(report, message_at(data, report))
    )
    assert set(PRIVATE) - set(leaks(dumps(document, pretty=False))) == set()


def test_every_string_field_of_the_redacted_report_and_indicators(message: Path) -> None:
    data = message.read_bytes()
    report = analyze_bytes(data, message.name)
    indicators = extract_indicators(report, message_at(data, report))
    redaction = Redaction.of(report, indicators, own_domains=("contoso.com",))
    shown_report, shown_indicators = redaction.apply(report), redaction.apply(indicators)
    found = {leak for text in strings((shown_report, shown_indicators)) for leak in leaks(text)}
    assert found == set()
    # The evidence the report is shared for stays.
    assert "relay.example.net" in dumps(report_to_dict(shown_report), pretty=False)
    assert "198.51.100.9" in render_text(shown_report)


def test_every_in_process_format(message: Path) -> None:
    data = message.read_bytes()
    report = analyze_bytes(data, message.name)
    indicators = extract_indicators(report, message_at(data, report))
    redaction = Redaction.of(report, indicators)
    shown, ind = redaction.apply(report), redaction.apply(indicators)
    said = redaction.as_map()
    document = report_to_dict(shown)
    document["indicators"] = indicators_to_dict(ind)
    for defang in (True, False):
        outputs = {
            "json": dumps(document, pretty=True),
            "text": render_text(shown),
            "ticket": render_ticket(shown, indicators=ind),
            "markdown": render_markdown(shown, indicators=ind, defang=defang, redacted=said),
            "html": render_html(shown, indicators=ind, defang=defang, redacted=said),
        }
        assert {name: leaks(text) for name, text in outputs.items() if leaks(text)} == {}


def test_every_file_the_export_command_writes(message: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    names = {"--json": "r.json", "--md": "r.md", "--html": "r.html", "--svg": "r.svg"}
    options = [part for option, name in names.items() for part in (option, str(out / name))]
    for extra in ([], ["--plain-indicators"]):
        command = [sys.executable, "-m", "mailview", "export", str(message), "--redact"]
        done = subprocess.run(
            [*command, *options, *extra, "--force"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        written = {p.name: p.read_bytes().decode("utf-8", "replace") for p in out.iterdir()}
        assert set(written) >= {"r.json", "r.md", "r.html", "r.svg", "r.png"}
        assert {name: leaks(text) for name, text in written.items() if leaks(text)} == {}
