"""The questions online mode asks today's DNS about one message.

Strategy: everything here is read from the route and the headers the analysis already
has — the public hop addresses, the From domain (its DMARC record), the recipient's
domain (its MX), the address that handed the message over and its envelope domain (SPF
evaluated today), the DKIM/ARC key names — so the online stage can ask them all at once,
before authentication is checked with the keys it brings back. The analysis runs once;
nothing here opens a socket.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailview.core.auth.addresses import parse_mailboxes
from mailview.core.auth.alignment import from_domain, spf_identity
from mailview.core.auth.dkim import first_tag, parse_tag_list
from mailview.core.auth.keys import key_name
from mailview.core.auth.results import read_statements
from mailview.core.auth.trust import mark_trusted
from mailview.core.chain import Route
from mailview.core.enrichment import OnlineQuestions, SpfQuestion
from mailview.core.ipscope import EXTERNAL_SCOPES
from mailview.core.model import GeoInfo, HeaderField, LoadedMessage, Originator

_SIGNATURES = ("dkim-signature", "arc-message-signature", "arc-seal")
MAX_KEYS = 20  # key names asked for at most; a message with more signatures is hostile


def online_questions(
    message: LoadedMessage,
    route: Route,
    originators: Sequence[Originator],
    hop_geo: Sequence[GeoInfo | None],
) -> OnlineQuestions:
    headers = message.headers
    ips = [h.fields.from_ip for h in route.hops if h.ip_scope in EXTERNAL_SCOPES]
    ips += [o.ip for o in originators]
    boundary = route.boundary
    return OnlineQuestions(
        hop_ips=tuple(dict.fromkeys(ip for ip in ips if ip)),
        need_asn=not any(g is not None and g.asn for g in hop_geo),
        from_domain=from_domain(headers)[0],
        recipient_domain=_recipient_domain(headers),
        boundary_by_host=None if boundary is None else boundary.fields.by_host,
        spf=_spf_question(headers, route),
        dkim_keys=_key_names(headers),
    )


def _recipient_domain(headers: Sequence[HeaderField]) -> str | None:
    for field in headers:
        if field.name.lower() != "to":
            continue
        for box in parse_mailboxes(field.value):
            if box.address and "@" in box.address:
                return box.address.rpartition("@")[2].strip("<> ").lower() or None
        return None
    return None


def _spf_question(headers: tuple[HeaderField, ...], route: Route) -> SpfQuestion | None:
    """The originating address against the envelope domain's policy, as published today."""
    boundary = route.boundary
    if boundary is None or not boundary.fields.from_ip or boundary.ip_scope not in EXTERNAL_SCOPES:
        return None
    results, received_spf, _ = read_statements(headers)
    results, received_spf, _ = mark_trusted(results, received_spf, headers, route)
    domain, _, _ = spf_identity(headers, [r for r in results if r.trusted], received_spf)
    if not domain:
        return None
    path = next((f for f in headers if f.name.lower() == "return-path"), None)
    address = path.value.strip().strip("<>") if path is not None else ""
    sender = address if address.lower().endswith("@" + domain) else f"postmaster@{domain}"
    return SpfQuestion(boundary.fields.from_ip, domain, sender, boundary.fields.from_helo)


def _key_names(headers: Sequence[HeaderField]) -> tuple[str, ...]:
    names: list[str] = []
    for field in headers:
        if field.name.lower() not in _SIGNATURES:
            continue
        tags, _ = parse_tag_list(field.value)
        selector, domain = first_tag(tags, "s"), first_tag(tags, "d")
        if selector and domain:
            names.append(key_name(selector, domain))
    return tuple(dict.fromkeys(names))[:MAX_KEYS]
