"""What the message says about who vouches for it, and what mailview made of it.

Plain frozen values, like the rest of the core. `header_index` always points at the
header a value came from.
"""

from __future__ import annotations

from mailview.core.record import record


@record
class AuthResult:
    """One method's result in an Authentication-Results-like header (RFC 8601 §2.2)."""

    method: str  # spf, dkim, dmarc, arc, compauth, iprev, auth, bimi, dkim-atps, smime, …
    result: str  # pass, fail, softfail, neutral, none, temperror, permerror, policy, …
    reason: str | None
    authserv_id: str | None  # None when the writer left it out (Microsoft, some others)
    trusted: bool  # written by the receiving side's own systems (see auth.trust)
    properties: tuple[tuple[str, str], ...]  # ("smtp.mailfrom", "x@example.com"), …
    header_index: int
    header_name: str  # Authentication-Results, ARC-Authentication-Results, …
    instance: int | None = None  # ARC i= for ARC-Authentication-Results
    comment: str | None = None  # an explanation in words (e.g. compauth's reason code)

    def prop(self, name: str) -> str | None:
        """The first property called `name` (ptype.property, case-insensitive)."""
        wanted = name.lower()
        return next((v for k, v in self.properties if k.lower() == wanted), None)


@record
class ReceivedSpf:
    """A Received-SPF header (RFC 7208 §9.1)."""

    result: str
    client_ip: str | None
    envelope_from: str | None
    helo: str | None
    receiver: str | None
    identity: str | None
    mechanism: str | None
    comment: str | None
    header_index: int
    trusted: bool


@record
class DkimSignature:
    """One DKIM-Signature header (RFC 6376 §3.5) and what could be checked offline."""

    header_index: int
    domain: str | None  # d=
    selector: str | None  # s=
    algorithm: str | None  # a=
    canonicalization: str | None  # c=
    signed_headers: tuple[str, ...]  # h=, lower-cased
    identity: str | None  # i=
    body_length: int | None  # l=
    timestamp: int | None  # t=, seconds since the epoch
    expiration: int | None  # x=
    body_hash: str | None  # "match" | "mismatch" | None (not checked)
    verification: str  # "pass" | "fail" | "unverifiable" (no key at hand) | "invalid"
    key_bits: int | None  # when a key was at hand
    result: str | None  # what the trusted receiver said for this d=/s=, when it did
    problems: tuple[str, ...]  # in words: malformed tags, …
    tags: tuple[tuple[str, str], ...]  # every tag as written, b= included


@record
class ArcSet:
    instance: int
    seal_index: int | None  # header index of ARC-Seal
    message_signature_index: int | None  # ARC-Message-Signature
    results_index: int | None  # ARC-Authentication-Results
    cv: str | None  # ARC-Seal cv=
    domain: str | None  # ARC-Seal d=


@record
class ArcChain:
    sets: tuple[ArcSet, ...]
    structure: str  # "none" | "valid" | "broken"
    problems: tuple[str, ...]
    crypto: str | None  # "pass" | "fail" | "unverifiable" | None (no chain)


@record
class Alignment:
    """DMARC identifier alignment (RFC 7489 §3.1), computed from the message itself."""

    from_domain: str | None
    spf_domain: str | None  # the SPF-authenticated domain: envelope-from, else HELO
    spf_source: str | None  # which header told it
    spf_pass: bool | None  # whether a trusted result says SPF passed for it
    spf_aligned: str | None  # "strict" | "relaxed" | None (not aligned / unknown)
    dkim_aligned_domains: tuple[tuple[str, str], ...]  # (d=, "strict"|"relaxed"), passing only
    # "pass" | "fail" | "unverified" (an aligned signature could not be checked: it would
    # pass if it verifies) | "unknown" (nothing checked: cannot tell) | "none" (no From)
    dmarc_computed: str
    explanation: str  # in words: "aligned through DKIM (d=example.com, relaxed)"
    receiver_says: str | None  # the trusted dmarc= result, for comparison


@record
class AddressCheck:
    header: str  # From, Sender, Reply-To, Return-Path, To, Cc
    header_index: int
    display_name: str | None
    address: str | None
    valid: bool
    problem: str | None  # email-validator's sentence when invalid


@record
class AuthReport:
    results: tuple[AuthResult, ...]
    received_spf: tuple[ReceivedSpf, ...]
    dkim: tuple[DkimSignature, ...]
    arc: ArcChain
    alignment: Alignment
    addresses: tuple[AddressCheck, ...]
    trusted_authserv_ids: tuple[str, ...]  # the receiver's own authserv-ids, as inferred
    problems: tuple[str, ...] = ()  # statements that could not be fully read, in words
