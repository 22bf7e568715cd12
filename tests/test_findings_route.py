"""Route rules: each raises its finding on the case it is about, and stays quiet otherwise."""

from datetime import UTC, datetime

from mailview.core.chain import Route
from mailview.core.defects import HEADER_NUL, Defect
from mailview.core.findings import input as input_rules
from mailview.core.findings import route as rules
from mailview.core.findings.context import describe_delay
from mailview.core.findings.registry import RuleContext, run_rules
from mailview.core.model import Finding, LoadedMessage, ReceivedFields, Severity
from tests.helpers import at, hop, plus, route_of

T0 = at("2024-11-12 09:00:00")
NOW = datetime(2024, 11, 13, tzinfo=UTC)


def run(route: Route, defects: tuple[Defect, ...] = ()) -> list[Finding]:
    message = LoadedMessage("eml", (), b"", (0,), "the message", defects=defects)
    # Only the route and input rules: the identity rules would add "no From" and the like
    # for these header-less test messages.
    rules_here = (*input_rules.RULES, *rules.RULES)
    return list(run_rules(RuleContext(message, (), route, NOW), rules_here, strict=True))


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


def test_no_received_headers() -> None:
    found = run(route_of())
    assert codes(found) == ["route.no_received"]
    assert found[0].severity is Severity.LOW


def test_clean_chain_raises_nothing() -> None:
    found = run(
        route_of(
            hop("mx.corp.example", "10.0.0.2", "mbox.corp.example", plus(T0, 4)),
            hop("out.sender.example", "192.0.2.10", "mx.corp.example", plus(T0, 2)),
            hop("pc", "10.9.9.9", "out.sender.example", T0),
        )
    )
    assert found == []


def test_unreadable_and_missing_dates_name_the_hop() -> None:
    found = run(
        route_of(
            hop("b.example", "10.0.0.1", "c.example", None),
            ReceivedFields(from_host="a.example", by_host="b.example", date_text="Foo 99"),
        )
    )
    assert codes(found) == ["route.received_date_unparseable"] * 2
    assert "'Foo 99' could not be read" in found[0].detail
    assert "carries no date" in found[1].detail
    assert found[0].evidence[0].header_index == 1  # the older hop is lower in the block


def test_parser_problems_other_than_dates_become_info_findings() -> None:
    odd = ReceivedFields(by_host="b.example", date=T0, problems=("Text after 'by' ignored.",))
    found = run(route_of(odd))
    assert codes(found) == ["route.received_unparsed"]
    assert found[0].severity is Severity.INFO


def test_negative_delay_grows_in_severity_with_size() -> None:
    def skew(seconds: float) -> Finding:
        found = run(
            route_of(
                hop("a.example", "10.0.0.1", "b.example", plus(T0, -seconds)),
                hop("x.example", "10.0.0.2", "a.example", T0),
            )
        )
        assert codes(found) == ["route.negative_delay"]
        return found[0]

    assert skew(20).severity is Severity.INFO
    assert skew(600).severity is Severity.LOW
    big = skew(7200)
    assert big.severity is Severity.MEDIUM
    assert "2 h 00 min" in big.title
    assert [e.header_index for e in big.evidence] == [1, 0]


def test_reversed_chain_is_out_of_order() -> None:
    found = run(
        route_of(
            hop("c", "10.0.0.3", "d", T0),
            hop("b", "10.0.0.2", "c", plus(T0, 60)),
            hop("a", "10.0.0.1", "b", plus(T0, 120)),
        )
    )
    assert "route.hops_out_of_order" in codes(found)
    out = next(f for f in found if f.code == "route.hops_out_of_order")
    assert "reverse order" in out.detail


def test_single_backward_step_is_skew_not_disorder() -> None:
    found = run(
        route_of(
            hop("c", "10.0.0.3", "d", plus(T0, 100)),
            hop("b", "10.0.0.2", "c", plus(T0, -300)),
            hop("a", "10.0.0.1", "b", T0),
        )
    )
    assert "route.hops_out_of_order" not in codes(found)
    assert codes(found).count("route.negative_delay") == 1


def test_hop_in_the_future() -> None:
    found = run(route_of(hop("a", "10.0.0.1", "b", at("2024-11-14 00:00:00"))))
    assert codes(found) == ["route.hop_in_future"]
    near = run(route_of(hop("a", "10.0.0.1", "b", at("2024-11-13 00:10:00"))))
    assert near == []  # within the tolerance for a slightly fast clock


def test_broken_chain_when_by_and_next_from_are_unrelated() -> None:
    found = run(
        route_of(
            hop("relay.other.example", "192.0.2.80", "mx.corp.example", plus(T0, 1)),
            hop("pc", "10.0.0.1", "smtp.sender.example", T0),
        )
    )
    assert codes(found) == ["route.broken_chain"]
    assert "smtp.sender.example" in found[0].detail
    assert "relay.other.example" in found[0].detail


def test_chain_continues_by_name_org_ip_or_localhost() -> None:
    cases = [
        ("smtp.sender.example", None, "smtp.sender.example"),  # same name
        ("out2.sender.example", None, "smtp.sender.example"),  # same organisation
        ("smtp", None, "smtp.sender.example"),  # short name of the same host
        ("localhost", "127.0.0.1", "smtp.sender.example"),  # content filter on the box
    ]
    for from_host, from_ip, by in cases:
        found = run(
            route_of(
                hop(from_host, from_ip or "192.0.2.1", "mx.corp.example", plus(T0, 1)),
                hop("pc", "10.0.0.1", by, T0),
            )
        )
        assert "route.broken_chain" not in codes(found), (from_host, by)
    by_ip = ReceivedFields(from_host="pc", from_ip="10.0.0.1", by_ip="192.0.2.5", date=T0)
    found = run(route_of(hop("anything", "192.0.2.5", "mx", plus(T0, 1)), by_ip))
    assert "route.broken_chain" not in codes(found)


def test_private_address_after_a_public_hop_not_explained_by_the_chain() -> None:
    found = run(
        route_of(
            hop("gw.sender.example", "198.51.100.9", "mx.corp.example", plus(T0, 3)),
            hop("lan-box.other.example", "10.1.2.3", "gw.sender.example", plus(T0, 2)),
            hop("pc", "203.0.113.5", "out.sender.example", T0),
        )
    )
    assert sorted(codes(found)) == ["route.broken_chain", "route.private_after_public"]
    item = next(f for f in found if f.code == "route.private_after_public")
    assert item.title == "Hop 2 comes from a private address after a public hop"
    assert [e.text for e in item.evidence] == ["Received: hop 2", "Received: hop 1"]


def test_internal_relays_and_content_filters_after_a_public_hop_are_normal() -> None:
    found = run(
        route_of(
            hop("localhost", "127.0.0.1", "mx.corp.example", plus(T0, 3)),  # content filter
            hop("mx.corp.example", "10.0.0.7", "mx.corp.example", plus(T0, 2)),  # same host
            hop("out.sender.example", "203.0.113.5", "mx.corp.example", T0),
        )
    )
    assert found == []


def test_loader_defects_become_findings() -> None:
    found = run(
        route_of(hop("a", "10.0.0.1", "b", T0)),
        defects=(Defect(HEADER_NUL, "NUL bytes were removed."),),
    )
    assert codes(found) == ["input.malformed"]
    assert found[0].detail.startswith("NUL bytes were removed.")


def test_failing_rule_becomes_a_finding_unless_strict() -> None:
    def broken(ctx: RuleContext) -> list[Finding]:
        raise RuntimeError("boom")

    message = LoadedMessage("eml", (), b"", (0,), "the message")
    ctx = RuleContext(message, (), route_of(), NOW)
    found = run_rules(ctx, (broken, rules.no_received))
    assert [f.code for f in found] == ["route.no_received", "internal.rule_failed"]
    assert "broken" in found[1].title


def test_describe_delay_words() -> None:
    assert describe_delay(12) == "12 s"
    assert describe_delay(-83) == "-1 min 23 s"
    assert describe_delay(3 * 3600 + 4 * 60) == "3 h 04 min"
    assert describe_delay(3 * 86400 + 5 * 3600) == "3 d 5 h"
