"""The command line's parsers and its guarded run (see the package's docstring)."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from typing import BinaryIO, TextIO, cast

from mailview import __version__
from mailview.cli import COMMANDS, commands
from mailview.cli.status import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE

_ADDERS = {
    "analyze": commands.add_analyze,
    "analyse": commands.add_analyze,
    "export": commands.add_export,
    "batch": commands.add_batch,
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; of `command` alone when it is one of them.

    The main parser names its commands only in its help and in the error for an unknown
    one (`COMMAND` stands for them in its usage line): with a known command, the others'
    options are never shown and need not be built.
    """
    parser = argparse.ArgumentParser(
        prog="mailview",
        description="Where an email has been, who vouches for it, and what is off about it. "
        "Without a command, opens the desktop app with the FILEs given.",
    )
    parser.add_argument("--version", action="version", version=f"mailview {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _ADDERS.get(command or "")
    if chosen is not None:
        chosen(subparsers)
        return parser
    commands.add_analyze(subparsers)
    commands.add_export(subparsers)
    commands.add_batch(subparsers)
    return parser


def build_app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailview",
        usage="mailview [FILE...] | mailview {analyze,export,batch} ...",
        description="Open the desktop app, each FILE in a tab. Commands: 'mailview analyze "
        "--help', 'mailview export --help', 'mailview batch --help'.",
    )
    parser.add_argument("--version", action="version", version=f"mailview {__version__}")
    parser.add_argument("files", nargs="*", metavar="FILE")
    return parser


def run_main(argv: Sequence[str] | None = None) -> int:
    """`mailview.cli.main`."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and (arguments[0] in COMMANDS or arguments[0] in {"-h", "--help"}):
        return _run_command(arguments)
    app_args = build_app_parser().parse_args(arguments)
    problem = _no_display()
    if problem is not None:
        print(f"mailview: {problem}", file=sys.stderr)
        return EXIT_FAILED
    from mailview.gui.app import run  # noqa: PLC0415 - Qt loads only when the app is wanted

    return run(list(app_args.files))


def _run_command(arguments: list[str]) -> int:
    """Run a command; its output going nowhere (a closed pipe, a full disk) is a sentence
    and exit status 1, never a traceback."""
    _printable_streams()
    parser = build_parser(arguments[0])
    real_stdout = sys.stdout
    sys.stdout = cast(TextIO, _GuardedOutput(real_stdout))
    try:
        args = parser.parse_args(arguments)
        if getattr(args, "run", None) is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        status: int = args.run(args, parser)
        sys.stdout.flush()
    except OutputFailed as failed:
        _silence_stdout(real_stdout)
        if not isinstance(failed.error, BrokenPipeError):
            # `… | head` closing the pipe is the reader having all it wanted: no word.
            reason = (failed.error.strerror or str(failed.error)).lower()
            print(f"mailview: the output could not be written: {reason}.", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("mailview: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sys.stdout = real_stdout
    return status


class OutputFailed(Exception):
    """Standard output could not be written."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _GuardedOutput(io.TextIOBase):
    """Standard output whose write failures are told apart from any other OSError."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as err:
            raise OutputFailed(err) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as err:
            raise OutputFailed(err) from None

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def buffer(self) -> BinaryIO:
        return self._stream.buffer

    @property
    def encoding(self) -> str:  # type: ignore[override]  # read-only, as the stream's
        return self._stream.encoding


def _printable_streams() -> None:
    """Any character can be written, whatever the terminal's encoding (PYTHONIOENCODING=
    ascii, a C locale): what it cannot show becomes an escape rather than an exception."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _silence_stdout(stream: TextIO) -> None:
    """Point standard output at /dev/null, so that the interpreter's final flush of the
    unwritable buffer does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


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
