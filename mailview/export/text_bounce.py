"""The delivery failure in plain text: the lead of the text report and of the ticket text.

A bounce is read for one question, "why didn't it arrive?", so its answer comes first:
the headline, then per failed recipient the code in words, the remote server's own
words, who refused and what to do. Every value is put on one line, so a hostile
diagnostic cannot fake report lines.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from mailview.core.bounce import BounceRecipient, BounceReport
from mailview.core.model import Report

WIDTH = 100  # as the text report's
MAX_LISTED = 10  # recipients listed in full; the rest are counted
MAX_DIAGNOSTIC = 400

KIND_NAMES = {
    "dsn": "an RFC 3464 delivery status notification",
    "ndr": "a non-delivery notice in prose",
    "ses": "an Amazon SES notification",
    "autoreply": "an automatic reply (RFC 3834)",
    "feedback": "a feedback report (RFC 5965)",
}


def selector(address: tuple[int, ...], message_count: int) -> str:
    """The `--message` value for `address`, as the text report writes it."""
    steps = address if message_count > 1 else (0, *address)
    return "/".join(str(step + 1) for step in steps)


def one_line(text: str | None, limit: int = MAX_DIAGNOSTIC) -> str:
    flat = " ".join("".join(c if c.isprintable() else " " for c in text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def bounce_lines(report: Report) -> Iterator[str]:
    """The lead of the text report: nothing for ordinary mail."""
    bounce = report.bounce
    if bounce is None:
        return
    title = "Delivery report" if bounce.is_delivery_report else "Not a bounce"
    yield from _wrap(f"{title}: {one_line(bounce.headline)}", "  ")
    yield from _wrap(_source(bounce), "    ", "  ")
    for note in bounce.notes[:8]:
        yield from _wrap(one_line(note), "    ", "  ")
    listed = bounce.recipients[:MAX_LISTED]
    for entry in listed:
        yield from _recipient(entry)
    if bounce.recipient_count > len(listed):
        yield f"  … and {bounce.recipient_count - len(listed):,} more recipients"
    if bounce.original is not None:
        yield from _wrap(_original(bounce, report.input.message_count), "    ", "  ")
    yield ""


def _source(bounce: BounceReport) -> str:
    text = f"Written by {bounce.reporting_mta or 'an unnamed server'} as {KIND_NAMES[bounce.kind]}"
    if bounce.arrival_date:
        text += f"; the message arrived there {one_line(bounce.arrival_date, 80)}"
    return text + "."


def _recipient(entry: BounceRecipient) -> Iterator[str]:
    state = entry.state
    mark = "✗" if entry.action == "failed" else "…" if entry.action == "delayed" else "•"
    yield from _wrap(
        f"{mark} {one_line(entry.address or '(recipient not named)', 200)} — {state}",
        "      ",
        "  ",
    )
    yield from _wrap(f"status {entry.explanation}", "          ", "      ")
    yield from _wrap(f"reason: {entry.reason} — {entry.sentence}", "          ", "      ")
    if entry.diagnostic:
        yield from _wrap(f"server said: {one_line(entry.diagnostic)}", "          ", "      ")
    if entry.remote_mta:
        yield from _wrap(f"refused by: {one_line(entry.remote_mta, 200)}", "          ", "      ")
    if entry.last_attempt:
        yield from _wrap(
            f"last attempt: {one_line(entry.last_attempt, 80)}", "          ", "      "
        )
    yield from _wrap(f"what to do: {entry.hint}", "          ", "      ")


def _original(bounce: BounceReport, message_count: int) -> str:
    original = bounce.original
    assert original is not None
    what = "its header block" if original.headers_only else "the message"
    text = f"Returned original ({what}): '{one_line(original.subject or '(no subject)', 120)}'"
    if original.from_:
        text += f" from {one_line(original.from_, 120)}"
    if original.address is not None:
        text += f"; analyse it with --message {selector(original.address, message_count)}"
    return text + "."


def ticket_lines(report: Report) -> Iterator[str]:
    """The few ticket lines: headline and one line per failed recipient."""
    bounce = report.bounce
    if bounce is None:
        return
    title = "Delivery failed" if bounce.failed else "Delivery report"
    if not bounce.is_delivery_report:
        title = "Not a bounce"
    yield f"{title}: {one_line(bounce.headline, 250)}"
    for entry in bounce.failed[:5]:
        said = f" — {one_line(entry.diagnostic, 160)}" if entry.diagnostic else ""
        where = f" at {one_line(entry.remote_mta, 80)}" if entry.remote_mta else ""
        yield (
            f"- {one_line(entry.address or '?', 120)}: {entry.status or 'no code'} "
            f"{entry.reason}{where}{said}"
        )
    if len(bounce.failed) > 5:
        yield f"- … {len(bounce.failed) - 5} more"


def _wrap(text: str, indent: str, first: str = "") -> Iterator[str]:
    yield from textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=indent, break_on_hyphens=False
    ) or [first]
