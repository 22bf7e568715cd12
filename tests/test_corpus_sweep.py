"""Every real message in the shared corpus is analysed: a report or one clear sentence."""

from pathlib import Path

import pytest

from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.errors import InputError
from mailview.export.json_report import report_to_dict
from mailview.export.text_report import render_text
from tests.corpus import corpus_params

STRICT = AnalysisOptions(strict=True)


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_corpus_message_is_analysed(path: Path) -> None:
    data = path.read_bytes()
    try:
        report = analyze_bytes(data, path.name, options=STRICT)
    except InputError as err:
        assert err.sentence.endswith(".") and "\n" not in err.sentence
        return
    assert report.headers, "a message has at least one header"
    assert report.input.sha256 and report.input.size == len(data)
    doc = report_to_dict(report)
    assert len(doc["hops"]) == len(report.hops)
    for hop in report.hops:
        assert hop.raw.split(":", 1)[0].lower() in {"received", "x-received"}
        assert report.headers[hop.header_index].raw == hop.raw
    assert render_text(report)
