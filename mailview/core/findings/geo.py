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
    known = ", ".join(p for p in (geo.city, geo.country_name or geo.country) if p)
    place = known or "unknown"
    network = f"AS{geo.asn} {geo.as_org or ''}".strip() if geo.asn else (geo.as_org or "")
    where = place + (f", network {network}" if network else "")
    title = " ".join(p for p in (network, f"({known})" if known and network else known) if p)
    yield finding(
        "geo.origin",
        Severity.INFO,
        f"Sent from {title or place}",
        f"The first system outside the receiving organisation ({boundary.fields.from_ip}) is "
        f"in {where}, according to {geo.source}. The databases describe who holds the "
        "address as of their build date, which may differ from the day the message was sent.",
        [hop_evidence(boundary)],
    )


RULES = (origin_place,)
