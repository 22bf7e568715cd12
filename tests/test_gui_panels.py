"""The panels on their own: filter, plain-text rendering, verdict, icons, hop details."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mailview.core.analyze import analyze_bytes, analyze_text
from mailview.core.model import Finding, Report, Severity
from mailview.gui.panels import Banner
from mailview.gui.panels.findings import FindingsPanel, by_severity, severity_icon
from mailview.gui.panels.headers import COL_DECODED, HeadersPanel
from mailview.gui.panels.hop_details import PLACEHOLDER, HopDetailsPanel
from mailview.gui.panels.source import SourcePanel
from mailview.gui.panels.summary import SummaryPanel, verdict_text
from tests.gui_window_helpers import OFFSCREEN_NOISE, PASTED_HEADERS, SAMPLE

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)]

HOSTILE = (
    "Received: from a.example (a.example [192.0.2.1]) by b.example; "
    "Tue, 12 Nov 2024 09:14:02 +0000\n"
    "From: <b>Boss</b> <boss@example.com>\n"
    "Subject: <b>bold</b> =?utf-8?q?caf=C3=A9?= <img src=x>\n"
    "X-Note: <script>alert(1)</script>\n"
)


def sample_report() -> Report:
    return analyze_bytes(SAMPLE.read_bytes(), SAMPLE.name)


def test_the_filter_box_filters_rows(qtbot: QtBot) -> None:
    panel = HeadersPanel()
    qtbot.addWidget(panel)
    report = sample_report()
    panel.set_headers(report.headers)
    assert panel.proxy.rowCount() == len(report.headers)
    QTest.keyClicks(panel.filter, "reply-to")
    names = {report.headers[i].name for i in panel.visible_header_indices()}
    assert names == {"Reply-To"}
    assert panel.count.text() == f"1 of {len(report.headers)} fields"
    panel.filter.clear()
    QTest.keyClicks(panel.filter, "paypa1-billing.EXAMPLE")  # dots are not regex here
    assert 1 < panel.proxy.rowCount() < len(report.headers)
    panel.filter.clear()
    assert panel.proxy.rowCount() == len(report.headers)


def test_selecting_filtered_out_evidence_clears_the_filter(qtbot: QtBot) -> None:
    panel = HeadersPanel()
    qtbot.addWidget(panel)
    report = sample_report()
    panel.set_headers(report.headers)
    panel.filter.setText("Subject")
    panel.select_header_indices([0, 1])
    assert panel.filter.text() == ""
    assert panel.selected_header_indices() == [0, 1]


def test_headers_show_decoded_and_raw_side_by_side(qtbot: QtBot) -> None:
    panel = HeadersPanel()
    qtbot.addWidget(panel)
    report = analyze_text(HOSTILE)
    panel.set_headers(report.headers)
    row = next(i for i, h in enumerate(report.headers) if h.name == "Subject")
    decoded = panel.model.data(panel.model.index(row, COL_DECODED))
    raw = panel.model.data(panel.model.index(row, COL_DECODED + 1))
    assert "café" in decoded and "=?utf-8?q?caf=C3=A9?=" in raw
    tooltip = panel.model.data(panel.model.index(row, COL_DECODED), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt;" in tooltip  # escaped: shows as written


def test_the_source_view_is_plain_text(qtbot: QtBot) -> None:
    panel = SourcePanel()
    qtbot.addWidget(panel)
    panel.set_source(HOSTILE)
    assert "<b>bold</b>" in panel.text()
    assert "<script>alert(1)</script>" in panel.view.document().toPlainText()
    assert panel.view.isReadOnly()
    assert panel.view.font().fixedPitch() or panel.view.font().styleHint() is not None
    assert panel.note.isHidden()
    panel.set_source("x", "The source view shows the first 2 million bytes of 50.0 million")
    assert not panel.note.isHidden()


def test_the_summary_shows_markup_literally(qtbot: QtBot) -> None:
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.set_report(analyze_text(HOSTILE))
    assert panel.value("Subject") == "<b>bold</b> café <img src=x>"
    assert "boss@example.com" in panel.value("From")
    assert panel.chip.textFormat() == Qt.TextFormat.PlainText


def test_the_summary_of_the_sample(qtbot: QtBot) -> None:
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    report = sample_report()
    panel.set_report(report)
    assert panel.value("From") == "PayPal Billing <service@paypa1-billing.example>"
    assert panel.value("Transit") == "9 min 30 s over 6 hops"
    assert panel.value("Message-ID").startswith("<20241112090509")
    counts = Counter(f.severity for f in report.findings)
    expected = " · ".join(
        f"{s.value.upper()} {counts[s]}"
        for s in (Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
        if counts[s]
    )
    # The chip leads with the judgement; the counts follow on the verdict line.
    assert panel.chip.text() == "Likely malicious"
    assert panel.chip.accessibleName().startswith("Verdict: Likely malicious — ")
    assert panel.judgement.text().endswith(f"({expected})")
    assert counts[Severity.HIGH] >= 1  # the sample is a phish: the counts must say HIGH
    assert panel.notes.isHidden()


def finding(severity: Severity, title: str) -> Finding:
    return Finding(f"test.{title}", severity, title, f"{title} in plain words.")


def test_the_verdict_counts_in_words_most_severe_first() -> None:
    report = sample_report()
    findings = (
        finding(Severity.LOW, "a"),
        finding(Severity.HIGH, "b"),
        finding(Severity.MEDIUM, "c"),
        finding(Severity.MEDIUM, "d"),
    )
    assert verdict_text(dataclasses.replace(report, findings=findings)) == (
        "HIGH 1 · MEDIUM 2 · LOW 1"
    )
    assert verdict_text(dataclasses.replace(report, findings=())) == "No findings"


def test_findings_list_severity_word_icon_and_order(qtbot: QtBot) -> None:
    panel = FindingsPanel()
    qtbot.addWidget(panel)
    findings = (finding(Severity.INFO, "note"), finding(Severity.HIGH, "bad"))
    panel.set_report(dataclasses.replace(sample_report(), findings=findings))
    assert [f.title for f in panel.findings()] == ["bad", "note"]
    assert panel.group_titles() == ["HIGH (1)", "INFO (1)"]
    first = panel.finding_items()[0]
    assert first.text(0) == "bad" and not first.icon(0).isNull()
    with qtbot.waitSignal(panel.findingSelected) as signal:
        panel.select_row(0)
    assert signal.args == [findings[1]]
    assert "bad in plain words." in panel.detail.toPlainText()


def test_each_severity_has_its_own_icon() -> None:
    images = {s: severity_icon(s).pixmap(16, 16).toImage() for s in Severity}
    assert len({image.cacheKey() for image in images.values()}) == len(Severity)
    assert images[Severity.HIGH] != images[Severity.MEDIUM]
    assert by_severity((finding(Severity.LOW, "x"), finding(Severity.HIGH, "y")))[0].title == "y"


def test_hop_details_show_the_fields_and_the_raw_header(qtbot: QtBot) -> None:
    panel = HopDetailsPanel()
    qtbot.addWidget(panel)
    assert panel.placeholder.text() == PLACEHOLDER
    report = analyze_text(PASTED_HEADERS)
    panel.set_hop(report.hops[0], report)
    values = panel.values()
    assert values["From"] == "sender-pc"
    assert values["By"] == "relay.example.com"
    assert values["From IP"].startswith("203.0.113.5")
    assert "relay.example.com" in panel.raw.toPlainText()
    assert panel.placeholder.isHidden()
    panel.set_hop(None, report)
    assert panel.values() == {}


def test_the_banner_shows_and_dismisses(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_message("<b>not bold</b>", Banner.WARNING)
    assert banner.text() == "<b>not bold</b>"
    assert banner.label.textFormat() == Qt.TextFormat.PlainText
    with qtbot.waitSignal(banner.closed):
        banner.dismiss()
    assert banner.text() == ""
