"""The `mailview` command line: `mailview analyze FILE... [--json]`.

Exit codes: 0 every input analysed, 2 usage error, 3 an input could not be read as a
message (the others are still analysed and printed).
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from mailview import __version__
from mailview.assets import sample_message
from mailview.core.analyze import AnalysisOptions, analyze_bytes, analyze_text
from mailview.core.chain import TrustConfig
from mailview.core.errors import InputError
from mailview.core.load import read_path
from mailview.core.model import Report
from mailview.export.json_report import dumps, error_to_dict, report_to_dict
from mailview.export.text_report import render_text

EXIT_OK, EXIT_USAGE, EXIT_UNREADABLE = 0, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailview",
        description="Where an email has been, who vouches for it, and what is off about it.",
    )
    parser.add_argument("--version", action="version", version=f"mailview {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    analyze = commands.add_parser(
        "analyze",
        help="analyse messages and print the route and findings",
        description="Analyse each FILE (.eml, .msg, mbox, pasted headers; '-' reads standard "
        "input) offline and print its route, hop by hop, and what looks wrong.",
    )
    analyze.add_argument("files", nargs="*", metavar="FILE")
    analyze.add_argument("--sample", action="store_true", help="analyse the bundled sample")
    analyze.add_argument("--json", action="store_true", help="print the JSON report")
    analyze.add_argument(
        "--message",
        metavar="N[/K...]",
        help="which message: N-th of an mbox, then K-th attached message (1-based)",
    )
    analyze.add_argument(
        "--wrapper",
        action="store_true",
        help="analyse a forwarded report itself, not the original attached to it",
    )
    analyze.add_argument(
        "--own-domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="a domain of your own mail systems (repeatable); makes the trust boundary exact",
    )
    analyze.add_argument(
        "--own-network",
        action="append",
        default=[],
        metavar="CIDR",
        help="a network of your own mail systems (repeatable)",
    )
    analyze.add_argument(
        "--strict",
        action="store_true",
        help="stop with the error when a check fails internally (for developers)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "analyze":
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        options = AnalysisOptions(
            trust=_trust(args.own_domain, args.own_network),
            follow_attachments=not args.wrapper,
            strict=args.strict,
        )
        address = _address(args.message)
    except ValueError as err:
        parser.error(str(err))
    files = list(args.files) + ([str(sample_message())] if args.sample else [])
    if not files:
        parser.error("name at least one FILE (or '-' for standard input, or --sample)")
    return _analyze_all(files, options, address, as_json=args.json, out=sys.stdout)


def _trust(domains: list[str], networks: list[str]) -> TrustConfig:
    nets = []
    for text in networks:
        try:
            nets.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(
                f"--own-network: '{text}' is not a network like 192.0.2.0/24"
            ) from None
    return TrustConfig(tuple(d.lower().strip(".") for d in domains), tuple(nets))


def _address(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        steps = tuple(int(part) - 1 for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--message: '{text}' is not like 2 or 1/1") from None
    if any(step < 0 for step in steps):
        raise ValueError("--message: numbers start at 1")
    return steps


def _analyze_all(
    files: list[str],
    options: AnalysisOptions,
    address: tuple[int, ...] | None,
    *,
    as_json: bool,
    out: TextIO,
) -> int:
    status = EXIT_OK
    for position, name in enumerate(files):
        try:
            report = _analyze_one(name, options, address)
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


def _analyze_one(name: str, options: AnalysisOptions, address: tuple[int, ...] | None) -> Report:
    if name == "-":
        data = sys.stdin.buffer.read()
        text = data.decode("utf-8", "surrogateescape")
        return analyze_text(text, "<stdin>", options)
    data = read_path(name)
    return analyze_bytes(data, Path(name).name, address, options)


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
