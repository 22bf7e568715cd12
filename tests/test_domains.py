"""Organisational domains: the split loading of the Public Suffix List answers exactly as
the library's whole list does, for every rule of the list and its punycoded forms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from publicsuffixlist import PSLFILE, PublicSuffixList

from mailview.core import domains


def _rules() -> list[str]:
    """Every rule of the shipped list, read as the library reads it."""
    with open(PSLFILE, encoding="utf-8", errors="surrogateescape") as source:
        lines = source.read().splitlines()
    rules = (line.lower().split(" ")[0].rstrip() for line in lines)
    return [rule for rule in rules if rule and not rule.startswith("//")]


def _punycoded(host: str) -> str | None:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _hosts(rule: str) -> Iterator[str]:
    """Names that meet `rule` as itself, under it, and just beside it; Unicode and punycoded."""
    name = rule.lstrip("!").replace("*", "wild")
    parent = name.partition(".")[2]
    for host in (name, f"shop.{name}", f"mail.shop.{name}", f"other.{parent}" if parent else ""):
        if not host:
            continue
        yield host
        encoded = _punycoded(host)
        if encoded is not None and encoded != host:
            yield encoded
            yield encoded.upper()  # A-labels are case-insensitive: XN-- is xn--


RULES = _rules()


def test_the_list_has_internationalised_rules_to_prove_the_split_on() -> None:
    encoded = [_punycoded(rule.lstrip("!")) for rule in RULES if not rule.isascii()]
    assert len(RULES) > 5_000
    assert sum(1 for e in encoded if e is not None and "xn--" in e) > 100


@pytest.mark.parametrize("part", range(4))
def test_every_rule_answers_as_the_whole_list_does(part: int) -> None:
    whole = PublicSuffixList()
    checked = 0
    for rule in RULES[part::4]:
        for host in _hosts(rule):
            lowered = host.lower()
            expected_org = whole.privatesuffix(lowered)
            assert domains.org_domain(host) == (
                expected_org if isinstance(expected_org, str) else None
            ), host
            expected_suffix = whole.publicsuffix(host, accept_unknown=False)
            assert domains.public_suffix(host) == (
                expected_suffix if isinstance(expected_suffix, str) else None
            ), host
            checked += 1
    assert checked > len(RULES) // 4


def test_the_whole_list_holds_the_same_rules_as_the_library_loading_it_whole() -> None:
    # The library keeps its rules in one private set; comparing it is the strictest check
    # that adding only the non-ASCII rules' encoded forms loses and adds nothing.
    domains._whole_psl.cache_clear()
    mine = domains._whole_psl()._publicsuffix
    assert mine == PublicSuffixList()._publicsuffix
    assert len(domains._encoded_forms()) > 100


def test_punycoded_names_are_found_under_their_internationalised_suffix() -> None:
    # 公司.cn is a public suffix; a name under its A-label form is registrable below it.
    suffix = "xn--55qx5d.cn"
    assert _punycoded("公司.cn") == suffix
    assert domains.public_suffix(f"www.example.{suffix}") == suffix
    assert domains.org_domain(f"www.example.{suffix}") == f"example.{suffix}"
    assert domains.org_domain("www.example.公司.cn") == "example.公司.cn"


def test_a_name_without_punycode_never_loads_the_encoded_forms() -> None:
    domains._whole_psl.cache_clear()
    domains.org_domain.cache_clear()
    assert domains.org_domain("mx1.mail.example.co.uk") == "example.co.uk"
    assert domains.public_suffix("example.com") == "com"
    assert domains._whole_psl.cache_info().currsize == 0
    assert domains.org_domain("mail.xn--80ak6aa92e.com") == "xn--80ak6aa92e.com"
    assert domains._whole_psl.cache_info().currsize == 1


def test_a_name_loads_the_rules_under_its_own_top_label_only() -> None:
    domains._label_psl.cache_clear()
    domains.org_domain.cache_clear()
    assert domains.org_domain("mx1.mail.example.co.uk") == "example.co.uk"
    assert domains.org_domain("WWW.Example.CO.UK.") == "example.co.uk"
    assert domains._label_psl.cache_info().currsize == 1  # "uk" alone
    assert domains.org_domain("a.b.appspot.com") == "b.appspot.com"  # a private rule
    assert domains._label_psl.cache_info().currsize == 2
    assert domains.public_suffix("nowhere.example-top") is None  # unknown top label
    assert domains.org_domain("host.example-top") == "host.example-top"
    assert domains.org_domain("a..uk") is None  # an empty label: the library's answer


def test_made_up_top_labels_share_one_empty_table_and_are_not_remembered() -> None:
    domains._label_psl.cache_clear()
    domains.org_domain.cache_clear()
    for n in range(2_000):
        assert domains.org_domain(f"mail.host{n}.made-up-{n}") == f"host{n}.made-up-{n}"
    assert domains._label_psl.cache_info().currsize == 0
    assert domains._plain_psl("made-up-1") is domains._plain_psl("made-up-2")


def test_the_index_reads_each_line_as_the_library_does() -> None:
    # the list is written plainly, so its ASCII lines take the shortcut on their bytes
    by_line = {
        line: label for label, held in domains._lines_by_top_label().items() for line in held
    }
    assert by_line == {line: domains._read_label(line) for line in domains._rule_lines()}
    assert sum(len(held) for held in domains._lines_by_top_label().values()) == len(
        domains._rule_lines()
    )


def test_the_search_finds_under_each_label_what_the_index_holds() -> None:
    index = domains._lines_by_top_label()
    assert domains._rule_text() is not None  # the list is written plainly: searched
    for label, held in index.items():
        assert domains._lines_under(label) == held  # the same lines, in the same order
        assert domains._holds(label)
    for made_up in (b"made-up", b"m", b"o", b"", b"\xff", b"x\ny", b"!com", b"co.uk"):
        assert domains._holds(made_up) is (made_up in index)
        assert set(domains._lines_under(made_up)) == set(index.get(made_up, ()))


def test_a_list_whose_labels_are_not_written_at_line_ends_is_not_searched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the library reads "été.FR" (a non-ASCII line) as under "fr": the bytes end in "FR"
    lines = ("été.FR".encode(), b"example.fr")
    monkeypatch.setattr(domains, "_rule_lines", lambda: lines)
    for cached in (
        domains._rule_text,
        domains._lines_by_top_label,
        domains._holds,
        domains._ascii_lines_plain,
    ):
        cached.cache_clear()
    try:
        assert domains._rule_text() is None
        assert domains._lines_under(b"fr") == lines
        assert domains._holds(b"fr") and not domains._holds(b"FR")
    finally:
        for cached in (
            domains._rule_text,
            domains._lines_by_top_label,
            domains._holds,
            domains._ascii_lines_plain,
        ):
            cached.cache_clear()


def test_a_list_not_written_plainly_is_read_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = (b"Shop.Example.COM", b"example.org  a note", b"!x.net", "été.fr".encode(), b"com")
    monkeypatch.setattr(domains, "_rule_lines", lambda: lines)
    domains._lines_by_top_label.cache_clear()
    domains._ascii_lines_plain.cache_clear()
    try:
        assert domains._lines_by_top_label() == {
            b"com": (b"Shop.Example.COM", b"com"),
            b"org": (b"example.org  a note",),
            b"net": (b"!x.net",),
            b"fr": ("été.fr".encode(),),
        }
    finally:
        domains._lines_by_top_label.cache_clear()
        domains._ascii_lines_plain.cache_clear()
