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
from mailview.core.analyze import analyze_bytes, analyze_returned
from mailview.core.errors import InputError
from mailview.core.load import read_path
from mailview.core.model import Report
from mailview.enrich.pipeline import analyze_online
from mailview.export.html_report import render_html
from mailview.export.json_indicators import indicators_to_dict
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import RedactionMap, redact


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export",
        help="write the report (Markdown, HTML, JSON) and the hop diagram (PNG, SVG)",
        description="Write the analysis of FILE for a ticket: a Markdown or self-contained "
        "HTML report (diagram embedded, nothing loaded from the network), JSON, and the hop "
        "diagram as PNG or SVG. Needs no display.",
    )
    export.add_argument("file", metavar="FILE")
    export.add_argument("--md", type=Path, metavar="OUT.md", help="write a Markdown report")
    export.add_argument("--html", type=Path, metavar="OUT.html", help="write an HTML report")
    export.add_argument("--json", type=Path, metavar="OUT.json", help="write the JSON report")
    export.add_argument("--png", type=Path, metavar="OUT.png", help="write a PNG (2x scale)")
    export.add_argument("--svg", type=Path, metavar="OUT.svg", help="write an SVG")
    export.add_argument(
        "--redact",
        action="store_true",
        help="replace recipient addresses, internal host names and private addresses by "
        "placeholders, so the export can leave the organisation",
    )
    export.add_argument(
        "--plain-indicators",
        action="store_true",
        help="write URLs, domains and addresses as they are (default: defanged, hxxp and [.])",
    )
    add_analysis_options(export)
    export.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not any((args.md, args.html, args.json, args.png, args.svg)):
        parser.error("name an output: --md, --html, --json, --png and/or --svg")
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
    try:
        # A bounce's picture is its returned original's route ending in the failure.
        returned = analyze_returned(data, report, options)
        written = _write_all(args, data, report, returned)
    except OSError as err:
        print(f"mailview: {err}", file=sys.stderr)
        return EXIT_FAILED
    for path in written:
        print(path)
    return EXIT_OK


def _write_all(
    args: argparse.Namespace, data: bytes, report: Report, returned: Report | None = None
) -> list[Path]:
    indicators = report.indicators  # read by the analysis itself: the input is not read again
    shown, redactions = redact(report) if args.redact else (report, None)
    if returned is not None and args.redact:
        returned = redact(returned)[0]
    said: bool | RedactionMap = redactions if redactions is not None else False
    defang = not args.plain_indicators
    written: list[Path] = []
    if args.json is not None:
        document = report_to_dict(shown)
        if indicators is not None:
            document["indicators"] = indicators_to_dict(indicators)
        _write_text(args.json, dumps(document, pretty=True))
        written.append(args.json)
    png_for_md = args.png
    if args.md is not None and png_for_md is None:
        png_for_md = args.md.with_suffix(".png")  # the Markdown's picture, beside it
    if args.png or args.svg or args.html or args.md:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from mailview.gui.headless import diagram_png, write_diagram  # noqa: PLC0415 - Qt only here

        written += write_diagram(shown, png=png_for_md, svg=args.svg, returned=returned)
        if args.html is not None:
            picture = diagram_png(shown, returned)
            page = render_html(
                shown, indicators=indicators, defang=defang, diagram_png=picture,
                redacted=said,
            )  # fmt: skip
            _write_text(args.html, page)
            written.append(args.html)
    if args.md is not None:
        text = render_markdown(
            shown, indicators=indicators, defang=defang,
            diagram_png_name=png_for_md.name if png_for_md else None, redacted=said,
        )  # fmt: skip
        _write_text(args.md, text)
        written.append(args.md)
    return written


def _write_text(path: Path, text: str) -> None:
    """Write beside, then rename over: a failed export never leaves half a file behind."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise OSError(f"{path} could not be written: {err.strerror or err}") from None
