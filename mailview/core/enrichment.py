"""What the core may be given to look things up with; implemented in `mailview.enrich`.

Protocols only: the core stays free of file formats and sockets, and a test passes any
object that answers the same questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from mailview.core.auth.keys import KeyStore
from mailview.core.model import GeoInfo, HopLookup, OnlineFacts
from mailview.core.record import record


class GeoSource(Protocol):
    def lookup(self, ip: str) -> GeoInfo | None:
        """Geo facts for a public address, None when the databases know nothing of it."""
        ...

    def describe(self) -> str:
        """The databases in use and their build dates, for the report and the UI."""
        ...


@record
class SpfQuestion:
    """Evaluate SPF for the address that handed the message to the receiver."""

    ip: str
    domain: str  # the SPF-authenticated domain (envelope sender, else HELO)
    sender: str  # the envelope sender, or postmaster@domain
    helo: str | None


@record
class OnlineQuestions:
    """What the analysis wants to know from today's DNS, asked all at once."""

    hop_ips: tuple[str, ...]  # public hop addresses and originators, each once
    need_asn: bool  # no geo database named the networks: ask Team Cymru
    from_domain: str | None  # its DMARC record
    recipient_domain: str | None  # its MX hosts
    boundary_by_host: str | None  # the first trusted hop's receiving host, against the MX
    spf: SpfQuestion | None
    dkim_keys: tuple[str, ...]  # <selector>._domainkey.<domain> names to fetch


@record
class OnlineAnswers:
    """What today's DNS said: core types only, each carrying when it was asked."""

    facts: OnlineFacts
    hops: Mapping[str, HopLookup]  # by address, as asked
    keys: KeyStore | None  # the user's keys first, then the ones DNS returned


class OnlineLookup(Protocol):
    """Online mode, as the analysis sees it: questions in, answers out. Implemented in
    `mailview.enrich.pipeline`; the core never opens a socket itself."""

    def look_up(self, questions: OnlineQuestions) -> OnlineAnswers: ...
