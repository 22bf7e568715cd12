"""Findings grouped by severity with their strength, and the Verdicts panel, fed hand-made
VendorVerdicts on a real Report.

The message below carries the headers the verdicts point at, so "header #N" in a group
is a real header of the analysed message and a click can be checked against the
headers table and the diagram.
"""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mailview.core.analyze import analyze_bytes
from mailview.core.model import Evidence, Finding, Report, Severity
from mailview.core.vendors.model import VendorField, VendorVerdict
from mailview.gui.inputs import BytesSource
from mailview.gui.message_tab import MessageTab
from mailview.gui.panels.findings import FindingsPanel, strength_words
from mailview.gui.panels.verdicts import (
    EMPTY,
    UNKNOWN_MEANING,
    UNRECOGNISED,
    VerdictsPanel,
    header_indices,
    strip_text,
)
from mailview.gui.worker import Analysis
from tests.gui_window_helpers import OFFSCREEN_NOISE

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)]

MESSAGE = b"""\
Received: from a1-2.smtp-out.amazonses.example (a1-2.smtp-out.amazonses.example
 [198.51.100.9]) by mx.contoso.example with ESMTPS id q1; Tue, 12 Nov 2024 09:14:41 +0000
X-Forefront-Antispam-Report: CIP:198.51.100.9;CTRY:US;SFV:SPM;SCL:5;ZZZ:odd
X-Microsoft-Antispam: BCL:0;
X-Spam-Status: Yes, score=7.1 required=5.0 tests=<b>RULE</b>
Received: from sender (unknown [203.0.113.5]) by a1-2.smtp-out.amazonses.example
 with ESMTP id q2; Tue, 12 Nov 2024 09:14:02 +0000
From: Sender <sender@example.com>
To: j.doe@contoso.example
Subject: Vendor verdicts
Date: Tue, 12 Nov 2024 09:14:00 +0000
Message-ID: <verdicts@example>

Body.
"""

COMBINED_SUMMARY = "Delivered to Junk — SCL 5: Microsoft filtered it as spam."


def index_of(report: Report, name: str) -> int:
    return next(h.index for h in report.headers if h.name == name)


def vendors_for(report: Report) -> tuple[VendorVerdict, ...]:
    """In the core's order: header order, the combined verdict last (the panel reorders)."""
    forefront = VendorVerdict(
        "Microsoft 365",
        "X-Forefront-Antispam-Report",
        index_of(report, "X-Forefront-Antispam-Report"),
        (
            VendorField("CIP", "198.51.100.9", "connecting IP address"),
            VendorField("SFV", "SPM", "filtered as spam"),
            VendorField("SCL", "5", "spam confidence 5: spam, to Junk"),
            VendorField("ZZZ", "odd", None),
        ),
        "Filtered as spam (SCL 5).",
    )
    bcl = VendorVerdict(
        "Microsoft 365",
        "X-Microsoft-Antispam",
        index_of(report, "X-Microsoft-Antispam"),
        (VendorField("BCL", "0", "not from a bulk sender"),),
        "Not bulk mail.",
    )
    spamassassin = VendorVerdict(
        "SpamAssassin",
        "X-Spam-Status",
        index_of(report, "X-Spam-Status"),
        (
            VendorField("score", "7.1", "7.1 points; 5.0 make spam"),
            VendorField("tests", "<b>RULE</b>", None),
        ),
        "Spam: <i>7.1</i> points, over the 5.0 threshold.",
    )
    ses = VendorVerdict(
        "Amazon SES (sending service)",
        "Received",
        0,
        (VendorField("by", "a1-2.smtp-out.amazonses.example", "an Amazon SES outbound server"),),
        "Sent through Amazon SES.",
    )
    combined = VendorVerdict(
        "Microsoft 365",
        "(combined)",
        None,
        (
            VendorField("SCL", "5", "spam confidence 5: spam, to Junk"),
            VendorField("SFV", "SPM", "filtered as spam"),
        ),
        COMBINED_SUMMARY,
    )
    return (ses, forefront, bcl, spamassassin, combined)


def report_with_vendors() -> Report:
    report = analyze_bytes(MESSAGE, "verdicts.eml")
    return dataclasses.replace(report, vendors=vendors_for(report))


def make_panel(qtbot: QtBot, report: Report | None) -> VerdictsPanel:
    panel = VerdictsPanel()
    qtbot.addWidget(panel)
    panel.set_report(report)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def make_tab(qtbot: QtBot, report: Report) -> MessageTab:
    """A real message tab showing `report`, the way the window fills one."""
    tab = MessageTab(BytesSource(MESSAGE, "verdicts.eml"))
    qtbot.addWidget(tab)
    tab.begin(1)
    assert tab.accept(1, Analysis(report, MESSAGE.decode()))
    tab.resize(1300, 900)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


# --- findings ------------------------------------------------------------------------------


def finding(severity: Severity, title: str, strength: str) -> Finding:
    return Finding(
        "test." + title,
        severity,
        title,
        f"{title} explained.",
        (Evidence(0, "Received", "Received: …"),),
        strength,
    )


def test_findings_are_grouped_by_severity_with_counts_and_strength_words(
    qtbot: QtBot,
) -> None:
    panel = FindingsPanel()
    qtbot.addWidget(panel)
    findings = (
        finding(Severity.INFO, "note", "direct"),
        finding(Severity.HIGH, "forged", "direct"),
        finding(Severity.MEDIUM, "odd", "heuristic"),
        finding(Severity.HIGH, "relayed", "correlated"),
    )
    panel.set_report(dataclasses.replace(report_with_vendors(), findings=findings))
    panel.resize(320, 400)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.group_titles() == ["HIGH (2)", "MEDIUM (1)", "INFO (1)"]
    items = panel.finding_items()
    assert [item.text(0) for item in items] == ["forged", "relayed", "odd", "note"]
    assert [panel.strength_of(item) for item in items] == [
        "stated by a trusted system",
        "several facts agree",
        "a pattern — worth a look",
        "stated by a trusted system",
    ]
    # Two lines per finding (title, then strength), one per heading.
    heading = panel.list.topLevelItem(0)
    assert heading is not None
    heading_rect = panel.list.visualItemRect(heading)
    assert panel.list.visualItemRect(items[0]).height() > heading_rect.height()
    assert not panel.list.grab().isNull()  # the two-line rows paint

    with qtbot.waitSignal(panel.findingSelected) as signal:
        panel.select_row(2)
    assert signal.args == [findings[2]]
    assert "MEDIUM · evidence: a pattern — worth a look" in panel.detail.toPlainText()


def test_a_heading_is_not_a_finding(qtbot: QtBot) -> None:
    panel = FindingsPanel()
    qtbot.addWidget(panel)
    findings = (finding(Severity.LOW, "x", "direct"),)
    panel.set_report(dataclasses.replace(report_with_vendors(), findings=findings))
    heading = panel.list.topLevelItem(0)
    assert heading is not None and not heading.flags() & Qt.ItemFlag.ItemIsSelectable
    assert strength_words("made-up") == "made-up"  # an unknown strength is shown as written


# --- verdicts panel ----------------------------------------------------------------------------


def test_the_combined_verdict_comes_first_and_its_summary_is_shown(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, report_with_vendors())
    groups = panel.groups()
    assert [g.verdict.header for g in groups] == [
        "(combined)",
        "Received",
        "X-Forefront-Antispam-Report",
        "X-Microsoft-Antispam",
        "X-Spam-Status",
    ]
    first = groups[0]
    assert first.heading.summary.text() == COMBINED_SUMMARY
    assert first.heading.title.text().startswith("Microsoft 365 · combined verdict")
    assert groups[2].heading.title.text() == (
        "Microsoft 365 · X-Forefront-Antispam-Report · header #2"
    )
    assert first.heading.summary.isVisible()
    assert strip_text(vendors_for(analyze_bytes(MESSAGE, "x.eml"))) == (
        f"Microsoft 365: {COMBINED_SUMMARY}  ·  Also: Amazon SES (sending service), SpamAssassin."
    )


def test_field_rows_show_raw_and_meaning_and_keep_unrecognised(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, report_with_vendors())
    forefront = panel.groups()[2].table
    rows = [[row.text(c) for c in range(3)] for row in forefront.rows()]
    assert rows == [
        ["CIP", "198.51.100.9", "connecting IP address"],
        ["SFV", "SPM", "filtered as spam"],
        ["SCL", "5", "spam confidence 5: spam, to Junk"],
        ["ZZZ", "odd", UNKNOWN_MEANING],
    ]
    tops = [forefront.topLevelItem(i) for i in range(forefront.topLevelItemCount())]
    unrecognised = tops[-1]
    assert unrecognised is not None and unrecognised.text(0) == f"{UNRECOGNISED} (1)"
    child = unrecognised.child(0)
    assert child is not None and (child.text(0), child.text(1)) == ("ZZZ", "odd")
    # Every row is on screen: the table is as tall as its rows, the page scrolls.
    last = forefront.visualItemRect(child)
    assert last.isValid() and last.bottom() <= forefront.viewport().height()


def test_message_text_stays_plain(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, report_with_vendors())
    spamassassin = panel.groups()[-1]
    assert spamassassin.heading.summary.textFormat() == Qt.TextFormat.PlainText
    assert spamassassin.heading.summary.text() == "Spam: <i>7.1</i> points, over the 5.0 threshold."
    raw = spamassassin.table.rows()[-1]
    assert raw.text(1) == "<b>RULE</b>"
    assert "&lt;b&gt;RULE&lt;/b&gt;" in raw.toolTip(1)  # tooltips guess rich text
    assert panel.strip.sentence.textFormat() == Qt.TextFormat.PlainText


def test_clicking_a_field_row_selects_its_header(qtbot: QtBot) -> None:
    report = report_with_vendors()
    tab = make_tab(qtbot, report)
    tab.show_verdicts()
    group = tab.verdicts.groups()[2]
    table = group.table
    row = table.rows()[2]  # SCL
    tab.verdicts.area.ensureWidgetVisible(table)
    rect = table.visualItemRect(row)
    point = QPoint(rect.left() + 12, rect.center().y())
    assert table.itemAt(point) is row
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert tab.headers.selected_header_indices() == [
        index_of(report, "X-Forefront-Antispam-Report")
    ]
    assert tab.highlighted_hops == []  # not a Received header: no hop to light up
    assert tab.lower_tabs.currentWidget() is tab.verdicts  # a click keeps the panel in view
    QTest.keyClick(table, Qt.Key.Key_Return)
    assert tab.lower_tabs.currentWidget() is tab.headers  # Enter goes to the header


def test_a_verdict_on_a_received_header_highlights_its_hop(qtbot: QtBot) -> None:
    report = report_with_vendors()
    tab = make_tab(qtbot, report)
    tab.show_verdicts()
    ses = tab.verdicts.groups()[1]
    QTest.mouseClick(ses.heading, Qt.MouseButton.LeftButton)
    assert tab.headers.selected_header_indices() == [0]
    assert tab.highlighted_hops == [h.index for h in report.hops if h.header_index == 0]
    assert tab.highlighted_hops  # the newest hop


def test_the_combined_group_selects_its_vendors_headers(qtbot: QtBot) -> None:
    report = report_with_vendors()
    tab = make_tab(qtbot, report)
    expected = [
        index_of(report, "X-Forefront-Antispam-Report"),
        index_of(report, "X-Microsoft-Antispam"),
    ]
    assert tab.verdicts.strip.isVisible()
    QTest.mouseClick(tab.verdicts.strip, Qt.MouseButton.LeftButton)  # the strip opens the tab
    assert tab.lower_tabs.currentWidget() is tab.verdicts
    assert header_indices(tab.verdicts.groups()[0].verdict, report.vendors) == expected
    assert tab.headers.selected_header_indices() == expected


def test_the_tab_sits_beside_authentication(qtbot: QtBot) -> None:
    tab = make_tab(qtbot, report_with_vendors())
    names = [tab.lower_tabs.tabText(i) for i in range(tab.lower_tabs.count())]
    assert names[names.index("Authentication") + 1] == "Verdicts"


def test_no_vendor_verdicts_is_one_plain_sentence(qtbot: QtBot) -> None:
    report = analyze_bytes(MESSAGE, "verdicts.eml")
    tab = make_tab(qtbot, dataclasses.replace(report, vendors=()))
    tab.show_verdicts()
    panel = tab.verdicts
    assert panel.empty.isVisible() and panel.empty.text() == EMPTY
    assert not panel.area.isVisible()
    assert panel.groups() == []
    assert not panel.strip.isVisible()  # no line in the summary either
