"""`mailview analyze FILE... [--json]`: the route and findings as text or JSON."""

from __future__ import annotations

import argparse
import functools
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from mailview.assets import sample_message
from mailview.cli.options import (
    add_analysis_options,
    analysis_options,
    message_address,
    online_settings,
)
from mailview.cli.status import EXIT_OK, EXIT_UNREADABLE
from mailview.core.analyze import AnalysisOptions, analyze_bytes, analyze_text
from mailview.core.errors import InputError
from mailview.core.load import read_path
from mailview.core.model import Report
from mailview.enrich.pipeline import OnlineSettings, analyze_online
from mailview.export.json_report import dumps, error_to_dict, report_to_dict
from mailview.export.text_report import render_text


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    analyze = commands.add_parser(
        "analyze",
        help="analyse messages and print the route and findings",
        description="Analyse each FILE (.eml, .msg, mbox, pasted headers; '-' reads standard "
        "input) offline and print its route, hop by hop, and what looks wrong.",
    )
    analyze.add_argument("files", nargs="*", metavar="FILE")
    analyze.add_argument("--sample", action="store_true", help="analyse the bundled sample")
    analyze.add_argument("--json", action="store_true", help="print the JSON report")
    add_analysis_options(analyze)
    analyze.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        options = analysis_options(args)
        address = message_address(args.message)
        online = online_settings(args)
    except ValueError as err:
        parser.error(str(err))
    files = list(args.files) + ([str(sample_message())] if args.sample else [])
    if not files:
        parser.error("name at least one FILE (or '-' for standard input, or --sample)")
    job = Job(options, address, online)
    return _analyze_all(files, job, as_json=args.json, out=sys.stdout)


@dataclass(frozen=True, slots=True)
class Job:
    """How every input of one command line is analysed."""

    options: AnalysisOptions
    address: tuple[int, ...] | None
    online: OnlineSettings | None


def _analyze_all(
    files: list[str],
    job: Job,
    *,
    as_json: bool,
    out: TextIO,
) -> int:
    status = EXIT_OK
    for position, name in enumerate(files):
        try:
            report = _analyze_one(name, job)
        except InputError as err:
            status = EXIT_UNREADABLE
            _print_error(name, err, as_json=as_json, out=out)
            continue
        if as_json:
            out.write(dumps(report_to_dict(report), pretty=len(files) == 1) + "\n")
        else:
            if position:
                out.write("\n" + "═" * 100 + "\n\n")
            out.write(render_text(report))
    return status


def _analyze_one(name: str, job: Job) -> Report:
    analyse: Callable[[AnalysisOptions], Report]
    if name == "-":
        text = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        analyse = functools.partial(analyze_text, text, "<stdin>")
    else:
        data = read_path(name)
        analyse = functools.partial(analyze_bytes, data, Path(name).name, job.address)
    if job.online is None:
        return analyse(job.options)
    return analyze_online(analyse, job.options, job.online)


def _print_error(name: str, err: InputError, *, as_json: bool, out: TextIO) -> None:
    if as_json:
        sha = _sha256_or_none(name)
        out.write(dumps(error_to_dict(name, sha, err.sentence), pretty=False) + "\n")
    print(f"mailview: {name}: {err.sentence}", file=sys.stderr)


def _sha256_or_none(name: str) -> str | None:
    try:
        return hashlib.sha256(Path(name).read_bytes()).hexdigest()
    except OSError:
        return None
