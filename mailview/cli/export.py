"""`mailview export FILE --png OUT [--svg OUT]`: the hop diagram as an image, headless.

Qt draws the diagram on its offscreen platform, so this works on a server with no
display; Qt is imported only when this command runs.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from mailview.cli.options import (
    add_analysis_options,
    analysis_options,
    message_address,
    online_settings,
)
from mailview.cli.status import EXIT_FAILED, EXIT_OK, EXIT_UNREADABLE
from mailview.core.analyze import analyze_bytes
from mailview.core.errors import InputError
from mailview.core.load import read_path
from mailview.enrich.pipeline import analyze_online


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export",
        help="write the hop diagram of a message as PNG and/or SVG",
        description="Draw the hop diagram of FILE (with a caption and legend, for tickets) "
        "and write it as PNG and/or SVG. Needs no display.",
    )
    export.add_argument("file", metavar="FILE")
    export.add_argument("--png", type=Path, metavar="OUT.png", help="write a PNG (2x scale)")
    export.add_argument("--svg", type=Path, metavar="OUT.svg", help="write an SVG")
    add_analysis_options(export)
    export.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.png is None and args.svg is None:
        parser.error("name an output: --png OUT.png and/or --svg OUT.svg")
    try:
        options = analysis_options(args)
        address = message_address(args.message)
        online = online_settings(args)
    except ValueError as err:
        parser.error(str(err))
    try:
        data = read_path(args.file)
        analyse = functools.partial(analyze_bytes, data, Path(args.file).name, address)
        report = analyse(options) if online is None else analyze_online(analyse, options, online)
    except InputError as err:
        print(f"mailview: {args.file}: {err.sentence}", file=sys.stderr)
        return EXIT_UNREADABLE
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from mailview.gui.headless import write_diagram  # noqa: PLC0415 - Qt only for this command

    try:
        written = write_diagram(report, png=args.png, svg=args.svg)
    except OSError as err:
        print(f"mailview: {err}", file=sys.stderr)
        return EXIT_FAILED
    for path in written:
        print(path)
    return EXIT_OK
