"""The `mailview` command line.

    mailview [FILE...]                    the desktop app, FILEs open as tabs
    mailview analyze FILE... [--json]     route and findings as text or JSON
    mailview export FILE --png OUT.png    the hop diagram for a ticket, headless
    mailview batch PATH... [--out FILE]   folders and mailboxes, JSON Lines and a summary

Exit codes: 0 done, 1 an output could not be written, 2 usage error, 3 an input could not
be read as a message.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from mailview import __version__
from mailview.cli import analyze, batch, export
from mailview.cli.status import EXIT_FAILED, EXIT_USAGE

COMMANDS = ("analyze", "export", "batch")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailview",
        description="Where an email has been, who vouches for it, and what is off about it. "
        "Without a command, opens the desktop app with the FILEs given.",
    )
    parser.add_argument("--version", action="version", version=f"mailview {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    analyze.add_parser(commands)
    export.add_parser(commands)
    batch.add_parser(commands)
    return parser


def build_app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailview",
        usage="mailview [FILE...] | mailview {analyze,export} ...",
        description="Open the desktop app, each FILE in a tab. Commands: 'mailview analyze "
        "--help', 'mailview export --help'.",
    )
    parser.add_argument("--version", action="version", version=f"mailview {__version__}")
    parser.add_argument("files", nargs="*", metavar="FILE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and (arguments[0] in COMMANDS or arguments[0] in {"-h", "--help"}):
        parser = build_parser()
        args = parser.parse_args(arguments)
        if getattr(args, "run", None) is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        status: int = args.run(args, parser)
        return status
    app_args = build_app_parser().parse_args(arguments)
    problem = _no_display()
    if problem is not None:
        print(f"mailview: {problem}", file=sys.stderr)
        return EXIT_FAILED
    from mailview.gui.app import run  # noqa: PLC0415 - Qt loads only when the app is wanted

    return run(list(app_args.files))


def _no_display() -> str | None:
    """Why the app cannot open a window here, in one sentence; None when it can.

    Without a display Qt aborts with a core dump and a page of plugin diagnostics; on a
    server the user most likely wants the commands that need no window.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "there is no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is "
        "set); use 'mailview analyze FILE' or 'mailview export FILE --png OUT.png' instead."
    )
