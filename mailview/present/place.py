"""How a hop's place and network owner are said, and where that came from.

Every face — text report, Markdown, HTML, hop details, diagram cards, batch summary —
asks here, so "AS8075 Microsoft · NL" reads the same everywhere, and so does the source
line that dates it ("plevin network, 2026-10-04, built in"). The owner comes first:
it is what analysts quote in tickets and block on; the country is context.
"""

from __future__ import annotations

from datetime import date

from mailview.core.model import GeoFactSource, GeoInfo, HopLookup, Report

__all__ = [
    "SEPARATOR",
    "database_line",
    "databases_note",
    "network_text",
    "origin_label",
    "place_line",
    "source_text",
    "sources_text",
    "where_text",
]

SEPARATOR = " · "
_FACT_NAMES = {"country": "country", "city": "city", "asn": "network"}


def network_text(asn: int | None, as_org: str | None) -> str | None:
    """ "AS8075 Microsoft", "AS8075" or "Microsoft"; None when neither is known."""
    parts = [f"AS{asn}" if asn else None, (as_org or "").strip() or None]
    text = " ".join(p for p in parts if p)
    return text or None


def where_text(geo: GeoInfo | None) -> str | None:
    """ "Amsterdam, NL" or "NL"; None when no database placed the address."""
    if geo is None:
        return None
    text = ", ".join(p for p in (geo.city, geo.country) if p)
    return text or None


def place_line(geo: GeoInfo | None, lookup: HopLookup | None = None) -> str | None:
    """ "AS8075 Microsoft · NL": owner, then place; None when nothing is known.

    The offline databases answer first; an online look-up's ASN fills in only where
    they knew no owner.
    """
    asn = geo.asn if geo is not None else None
    org = geo.as_org if geo is not None else None
    if not asn and not org and lookup is not None:
        asn, org = lookup.asn, lookup.as_org
    parts = [network_text(asn, org), where_text(geo)]
    text = SEPARATOR.join(p for p in parts if p)
    return text or None


def source_text(source: GeoFactSource) -> str:
    """ "plevin network, 2026-10-04, built in" / "known provider ranges (mailview)"."""
    if source.built is None:
        return f"{source.name} (mailview)"
    origin = ", built in" if source.embedded else ""
    return f"{source.name}, {source.built.isoformat()}{origin}"


def sources_text(geo: GeoInfo) -> str:
    """Which database said what, dated: one source plainly, several fact by fact.

    "plevin network, 2026-10-04, built in" or
    "country, city: GeoLite2-City, 2026-09-30; network: plevin network, 2026-10-04, built in"
    """
    if not geo.sources:
        return geo.source
    if len(geo.sources) == 1:
        return source_text(geo.sources[0])
    return "; ".join(
        f"{', '.join(_FACT_NAMES.get(f, f) for f in s.facts)}: {source_text(s)}"
        for s in geo.sources
    )


def origin_label(geo: GeoInfo | None, ip: str | None) -> str | None:
    """How a summary counts an origin: by network owner, else country, else address."""
    owner = network_text(geo.asn, geo.as_org) if geo is not None else None
    if owner:
        return owner + (f"{SEPARATOR}{geo.country}" if geo is not None and geo.country else "")
    if geo is not None and geo.country:
        return f"{ip} ({geo.country})" if ip else geo.country
    return ip


def database_line(name: str, built: date, embedded: bool, answers: str) -> str:
    """A database as Settings lists it: "plevin network — built 2026-10-04, built in — …"."""
    origin = " (built in)" if embedded else ""
    return f"{name}{origin}, built {built.isoformat()} — answers {answers}"


def databases_note(report: Report) -> str | None:
    """The line under a route table that dates every owner and place in it; None when no
    hop has any."""
    geo_source = report.geo_source
    if not geo_source or not any(g is not None for g in report.hop_geo):
        return None
    return (
        f"Network owner · country: {geo_source} (who holds each address as of that date, "
        "not necessarily on the sending day)."
    )
