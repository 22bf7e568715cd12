"""The `mailview` command line.

    mailview [FILE...]                    the desktop app, FILEs open as tabs
    mailview analyze FILE... [--json]     route and findings as text or JSON
    mailview export FILE --png OUT.png    the hop diagram for a ticket, headless
    mailview batch PATH... [--out FILE]   folders and mailboxes, JSON Lines and a summary

Exit codes: 0 done, 1 an output could not be written, 2 usage error, 3 an input could not
be read as a message.

The installed `mailview` script imports this package and calls `main`: the command line
itself (`entry`) loads with the collector paused, as each command's module does, since
scripts run `mailview analyze --json FILE` once per message and its start-up counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailview.lazy_import import import_for_good

COMMANDS = ("analyze", "analyse", "export", "batch")


def main(argv: Sequence[str] | None = None) -> int:
    status: int = import_for_good("mailview.cli.entry").run_main(argv)
    return status
