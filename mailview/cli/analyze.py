"""`mailview analyze FILE... [--json]`: the route and findings as text or JSON."""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mailview.cli.commands import add_analyze
from mailview.cli.options import analysis_options, message_address, online_settings
from mailview.cli.status import EXIT_FAILED, EXIT_OK, EXIT_UNREADABLE
from mailview.cli.terminal import say, visible
from mailview.core.analyze import AnalysisOptions, analyze_bytes, analyze_text
from mailview.core.errors import UNREADABLE, InputError
from mailview.core.load import MAX_FILE_BYTES, read_path
from mailview.core.model import Report
from mailview.core.record import record
from mailview.core.stream import iter_messages
from mailview.export.json_report import dumps, error_to_dict, report_to_dict

if TYPE_CHECKING:
    from mailview.enrich.pipeline import OnlineSettings


# The parser is built where the commands are listed; it is named here too.
add_parser = add_analyze


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    every = args.message == "all"
    parser = getattr(args, "parser", parser)
    try:
        options = analysis_options(args)
        address = None if every else message_address(args.message)
        online = online_settings(args)
    except ValueError as err:
        parser.error(str(err))
    files = list(args.files)
    if args.sample:
        from mailview.assets import sample_message  # noqa: PLC0415 - importlib.resources

        files.append(str(sample_message()))
    if not files:
        parser.error("name at least one FILE (or '-' for standard input, or --sample)")
    job = Job(options, address, online, every)
    return _analyze_all(files, job, as_json=args.json, out=sys.stdout)


@record
class Job:
    """How every input of one command line is analysed."""

    options: AnalysisOptions
    address: tuple[int, ...] | None
    online: OnlineSettings | None
    every: bool = False  # --message all: each message of an mbox in turn


def _analyze_all(
    files: list[str],
    job: Job,
    *,
    as_json: bool,
    out: TextIO,
) -> int:
    status = EXIT_OK
    position = 0
    for name, analyse in _inputs(files, job):
        try:
            report = analyse()
        except InputError as err:
            status = EXIT_UNREADABLE
            _print_error(name, err, as_json=as_json, out=out)
            continue
        except Exception as err:
            # A bug met on one input: a sentence to report, and the others still analysed
            # (--strict shows the traceback).
            if job.options.strict:
                raise
            status = max(status, EXIT_FAILED)
            say(f"could not be analysed: internal error ({type(err).__name__}: {err}); "
                "please report this message to the mailview developers.", name)  # fmt: skip
            continue
        if job.address is None and not job.every:
            tell_messages(report, name)
        if as_json:
            out.write(
                dumps(report_to_dict(report), pretty=len(files) == 1 and not job.every) + "\n"
            )
        else:
            if position:
                out.write("\n" + "═" * 100 + "\n\n")
            # The text report is loaded only for text output: --json never imports it.
            from mailview.export.text_report import render_text  # noqa: PLC0415

            # The report quotes the message: its control characters must not reach the
            # terminal as commands.
            out.write(visible(render_text(report)))
        position += 1
    return status


def _inputs(files: list[str], job: Job) -> Iterator[tuple[str, Callable[[], Report]]]:
    """(name, analysis) for each message to analyse: one per file, or with --message all
    each message of an mbox, read a message at a time."""
    for name in files:
        if not job.every or name == "-":
            yield name, functools.partial(_analyze_one, name, job)
            continue
        try:
            for label, data in iter_messages(name):
                yield label, functools.partial(_analyze_data, data, Path(label).name, job)
        except InputError as err:
            yield name, functools.partial(_raise, err)


def _raise(err: InputError) -> Report:
    raise err


def _analyze_data(data: bytes, name: str, job: Job) -> Report:
    return _with_online(functools.partial(analyze_bytes, data, name, None), job)


def _with_online(analyse: Callable[[AnalysisOptions], Report], job: Job) -> Report:
    if job.online is None:
        return analyse(job.options)
    # The resolver and the look-ups load only when asked for: offline runs never import them.
    from mailview.enrich.pipeline import analyze_online  # noqa: PLC0415

    return analyze_online(analyse, job.options, job.online)


def tell_messages(report: Report, name: str) -> None:
    """An mbox analysed without --message: say that only its first message was, and how
    to reach the others (on standard error, so JSON output stays one document)."""
    count = report.input.message_count
    if count > 1:
        print(
            f"mailview: {name} holds {count:,} messages; this is the first. Pick one with "
            f"--message N (1 to {count:,}), analyse each with --message all, or run "
            f"'mailview batch {name}' for a queue with campaigns.",
            file=sys.stderr,
        )


def _analyze_one(name: str, job: Job) -> Report:
    analyse: Callable[[AnalysisOptions], Report]
    if name == "-":
        text = read_stdin().decode("utf-8", "surrogateescape")
        analyse = functools.partial(analyze_text, text, "<stdin>")
    else:
        if os.path.isdir(name):
            raise InputError(
                f"{name} is a folder; 'mailview batch {name}' analyses every message in it.",
                path=name,
            )
        data = read_path(name)
        analyse = functools.partial(analyze_bytes, data, Path(name).name, job.address)
    return _with_online(analyse, job)


PROMPT = (
    "mailview: paste the message or its headers, then press Ctrl+D on an empty line "
    "(Ctrl+Z then Enter on Windows).\n"
)


def read_stdin(limit: int = MAX_FILE_BYTES) -> bytes:
    """Standard input, up to `limit` bytes (InputError beyond: `< /dev/zero` never ends);
    at a terminal, first a line saying what to do, as a silent wait looks like a hang."""
    if sys.stdin.isatty():
        sys.stderr.write(PROMPT)
        sys.stderr.flush()
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            f"Standard input holds more than {limit // (1024 * 1024)} MB; "
            "that is no email message.",
            UNREADABLE,
            path="-",  # the sentence names it
        )
    return data


def _print_error(name: str, err: InputError, *, as_json: bool, out: TextIO) -> None:
    if as_json:
        sha = _sha256_or_none(name)
        out.write(dumps(error_to_dict(name, sha, err.sentence), pretty=False) + "\n")
    say(err.sentence, None if err.path is not None else name)


def _sha256_or_none(name: str) -> str | None:
    if name == "-" or not os.path.isfile(name):
        return None
    try:
        return hashlib.sha256(Path(name).read_bytes()).hexdigest()
    except OSError:
        return None
