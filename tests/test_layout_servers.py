"""The route as servers and hand-overs, and the words every face uses for it (no Qt)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from mailview.core.analyze import analyze_bytes, analyze_path
from mailview.core.model import Report
from mailview.layout import ApproxMetrics, layout_report
from mailview.layout.geometry import MAX_MEASURED, wrap_host, wrap_words
from mailview.layout.servers import route_model
from mailview.present.durations import describe_delay
from mailview.present.wording import hop_delay, hop_protocol, hop_sender
from tests.corpus import CORPUS
from tests.gui_helpers import synthetic_report

RESENT = CORPUS / "ninoseki-eml_analyzer" / "invalid_datetime.eml"
TAIL = (
    "From: a@example.com\r\nTo: b@example.net\r\nSubject: route\r\n"
    "Date: Tue, 12 Nov 2024 09:14:00 +0000\r\n\r\nbody\r\n"
)


def message(*received: str) -> Report:
    """A message whose Received lines are given newest first, as they stand in a header."""
    head = "".join(f"Received: {line}\r\n" for line in received)
    return analyze_bytes((head + TAIL).encode())


def test_origin_without_an_address_is_a_server_of_its_own() -> None:
    report = message(
        "from relay.example.net (relay.example.net [192.0.2.7]) by mx.example.org"
        " with ESMTP; Tue, 12 Nov 2024 09:14:09 +0000",
        "from WIN-8F3K2 by relay.example.net with ESMTPSA; Tue, 12 Nov 2024 09:14:02 +0000",
    )
    servers = route_model(report).servers
    assert [s.title for s in servers] == ["WIN-8F3K2", "relay.example.net", "mx.example.org"]
    origin = servers[0]
    assert origin.origin and origin.ip is None and origin.role == "sender's client"
    card = layout_report(report).cards[0]
    assert "no address recorded" in [t.text for t in card.texts]
    # The address under relay.example.net is the one the next receiver recorded for it.
    assert servers[1].ip == "192.0.2.7" and servers[1].described_by == 2


def test_a_by_name_differing_from_the_next_from_in_the_same_org_is_one_server() -> None:
    report = message(
        "from out-2.mail.example.net (out-2.mail.example.net [192.0.2.9]) by mx.example.org"
        " with ESMTPS; Tue, 12 Nov 2024 09:14:09 +0000",
        "from pc (pc [10.1.1.5]) by smtp.mail.example.net with ESMTP;"
        " Tue, 12 Nov 2024 09:14:02 +0000",
    )
    model = route_model(report)
    assert [s.title for s in model.servers] == ["pc", "smtp.mail.example.net", "mx.example.org"]
    relay = model.servers[1]
    # The card is titled with the name it gave itself; the name the next hop heard is listed.
    assert ("rDNS", "out-2.mail.example.net") in relay.names and relay.ip == "192.0.2.9"
    assert all(h.kind == "link" for h in model.handovers)


def test_a_by_name_of_another_organisation_breaks_the_chain_in_words() -> None:
    report = message(
        "from relay.other.example (relay.other.example [198.51.100.80]) by mx.corp.example"
        " with ESMTP; Tue, 12 Nov 2024 09:14:09 +0000",
        "from pc (pc [10.0.0.1]) by smtp.sender.example with ESMTP;"
        " Tue, 12 Nov 2024 09:14:02 +0000",
    )
    assert "route.broken_chain" in [f.code for f in report.findings]
    model = route_model(report)
    titles = [s.title for s in model.servers]
    assert titles == ["pc", "smtp.sender.example", "relay.other.example", "mx.corp.example"]
    (cut,) = [h for h in model.handovers if h.kind == "break"]
    assert cut.words == "gap: headers missing"
    broken = next(f for f in report.findings if f.code == "route.broken_chain")
    assert cut.severity == broken.severity
    edge = next(e for e in layout_report(report).edges if e.kind == "break")
    assert edge.tone == broken.severity.value and "held" not in (edge.label_text or "")


def test_x_received_lines_of_the_receiving_systems_are_joined() -> None:
    raw = (
        "X-Received: by 10.20.30.40 with SMTP id x9; Tue, 12 Nov 2024 09:14:11 +0000\r\n"
        + "".join(
            f"Received: {line}\r\n"
            for line in (
                "from mx.example.org (mx.example.org [192.0.2.10]) by mail.example.org"
                " with LMTP; Tue, 12 Nov 2024 09:14:12 +0000",
                "from relay.example.com (relay.example.com [198.51.100.7]) by mx.example.org"
                " with ESMTPS; Tue, 12 Nov 2024 09:14:10 +0000",
            )
        )
    )
    report = analyze_bytes((raw + TAIL).encode())
    assert "X-Received" in [h.header_name for h in report.hops]
    model = route_model(report)
    x_hop = next(h.index for h in report.hops if h.header_name == "X-Received")
    server = model.server_of_hop(x_hop)
    assert server is not None and server.title == "10.20.30.40" and server.wrote
    assert any(h.hop == x_hop and h.kind == "link" for h in model.handovers)


def test_ipv6_only_hops_keep_their_addresses_and_do_not_break() -> None:
    report = message(
        "from mp2.example.net (mp2.example.net [2001:db8:303::2]) by ms9.example.net"
        " with LMTPS; Tue, 12 Nov 2024 09:14:12 +0000",
        "from mx.example.net (mx.example.net [2001:db8:303::1]) by mp2.example.net"
        " with LMTPS; Tue, 12 Nov 2024 09:14:11 +0000",
        "from out.sender.example (out.sender.example [2001:db8:99::7]) by mx.example.net"
        " with ESMTPS; Tue, 12 Nov 2024 09:14:10 +0000",
    )
    model = route_model(report)
    assert [s.ip for s in model.servers] == [
        "2001:db8:99::7",
        "2001:db8:303::1",
        "2001:db8:303::2",
        None,
    ]
    assert all(h.kind == "link" for h in model.handovers)
    diagram = layout_report(report, width=1200)
    for card in diagram.cards:  # a long IPv6 address stays inside its card
        for text in card.texts:
            assert card.rect.contains(text.rect)


@pytest.mark.parametrize("hops", [30, 500])
def test_long_routes_become_one_server_per_hop_and_lay_out_cleanly(hops: int) -> None:
    report = synthetic_report(hops)
    model = route_model(report)
    assert len(model.servers) == hops + 1  # the sender's computer, then one per hop
    assert [h.target for h in model.handovers] == list(range(1, hops + 1))
    diagram = layout_report(report, width=1376)
    rows = sorted({card.rect.y for card in diagram.cards})
    assert len(rows) >= 2
    by_row = [[c.rect for c in diagram.cards if c.rect.y == y] for y in rows]
    for row in by_row:  # cards of a row never overlap (rows are disjoint by construction)
        for a, b in itertools.pairwise(sorted(row, key=lambda r: r.x)):
            assert a.right <= b.x
    assert all(card.rect.right <= diagram.width for card in diagram.cards)


def test_a_16k_character_helo_is_cut_not_measured_whole() -> None:
    helo = "h" * 16_000 + ".example"
    report = message(
        f"from {helo} (x.example.net [192.0.2.3]) by mx.example.org with ESMTP;"
        " Tue, 12 Nov 2024 09:14:10 +0000"
    )
    diagram = layout_report(report)
    longest = max(len(t.text) for card in diagram.cards for t in card.texts)
    assert longest < 100
    lines = wrap_host(helo, 200, "title", ApproxMetrics())
    assert sum(map(len, lines)) <= MAX_MEASURED
    assert all(ApproxMetrics().width(line, "title") <= 200 for line in lines)
    assert len(wrap_words("word " * 10_000, 200, "body", ApproxMetrics())) < 200


@pytest.mark.skipif(not RESENT.is_file(), reason=f"no corpus at {CORPUS}")
def test_the_resend_in_invalid_datetime_is_a_named_break() -> None:
    report = analyze_path(RESENT)
    model = route_model(report)
    (cut,) = [h for h in model.handovers if h.kind == "break"]
    assert cut.words == "re-sent 2 d 18 h later through Mailgun (new submission)"
    explaining = next(f for f in report.findings if f.code == "route.slow_hop")
    assert "held" not in explaining.title.lower() and explaining.title.startswith("Re-sent")
    assert cut.severity == explaining.severity
    roles = {s.title: s.role for s in model.servers}
    assert roles["mx303.antispamcloud.com"] == "SpamExperts gateway"  # a filtering gateway
    assert roles["aspmx1.migadu.com"] == "receiver's MX"
    diagram = layout_report(report)
    for edge in diagram.edges:
        assert "held" not in " ".join(t.text for t in edge.lines)
    timeline = diagram.timeline
    assert timeline is not None and len(timeline.breaks) == 1
    assert timeline.breaks[0].label.text == "⋯ 2 d 18 h ⋯"
    # Not collapsed into two dots: the hops on each side of the cut are spread out.
    assert len(timeline.markers) >= 4


def test_every_face_words_delays_and_hops_the_same() -> None:
    report = message(
        "from b.example.net (b.example.net [192.0.2.9]) by c.example.org with ESMTPS"
        " (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384); Tue, 12 Nov 2024 09:14:00 +0000",
        "from a.example.net (a.example.net [192.0.2.8] helo=alpha) by b.example.net"
        " with ESMTP; Tue, 12 Nov 2024 09:14:05 +0000",
    )
    second = report.hops[1]
    assert hop_delay(second) == describe_delay(-5.0) + " (clock skew)"
    assert hop_protocol(second.fields).startswith("ESMTPS TLS")
    assert hop_sender(report.hops[0]) == "a.example.net [helo alpha]"
    assert describe_delay(238250) == "2 d 18 h" and describe_delay(3725) == "1 h 02 min"


def test_an_exported_picture_says_which_message_of_the_file_it_shows() -> None:
    mbox = Path(__file__).parent / "fixtures" / "load" / "three.mbox"
    report = analyze_path(mbox, (1,))
    diagram = layout_report(report, interactive=False)
    caption = " ".join(text.text for text in diagram.caption)
    assert "three.mbox" in caption and "message 2 of 3" in caption
    words = [t.text for t in diagram.caption] + [
        e.label.text for e in (diagram.legend.entries if diagram.legend else ())
    ]
    assert not any("click" in w for w in words)  # no interactive hints in an export
    single = layout_report(synthetic_report(6), interactive=False)
    texts = [t.text for card in single.cards for t in card.texts]
    assert texts and not any("click" in t for t in texts)
