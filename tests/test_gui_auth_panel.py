"""The Authentication strip and panel, fed a hand-made AuthReport on a real Report.

The message below carries the headers the AuthReport points at, so "header #N" in a
row is a real header of the analysed message and a click can be checked against the
headers table.
"""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mailview.core.analyze import analyze_bytes
from mailview.core.auth.model import (
    Alignment,
    ArcChain,
    AuthReport,
    AuthResult,
    DkimSignature,
)
from mailview.core.model import Report
from mailview.gui.inputs import BytesSource
from mailview.gui.message_tab import MessageTab
from mailview.gui.panels.auth import (
    EMPTY,
    FAIL,
    NONE,
    PASS,
    WARN,
    AuthPanel,
    BadgeButton,
    badges,
    body_hash_words,
    signature_words,
)
from mailview.gui.worker import Analysis
from tests.gui_window_helpers import OFFSCREEN_NOISE

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)]

MESSAGE = b"""\
Received: from mail.paypa1-billing.example (mail.paypa1-billing.example [203.0.113.77])
 by mx.google.com with ESMTPS id a1; Tue, 12 Nov 2024 09:14:41 +0000
Authentication-Results: mx.google.com;
 spf=pass smtp.mailfrom=bounce@paypa1-billing.example;
 dkim=pass header.d=paypa1-billing.example
Authentication-Results: paypal.com; dmarc=pass (<b>forged</b>) header.from=paypal.com
DKIM-Signature: v=1; a=rsa-sha256; d=paypa1-billing.example; s=mail; bh=x; b=y
Received: from sender (unknown [198.51.100.23]) by mail.paypa1-billing.example
 with ESMTP id b2; Tue, 12 Nov 2024 09:14:02 +0000
From: PayPal <service@paypal.com>
To: j.doe@contoso.example
Subject: Your account
Date: Tue, 12 Nov 2024 09:14:00 +0000
Message-ID: <auth-panel@example>

body
"""
EXPLANATION = (
    "Not aligned: the From domain paypal.com matches neither the SPF domain "
    "paypa1-billing.example nor any passing DKIM d= <i>(markup stays text)</i>."
)


def index_of(report: Report, name: str, nth: int = 0) -> int:
    return [h.index for h in report.headers if h.name == name][nth]


def result(
    method: str, outcome: str, index: int, *, trusted: bool, reason: str | None = None
) -> AuthResult:
    return AuthResult(
        method=method,
        result=outcome,
        reason=reason,
        authserv_id="mx.google.com" if trusted else "paypal.com",
        trusted=trusted,
        properties=(),
        header_index=index,
        header_name="Authentication-Results",
    )


def auth_for(report: Report) -> AuthReport:
    trusted_ar = index_of(report, "Authentication-Results", 0)
    forged_ar = index_of(report, "Authentication-Results", 1)
    signature = DkimSignature(
        header_index=index_of(report, "DKIM-Signature"),
        domain="paypa1-billing.example",
        selector="mail",
        algorithm="rsa-sha256",
        canonicalization=None,
        signed_headers=("from",),
        identity=None,
        body_length=None,
        timestamp=None,
        expiration=None,
        body_hash="mismatch",
        verification="unverifiable",
        key_bits=None,
        result="pass",
        problems=(),
        tags=(),
    )
    return AuthReport(
        results=(
            result("spf", "pass", trusted_ar, trusted=True),
            result("dkim", "pass", trusted_ar, trusted=True),
            result("dmarc", "pass", forged_ar, trusted=False, reason="<b>forged</b>"),
        ),
        received_spf=(),
        dkim=(signature,),
        arc=ArcChain(sets=(), structure="none", problems=(), crypto=None),
        alignment=Alignment(
            from_domain="paypal.com",
            spf_domain="paypa1-billing.example",
            spf_source="Authentication-Results",
            spf_pass=True,
            spf_aligned=None,
            dkim_aligned_domains=(),
            dmarc_computed="fail",
            explanation=EXPLANATION,
            receiver_says="pass",
        ),
        addresses=(),
        trusted_authserv_ids=("mx.google.com",),
    )


def report_with_auth() -> Report:
    report = analyze_bytes(MESSAGE, "auth-panel.eml")
    return dataclasses.replace(report, auth=auth_for(report))


def make_panel(qtbot: QtBot, report: Report | None) -> AuthPanel:
    panel = AuthPanel()
    qtbot.addWidget(panel)
    panel.set_report(report)
    return panel


def make_tab(qtbot: QtBot, report: Report) -> MessageTab:
    """A real message tab showing `report`, the way the window fills one."""
    tab = MessageTab(BytesSource(MESSAGE, "auth-panel.eml"))
    qtbot.addWidget(tab)
    tab.begin(1)
    assert tab.accept(1, Analysis(report, MESSAGE.decode()))
    tab.resize(1300, 900)
    tab.show()
    qtbot.waitExposed(tab)
    # The route takes most of the height by default; give the panes room, as a user reading
    # the authentication statements drags the splitter.
    qtbot.waitUntil(lambda: not tab.route_split_pending)
    route = tab.splitters["route"]
    total = sum(route.sizes())
    route.setSizes([total // 2, total - total // 2])
    return tab


def test_badges_write_each_result_in_words(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, report_with_auth())
    assert panel.strip.badge_texts() == [
        "SPF pass",
        "DKIM pass",
        "DMARC pass (computed: fail)",
        "ARC none",
    ]
    outcomes = [b.badge.outcome for b in panel.strip.findChildren(BadgeButton)]
    assert outcomes == [PASS, PASS, WARN, NONE]  # the disagreement is what to look at


def test_claims_are_grey_and_compauth_shows_when_present() -> None:
    auth = auth_for(analyze_bytes(MESSAGE, "x.eml"))
    only_claims = dataclasses.replace(
        auth,
        results=(
            result("spf", "pass", 1, trusted=False),
            result("compauth", "fail", 1, trusted=True, reason="000"),
        ),
    )
    found = {b.mechanism: b for b in badges(only_claims)}
    assert found["spf"].text == "SPF pass (claimed only)"
    assert found["spf"].outcome == NONE  # a forged pass must not look green
    assert (found["compauth"].text, found["compauth"].outcome) == ("compauth fail", FAIL)
    # No trusted DKIM result: the offline check speaks, and says so.
    assert found["dkim"].text == "DKIM unverifiable (checked here)"


def test_trusted_verdicts_and_claims_are_listed_apart(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, report_with_auth())
    assert panel.trust.text() == (
        "Trusted verdicts from: mx.google.com (the receiver's own system, above the trust boundary)"
    )
    assert panel.group_titles() == [
        "Trusted — written by the receiver's own systems (2)",
        "Claimed — written before the receiver's systems, could be forged (1)",
    ]
    rows = [[item.text(c) for c in range(6)] for item in panel.statement_items()]
    assert [row[:3] for row in rows] == [
        ["spf", "pass", "yes"],
        ["dkim", "pass", "yes"],
        ["dmarc", "pass", "no — claimed"],
    ]
    assert [row[3:5] for row in rows] == [["mx.google.com", "#2"]] * 2 + [["paypal.com", "#3"]]


def test_alignment_sentence_and_disagreement_are_shown(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, report_with_auth())
    panel.show()
    assert panel.strip.sentence.text() == EXPLANATION
    assert "receiver says DMARC pass" in panel.comparison.text()
    assert "it is fail" in panel.comparison.text()
    assert panel.flag_icon.isVisible()


def test_dkim_signatures_say_what_was_checked_in_words(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, report_with_auth())
    heading = panel.signatures.topLevelItem(0)
    assert heading is not None
    assert heading.text(0) == "#4 DKIM-Signature · d=paypa1-billing.example"
    rows = [heading.child(i) for i in range(heading.childCount())]
    assert [(row.text(0), row.text(1)) for row in rows if row is not None] == [
        ("d= (domain)", "paypa1-billing.example"),
        ("s= (selector)", "mail"),
        ("a= (algorithm)", "rsa-sha256"),
        ("Body hash", "body altered after signing"),
        ("Signature", "unverifiable (no key at hand)"),
        ("Receiver said", "pass"),
    ]
    assert body_hash_words("match") == "body unchanged since signing"
    assert body_hash_words(None) == "not checked"
    auth = report_with_auth().auth
    assert auth is not None
    verified = dataclasses.replace(auth.dkim[0], verification="pass", key_bits=2048)
    assert signature_words(verified) == "verified (2048-bit key)"
    assert signature_words(dataclasses.replace(verified, verification="fail")).startswith("fails")


def test_markup_in_values_shows_literally(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, report_with_auth())
    claimed = panel.statement_items()[2]
    assert claimed.text(5) == "<b>forged</b>"
    assert "&lt;b&gt;forged&lt;/b&gt;" in claimed.toolTip(5)  # tooltips guess rich text
    for label in (panel.strip.sentence, panel.comparison, panel.trust, panel.empty):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert "<i>(markup stays text)</i>" in panel.strip.sentence.text()


def test_clicking_a_statement_selects_its_header(qtbot: QtBot) -> None:
    report = report_with_auth()
    tab = make_tab(qtbot, report)
    tab.show_auth()
    tree = tab.auth.statements
    claimed = tab.auth.statement_items()[2]
    rect = tree.visualItemRect(claimed)
    # The row may run past the viewport's right edge: click inside its first column.
    point = QPoint(rect.left() + 12, rect.center().y())
    assert tree.itemAt(point) is claimed
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=point)
    forged = index_of(report, "Authentication-Results", 1)
    assert tab.headers.selected_header_indices() == [forged]
    assert tab.lower_tabs.currentWidget() is tab.auth  # a click keeps the panel in view
    QTest.keyClick(tree, Qt.Key.Key_Return)
    assert tab.lower_tabs.currentWidget() is tab.headers  # Enter goes to the header


def test_a_badge_opens_the_panel_at_its_statement(qtbot: QtBot) -> None:
    report = report_with_auth()
    tab = make_tab(qtbot, report)
    dkim = next(b for b in tab.auth.strip.findChildren(BadgeButton) if b.badge.mechanism == "dkim")
    QTest.mouseClick(dkim, Qt.MouseButton.LeftButton)
    assert tab.lower_tabs.currentWidget() is tab.auth
    current = tab.auth.statements.currentItem()
    assert current is not None and current.text(0) == "dkim"
    assert tab.headers.selected_header_indices() == [index_of(report, "Authentication-Results")]


@pytest.mark.parametrize("empty", [None, "nothing"])
def test_no_results_is_one_plain_sentence(qtbot: QtBot, empty: str | None) -> None:
    report = report_with_auth()
    auth = report.auth
    assert auth is not None
    if empty is None:
        report = dataclasses.replace(report, auth=None)
    else:
        nothing = dataclasses.replace(auth, results=(), dkim=(), trusted_authserv_ids=())
        report = dataclasses.replace(report, auth=nothing)
    panel = make_panel(qtbot, report)
    panel.show()
    assert panel.empty.isVisible() and panel.empty.text() == EMPTY
    assert not panel.details.isVisible()
    assert panel.strip.badge_texts() == []
    assert panel.strip.sentence.text() == EMPTY


def test_badges_show_the_receivers_own_verdict_not_its_arc_copies() -> None:
    auth = auth_for(analyze_bytes(MESSAGE, "x.eml"))
    earlier_step = dataclasses.replace(
        result("spf", "pass", 5, trusted=True), instance=1, header_name="ARC-Authentication-Results"
    )
    forwarded = dataclasses.replace(
        auth, results=(result("spf", "neutral", 1, trusted=True), earlier_step)
    )
    assert {b.mechanism: b.text for b in badges(forwarded)}["spf"] == "SPF neutral"
    only_copy = dataclasses.replace(auth, results=(earlier_step,))
    assert {b.mechanism: b.text for b in badges(only_copy)}["spf"] == "SPF pass"


@pytest.mark.parametrize(
    ("computed", "said", "text", "outcome"),
    [
        # No key at hand: "would pass if the signature verifies" is amber, never red.
        ("unverified", None, "DMARC unverified (computed)", WARN),
        ("unknown", None, "DMARC cannot tell (computed)", NONE),
        ("fail", None, "DMARC fail (computed)", FAIL),
        # The receiver had the key: an unchecked signature here does not contradict it.
        ("unverified", "pass", "DMARC pass", PASS),
        ("fail", "pass", "DMARC pass (computed: fail)", WARN),
    ],
)
def test_the_dmarc_badge_never_turns_a_missing_key_into_a_failure(
    computed: str, said: str | None, text: str, outcome: str
) -> None:
    auth = auth_for(analyze_bytes(MESSAGE, "x.eml"))
    alignment = dataclasses.replace(auth.alignment, dmarc_computed=computed, receiver_says=said)
    results = () if said is None else (result("dmarc", said, 1, trusted=True),)
    found = {
        b.mechanism: b
        for b in badges(dataclasses.replace(auth, alignment=alignment, results=results))
    }
    assert (found["dmarc"].text, found["dmarc"].outcome) == (text, outcome)
