"""`mailview export FILE --png OUT [--svg OUT]`: the hop diagram as an image, headless.

Qt draws the diagram on its offscreen platform, so this works on a server with no
display; Qt is imported only when this command runs.
"""

from __future__ import annotations

import argparse
import functools
import os
from pathlib import Path

from mailview.cli.commands import add_export
from mailview.cli.options import analysis_options, message_address, online_settings
from mailview.cli.status import EXIT_FAILED, EXIT_OK, EXIT_UNREADABLE
from mailview.cli.terminal import say, visible
from mailview.core.analyze import analyze_bytes, analyze_returned
from mailview.core.errors import InputError
from mailview.core.load import read_path
from mailview.core.model import Report
from mailview.core.record import record
from mailview.export.html_report import render_html
from mailview.export.json_indicators import indicators_to_dict
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import Redaction, RedactionMap
from mailview.export.writer import Outputs, WriteRefused, write_bytes, write_text

# The parser is built where the commands are listed; it is named here too.
add_parser = add_export


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    parser = getattr(args, "parser", parser)
    if not any((args.md, args.html, args.json, args.png, args.svg)):
        parser.error("name an output: --md, --html, --json, --png and/or --svg")
    try:
        options = analysis_options(args)
        address = message_address(args.message)
        online = online_settings(args)
    except ValueError as err:
        parser.error(str(err))
    try:
        targets = _claim_outputs(args)
    except WriteRefused as err:
        say(str(err))
        return EXIT_FAILED
    try:
        data = read_path(args.file)
        analyse = functools.partial(analyze_bytes, data, Path(args.file).name, address)
        if online is None:
            report = analyse(options)
        else:
            from mailview.enrich.pipeline import analyze_online  # noqa: PLC0415 - online only

            report = analyze_online(analyse, options, online)
    except InputError as err:
        say(err.sentence, None if err.path is not None else args.file)
        return EXIT_UNREADABLE
    try:
        # A bounce's picture is its returned original's route ending in the failure.
        returned = analyze_returned(data, report, options)
        written = _write_all(args, targets, report, options.trust.own_domains, returned)
    except OSError as err:
        say(str(err))
        return EXIT_FAILED
    for path, what in written:
        print(visible(f"{path} ({what})" if what else str(path)))
    return EXIT_OK


@record
class _Targets:
    """The files this export writes, each claimed before anything is written."""

    outputs: Outputs
    md_picture: Path | None  # the Markdown's picture when --png did not name it
    md_picture_replaces: bool  # --force: it may replace an existing file


def _claim_outputs(args: argparse.Namespace) -> _Targets:
    outputs = Outputs()
    outputs.add_input(args.file)
    for path in (args.json, args.png, args.svg, args.html, args.md):
        if path is not None:
            outputs.claim(path)
    picture = None
    if args.md is not None and args.png is None:
        # The Markdown links its picture by name, beside it: NAME.md → NAME.png.
        picture = args.md.with_suffix(".png")
        outputs.claim(picture, overwrite=args.force, what=MD_PICTURE)
    return _Targets(outputs, picture, args.force)


MD_PICTURE = "the Markdown report's picture"


def _write_all(
    args: argparse.Namespace,
    targets: _Targets,
    report: Report,
    own_domains: tuple[str, ...] = (),
    returned: Report | None = None,
) -> list[tuple[Path, str]]:
    indicators = report.indicators  # read by the analysis itself: the input is not read again
    if args.redact:
        # One description of what is private, from the report and the body's indicators,
        # applied to both: nothing an export shows escapes it.
        redaction = Redaction.of(report, indicators, own_domains=own_domains)
        shown, indicators = redaction.apply(report), redaction.apply(indicators)
        said: bool | RedactionMap = redaction.as_map()
        if returned is not None:  # the bounce's original: its own private values
            returned = Redaction.of(returned, own_domains=own_domains).apply(returned)
    else:
        shown, said = report, False
    defang = not args.plain_indicators
    written: list[tuple[Path, str]] = []
    if args.json is not None:
        document = report_to_dict(shown)
        if indicators is not None:
            document["indicators"] = indicators_to_dict(indicators)
        write_text(args.json, dumps(document, pretty=True))
        written.append((args.json, ""))
    png_for_md = args.png or targets.md_picture
    if args.png or args.svg or args.html or args.md:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from mailview.gui.headless import diagram_png, diagram_svg  # noqa: PLC0415 - Qt only here

        png = diagram_png(shown, returned) if args.png or args.html or targets.md_picture else b""
        if args.png is not None:
            write_bytes(args.png, png)
            written.append((args.png, ""))
        if targets.md_picture is not None:
            write_bytes(targets.md_picture, png, overwrite=targets.md_picture_replaces)
            written.append((targets.md_picture, MD_PICTURE))
        if args.svg is not None:
            write_bytes(args.svg, diagram_svg(shown, returned))
            written.append((args.svg, ""))
        if args.html is not None:
            page = render_html(
                shown, indicators=indicators, defang=defang, diagram_png=png,
                redacted=said,
            )  # fmt: skip
            write_text(args.html, page)
            written.append((args.html, ""))
    if args.md is not None:
        text = render_markdown(
            shown, indicators=indicators, defang=defang,
            diagram_png_name=png_for_md.name if png_for_md else None, redacted=said,
        )  # fmt: skip
        write_text(args.md, text)
        written.append((args.md, ""))
    return written
