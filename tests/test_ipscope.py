import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.ipscope import parse_ip, scope_of_text
from mailview.core.model import Scope


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("8.8.8.8", Scope.PUBLIC),
        ("10.20.30.40", Scope.PRIVATE),
        ("172.31.255.1", Scope.PRIVATE),
        ("172.32.0.1", Scope.PUBLIC),  # just outside 172.16.0.0/12
        ("192.168.0.10", Scope.PRIVATE),
        ("127.0.0.1", Scope.LOOPBACK),
        ("[127.0.0.1]", Scope.LOOPBACK),
        ("169.254.3.4", Scope.LINK_LOCAL),
        ("100.64.0.1", Scope.CGNAT),
        ("100.128.0.1", Scope.PUBLIC),  # just outside 100.64.0.0/10
        ("192.0.2.5", Scope.DOCUMENTATION),
        ("198.51.100.23", Scope.DOCUMENTATION),
        ("203.0.113.77", Scope.DOCUMENTATION),
        ("198.18.0.1", Scope.BENCHMARK),
        ("0.0.0.0", Scope.UNSPECIFIED),
        ("240.1.2.3", Scope.RESERVED),
        ("224.0.0.251", Scope.MULTICAST),
        ("::1", Scope.LOOPBACK),
        ("[IPv6:::1]", Scope.LOOPBACK),
        ("IPv6:2001:db8::1", Scope.DOCUMENTATION),
        ("fe80::1%eth0", Scope.LINK_LOCAL),
        ("fd12:3456::1", Scope.ULA),
        ("2603:10b6:5:2a1::19", Scope.PUBLIC),
        ("2a00:1450:4864:20::541", Scope.PUBLIC),
        ("::ffff:10.0.0.1", Scope.PRIVATE),  # IPv4-mapped
        ("2002:a05:6a10:d0d2::", Scope.PRIVATE),  # Google's 6to4 form of 10.5.106.16
        ("2002:0808:0808::1", Scope.PUBLIC),  # 6to4 of 8.8.8.8
    ],
)
def test_scope_of_addresses(text: str, scope: Scope) -> None:
    assert scope_of_text(text) is scope


@pytest.mark.parametrize(
    "text", ["15.20.8137.29x", "mail.example.com", "", "1.2.3", "256.1.1.1", "15.1.225"]
)
def test_non_addresses_have_no_scope(text: str) -> None:
    assert parse_ip(text) is None
    assert scope_of_text(text) is None


OCTET = st.one_of(
    st.integers(0, 300).map(str),
    st.sampled_from(["00", "01", "007", "0", "255", "256", "1000", "", "a", "٣"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(OCTET, min_size=3, max_size=5).map(".".join))
def test_dotted_quads_read_exactly_as_ipaddress_reads_them(text: str) -> None:
    try:
        expected: object = ipaddress.ip_address(text)
    except ValueError:
        expected = None
    assert parse_ip(text) == expected
