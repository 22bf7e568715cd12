"""Where the message came from, as information: the originating hop's place and network."""

from __future__ import annotations

from collections.abc import Iterator

from mailview.core.findings.context import RuleContext, finding, hop_evidence
from mailview.core.model import Finding, Severity


def origin_place(ctx: RuleContext) -> Iterator[Finding]:
    """The first external hop's country, city and network owner (info, never a verdict:
    where a server stands says little on its own, but analysts always ask)."""
    boundary = ctx.route.boundary
    if boundary is None or not ctx.hop_geo:
        return
    geo = ctx.hop_geo[boundary.index - 1]
    if geo is None:
        return
    place = ", ".join(p for p in (geo.city, geo.country_name or geo.country) if p) or "unknown"
    network = f"AS{geo.asn} {geo.as_org or ''}".strip() if geo.asn else (geo.as_org or "")
    where = place + (f", network {network}" if network else "")
    yield finding(
        "geo.origin",
        Severity.INFO,
        f"Sent from {place}",
        f"The first system outside the receiving organisation ({boundary.fields.from_ip}) is "
        f"in {where}, according to {geo.source}. Geo databases age: an address may have "
        "moved since.",
        [hop_evidence(boundary)],
    )


RULES = (origin_place,)
