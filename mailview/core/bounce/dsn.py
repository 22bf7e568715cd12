"""The machine-readable part of a delivery status notification (RFC 3464 §2).

Strategy: the message/delivery-status body is a per-message block then one block per
recipient, each a header block (RFC 3464 §2.1). Senders get this wrong in every way
(one block for everything, missing blank lines, fields in the wrong block), so fields
are read wherever they stand: a block is a recipient's when it names one or carries an
Action or Status. Recipients past `MAX_RECIPIENTS` are counted, not kept.
"""

from __future__ import annotations

import re
from dataclasses import field

from mailview.core.record import mutable_record

MAX_RECIPIENTS = 500
MAX_BLOCKS = 100_000  # a hostile report is read this far and no further

Block = list[tuple[str, str]]  # (lower-case name, unfolded value)

_RECIPIENT_FIELDS = frozenset(
    {"final-recipient", "original-recipient", "x-actual-recipient", "action", "status"}
)


@mutable_record
class RawRecipient:
    fields: dict[str, str] = field(default_factory=dict)


@mutable_record
class RawReport:
    per_message: dict[str, str] = field(default_factory=dict)
    recipients: list[RawRecipient] = field(default_factory=list)
    count: int = 0  # recipient blocks seen (kept or not)


def split_blocks(text: str) -> list[Block]:
    """Header-like blocks separated by blank lines; folds joined (RFC 5322 §2.2.3)."""
    blocks: list[Block] = []
    current: Block = []
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
                if len(blocks) >= MAX_BLOCKS:
                    return blocks
            continue
        if line[0] in " \t" and current:
            name, value = current[-1]
            current[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if colon and _FIELD_NAME.fullmatch(name.strip()):
            current.append((name.strip().lower(), value.strip()))
    if current:
        blocks.append(current)
    return blocks


# RFC 5322 §3.6.8: field-name = 1*ftext (printable US-ASCII except ":")
_FIELD_NAME = re.compile(r"[!-9;-~]{1,76}")


def read_blocks(blocks: list[Block]) -> RawReport:
    report = RawReport()
    for block in blocks:
        names = {name for name, _ in block}
        if not names & _RECIPIENT_FIELDS:
            for name, value in block:
                report.per_message.setdefault(name, value)
            continue
        report.count += 1
        if len(report.recipients) >= MAX_RECIPIENTS:
            continue
        recipient = RawRecipient()
        for name, value in block:
            if name in ("reporting-mta", "arrival-date", "received-from-mta"):
                report.per_message.setdefault(name, value)
            recipient.fields.setdefault(name, value)
        report.recipients.append(recipient)
    return report


def typed_value(value: str | None, *, address: bool = False) -> str | None:
    """`rfc822; a@b` or `dns; mx.example` without its type (RFC 3464 §2.1.2), or None."""
    if value is None:
        return None
    kind, semi, rest = value.partition(";")
    text = (rest if semi and " " not in kind.strip() else value).strip()
    if address:
        text = text.strip("<>").strip()
    return text or None
