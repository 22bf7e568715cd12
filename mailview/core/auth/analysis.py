"""Assemble the authentication view of one message from its parts.

Strategy: read every statement; decide which were written by the receiving side (at or
above the trust boundary, under the receiver's own authserv-id); check DKIM and ARC
signatures offline (keys only from the given KeyStore — None means none at hand); then
compute DMARC alignment from the message itself and check the addresses.
"""

from __future__ import annotations

from datetime import datetime

from mailview.core.auth.addresses import check_addresses
from mailview.core.auth.alignment import compute_alignment
from mailview.core.auth.arc import read_arc
from mailview.core.auth.dkim import read_signatures
from mailview.core.auth.keys import KeyStore
from mailview.core.auth.model import AuthReport
from mailview.core.auth.results import read_statements
from mailview.core.auth.trust import mark_trusted
from mailview.core.chain import Route
from mailview.core.model import LoadedMessage


def analyze_auth(
    message: LoadedMessage,
    route: Route,
    now: datetime,
    keys: KeyStore | None = None,
    dmarc_modes: tuple[str | None, str | None] | None = None,
) -> AuthReport:
    headers = message.headers
    # A pasted header block has no body: hashing an empty one would "find" it altered.
    body = None if message.format == "headers" and not message.body else message.body
    results, received_spf, problems = read_statements(headers)
    results, received_spf, ids = mark_trusted(results, received_spf, headers, route)
    trusted = [r for r in results if r.trusted]
    signatures = read_signatures(headers, body, keys, now, trusted)
    return AuthReport(
        results=tuple(results),
        received_spf=tuple(received_spf),
        dkim=signatures,
        arc=read_arc(headers, body, keys),
        alignment=compute_alignment(headers, trusted, received_spf, signatures, dmarc_modes),
        addresses=check_addresses(headers),
        trusted_authserv_ids=ids,
        problems=tuple(problems),
    )
