"""The route: order, delays, total, trust boundary, X-Received selection."""

from mailview.core.chain import RouteEntry, TrustConfig, build_route, select_route_entries
from mailview.core.model import HeaderField, ReceivedFields, Scope
from tests.helpers import at, hop, plus, route_of

T0 = at("2024-11-12 09:00:00")


def test_hops_are_ordered_oldest_first_with_delays_and_total() -> None:
    route = route_of(
        hop("relay.example.net", "10.0.0.2", "mbox.example.net", plus(T0, 95)),
        hop("mx.sender.example", "192.0.2.10", "relay.example.net", plus(T0, 35)),
        hop("laptop", "10.1.1.1", "mx.sender.example", T0),
    )
    assert [h.index for h in route.hops] == [1, 2, 3]
    assert [h.fields.by_host for h in route.hops] == [
        "mx.sender.example",
        "relay.example.net",
        "mbox.example.net",
    ]
    assert [h.header_index for h in route.hops] == [2, 1, 0]
    assert [h.delay_seconds for h in route.hops] == [None, 35.0, 60.0]
    assert route.total_delay_seconds == 95.0


def test_negative_delay_is_kept_not_hidden() -> None:
    route = route_of(
        hop("a.example", "192.0.2.1", "b.example", plus(T0, -120)),
        hop("c.example", "192.0.2.2", "a.example", T0),
    )
    assert route.hops[1].delay_seconds == -120.0
    assert route.total_delay_seconds == -120.0


def test_delay_skips_hops_without_a_date() -> None:
    route = route_of(
        hop("b", "10.0.0.3", "c", plus(T0, 50)),
        hop("a", "10.0.0.2", "b", None),
        hop("x", "10.0.0.1", "a", T0),
    )
    assert [h.delay_seconds for h in route.hops] == [None, None, 50.0]
    assert route.total_delay_seconds == 50.0


def test_single_dated_hop_has_no_total() -> None:
    assert route_of(hop("a", "192.0.2.1", "b", T0)).total_delay_seconds is None


def test_trust_runs_down_private_hops_and_stops_at_first_public() -> None:
    route = route_of(
        hop("filter.corp.example", "10.0.0.5", "mbox.corp.example", T0),
        hop("mx.corp.example", "127.0.0.1", "filter.corp.example", T0),
        hop("evil.example", "198.51.100.23", "mx.corp.example", T0),  # the boundary
        hop("pc", "192.168.1.20", "evil.example", T0),  # sender's own LAN: a claim
    )
    trusted = [h.trusted for h in route.hops]
    assert trusted == [False, True, True, True]
    assert route.boundary is not None
    assert route.boundary.index == 2
    assert route.boundary.fields.from_ip == "198.51.100.23"
    assert route.hops[0].ip_scope is Scope.PRIVATE


def test_authenticated_hop_extends_trust() -> None:
    route = route_of(
        hop("smtp.corp.example", "10.0.0.9", "mbox.corp.example", T0),
        hop("laptop", "198.51.100.50", "smtp.corp.example", T0, authenticated=True),
        hop("outside.example", "203.0.113.1", "laptop", T0),
    )
    # The authenticated client is one of ours, so the hop it wrote is trusted too; the
    # address it received from is the first external one.
    assert [h.trusted for h in route.hops] == [True, True, True]
    assert route.boundary is not None and route.boundary.index == 1
    assert route.boundary.fields.from_ip == "203.0.113.1"


def test_user_networks_and_domains_make_the_boundary_exact() -> None:
    fields = (
        hop("gw.corp.example", "198.51.100.7", "mbox.corp.example", T0),
        hop("sender.example", "203.0.113.9", "gw.corp.example", T0),
    )
    entries = [
        RouteEntry(HeaderField(i, "Received", "", "", i + 1), f) for i, f in enumerate(fields)
    ]
    default = build_route(entries)
    assert default.boundary is not None and default.boundary.index == 2
    mine = build_route(entries, TrustConfig(own_networks=(ip_net("198.51.100.0/24"),)))
    assert mine.boundary is not None and mine.boundary.index == 1
    by_name = build_route(
        [
            RouteEntry(HeaderField(0, "Received", "", "", 1), hop_rdns("gw.corp.example")),
            entries[1],
        ],
        TrustConfig(own_domains=("corp.example",)),
    )
    assert by_name.boundary is not None and by_name.boundary.index == 1


def ip_net(text: str):  # type: ignore[no-untyped-def]
    import ipaddress

    return ipaddress.ip_network(text)


def hop_rdns(rdns: str) -> ReceivedFields:
    return ReceivedFields(
        from_host="gw", from_rdns=rdns, from_ip="198.51.100.7", by_host="mbox.corp.example"
    )


def test_provider_internal_hops_do_not_stop_trust_but_outsiders_do() -> None:
    route = route_of(
        hop(
            "BN9PR03CA0712.namprd03.prod.outlook.com",
            "2603:10b6:408:ef::27",
            "DM6PR11MB4546.namprd11.prod.outlook.com",
            T0,
        ),
        hop(
            "mail.attacker.example",
            "2603:10b6:408:ef::28",  # a Microsoft address, but the name is not Microsoft's
            "BN9PR03CA0712.namprd03.prod.outlook.com",
            T0,
        ),
        hop("x", "10.0.0.1", "mail.attacker.example", T0),
    )
    assert [h.trusted for h in route.hops] == [False, True, True]
    assert route.boundary is not None and route.boundary.index == 2


def test_local_handoffs_without_an_address_keep_trust() -> None:
    route = route_of(
        hop(None, None, "mbox.corp.example", T0),  # e.g. "by mbox with LMTP"
        hop("mx.sender.example", "192.0.2.4", "mbox.corp.example", T0),
    )
    assert route.boundary is not None and route.boundary.index == 1


def test_all_internal_chain_has_no_boundary() -> None:
    route = route_of(hop("a", "10.0.0.1", "b", T0), hop(None, None, "a", T0))
    assert all(h.trusted for h in route.hops)
    assert route.boundary is None


def test_x_received_joins_only_for_the_same_systems() -> None:
    def entry(i: int, name: str, by: str) -> RouteEntry:
        return RouteEntry(HeaderField(i, name, "", "", i + 1), ReceivedFields(by_host=by))

    entries = [
        entry(0, "Received", "mx.google.com"),
        entry(1, "X-Received", "2002:a05:6a20:3d8a::"),  # Google internal, 6to4 of 10.x
        entry(2, "X-Received", "smtp.unrelated.example"),
        entry(3, "X-Received", "mx2.google.com"),
    ]
    chosen = [e.header.index for e in select_route_entries(entries)]
    assert chosen == [0, 1, 3]


def test_lmtp_delivery_inside_the_site_keeps_trust() -> None:
    route = route_of(
        hop("mp2.mail.example", "2001:41d0:303:e224::", "ms9.mail.example", T0,
            with_protocol="LMTPS"),
        hop("aspmx1.mail.example", "2001:41d0:303:e224::1", "mp2.mail.example", T0,
            with_protocol="LMTP"),
        hop("out.relay.example", "185.201.19.200", "aspmx1.mail.example", T0,
            with_protocol="ESMTPS"),
        hop("pc", "10.0.0.1", "out.relay.example", T0),
    )  # fmt: skip
    assert route.boundary is not None and route.boundary.index == 2
    assert route.boundary.fields.from_ip == "185.201.19.200"


def test_rdns_in_the_receivers_own_organisation_keeps_trust_but_helo_does_not() -> None:
    relay_by_rdns = ReceivedFields(
        from_host="whatever", from_rdns="mx1.corp.example", from_ip="192.0.2.20",
        by_host="mbox.corp.example", date=T0,
    )  # fmt: skip
    relay_by_helo = ReceivedFields(
        from_host="mx1.corp.example", from_ip="192.0.2.20", by_host="mbox.corp.example",
        date=T0,
    )  # fmt: skip
    outside = hop("sender.example", "198.51.100.1", "mx1.corp.example", T0)
    assert route_of(relay_by_rdns, outside).boundary.index == 1  # type: ignore[union-attr]
    assert route_of(relay_by_helo, outside).boundary.index == 2  # type: ignore[union-attr]
