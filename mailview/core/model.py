"""Frozen value types shared by every stage of the analysis.

Everything here is plain data: loaders produce `HeaderField`s and `LoadedMessage`s, the
Received parser produces `ReceivedFields`, the chain builder `Hop`s, the rules `Finding`s,
and `analyze` assembles them into a `Report`. Every value that came from a header keeps
the index of that header (its position in the message's header block, 0-based) so a
claim can always be traced back to the line that made it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from mailview.core.record import record

if TYPE_CHECKING:
    from mailview.core.auth.model import AuthReport
    from mailview.core.bounce.model import BounceReport
    from mailview.core.defects import Defect
    from mailview.core.indicators import Indicators
    from mailview.core.vendors.model import VendorVerdict
    from mailview.core.verdict import Verdict


class HeaderField(NamedTuple):
    """One header field as it stood in the message.

    A NamedTuple rather than a dataclass: a message has dozens of fields and they are
    built on the hot path, where a tuple costs half as much to construct. It is just as
    immutable.
    """

    # Shadows tuple.index on purpose: "index" is the name every report uses for it.
    index: int  # type: ignore[assignment]  # position in the header block, 0-based
    name: str  # field name as written (case kept)
    value: str  # unfolded raw value: CRLF+WSP folds joined, no RFC 2047 decoding
    raw: str  # the field exactly as written, name and folds included
    line: int  # 1-based line number of the field's first line within the header block


@record
class Envelope:
    """What an envelope around the message said (mbox `From ` line, SMTP dialogue)."""

    mail_from: str | None = None
    rcpt_to: tuple[str, ...] = ()
    helo: str | None = None
    date_text: str | None = None


@record
class LoadedMessage:
    """One message found in the input, with its header block split into fields.

    `address` locates it inside the input: `(2,)` is the third message of an mbox,
    `(0, 1)` the second message attached to the first. `inner` holds messages attached
    to this one (message/rfc822 parts, attached .eml/.msg files), already loaded.
    """

    format: str  # eml | headers | mbox | bsmtp | msg
    headers: tuple[HeaderField, ...]
    body: bytes
    address: tuple[int, ...]
    label: str  # human name: "the message", "message 3 of 12", "attachment 'fw.eml'"
    envelope: Envelope | None = None
    defects: tuple[Defect, ...] = ()  # what the loader noticed was malformed
    inner: tuple[LoadedMessage, ...] = ()
    # The RFC 6522 report type of the report this message is attached to ("delivery-status":
    # a bounce's copy of the returned message), None when not attached to a report.
    report_type: str | None = None


# TlsInfo, ParsedDate and ReceivedFields are NamedTuples for the same reason as
# HeaderField: one of each per Received header, built on the hot path.


class TlsInfo(NamedTuple):
    """Transport encryption a Received header recorded."""

    version: str | None  # normalised: "TLSv1.2", "TLSv1.3", "SSLv3", …
    cipher: str | None
    bits: int | None = None


class ParsedDate(NamedTuple):
    """A date as written and what it means."""

    utc: datetime  # timezone-aware, UTC
    offset_minutes: int | None  # the writer's own UTC offset, None when unknown (-0000)
    text: str


class ReceivedFields(NamedTuple):
    """What one Received (or X-Received) header says; None where it says nothing.

    `from_host` is the name right after `from`; `from_helo` is the HELO/EHLO name the
    client gave wherever the MTA recorded it; `from_rdns` is the reverse-DNS name the
    receiving MTA recorded (None when none or `unknown`).
    """

    from_host: str | None = None
    from_helo: str | None = None
    from_rdns: str | None = None
    from_ip: str | None = None
    by_host: str | None = None
    by_ip: str | None = None
    with_protocol: str | None = None
    tls: TlsInfo | None = None
    id: str | None = None
    for_addr: str | None = None
    via: str | None = None
    envelope_from: str | None = None
    authenticated: bool = False
    authenticated_as: str | None = None
    date: ParsedDate | None = None
    date_text: str | None = None
    software: str | None = None  # MTA named in a comment: "Postfix", "Exim 4.96", …
    problems: tuple[str, ...] = ()  # what could not be understood, in words


class Scope(StrEnum):
    """Where an IP address lives, decided from the address alone."""

    PUBLIC = "public"
    PRIVATE = "private"
    LOOPBACK = "loopback"
    LINK_LOCAL = "link-local"
    CGNAT = "cgnat"
    DOCUMENTATION = "documentation"
    ULA = "ula"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"
    BENCHMARK = "benchmark"


class Hop(NamedTuple):
    """One hop of the route; `index` 1 is the oldest. A NamedTuple, like ReceivedFields."""

    # Shadows tuple.index on purpose, as in HeaderField.
    index: int  # type: ignore[assignment]
    header_index: int
    header_name: str
    raw: str
    fields: ReceivedFields
    delay_seconds: float | None
    ip_scope: Scope | None
    trusted: bool


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for the worst (high) to 3 (info): the order every list of findings uses."""
        return _WORST_FIRST.index(self)


_WORST_FIRST = (Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)


# A finding quotes its evidence, never copies it whole: a header repeated a thousand times
# (or one of a megabyte) must not make every finding, and the report, as big again. The
# header itself is in the report once, under its index.
EVIDENCE_CHARS = 1000  # characters of one header quoted, at most
EVIDENCE_ITEMS = 20  # pieces of evidence one finding quotes, at most


@record
class Evidence:
    """The header text that proves a finding: the header's index and at most
    `EVIDENCE_CHARS` characters of it (`omitted_chars` says how many more it has)."""

    header_index: int | None
    header_name: str | None
    text: str
    omitted_chars: int = 0

    def __post_init__(self) -> None:
        if len(self.text) > EVIDENCE_CHARS:
            object.__setattr__(
                self, "omitted_chars", self.omitted_chars + len(self.text) - EVIDENCE_CHARS
            )
            object.__setattr__(self, "text", self.text[:EVIDENCE_CHARS])


@record
class Finding:
    """What is off, with its evidence: each piece once, at most `EVIDENCE_ITEMS` of them
    (`evidence_omitted` counts the rest)."""

    code: str
    severity: Severity
    title: str
    detail: str
    evidence: tuple[Evidence, ...] = ()
    strength: str = "direct"  # direct | correlated | heuristic
    evidence_omitted: int = 0

    def __post_init__(self) -> None:
        unique = tuple(dict.fromkeys(self.evidence))  # the same header quoted once
        if len(unique) > EVIDENCE_ITEMS:
            omitted = self.evidence_omitted + len(unique) - EVIDENCE_ITEMS
            object.__setattr__(self, "evidence_omitted", omitted)
            unique = unique[:EVIDENCE_ITEMS]
        if len(unique) != len(self.evidence):
            object.__setattr__(self, "evidence", unique)


@record
class Originator:
    """The client that handed the message to the first trusted system, or a header naming it."""

    ip: str
    source: str  # "first external hop" | "X-Originating-IP" | …
    header_index: int


@record
class MessageSummary:
    from_: str | None
    to: str | None
    subject: str | None
    date: str | None
    message_id: str | None
    return_path: str | None
    reply_to: str | None
    date_parsed: ParsedDate | None = None
    # Which header each value came from: (lower-case name, header index) pairs.
    sources: tuple[tuple[str, int], ...] = ()


@record
class InputInfo:
    name: str
    sha256: str
    format: str
    size: int
    address: tuple[int, ...] = ()
    label: str = "the message"
    message_count: int = 1  # messages in the file (mbox)


@record
class InnerRef:
    """Another message reachable from this input (attached original, sibling in an mbox)."""

    address: tuple[int, ...]
    label: str
    subject: str | None


@record
class Report:
    input: InputInfo
    message: MessageSummary
    headers: tuple[HeaderField, ...]
    hops: tuple[Hop, ...]
    total_delay_seconds: float | None
    originators: tuple[Originator, ...]
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    inner: tuple[InnerRef, ...] = ()
    envelope: Envelope | None = None
    trust_boundary_hop: int | None = None  # index of the hop that received from outside
    auth: AuthReport | None = None  # who vouches for it (None: not analysed)
    hop_geo: tuple[GeoInfo | None, ...] = ()  # per hop, aligned with `hops`
    geo_source: str | None = None  # the databases that answered, with build dates
    online: OnlineFacts | None = None  # None: analysed offline (no packet sent)
    hop_online: tuple[HopLookup | None, ...] = ()  # per hop, aligned with `hops`
    vendors: tuple[VendorVerdict, ...] = ()  # anti-spam/security stamps, decoded
    bounce: BounceReport | None = None  # what a delivery report says; None for ordinary mail
    indicators: Indicators | None = None  # IPs, addresses, URLs, attachments (None: not read)
    verdict: Verdict | None = None  # the triage judgement (None: not judged)
    # What was malformed, and what a stage skipped at its budget (code "budget").
    defects: tuple[Defect, ...] = ()


@record
class GeoFactSource:
    """One database behind some of a hop's geo facts, and the day it was built.

    Addresses change hands: a fact is only as good as its source's date, so every face
    shows both.
    """

    facts: tuple[str, ...]  # what it answered here: "country", "city", "asn"
    name: str  # "plevin network", "GeoLite2-ASN", "known provider ranges"
    built: date | None  # None: mailview's own list of provider ranges (no build date)
    embedded: bool  # shipped with mailview rather than given by the user


@record
class GeoInfo:
    """Where a public address is and which network owns it, from offline databases."""

    country: str | None  # ISO 3166-1 alpha-2
    country_name: str | None
    city: str | None
    latitude: float | None
    longitude: float | None
    asn: int | None
    as_org: str | None
    source: str  # the database(s) and build date: "plevin network 2026-10-04 (embedded)"
    sources: tuple[GeoFactSource, ...] = ()  # which database answered which facts


@record
class HopLookup:
    """What live DNS said about a hop's sending address (online mode only)."""

    ptr: str | None
    fcrdns: bool | None  # the PTR name resolves back to the address
    asn: int | None
    as_org: str | None
    dnsbl: tuple[str, ...]  # zones that list the address
    looked_up_at: datetime  # these answers describe that moment, not the delivery day
    problems: tuple[str, ...] = ()  # timeouts and failures, in words


@record
class SpfEvaluation:
    """The outcome of SPF's check_host() for one IP and domain (RFC 7208 §4), as online
    mode evaluated it today, with the way it was reached.

    `record`: the SPF record of `domain` itself (None when there is none or it could not
    be fetched). `matched`: the chain of terms that decided the result, includes and
    redirects first ("include:_spf.example.net → ip4:192.0.2.0/24"); None when no term
    matched. `path`: each step in words. `dns_lookups`: DNS-querying terms evaluated,
    the count that RFC 7208 §4.6.4 limits to 10.
    """

    result: str  # pass | fail | softfail | neutral | none | temperror | permerror
    domain: str
    ip: str
    record: str | None
    matched: str | None
    path: tuple[str, ...]
    dns_lookups: int
    explanation: str
    problems: tuple[str, ...] = ()


SpfEvaluationInfo = SpfEvaluation  # the name the report used first; one type


@record
class DmarcRecord:
    """A published DMARC policy record (RFC 7489 §6.3), with the RFC's defaults applied."""

    domain: str  # the domain asked about
    found_at: str  # where the record was: the domain itself or its organisational domain
    record: str  # the TXT record as published
    p: str | None  # none | quarantine | reject; None when missing or invalid
    sp: str | None  # subdomain policy as written (None: absent, p applies)
    pct: int  # 0..100, default 100
    adkim: str  # r | s, default r
    aspf: str  # r | s, default r
    rua: tuple[str, ...]  # aggregate report URIs
    looked_up_at: datetime
    problems: tuple[str, ...] = ()

    @property
    def inherited(self) -> bool:
        """Whether the policy came from the organisational domain (RFC 7489 §6.6.3)."""
        return self.found_at != self.domain

    @property
    def policy(self) -> str | None:
        """The policy that applies to `domain`: sp for a subdomain that inherits, else p."""
        return (self.sp or self.p) if self.inherited else self.p


DmarcRecordInfo = DmarcRecord  # the name the report used first; one type


@record
class OnlineFacts:
    """The report-wide answers of online mode; absent when the analysis ran offline."""

    resolver: str  # which DNS server answered ("system" or ADDRESS[:PORT])
    looked_up_at: datetime
    spf: SpfEvaluation | None
    dmarc_record: DmarcRecord | None
    mx_domain: str | None  # the recipient domain whose MX was checked
    mx: tuple[str, ...]
    first_trusted_hop_is_mx: bool | None
    problems: tuple[str, ...] = ()
