"""DMARC identifier alignment, computed from the message itself (RFC 7489 §3.1).

Strategy:

1. The RFC5322.From domain is the domain of the first mailbox of the first From header
   (RFC 7489 §6.6.1 leaves several From mailboxes undefined; `addresses` reports that).
   It is parsed with the linear mailbox scanner of `addresses`, not the standard
   library's, because those are quadratic or recursive on hostile input. Every domain is
   compared in lower-case A-label form, so `例子.广告` and `xn--fsqu00a.xn--4rr70v` agree.
2. The SPF-authenticated domain is what the receiver checked (RFC 7208 §2.4): the
   MAIL FROM domain, or the HELO name when MAIL FROM was empty (`<>`, bounces). It is
   read from the trusted `spf` result (smtp.mailfrom / smtp.helo), else a Received-SPF
   header (trusted first), else Return-Path, which the final MTA copies from MAIL FROM.
   Whether SPF passed is only ever taken from a trusted statement.
3. DKIM identifiers are the d= of passing signatures: verified here, or unverifiable here
   but stated as passing by the trusted receiver.
4. Alignment (RFC 7489 §3.1.1-§3.1.2): strict means the same domain, relaxed the same
   organisational domain (Public Suffix List, `domains.org_domain`). DMARC passes when
   one passing identifier aligns in the mode the policy asks for (relaxed unless a
   trusted result says `policy.adkim=s` / `policy.aspf=s`).
5. The computed verdict is one of four, and never "fail" for want of a key (README: a
   signature without a key is "unverifiable", never "fail"): `pass` (an aligned
   identifier passed), `unverified` (nothing aligned passed, but an aligned DKIM
   signature could not be checked here — no key — and nobody trusted said it failed: it
   would pass if the signature verifies), `unknown` (nothing was checked at all: no
   trusted SPF or DMARC result and no DKIM outcome — mailview cannot tell), and `fail`
   (what was checked did not authenticate the From domain). `none`: no From domain.
6. Findings compare the computed verdict with the receiver's own `dmarc=` result and say
   why they may differ.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import replace

from mailview.core.auth.addresses import parse_mailboxes, to_ascii_domain
from mailview.core.auth.model import Alignment, AuthResult, DkimSignature, ReceivedSpf
from mailview.core.domains import org_domain
from mailview.core.findings.context import finding
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Evidence, Finding, HeaderField, Severity
from mailview.core.record import record

STRICT = "strict"
RELAXED = "relaxed"
# The computed verdict in words, for every face that shows it.
COMPUTED_WORDS = {
    "pass": "pass",
    "fail": "fail",
    "unverified": "unverified (would pass if the signature verifies)",
    "unknown": "cannot tell",
    "none": "none (no From domain)",
}
# Receiver verdicts that mean "DMARC passed" (Microsoft writes bestguesspass when the
# domain has no record but would pass) and "failed".
_PASS_LIKE = frozenset({"pass", "bestguesspass"})
_FAIL_LIKE = frozenset({"fail"})
# Linear: one bounded run of non-space characters after fixed words.
_DOMAIN_OF = LazyPattern(r"\bdomain of (\S{1,320}?) (?:designates|does not designate)")


@record
class _Spf:
    domain: str | None
    source: str | None
    passed: bool | None


# --- the RFC5322.From domain -----------------------------------------------------------


def from_domain(headers: Sequence[HeaderField]) -> tuple[str | None, int | None]:
    """(domain of the first From mailbox in A-labels, index of that From header).

    (None, index) when the From header holds no usable domain; (None, None) without one.
    """
    # Every rule about the sender asks: the length test spares lower-casing the other names.
    field = next((f for f in headers if len(f.name) == 4 and f.name.lower() == "from"), None)
    if field is None:
        return None, None
    if len(field.value) > _MEMO_CHARS:
        return _first_domain(field.value), field.index
    return _first_domain_memo(field.value), field.index


def _first_domain(value: str) -> str | None:
    for box in parse_mailboxes(value):
        domain = _domain_of(box.address)
        if domain is not None:
            return domain
    return None


# Every rule about the sender asks for the From domain: remembered for values of ordinary
# size (the key holds the value), so memory stays bounded whatever the input.
_MEMO_CHARS = 4096
_first_domain_memo = functools.lru_cache(maxsize=512)(_first_domain)


def _domain_of(address: str | None) -> str | None:
    """The domain of an address or bare domain; None for `<>`, literals and junk."""
    if not address:
        return None
    text = address.strip().strip("<>").strip()
    domain = to_ascii_domain(text.rsplit("@", 1)[-1])
    if domain is None or domain.startswith("[") or "." not in domain or " " in domain:
        return None
    return domain


def _is_null(path: str | None) -> bool:
    """Whether an SMTP reverse-path is the null path `<>` (RFC 5321 §4.5.5)."""
    return path is not None and path.strip().strip("<>").strip() == ""


# --- the SPF-authenticated domain ------------------------------------------------------


def spf_identity(
    headers: Sequence[HeaderField],
    trusted_results: Sequence[AuthResult],
    received_spf: Sequence[ReceivedSpf],
) -> tuple[str | None, str | None, bool | None]:
    """(SPF-authenticated domain, where it was read, whether a trusted result says pass)."""
    spf = _spf(headers, trusted_results, received_spf)
    return spf.domain, spf.source, spf.passed


def _spf(
    headers: Sequence[HeaderField],
    trusted_results: Sequence[AuthResult],
    received_spf: Sequence[ReceivedSpf],
) -> _Spf:
    result = _first_trusted(trusted_results, "spf")
    ordered = sorted(received_spf, key=lambda r: not r.trusted)  # stable: trusted first
    trusted_spf = next((r for r in ordered if r.trusted), None)
    passed: bool | None = None
    if result is not None:
        passed = result.result.lower() == "pass"
    elif trusted_spf is not None:
        passed = trusted_spf.result.lower() == "pass"
    domain, source = _spf_domain(headers, result, ordered)
    return _Spf(domain, source, passed)


def _spf_domain(
    headers: Sequence[HeaderField],
    result: AuthResult | None,
    received_spf: Sequence[ReceivedSpf],
) -> tuple[str | None, str | None]:
    null_sender = False
    if result is not None:
        # smtp.mail is what Gmail wrote before RFC 7001 settled on smtp.mailfrom.
        mailfrom = result.prop("smtp.mailfrom") or result.prop("smtp.mail")
        domain = _domain_of(mailfrom)
        if domain is not None:
            return domain, f"{result.header_name} smtp.mailfrom"
        null_sender = _is_null(mailfrom)
    for spf in received_spf:
        domain = _domain_of(spf.envelope_from)
        if domain is not None and not null_sender:
            return domain, "Received-SPF envelope-from"
        domain = _domain_of(_commented_sender(spf.comment))
        if domain is not None and not null_sender:
            return domain, "Received-SPF comment"
        null_sender = null_sender or _is_null(spf.envelope_from)
    return_path = next((f for f in headers if f.name.lower() == "return-path"), None)
    if return_path is not None and not null_sender:
        boxes = parse_mailboxes(return_path.value)
        domain = _domain_of(boxes[0].address) if boxes else None
        if domain is not None:
            return domain, "Return-Path"
        null_sender = not boxes or _is_null(boxes[0].address)
    if null_sender or result is not None:
        # RFC 7208 §2.4: with an empty MAIL FROM, SPF checks postmaster@<HELO name>.
        return _helo_domain(result, received_spf)
    return None, None


def _commented_sender(comment: str | None) -> str | None:
    """The checked sender in a Received-SPF comment without an envelope-from= key.

    Gmail writes only `(google.com: domain of bounce@example.com designates 192.0.2.1 as
    permitted sender)`; the words are fixed by Google, not by RFC 7208.
    """
    match = _DOMAIN_OF.search(comment or "")
    return match.group(1) if match else None


def _helo_domain(
    result: AuthResult | None, received_spf: Sequence[ReceivedSpf]
) -> tuple[str | None, str | None]:
    if result is not None:
        domain = _domain_of(result.prop("smtp.helo"))
        if domain is not None:
            return domain, f"{result.header_name} smtp.helo"
    for spf in received_spf:
        domain = _domain_of(spf.helo)
        if domain is not None:
            return domain, "Received-SPF helo"
    return None, None


def _first_trusted(results: Iterable[AuthResult], method: str) -> AuthResult | None:
    """The receiver's own result for `method`: Authentication-Results before ARC copies."""
    mine = [r for r in results if r.trusted and r.method.lower() == method]
    mine.sort(key=lambda r: (r.header_name.lower() != "authentication-results", r.header_index))
    return mine[0] if mine else None


# --- DKIM ------------------------------------------------------------------------------


def passing_dkim_domains(
    signatures: Sequence[DkimSignature], trusted_results: Sequence[AuthResult] = ()
) -> list[str]:
    """d= of every passing signature (A-labels, first seen first, no repeats).

    A signature passes when it verified here, or when it could not be checked here (no
    key at hand) and the trusted receiver said it passed. A receiver's `dkim=pass` for a
    d= with no DKIM-Signature left in the message (a header-only paste) counts too: the
    signature was there when the receiver checked it.
    """
    domains: list[str] = []
    signed: set[str | None] = set()
    for sig in signatures:
        domain = _domain_of(sig.domain)
        signed.add(domain)
        passed = sig.verification == "pass" or (
            sig.verification == "unverifiable" and (sig.result or "").lower() == "pass"
        )
        if passed and domain is not None and domain not in domains:
            domains.append(domain)
    for result in trusted_results:
        if result.trusted and result.method.lower() == "dkim" and result.result == "pass":
            domain = _domain_of(result.prop("header.d") or result.prop("header.i"))
            if domain is not None and domain not in signed and domain not in domains:
                domains.append(domain)
    return domains


# --- alignment -------------------------------------------------------------------------


def aligned(identifier: str | None, author: str | None) -> str | None:
    """ "strict" (same domain), "relaxed" (same organisational domain) or None."""
    if identifier is None or author is None:
        return None
    if identifier == author:
        return STRICT
    org = org_domain(author)
    return RELAXED if org is not None and org == org_domain(identifier) else None


def _counts(mode: str | None, required: str) -> bool:
    return mode == STRICT or (mode == RELAXED and required == RELAXED)


def _policy_modes(
    dmarc: AuthResult | None, published: tuple[str | None, str | None] | None
) -> tuple[str, str]:
    """(aspf, adkim) the policy asks for: relaxed unless the domain's published DMARC
    record (online mode) or a trusted result says `s`."""

    def mode(name: str, value: str | None) -> str:
        stated = dmarc.prop(name) if dmarc is not None else None
        strict = {(stated or "").strip().lower(), (value or "").strip().lower()}
        return STRICT if "s" in strict else RELAXED

    aspf, adkim = published or (None, None)
    return mode("policy.aspf", aspf), mode("policy.adkim", adkim)


def compute_alignment(
    headers: Sequence[HeaderField],
    trusted_results: Sequence[AuthResult],
    received_spf: Sequence[ReceivedSpf],
    dkim_signatures: Sequence[DkimSignature],
    published_modes: tuple[str | None, str | None] | None = None,
) -> Alignment:
    """`published_modes` is (aspf, adkim) of the From domain's DMARC record when online
    mode fetched it; without it, relaxed unless a trusted result states otherwise."""
    author, _ = from_domain(headers)
    spf = _spf(headers, trusted_results, received_spf)
    dmarc = _first_trusted(trusted_results, "dmarc")
    aspf, adkim = _policy_modes(dmarc, published_modes)
    spf_mode = aligned(spf.domain, author) if spf.passed else None
    passing = passing_dkim_domains(dkim_signatures, trusted_results)
    dkim_modes = [(d, m) for d in passing if (m := aligned(d, author)) is not None]
    if author is None:
        verdict = "none"
    elif _counts(spf_mode, aspf) or any(_counts(m, adkim) for _, m in dkim_modes):
        verdict = "pass"
    elif _would_pass(author, dkim_signatures, adkim, dmarc):
        verdict = "unverified"
    elif not _checked(spf.passed, dmarc, dkim_signatures, trusted_results):
        verdict = "unknown"
    else:
        verdict = "fail"
    alignment = Alignment(
        from_domain=author,
        spf_domain=spf.domain,
        spf_source=spf.source,
        spf_pass=spf.passed,
        spf_aligned=spf_mode,
        dkim_aligned_domains=tuple(dkim_modes),
        dmarc_computed=verdict,
        explanation="",
        receiver_says=None if dmarc is None else dmarc.result.lower(),
    )
    text = _explain(alignment, passing, dkim_signatures, (aspf, adkim))
    return replace(alignment, explanation=text)


def _would_pass(
    author: str, signatures: Sequence[DkimSignature], adkim: str, dmarc: AuthResult | None
) -> bool:
    """An aligned signature that could not be checked here and nobody trusted faulted:
    with its key it may well pass. A body altered since signing cannot pass, and a
    trusted `dmarc=fail` says the receiver, who had the key, saw it fail."""
    if dmarc is not None and dmarc.result.lower() == "fail":
        return False
    return any(
        s.verification == "unverifiable"
        and s.result is None
        and s.body_hash != "mismatch"
        and _counts(aligned(_domain_of(s.domain), author), adkim)
        for s in signatures
    )


def _checked(
    spf_passed: bool | None,
    dmarc: AuthResult | None,
    signatures: Sequence[DkimSignature],
    trusted_results: Sequence[AuthResult],
) -> bool:
    """Whether anything about the From domain's authentication is known at all."""
    return (
        spf_passed is not None
        or dmarc is not None
        or any(s.verification in {"pass", "fail", "invalid"} or s.result is not None
               for s in signatures)
        or any(r.trusted and r.method.lower() == "dkim" for r in trusted_results)
    )  # fmt: skip


# --- explanation -----------------------------------------------------------------------


def _explain(
    alignment: Alignment,
    passing: Sequence[str],
    signatures: Sequence[DkimSignature],
    modes: tuple[str, str],
) -> str:
    author = alignment.from_domain
    if author is None:
        return "no From domain to align with, so DMARC cannot apply"
    aspf, adkim = modes
    if alignment.dmarc_computed == "unverified":
        own = next(s for s in signatures if _counts(aligned(_domain_of(s.domain), author), adkim))
        return (
            f"would pass if the DKIM signature from {own.domain} verifies: it is aligned "
            f"with {author}, but no key was at hand to check it and no trusted receiver "
            "said how it fared"
        )
    if alignment.dmarc_computed == "unknown":
        return (
            "no trusted SPF or DMARC result and no DKIM outcome is known, so nothing "
            f"shows whether {author} sent it"
        )
    reasons = []
    if _counts(alignment.spf_aligned, aspf):
        reasons.append(f"SPF ({alignment.spf_domain}, {alignment.spf_aligned})")
    reasons.extend(
        f"DKIM (d={d}, {m})" for d, m in alignment.dkim_aligned_domains if _counts(m, adkim)
    )
    if reasons:
        return "aligned through " + " and ".join(reasons)
    return (
        f"not aligned: {_spf_words(alignment, aspf)}, and "
        f"{_dkim_words(author, passing, signatures, alignment, adkim)}"
    )


def _spf_words(alignment: Alignment, aspf: str) -> str:
    author, domain = alignment.from_domain or "", alignment.spf_domain
    if domain is None:
        return "no SPF-checked sender domain is known"
    if alignment.spf_pass is None:
        return f"no trusted SPF result says whether SPF passed for {domain}"
    mode = aligned(domain, author)
    if not alignment.spf_pass:
        relation = "" if mode else f", which is unrelated to {author}"
        return f"SPF did not pass for {domain}{relation}"
    if mode == RELAXED and aspf == STRICT:
        return f"SPF passed for {domain}, but the policy asks for strict alignment with {author}"
    return f"SPF passed for {domain}, unrelated to {author}"


def _dkim_words(
    author: str,
    passing: Sequence[str],
    signatures: Sequence[DkimSignature],
    alignment: Alignment,
    adkim: str,
) -> str:
    if alignment.dkim_aligned_domains and adkim == STRICT:
        return f"DKIM passed only relaxed while the policy asks for strict alignment with {author}"
    own = [s for s in signatures if aligned(_domain_of(s.domain), author) is not None]
    if own:
        return f"the DKIM signature from {own[0].domain} {_why_not(own[0])}"
    if passing:
        return f"DKIM passed only for {', '.join(passing[:3])}, unrelated to {author}"
    if not signatures:
        return "the message carries no DKIM signature"
    return f"no passing DKIM signature from {author}"


def _why_not(signature: DkimSignature) -> str:
    if signature.verification == "unverifiable":
        said = f" and the receiver said {signature.result}" if signature.result else ""
        return f"could not be checked here (no key at hand){said}"
    if signature.verification == "invalid":
        return "is malformed"
    return "did not verify"


# --- findings --------------------------------------------------------------------------


def alignment_findings(
    alignment: Alignment,
    headers: Sequence[HeaderField],
    *,
    trusted_results: Sequence[AuthResult] = (),
    received_spf: Sequence[ReceivedSpf] = (),
    dkim_signatures: Sequence[DkimSignature] = (),
) -> list[Finding]:
    """Findings about alignment; the optional inputs of `compute_alignment` add evidence
    and let a verdict made without any checkable data stay quiet."""
    if alignment.from_domain is None:
        return []
    evidence = _evidence(alignment, headers, trusted_results, received_spf, dkim_signatures)
    found: list[Finding] = []
    says = alignment.receiver_says
    if alignment.dmarc_computed == "fail" and says in _PASS_LIKE:
        found.append(_receiver_passed(alignment, evidence))
    elif alignment.dmarc_computed == "pass" and says in _FAIL_LIKE:
        found.append(_receiver_failed(alignment, evidence))
    elif alignment.dmarc_computed == "fail" and _judgeable(alignment, dkim_signatures):
        found.append(_computed_fail(alignment, dkim_signatures, trusted_results, evidence))
    if alignment.spf_pass and alignment.spf_aligned is None and alignment.spf_domain:
        found.append(_spf_unaligned(alignment, evidence))
    return found


def _judgeable(alignment: Alignment, signatures: Sequence[DkimSignature]) -> bool:
    """Whether anything was checked at all: a trusted SPF or DMARC result, or a DKIM
    signature whose outcome is known. Mail from before DMARC, or a paste without any
    results, fails alignment only for want of data; that is not worth a finding."""
    return (
        alignment.spf_pass is not None
        or alignment.receiver_says is not None
        or any(s.verification in {"pass", "fail"} or s.result is not None for s in signatures)
    )


def _all_known(alignment: Alignment, signatures: Sequence[DkimSignature]) -> bool:
    """Whether SPF and every DKIM signature have a known outcome (malformed = failed)."""
    return alignment.spf_pass is not None and all(
        s.verification != "unverifiable" or s.result is not None for s in signatures
    )


def _computed_fail(
    alignment: Alignment,
    signatures: Sequence[DkimSignature],
    trusted_results: Sequence[AuthResult],
    evidence: list[Evidence],
) -> Finding:
    author = alignment.from_domain
    anything = alignment.spf_pass or passing_dkim_domains(signatures, trusted_results)
    if alignment.receiver_says == "none":
        severity = Severity.LOW
        context = (
            f" The receiver found no DMARC policy for {author}, so nothing was enforced; "
            "still, nothing in the message shows that it really comes from there."
        )
    elif anything:
        severity = Severity.MEDIUM
        context = (
            " Something else was authenticated, but not the domain the reader sees. "
            "Legitimate bulk mail sent through a provider sometimes looks like this; "
            "forged mail always does."
        )
    elif _all_known(alignment, signatures):
        severity = Severity.HIGH
        context = " Nothing in the message passed authentication at all."
    else:
        severity = Severity.LOW
        context = (
            " Part of it could not be checked here (a DKIM key was not at hand and the "
            "receiver did not say), so this may change with more information."
        )
    return finding(
        "auth.dmarc_fail_computed",
        severity,
        f"From domain {author} is not authenticated",
        f"The sender shown ({author}) is not backed by SPF or DKIM for that domain "
        f"(DMARC alignment): {alignment.explanation}.{context}",
        evidence,
        strength="direct" if alignment.receiver_says in _FAIL_LIKE else "correlated",
    )


def _receiver_passed(alignment: Alignment, evidence: list[Evidence]) -> Finding:
    return finding(
        "auth.dmarc_disagrees",
        Severity.LOW,
        "Receiver says DMARC pass, message does not align",
        f"The receiving server said dmarc={alignment.receiver_says}, but the message itself "
        f"does not align: {alignment.explanation}. Possible reasons: the receiver "
        "accepted a forwarder's ARC chain or applied a local override; the DKIM "
        "signature it checked was removed or altered later (forwarding, saving, an "
        "edited copy); or the From header was changed after delivery.",
        evidence,
        strength="correlated",
    )


def _receiver_failed(alignment: Alignment, evidence: list[Evidence]) -> Finding:
    return finding(
        "auth.dmarc_disagrees",
        Severity.INFO,
        "Receiver says DMARC fail, message aligns",
        f"The receiving server said dmarc={alignment.receiver_says}, but the message "
        f"itself is {alignment.explanation}. Possible reasons: the domain's policy asks "
        "for strict alignment; a signature that passes here failed at the receiver "
        "(a key rotated since, a temporary DNS error); or the message was changed after "
        "delivery.",
        evidence,
        strength="correlated",
    )


def _spf_unaligned(alignment: Alignment, evidence: list[Evidence]) -> Finding:
    return finding(
        "auth.spf_unaligned",
        Severity.INFO,
        "SPF passed for another domain",
        f"SPF passed for {alignment.spf_domain} (from {alignment.spf_source}), which is "
        f"not the sender's domain {alignment.from_domain}, so SPF does not vouch for "
        "the sender shown. This is normal for mail sent through a mailing list or a "
        "sending provider that uses its own bounce address.",
        evidence,
        strength="correlated",
    )


def _evidence(
    alignment: Alignment,
    headers: Sequence[HeaderField],
    trusted_results: Sequence[AuthResult],
    received_spf: Sequence[ReceivedSpf],
    signatures: Sequence[DkimSignature],
) -> list[Evidence]:
    """The From header, then the headers the verdict rests on, each once."""
    by_index = {f.index: f for f in headers}
    indexes: list[int] = []
    _, from_index = from_domain(headers)
    if from_index is not None:
        indexes.append(from_index)
    for method in ("dmarc", "spf"):
        result = _first_trusted(trusted_results, method)
        if result is not None:
            indexes.append(result.header_index)
    source = alignment.spf_source or ""
    if source.startswith("Received-SPF"):
        used = sorted(received_spf, key=lambda r: not r.trusted)[:1]
        indexes.extend(r.header_index for r in used)
    elif source == "Return-Path":
        used_path = next((f for f in headers if f.name.lower() == "return-path"), None)
        indexes.extend([] if used_path is None else [used_path.index])
    indexes.extend(s.header_index for s in signatures[:3])
    unique = dict.fromkeys(i for i in indexes if i in by_index)
    return [Evidence(i, by_index[i].name, by_index[i].raw) for i in unique]
