"""A bounce's picture: the route that failed, ending where delivery stopped (no Qt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailview.core.analyze import analyze_bytes, analyze_path, analyze_returned
from mailview.core.load import read_path
from mailview.core.model import Report, Severity
from mailview.layout import Card, Diagram, layout_report
from mailview.layout.failure import MAX_REFUSERS, UNNAMED, failure_plan
from tests.bounce_samples import dsn
from tests.corpus import CORPUS, corpus_files

BOUNCES = CORPUS / "bounces"
HARD = ("bob@receiver.example", "failed", "5.1.1", "550 5.1.1 <bob@receiver.example>: unknown")
SOFT = ("carol@other.example", "delayed", "4.2.2", "452 4.2.2 Mailbox full, try later")
# The original as it left: a client handed it to the sender's server, which then failed.
ORIGINAL = (
    b"Received: from mx.sender.example (mx.sender.example [198.51.100.7])\n"
    b"\tby mx.sender.example with ESMTP; Mon, 2 Mar 2026 09:59:30 +0000\n"
    b"Received: from laptop.sender.example (laptop.sender.example [198.51.100.20])\n"
    b"\tby submit.sender.example with ESMTPSA; Mon, 2 Mar 2026 09:59:10 +0000\n"
    b"From: alice@sender.example\nTo: bob@receiver.example\nSubject: Quarterly figures\n"
    b"Message-ID: <orig-1@sender.example>\nDate: Mon, 2 Mar 2026 09:59:00 +0000\n\nHello\n"
)


def drawn(data: bytes) -> tuple[Report, Report | None, Diagram]:
    report = analyze_bytes(data, "bounce.eml")
    returned = analyze_returned(data, report)
    return report, returned, layout_report(report, returned=returned)


def failure_cards(diagram: Diagram) -> list[Card]:
    return [card for card in diagram.cards if card.key.startswith("failure-")]


def card_text(card: Card) -> str:
    return " ".join(text.text for text in card.texts)


def test_a_hard_failure_ends_the_route_in_red_with_code_and_reason() -> None:
    _, _, diagram = drawn(dsn([HARD], original=ORIGINAL))
    (card,) = failure_cards(diagram)
    assert card is diagram.cards[-1] and card.finding is Severity.HIGH
    assert card.texts[0].text == "mx.receiver.example"
    assert "bob@receiver.example" in card_text(card)
    edge = diagram.edges[-1]
    assert edge.kind == "refused" and edge.target == card.key and edge.tone == "high"
    assert edge.label is not None and edge.label.text == "✗ 5.1.1"
    assert [t.text for t in edge.lines] == ["userunknown", "refused", "SMTP 550"]
    assert edge.finding is not None and "550 5.1.1 <bob@receiver.example>: unknown" in edge.finding
    assert any(lane.kind == "failure" for lane in diagram.lanes)


def test_a_delay_is_a_soft_failure_in_orange() -> None:
    _, _, diagram = drawn(dsn([SOFT], original=ORIGINAL))
    (card,) = failure_cards(diagram)
    assert card.finding is Severity.MEDIUM
    assert "delayed, soft" in card_text(card)
    assert [b.text.text for b in card.badges] == ["soft failure"]
    edge = diagram.edges[-1]
    assert edge.tone == "medium" and edge.label is not None and edge.label.text == "↻ 4.2.2"


def test_the_returned_original_route_is_drawn_with_the_failure_after_its_last_server() -> None:
    report, returned, diagram = drawn(dsn([HARD], original=ORIGINAL))
    assert returned is not None and len(returned.hops) == 2
    titles = [card.texts[0].text for card in diagram.cards]
    # The original's servers, not the bounce's (the sender's two stacked in one card);
    # the reporting MTA is its last server, and the failure leaves from it.
    assert titles == ["laptop.sender.example", "sender.example · 2 servers", "mx.receiver.example"]
    assert "submit.sender.example" in card_text(diagram.cards[1])
    assert diagram.edges[-1].source == diagram.cards[1].key
    opened = layout_report(report, returned=returned, expanded=[g.id for g in diagram.groups])
    assert [c.texts[0].text for c in opened.cards][1:3] == [
        "submit.sender.example",
        "mx.sender.example",
    ]
    assert opened.edges[-1].source == opened.cards[2].key
    caption = " ".join(t.text for t in diagram.caption)
    assert caption.startswith("Delivery to bob@receiver.example failed (5.1.1)")
    assert "route of the returned original" in caption
    assert "Returned original: “Quarterly figures”" in caption
    assert report.input.sha256 in caption


def test_a_reporting_server_not_in_the_original_route_is_drawn_before_the_failure() -> None:
    _, _, diagram = drawn(dsn([HARD], original=ORIGINAL, reporting="relay.sender.example"))
    titles = [card.texts[0].text for card in diagram.cards]
    assert titles[-2:] == ["relay.sender.example", "mx.receiver.example"]
    assert "reported the failure" in card_text(diagram.cards[-2])
    assert diagram.edges[-1].source == diagram.cards[-2].key


def test_without_the_original_headers_the_bounce_route_stops_at_the_reporting_server() -> None:
    report, returned, diagram = drawn(dsn([HARD]))  # the default original has no Received
    plan = failure_plan(report, returned)
    assert plan is not None and not plan.returned and plan.route is report
    titles = [card.texts[0].text for card in diagram.cards]
    # Its one Received line names the reporting server on both sides; nothing after it.
    assert titles == ["mx.sender.example", "mx.sender.example", "mx.receiver.example"]
    assert diagram.edges[-1].source == diagram.cards[1].key
    caption = " ".join(t.text for t in diagram.caption)
    assert "the bounce's own route up to the server that reported the failure" in caption


def test_several_refusing_servers_get_one_card_each_up_to_a_cap() -> None:
    recipients = [HARD, SOFT] + [
        (f"u{i}@site{i}.example", "failed", "5.7.1", "550 5.7.1 blocked") for i in range(3)
    ]
    recipients.append(("dave@receiver.example", "failed", "5.2.2", "552 5.2.2 full"))
    _, _, diagram = drawn(dsn(recipients, original=ORIGINAL))
    cards = failure_cards(diagram)
    assert len(cards) == MAX_REFUSERS
    assert [c.texts[0].text for c in cards] == [
        "mx.receiver.example",
        "mx.other.example",
        "mx.site0.example",
    ]
    # Two recipients refused by one server share its card.
    assert "bob@receiver.example" in card_text(cards[0])
    assert "dave@receiver.example" in card_text(cards[0])
    assert "+2 more refusing servers" in card_text(cards[-1])
    refused = [e for e in diagram.edges if e.kind == "refused"]
    # Every arrow leaves the same server: each refuser was tried from there.
    assert len({e.source for e in refused}) == 1
    assert [e.target for e in refused] == [c.key for c in cards]
    assert [e.tone for e in refused] == ["high", "medium", "high"]


def test_a_refuser_the_report_does_not_name_is_the_recipients_server() -> None:
    data = dsn([HARD], original=ORIGINAL, unnamed=("bob@receiver.example",))
    _, _, diagram = drawn(data)
    (card,) = failure_cards(diagram)
    assert card.texts[0].text == UNNAMED


def test_ten_thousand_recipients_draw_a_bounded_picture() -> None:
    many = [(f"u{i}@d{i}.example", "failed", "5.1.1", "550 unknown") for i in range(10_000)]
    _, _, diagram = drawn(dsn(many, original=ORIGINAL))
    assert len(failure_cards(diagram)) == MAX_REFUSERS
    assert len(diagram.cards) <= 3 + MAX_REFUSERS


def test_ordinary_mail_has_no_failure_and_is_drawn_as_before() -> None:
    mail = ORIGINAL
    report = analyze_bytes(mail, "mail.eml")
    other = analyze_bytes(dsn([HARD], original=ORIGINAL), "bounce.eml")
    assert failure_plan(report) is None and analyze_returned(mail, report) is None
    plain = layout_report(report)
    # Handing a returned original to an ordinary message changes nothing.
    assert layout_report(report, returned=other) == plain
    assert not failure_cards(plain) and all(e.kind != "refused" for e in plain.edges)
    assert all(lane.kind != "failure" for lane in plain.lanes)


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if "bounces" not in p.parts][:40]
    or [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))],
)
def test_ordinary_corpus_mail_draws_no_failure(path: Path) -> None:
    report = analyze_path(path)
    if report.bounce is not None and report.bounce.is_delivery_report:
        pytest.skip("a delivery report outside the bounces folder")
    diagram = layout_report(report)
    assert not failure_cards(diagram)
    assert all(e.kind != "refused" for e in diagram.edges)


def _bounce_files() -> list[object]:
    files = sorted(BOUNCES.glob("*.eml")) if BOUNCES.is_dir() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {BOUNCES}"))]
    return [pytest.param(p, id=p.name) for p in files]


@pytest.mark.parametrize("path", _bounce_files())
def test_every_real_bounce_with_a_failure_ends_in_the_failure(path: Path) -> None:
    data = read_path(path)
    report = analyze_path(path)
    returned = analyze_returned(data, report)
    diagram = layout_report(report, returned=returned)
    bounce = report.bounce
    if bounce is None or not bounce.is_delivery_report or not bounce.failed:
        assert not failure_cards(diagram)
        return
    cards = failure_cards(diagram)
    assert 1 <= len(cards) <= MAX_REFUSERS
    assert diagram.cards[-len(cards) :] == tuple(cards)
    refused = [e for e in diagram.edges if e.kind == "refused"]
    assert [e.target for e in refused] == [c.key for c in cards]
    statuses = {r.status for r in bounce.failed if r.status}
    for edge in refused:
        assert edge.label is not None
        code = edge.label.text.split(" ", 1)[1]
        assert code in statuses or not statuses
