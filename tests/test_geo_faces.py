"""Network owner and place as every face shows them, each fact with its source and date.

A message with three public hops (SURF's range, known to the tiny databases written here;
Microsoft 365's outbound range, known only to mailview's own provider list; an address no
one knows) is analysed with a user's ASN file in front of a tiny plevin file playing the
embedded one, so each face has to show facts from two databases, dated, and nothing for
the unknown address.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from mailview.cli.batch import Tally, analyse, summary_lines
from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.errors import InputError
from mailview.core.model import GeoFactSource, GeoInfo, HopLookup, Report
from mailview.enrich.geo import PROVIDER_RANGES, GeoDatabases, open_geo
from mailview.export.html_report import render_html
from mailview.export.json_report import report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.text_report import render_text
from mailview.layout.diagram import geo_texts
from mailview.present.place import (
    database_line,
    databases_note,
    network_text,
    origin_label,
    place_line,
    sources_text,
    where_text,
)
from tests.corpus import corpus_files
from tests.net_guard import NetGuard, guard_for_test
from tests.plv_writer import PlvNetwork, write_plv
from tests.test_geo import ASN_BUILT, _asn_db

PLV_BUILT = "2026-10-04"
MESSAGE = (
    b"Received: from mx.example.net (mx.example.net [192.0.2.1])\r\n"
    b"\tby inbox.example.net with ESMTP; Mon, 03 Jun 2024 10:00:09 +0000\r\n"
    b"Received: from mail-am.outbound.protection.outlook.com (mail-am.outbound.protection"
    b".outlook.com [40.92.74.29])\r\n"
    b"\tby mx.example.net with ESMTPS; Mon, 03 Jun 2024 10:00:07 +0000\r\n"
    b"Received: from relay.surf.nl (relay.surf.nl [145.100.7.9])\r\n"
    b"\tby mail-am.outbound.protection.outlook.com with ESMTPS; Mon, 03 Jun 2024 10:00:05 +0000\r\n"
    b"Received: from unknown (unknown [5.5.5.5])\r\n"
    b"\tby relay.surf.nl with ESMTP; Mon, 03 Jun 2024 10:00:01 +0000\r\n"
    b"From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n"
    b"Date: Mon, 03 Jun 2024 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nbody\r\n"
)
SURF, MICROSOFT, NOBODY = "145.100.7.9", "40.92.74.29", "5.5.5.5"
_NOW = datetime(2026, 12, 1)
PLV = GeoFactSource(("country",), "plevin network", date(2026, 10, 4), True)
ASN = GeoFactSource(("asn",), "GeoLite2-ASN", date.fromisoformat(ASN_BUILT), False)
PROVIDERS = GeoFactSource(("asn",), PROVIDER_RANGES, None, True)


@pytest.fixture(scope="module")
def geo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GeoDatabases]:
    folder = tmp_path_factory.mktemp("faces")
    plv = write_plv(
        folder / "network.plv",
        [PlvNetwork("145.100.0.0/16", 1101, "SURFNET-NL", "SURF B.V.", "NL")],
        built=PLV_BUILT,
    )
    with GeoDatabases([_asn_db(folder / "ASN.mmdb"), plv], embedded=plv) as databases:
        yield databases


@pytest.fixture(scope="module")
def report(geo: GeoDatabases) -> Report:
    return analyze_bytes(MESSAGE, "faces.eml", options=AnalysisOptions(geo=geo))


def _hop(report: Report, ip: str) -> int:
    return next(h.index for h in report.hops if h.fields.from_ip == ip)


# --- the wording, one table ------------------------------------------------------------


def _geo(**fields: object) -> GeoInfo:
    blank: dict[str, object] = dict.fromkeys(
        ("country", "country_name", "city", "latitude", "longitude", "asn", "as_org"), None
    )
    return GeoInfo(**{**blank, "source": "x", **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("geo", "lookup", "expected"),
    [
        (_geo(asn=8075, as_org="Microsoft", country="NL"), None, "AS8075 Microsoft · NL"),
        (_geo(asn=8075, as_org="Microsoft", country="NL", city="Amsterdam"), None,
         "AS8075 Microsoft · Amsterdam, NL"),
        (_geo(asn=8075), None, "AS8075"),
        (_geo(as_org="Holder Ltd", country="DE"), None, "Holder Ltd · DE"),
        (_geo(country="DE"), None, "DE"),
        (_geo(), None, None),
        (None, None, None),
        # Online DNS fills the owner only where the databases knew none.
        (_geo(country="DE"), "AS3320 DTAG", "AS3320 DTAG · DE"),
        (_geo(asn=1, as_org="Mine", country="DE"), "AS3320 DTAG", "AS1 Mine · DE"),
        (None, "AS3320 DTAG", "AS3320 DTAG"),
    ],
)  # fmt: skip
def test_place_line(geo: GeoInfo | None, lookup: str | None, expected: str | None) -> None:
    online = None
    if lookup is not None:
        number, org = lookup.split(" ", 1)
        online = HopLookup(None, None, int(number[2:]), org, (), _NOW)
    assert place_line(geo, online) == expected


def test_small_wordings() -> None:
    assert network_text(None, "  ") is None
    assert network_text(15169, None) == "AS15169"
    assert where_text(_geo(city="Paris")) == "Paris"
    assert origin_label(_geo(asn=8075, as_org="Microsoft", country="US"), "40.92.1.1") == (
        "AS8075 Microsoft · US"
    )
    assert origin_label(_geo(country="US"), "40.92.1.1") == "40.92.1.1 (US)"
    assert origin_label(None, "40.92.1.1") == "40.92.1.1"
    assert database_line("plevin network", date(2026, 10, 4), True, "country") == (
        "plevin network (built in), built 2026-10-04 — answers country"
    )


def test_sources_are_named_fact_by_fact_with_dates() -> None:
    one = _geo(
        sources=(GeoFactSource(("country", "asn"), "plevin network", date(2026, 10, 4), True),)
    )
    assert sources_text(one) == "plevin network, 2026-10-04, built in"
    two = _geo(sources=(PLV, ASN))
    assert sources_text(two) == (
        f"country: plevin network, 2026-10-04, built in; network: GeoLite2-ASN, {ASN_BUILT}"
    )
    assert sources_text(_geo(sources=(PROVIDERS,))) == "known provider ranges (mailview)"
    assert sources_text(_geo(source="legacy label")) == "legacy label"


# --- the analysis and its faces ---------------------------------------------------------


def test_each_hop_names_its_owner_and_the_sources_behind_it(report: Report) -> None:
    by_ip = {h.fields.from_ip: g for h, g in zip(report.hops, report.hop_geo, strict=True)}
    surf, microsoft = by_ip[SURF], by_ip[MICROSOFT]
    assert surf is not None and microsoft is not None
    # The user's ASN file names SURF's owner; the embedded file still gives the country.
    assert (surf.asn, surf.as_org, surf.country) == (1101, "SURF B.V.", "NL")
    assert surf.sources == (PLV, ASN)
    # Nobody's database covers Microsoft 365's outbound range here: the provider list does.
    assert (microsoft.asn, microsoft.as_org, microsoft.country) == (8075, "Microsoft", None)
    assert microsoft.sources == (PROVIDERS,)
    assert by_ip[NOBODY] is None
    assert by_ip["192.0.2.1"] is None  # documentation range: never looked up


def test_json_geo_has_owner_and_dated_sources(report: Report) -> None:
    hops = {h["from_ip"]: h for h in json.loads(json.dumps(report_to_dict(report)))["hops"]}
    surf = hops[SURF]["geo"]
    assert surf["asn"] == 1101 and surf["as_org"] == "SURF B.V." and surf["country"] == "NL"
    assert surf["city"] is None and surf["latitude"] is None  # unknown: null, never absent
    assert surf["sources"] == [
        {"facts": ["country"], "name": "plevin network", "date": PLV_BUILT, "embedded": True},
        {"facts": ["asn"], "name": "GeoLite2-ASN", "date": ASN_BUILT, "embedded": False},
    ]
    assert surf["source"] == f"plevin network {PLV_BUILT} (embedded), GeoLite2-ASN {ASN_BUILT}"
    microsoft = hops[MICROSOFT]["geo"]
    assert (microsoft["asn"], microsoft["as_org"], microsoft["country"]) == (
        8075,
        "Microsoft",
        None,
    )
    assert microsoft["sources"] == [
        {"facts": ["asn"], "name": PROVIDER_RANGES, "date": None, "embedded": True}
    ]
    assert hops[NOBODY]["geo"] is None


def test_the_dated_note_appears_only_when_a_hop_has_geo_facts(report: Report) -> None:
    note = databases_note(report)
    assert note == (
        f"Network owner · country: GeoLite2-ASN {ASN_BUILT}; plevin network 2026-10-04 "
        "(embedded) (who holds each address as of that date, not necessarily on the "
        "sending day)."
    )
    nothing_known = dataclasses.replace(report, hop_geo=(None,) * len(report.hops))
    assert databases_note(nothing_known) is None
    assert "Network owner · country" not in render_text(nothing_known)
    assert databases_note(dataclasses.replace(report, geo_source=None)) is None


def test_text_report_shows_the_owner_under_each_hop(report: Report) -> None:
    lines = render_text(report).splitlines()
    surf = next(i for i, line in enumerate(lines) if f"[{SURF}" in line or f" {SURF} " in line)
    # Right under the sending address it describes, before the receiving side.
    assert lines[surf + 1].strip() == "AS1101 SURF B.V. · NL", lines[surf : surf + 3]
    assert lines[surf + 2].strip().startswith("→ by ")
    assert any(line.strip() == "AS8075 Microsoft" for line in lines)
    assert not any(NOBODY in line and "AS" in line for line in lines)
    note = next(line for line in lines if "Network owner · country:" in line)
    assert "plevin network 2026-10-04" in note and f"GeoLite2-ASN {ASN_BUILT}" in " ".join(lines)


def test_markdown_and_html_carry_the_owner_and_the_dated_note(report: Report) -> None:
    markdown = render_markdown(report)
    assert "| AS1101 SURF B.V. · NL |" in markdown
    assert "| AS8075 Microsoft |" in markdown
    note = f"Network owner · country: GeoLite2-ASN {ASN_BUILT}; plevin network 2026-10-04"
    assert note in markdown
    html = render_html(report)
    assert "<td>AS1101 SURF B.V. · NL</td>" in html
    assert note in html


def test_batch_summary_counts_origins_by_network_owner(geo: GeoDatabases) -> None:
    tally = Tally()
    options = AnalysisOptions(geo=geo)
    for _ in range(3):
        tally.add(analyse("faces.eml", MESSAGE, options))
    lines = summary_lines(tally)
    start = lines.index("  top origin owners")
    # The originating hop is the one the trusted side received: Microsoft's.
    assert lines[start + 1].split() == ["3", "AS8075", "Microsoft"]
    assert "  top originating IPs" in lines


@pytest.fixture
def no_network() -> Iterator[NetGuard]:
    yield from guard_for_test(allow_loopback=False)


def test_offline_analysis_with_the_embedded_data_sends_no_packet(no_network: NetGuard) -> None:
    """Every public hop is looked up in the embedded file, and not one packet leaves."""
    with open_geo(env={}) as databases:
        options = AnalysisOptions(geo=databases)
        looked_up = 0
        for data in [MESSAGE, *(p.read_bytes() for p in corpus_files()[:40])]:
            try:
                found = analyze_bytes(data, options=options)
            except InputError:
                continue
            looked_up += sum(g is not None for g in found.hop_geo)
        assert looked_up >= 2  # SURF's and Microsoft's hops at least
        assert databases.problems() == []
    assert no_network.attempts == []


def test_origin_finding_names_the_owner(report: Report) -> None:
    (origin,) = [f for f in report.findings if f.code == "geo.origin"]
    # Microsoft's hop handed the message to the receiver's first trusted system.
    assert origin.title == "Sent from AS8075 Microsoft"
    assert PROVIDER_RANGES in origin.detail
    assert "as of their build date" in origin.detail


@pytest.mark.gui
def test_hop_details_show_owner_place_and_dated_source(report: Report, qtbot: object) -> None:
    from mailview.gui.panels.hop_details import HopDetailsPanel

    panel = HopDetailsPanel()
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.set_hop(report.hops[_hop(report, SURF) - 1], report)
    values = panel.values()
    assert values["Network · place"] == "AS1101 SURF B.V. · NL"
    assert values["Geo source"] == (
        f"country: plevin network, 2026-10-04, built in; network: GeoLite2-ASN, {ASN_BUILT}"
    )
    panel.set_hop(report.hops[_hop(report, NOBODY) - 1], report)
    assert "Network · place" not in panel.values()


def test_diagram_cards_word_the_owner_as_the_text_report_does(report: Report) -> None:
    texts = geo_texts(report)
    assert texts[_hop(report, SURF)] == "AS1101 SURF B.V. · NL"
    assert "AS8075 Microsoft" in texts.values()
