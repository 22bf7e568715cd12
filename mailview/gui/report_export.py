"""Reports for tickets from the app: Markdown, HTML and JSON files, and the ticket text.

The renderers are the Qt-free ones in `mailview.export`; this module only brings what
they need from the app: the diagram as PNG and the redaction switch. The body's
indicators are part of the report: the input is never read again.
"""

from __future__ import annotations

from pathlib import Path

from mailview.core.indicators import Indicators
from mailview.core.model import Report
from mailview.export.html_report import render_html
from mailview.export.json_indicators import indicators_to_dict
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import Redaction, RedactionMap
from mailview.export.ticket import render_ticket
from mailview.export.writer import Outputs, write_text
from mailview.gui.headless import diagram_png
from mailview.gui.inputs import PathSource, Source

KINDS = {"md": "Markdown (*.md)", "html": "HTML, one file (*.html)", "json": "JSON (*.json)"}


def prepared(report: Report, *, redacted: bool) -> Report:
    return prepared_all(report, None, redacted=redacted)[0]


def prepared_all(
    report: Report, indicators: Indicators | None, *, redacted: bool
) -> tuple[Report, Indicators | None, RedactionMap | None]:
    """The report and indicators as shown: with what is private replaced in both."""
    if not redacted:
        return report, indicators, None
    redaction = Redaction.of(report, indicators)
    return redaction.apply(report), redaction.apply(indicators), redaction.as_map()


def report_text(report: Report, kind: str, *, redacted: bool) -> str:
    """The report as Markdown, HTML or JSON, with the indicators the analysis read."""
    shown, indicators, redactions = prepared_all(report, report.indicators, redacted=redacted)
    said: bool | RedactionMap = redactions if redactions is not None else False
    if kind == "md":
        return render_markdown(shown, indicators=indicators, redacted=said)
    if kind == "html":
        png = diagram_png(shown)
        return render_html(shown, indicators=indicators, diagram_png=png, redacted=said)
    document = report_to_dict(shown)
    if indicators is not None:
        document["indicators"] = indicators_to_dict(indicators)
    return dumps(document, pretty=True)


def refuse_input(source: Source, path: str | Path) -> None:
    """WriteRefused (an OSError) when `path` is the file the tab was opened from."""
    outputs = Outputs()
    if isinstance(source, PathSource):
        outputs.add_input(source.path)
    outputs.claim(path)


def write_report(path: str | Path, text: str) -> None:
    """Atomically: a failed export never leaves half a file behind."""
    write_text(path, text)


def ticket_text(report: Report, *, redacted: bool) -> str:
    shown, indicators, _ = prepared_all(report, report.indicators, redacted=redacted)
    return render_ticket(shown, indicators=indicators)
