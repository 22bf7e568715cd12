"""The "Delivery failed" panel: shown above the route for bounces, hidden for other mail."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from mailview.core.analyze import analyze_bytes
from mailview.export.json_report import report_to_dict
from mailview.gui.panels.delivery import DeliveryPanel
from tests.bounce_samples import dsn

pytestmark = pytest.mark.gui


def test_panel_leads_with_the_failure_and_hides_for_ordinary_mail(qtbot: QtBot) -> None:
    panel = DeliveryPanel()
    qtbot.addWidget(panel)
    panel.show()
    data = dsn([("bob@receiver.example", "failed", "5.2.2", "552 5.2.2 <bob@x>: Mailbox full")])
    panel.set_report(analyze_bytes(data, "bounce.eml"))
    assert panel.isVisible()
    text = panel.text()
    assert text.startswith("Delivery failed: Delivery to bob@receiver.example failed (5.2.2)")
    assert "failed, hard — 5.2.2 mailboxfull" in text and "Refused by mx.receiver.example" in text
    assert "mailbox is full" in panel.rows[0].toolTip()  # the code in words
    assert "552 5.2.2 <bob@x>: Mailbox full" in text  # shown as plain text, not as HTML
    ordinary = b"From: a@example.com\nTo: b@example.com\nSubject: hi\n\nhello\n"
    panel.set_report(analyze_bytes(ordinary, "mail.eml"))
    assert not panel.isVisible() and panel.text() == ""


def test_many_recipients_are_counted_not_listed(qtbot: QtBot) -> None:
    panel = DeliveryPanel()
    qtbot.addWidget(panel)
    many = [(f"u{i}@x.example", "failed", "5.1.1", "550 5.1.1 unknown") for i in range(40)]
    panel.set_report(analyze_bytes(dsn(many), "many.eml"))
    assert len(panel.rows) == 4  # three recipients and the count of the rest
    assert "37 more recipients" in panel.rows[-1].text()


def test_a_temporary_error_given_up_reads_as_failed_in_the_panel_and_json(qtbot: QtBot) -> None:
    panel = DeliveryPanel()
    qtbot.addWidget(panel)
    data = dsn([("bob@receiver.example", "failed", "4.4.7", "554 4.4.7 Message expired")])
    report = analyze_bytes(data, "bounce.eml")
    panel.set_report(report)
    assert "failed after retrying (temporary error, given up)" in panel.text()
    assert "soft (temporary)" not in panel.text()
    (entry,) = report_to_dict(report)["bounce"]["recipients"]
    assert entry["state"] == "failed after retrying (temporary error, given up)"
    assert entry["severity"] == "soft"  # the code's class, kept for the JSON contract
