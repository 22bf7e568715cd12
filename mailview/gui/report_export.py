"""Reports for tickets from the app: Markdown, HTML and JSON files, and the ticket text.

The renderers are the Qt-free ones in `mailview.export`; this module only brings what
they need from the app: the diagram as PNG and the redaction switch. The body's
indicators are part of the report: the input is never read again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QIODevice, QSaveFile

from mailview.core.indicators import Indicators
from mailview.core.model import Report
from mailview.export.html_report import render_html
from mailview.export.json_indicators import indicators_to_dict
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import RedactionMap, redact
from mailview.export.ticket import render_ticket
from mailview.gui.headless import diagram_png
from mailview.gui.inputs import Source

KINDS = {"md": "Markdown (*.md)", "html": "HTML, one file (*.html)", "json": "JSON (*.json)"}


def indicators_for(report: Report, source: Source) -> Indicators | None:
    """The body's indicators, as the analysis read them (`source` is not read again)."""
    del source
    return report.indicators


def prepared(report: Report, *, redacted: bool) -> Report:
    return redact(report)[0] if redacted else report


def report_text(report: Report, source: Source, kind: str, *, redacted: bool) -> str:
    indicators = indicators_for(report, source)
    shown, redactions = redact(report) if redacted else (report, None)
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


def write_report(path: str | Path, text: str) -> None:
    """Atomically (QSaveFile): a failed export never leaves half a file behind."""
    target = QSaveFile(str(path))
    if not target.open(QIODevice.OpenModeFlag.WriteOnly):
        raise OSError(f"{path} could not be written: {target.errorString()}")
    target.write(QByteArray(text.encode("utf-8")))
    if not target.commit():
        raise OSError(f"{path} could not be written: {target.errorString()}")


def ticket_text(report: Report, source: Source, *, redacted: bool) -> str:
    return render_ticket(
        prepared(report, redacted=redacted), indicators=indicators_for(report, source)
    )
