"""What `mailview batch` adds once every message is in: campaigns and the CSV queue.

A message's campaign depends on the messages after it, so the batch spools its JSON
lines and, at the end, copies them to the output with `"campaign"` added to each
document (the id, or null for a message of no campaign). The spool is read a line at a
time: memory holds the compact queue rows, never the documents.
"""

from __future__ import annotations

import argparse
import io
import sys
from typing import IO, TYPE_CHECKING, Any

from mailview.core.campaigns import Campaign, Traits, group
from mailview.export.json_report import dumps
from mailview.export.queue_csv import write_queue_csv
from mailview.export.writer import open_atomic

if TYPE_CHECKING:
    from mailview.cli.batch import Tally

SHOWN_CAMPAIGNS = 10


def finish_output(
    tally: Tally, spool: IO[bytes], sink: IO[bytes], args: argparse.Namespace
) -> None:
    """Group the campaigns, copy the spooled lines to `sink` stamped with them, and write
    the CSV when asked; a failure to write is recorded on the tally, never raised."""
    traits = [row.traits or Traits(key=f"unread:{n}") for n, row in enumerate(tally.rows)]
    grouping = group(traits)
    tally.campaigns = grouping.campaigns
    spool.flush()
    spool.seek(0)
    try:
        for line, campaign in zip(spool, grouping.assignment, strict=False):
            sink.write(stamp(line, campaign))
        sink.flush()
    except OSError as err:
        tally.write_error = (err.strerror or str(err)).lower()
    if args.csv is not None:
        _write_csv(tally, grouping.assignment, args)


def stamp(line: bytes, campaign: str | None) -> bytes:
    """One JSON line with `"campaign": …` added as its last key."""
    body = line.rstrip(b"\r\n")
    if not body.endswith(b"}"):
        return line
    value: Any = campaign
    return body[:-1] + b',"campaign":' + dumps(value, pretty=False).encode() + b"}\n"


def _write_csv(tally: Tally, assignment: tuple[str | None, ...], args: argparse.Namespace) -> None:
    campaigns = {c.id: c for c in tally.campaigns}
    try:
        # Atomic, like every output: a failed run leaves an earlier CSV as it was.
        with open_atomic(args.csv) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            write_queue_csv(
                zip(tally.rows, assignment, strict=True),
                campaigns,
                out,
                defang=not args.plain_indicators,
            )
            out.flush()
            out.detach()
    except OSError as err:
        reason = (err.strerror or str(err)).lower()
        print(f"mailview: {args.csv}: could not be written: {reason}", file=sys.stderr)
        tally.write_error = reason


def campaign_lines(campaigns: tuple[Campaign, ...]) -> list[str]:
    if not campaigns:
        return ["  campaigns          (none: no two messages share a lure and its sender)"]
    members = sum(c.size for c in campaigns)
    lines = [f"  campaigns          {len(campaigns):,} ({members:,} messages in them)"]
    lines += [f"    {c.id}  {c.explanation}" for c in campaigns[:SHOWN_CAMPAIGNS]]
    if len(campaigns) > SHOWN_CAMPAIGNS:
        lines.append(f"    … and {len(campaigns) - SHOWN_CAMPAIGNS:,} more")
    return lines
