"""Which authentication statements can be believed, and what the believable ones say.

Strategy: every MTA prepends its headers, so anything above the trust-boundary hop's
Received header (the receiving organisation's first server that took the message from
outside) was added after the message arrived, by the receiver's own systems; anything
below it was already in the message and could have been written by the sender. A
statement is believed when it sits above the boundary AND names one of the receiver's
own authserv-ids (or, in Microsoft 365's form, names none, because Microsoft writes it
at its own edge). The receiver's authserv-ids are read from the statements above the
boundary: the topmost one's id, and any id in the same organisation as a trusted hop's
`by` host. Copies of older headers (X-Original-Authentication-Results, …) are never
believed: the system that renamed them vouches for the copy, not for its content.

Findings then say what the believable statements report (failures, errors), and flag
statements below the boundary that use the receiver's own name, which is the forgery
RFC 8601 §5 tells receivers to strip, and claims that contradict the receiver.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from mailview.core.auth.model import AuthResult, ReceivedSpf
from mailview.core.auth.results import (
    ARC_NAME,
    AUTH_RESULTS_NAMES,
    COPY_NAMES,
    authserv_id_of,
)
from mailview.core.chain import Route
from mailview.core.domains import normalise_host, same_org
from mailview.core.findings.context import finding
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Evidence, Finding, HeaderField, Severity

PASS = "pass"
FAILED = frozenset({"fail", "softfail"})
ERRORS = frozenset({"temperror", "permerror", "error"})
# RFC 8601 §2.7.x methods whose failure says something about who sent the message.
# (method, result) → severity; dkim fail is lowered when another signature passed.
FAIL_SEVERITY: dict[tuple[str, str], Severity] = {
    ("dmarc", "fail"): Severity.HIGH,
    ("compauth", "fail"): Severity.HIGH,
    ("spf", "fail"): Severity.MEDIUM,
    ("spf", "softfail"): Severity.LOW,
    ("dkim", "fail"): Severity.MEDIUM,
    ("arc", "fail"): Severity.MEDIUM,
    ("iprev", "fail"): Severity.LOW,
    ("auth", "fail"): Severity.LOW,
}
# A DMARC policy as Google (`p=REJECT dis=NONE`) and rspamd (`policy=none`) comment it.
_POLICY = LazyPattern(r"\b(?:p|policy)=([A-Za-z.]+)", re.IGNORECASE)
_DISPOSITION = LazyPattern(r"\bdis=([A-Za-z.]+)", re.IGNORECASE)


# --- who is the receiver ------------------------------------------------------------

# What a receiving MTA may write just before it prepends its own Received header.
_RUN_NAMES = frozenset({"received-spf"}) | (AUTH_RESULTS_NAMES - {ARC_NAME})


def boundary_index(route: Route) -> int:
    """Header index of the trust-boundary hop's Received header; statements with a
    smaller index were added by the receiving side. Without a boundary, the topmost
    route header; without any, 0 (then nothing can be placed on the receiver's side)."""
    if route.boundary is not None:
        return route.boundary.header_index
    if route.hops:
        return min(hop.header_index for hop in route.hops)
    return 0


def receiving_side(headers: Sequence[HeaderField], route: Route) -> tuple[int, frozenset[int]]:
    """Where the receiver's own statements are: every header above the cutoff index, and
    the indices of statements the boundary server wrote right below its Received header.

    Gmail (and others that check during the SMTP dialogue) add Received-SPF and
    Authentication-Results first and prepend their Received header last, so their own
    statements sit directly below it. That run is accepted only when it ends in an
    Authentication-Results under the boundary server's own name: a sender's headers come
    after it, and a run without one proves nothing (the sender may have written it all).
    A receiver that already wrote an Authentication-Results above its Received header
    (Postfix and its milters do) writes none below it, so then there is no run at all.
    """
    cutoff = boundary_index(route)
    writer = next((h.fields.by_host for h in route.hops if h.header_index == cutoff), None)
    if writer is None:
        return cutoff, frozenset()
    ordered = sorted(headers, key=lambda h: h.index)
    if any(_own_results(h, writer) for h in ordered if h.index < cutoff):
        return cutoff, frozenset()
    run: set[int] = set()
    for header in ordered:
        if header.index <= cutoff:
            continue
        name = header.name.lower()
        if name not in _RUN_NAMES:
            break
        run.add(header.index)
        if name != "received-spf" and _own_results(header, writer):
            return cutoff, frozenset(run)
    return cutoff, frozenset()


def _own_results(header: HeaderField, writer: str) -> bool:
    """An Authentication-Results (not ARC) under the name of the server `writer`."""
    if header.name.lower() not in _RUN_NAMES - {"received-spf"}:
        return False
    found = normalise_host(authserv_id_of(header))
    return found is not None and _near_hop(found, [writer])


def receiver_ids(headers: Sequence[HeaderField], route: Route) -> tuple[str, ...]:
    """The authserv-ids (lower-case) the receiving organisation writes under."""
    cutoff, run = receiving_side(headers, route)
    hosts = [h.fields.by_host for h in route.hops if h.trusted and h.fields.by_host]
    ids: list[str] = []
    topmost = True
    for header in sorted(headers, key=lambda h: h.index):
        above = header.index < cutoff
        if not (above or header.index in run):
            continue
        if header.name.lower() not in AUTH_RESULTS_NAMES:
            continue
        found = normalise_host(authserv_id_of(header))
        if found is None:
            continue
        # The topmost rule holds only above the cutoff, where nothing is the sender's.
        if ((topmost and above) or _near_hop(found, hosts)) and found not in ids:
            ids.append(found)
        topmost = False
    return tuple(ids)


def _near_hop(authserv_id: str, hosts: Iterable[str | None]) -> bool:
    return any(authserv_id == normalise_host(h) or same_org(authserv_id, h) for h in hosts)


def mark_trusted(
    results: Sequence[AuthResult],
    spf: Sequence[ReceivedSpf],
    headers: Sequence[HeaderField],
    route: Route,
) -> tuple[list[AuthResult], list[ReceivedSpf], tuple[str, ...]]:
    """Copies of the statements with `trusted` set, and the receiver's authserv-ids."""
    ids = receiver_ids(headers, route)
    cutoff, run = receiving_side(headers, route)
    marked = [replace(r, trusted=_believed(r, ids, cutoff, run)) for r in results]
    # Received-SPF carries no authserv-id; its place in the block is all there is.
    marked_spf = [replace(s, trusted=s.header_index < cutoff or s.header_index in run) for s in spf]
    return marked, marked_spf, ids


def _believed(result: AuthResult, ids: tuple[str, ...], cutoff: int, run: frozenset[int]) -> bool:
    if result.header_name.lower() in COPY_NAMES:
        return False
    if result.header_index in run:
        return normalise_host(result.authserv_id) in ids
    if result.header_index >= cutoff:
        return False
    if result.authserv_id is None:
        return True  # Microsoft 365's form, written at its own edge
    return normalise_host(result.authserv_id) in ids


# --- findings -----------------------------------------------------------------------


def statement_findings(
    results: Sequence[AuthResult],
    spf: Sequence[ReceivedSpf],
    ids: Sequence[str],
    headers: Sequence[HeaderField],
) -> list[Finding]:
    """What the statements, believed or not, tell a helpdesk about the message."""
    by_index = {h.index: h for h in headers}
    pretenders = _pretenders(results, ids)
    found = [_pretender_finding(index, claims, by_index) for index, claims in pretenders.items()]
    found += _contradictions(results, set(pretenders), by_index)
    found += _failures(results, spf, by_index)
    found += _errors(results, spf, by_index)
    return found


def _evidence(index: int, by_index: dict[int, HeaderField], name: str) -> Evidence:
    header = by_index.get(index)
    if header is None:
        return Evidence(index, name, "")
    return Evidence(index, header.name, header.raw)


def _line(index: int, by_index: dict[int, HeaderField]) -> str:
    header = by_index.get(index)
    return f"line {header.line}" if header is not None else f"header {index + 1}"


def _claims(results: Iterable[AuthResult]) -> str:
    return ", ".join(f"{r.method}={r.result}" for r in results)


def _pretenders(results: Sequence[AuthResult], ids: Sequence[str]) -> dict[int, list[AuthResult]]:
    """Untrusted Authentication-Results under the receiver's own authserv-id.

    Untrusted with a receiver id can only mean "below the boundary". ARC-Authentication-
    Results are left out: an earlier ARC set may carry the same id when the message
    passed the same provider before (that is what ARC records), and it is sealed.
    """
    wanted = set(ids)
    found: dict[int, list[AuthResult]] = {}
    for result in results:
        name = result.header_name.lower()
        if result.trusted or name == ARC_NAME or name not in AUTH_RESULTS_NAMES:
            continue
        if normalise_host(result.authserv_id) in wanted:
            found.setdefault(result.header_index, []).append(result)
    return found


def _pretender_finding(
    index: int, claims: list[AuthResult], by_index: dict[int, HeaderField]
) -> Finding:
    who = claims[0].authserv_id
    detail = (
        f"The {claims[0].header_name} header at {_line(index, by_index)} claims to come "
        f"from '{who}', the receiving organisation's own checking server, but it sits "
        "below the point where the message entered the organisation and below that "
        "server's own statements: it was already in the message when it arrived, so the "
        "sender or a system on the way wrote it. "
        f"Its results ({_claims(claims)}) must not be believed. Receiving servers should "
        "remove such headers (RFC 8601 §5); this one did not."
    )
    return finding(
        "auth.results.forged_receiver",
        Severity.HIGH,
        "Forged Authentication-Results",
        detail,
        [_evidence(index, by_index, claims[0].header_name)],
        strength="correlated",
    )


def _subject(result: AuthResult) -> str | None:
    """What a result is about, to compare like with like (None: unknown, matches all)."""
    if result.method == "dkim":
        value = result.prop("header.d") or result.prop("header.i")
    elif result.method == "spf":
        value = result.prop("smtp.mailfrom") or result.prop("smtp.helo")
    elif result.method == "dmarc":
        value = result.prop("header.from")
    else:
        value = None
    if not value:
        return None
    return value.rpartition("@")[2].strip().strip("<>").lower() or None


def _contradictions(
    results: Sequence[AuthResult], skip: set[int], by_index: dict[int, HeaderField]
) -> list[Finding]:
    """An untrusted pass where the receiver itself saw a failure, for the same thing."""
    failed = [r for r in results if r.trusted and r.result in FAILED]
    found: list[Finding] = []
    seen: set[tuple[int, str]] = set()
    for claim in results:
        name = claim.header_name.lower()
        if claim.trusted or claim.result != PASS or name not in AUTH_RESULTS_NAMES:
            continue
        if name == ARC_NAME or claim.header_index in skip:
            continue  # ARC records what held before forwarding changed the message
        against = [r for r in failed if r.method == claim.method and _same_subject(r, claim)]
        if against and (claim.header_index, claim.method) not in seen:
            seen.add((claim.header_index, claim.method))
            found.append(_contradiction_finding(claim, against, by_index))
    return found


def _same_subject(a: AuthResult, b: AuthResult) -> bool:
    first, second = _subject(a), _subject(b)
    return first is None or second is None or first == second


def _contradiction_finding(
    claim: AuthResult, against: list[AuthResult], by_index: dict[int, HeaderField]
) -> Finding:
    method = claim.method.upper()
    writer = f"'{claim.authserv_id}'" if claim.authserv_id else "an unnamed system"
    detail = (
        f"The {claim.header_name} header at {_line(claim.header_index, by_index)}, written "
        f"before the message reached the receiving organisation by {writer}, says "
        f"{claim.method}=pass, but the receiving organisation's own check says "
        f"{claim.method}={against[0].result}. Either the message was changed on the way "
        "(forwarding, a mailing list) or the earlier header was written to mislead; only "
        "the receiving organisation's result counts."
    )
    evidence = [_evidence(claim.header_index, by_index, claim.header_name)]
    evidence += _evidence_for(against, by_index)
    return finding(
        "auth.results.contradiction",
        Severity.MEDIUM,
        f"Earlier header claims {method} passed",
        detail,
        evidence,
        strength="correlated",
    )


def _evidence_for(
    results: Iterable[AuthResult], by_index: dict[int, HeaderField]
) -> list[Evidence]:
    evidence: list[Evidence] = []
    seen: set[int] = set()
    for result in results:
        if result.header_index not in seen:
            seen.add(result.header_index)
            evidence.append(_evidence(result.header_index, by_index, result.header_name))
    return evidence


def _spf_evidence(
    records: Iterable[ReceivedSpf], by_index: dict[int, HeaderField]
) -> list[Evidence]:
    return [_evidence(s.header_index, by_index, "Received-SPF") for s in records]


def _failures(
    results: Sequence[AuthResult], spf: Sequence[ReceivedSpf], by_index: dict[int, HeaderField]
) -> list[Finding]:
    """One finding per (method, failing result) the receiver itself stated."""
    trusted = [r for r in results if r.trusted]
    groups: dict[tuple[str, str], list[AuthResult]] = {}
    for result in trusted:
        if (result.method, result.result) in FAIL_SEVERITY:
            groups.setdefault((result.method, result.result), []).append(result)
    spf_groups: dict[str, list[ReceivedSpf]] = {}
    for record in spf:
        if record.trusted and record.result in FAILED:
            spf_groups.setdefault(record.result, []).append(record)
    keys = list(groups) + [("spf", r) for r in spf_groups if ("spf", r) not in groups]
    found: list[Finding] = []
    for key in keys:
        stated = groups.get(key, [])
        records = spf_groups.get(key[1], []) if key[0] == "spf" else []
        found.append(_failure_finding(key, stated, records, trusted, by_index))
    return found


def _failure_finding(
    key: tuple[str, str],
    stated: list[AuthResult],
    records: list[ReceivedSpf],
    trusted: list[AuthResult],
    by_index: dict[int, HeaderField],
) -> Finding:
    method, result = key
    severity = FAIL_SEVERITY[key]
    who = _who(stated, records)
    if method == "dkim":
        detail, severity = _dkim_detail(who, stated, trusted)
    else:
        detail = _DETAILS[method](who, stated, records)
    if method == "dmarc" and not _enforced(stated):
        # With p=none the domain owner only monitors: forwarded and list mail fails like
        # this every day, so the failure is worth a look but is not proof of forgery.
        severity = Severity.MEDIUM
    evidence = _evidence_for(stated, by_index) + _spf_evidence(records, by_index)
    return finding(
        f"auth.results.{method}_{result}".replace("-", "_"),
        severity,
        _TITLES[key],
        detail,
        evidence,
    )


def _enforced(stated: Sequence[AuthResult]) -> bool:
    """Whether the From domain's DMARC policy asks receivers to act (quarantine/reject).

    Unknown counts as enforced: without the policy, the failure keeps its full weight.
    """
    for result in stated:
        texts = [
            result.comment or "",
            result.prop("policy.dmarc") or "",
            result.prop("action") or "",
        ]
        for text in texts:
            match = _POLICY.search(text) if "=" in text else None
            value = (match.group(1) if match else text).strip().lower()
            if value in {"none", "pass", "oreject.none"}:
                return False
            if value in {"reject", "quarantine", "oreject"}:
                return True
    return True


def _who(stated: Sequence[AuthResult], records: Sequence[ReceivedSpf]) -> str:
    for result in stated:
        if result.authserv_id:
            return f"The receiving server ({result.authserv_id})"
    if stated:
        return "Microsoft 365, the receiving service,"
    for record in records:
        if record.receiver:
            return f"The receiving server ({record.receiver})"
    return "The receiving server"


def _domains(results: Iterable[AuthResult]) -> list[str]:
    found: list[str] = []
    for result in results:
        subject = _subject(result)
        if subject and subject not in found:
            found.append(subject)
    return found


def _spf_detail(who: str, stated: list[AuthResult], records: list[ReceivedSpf]) -> str:
    domains = _domains(stated) or _spf_record_domains(records)
    domain = f"the domain {', '.join(domains)}" if domains else "the sender's domain"
    address = next((r.client_ip for r in records if r.client_ip), None)
    server = "the server that delivered it" + (f" ({address})" if address else "")
    if any(r.result == "fail" for r in stated) or any(r.result == "fail" for r in records):
        return (
            f"{who} checked SPF: {domain} does not allow {server} to send its mail. "
            "The envelope sender may be forged, or the message was forwarded by a system "
            "the domain does not list."
        )
    return (
        f"{who} checked SPF: {domain} says {server} is probably not allowed to send its "
        "mail (soft fail). Often harmless (forwarding, a sender's incomplete SPF record), "
        "but it means SPF vouches for nothing here."
    )


def _spf_record_domains(records: Iterable[ReceivedSpf]) -> list[str]:
    found: list[str] = []
    for record in records:
        source = record.envelope_from or record.helo
        if source:
            domain = source.rpartition("@")[2].strip("<>").lower()
            if domain and domain not in found:
                found.append(domain)
    return found


def _dkim_detail(
    who: str, stated: list[AuthResult], trusted: list[AuthResult]
) -> tuple[str, Severity]:
    domains = _domains(stated)
    named = f" from {', '.join(domains)}" if domains else ""
    detail = (
        f"{who} checked the DKIM signature{named} and it did not verify: the message was "
        "changed after it was signed (often by a mailing list or a security gateway), or "
        "the signature is forged."
    )
    passed = _domains(r for r in trusted if r.method == "dkim" and r.result == PASS)
    if passed or any(r.method == "dkim" and r.result == PASS for r in trusted):
        also = f" ({', '.join(passed)})" if passed else ""
        detail += f" Another DKIM signature{also} did verify, so the message is still vouched for."
        return detail, Severity.LOW
    return detail, Severity.MEDIUM


def _dmarc_detail(who: str, stated: list[AuthResult], _records: list[ReceivedSpf]) -> str:
    domains = _domains(stated)
    domain = f" ({', '.join(domains)})" if domains else ""
    detail = (
        f"{who} found that the domain in the From address{domain} is not proven: neither "
        "SPF nor DKIM passed for a matching domain. The visible sender may be forged."
    )
    return detail + _dmarc_policy(stated)


def _dmarc_policy(stated: list[AuthResult]) -> str:
    for result in stated:
        action = result.prop("action")
        if action:
            return " " + _ACTIONS.get(action.lower(), f"The action taken was '{action}'.")
        comment = result.comment or ""
        policy = _POLICY.search(comment)
        if policy:
            words = f" The domain's published policy is '{policy.group(1).lower()}'"
            disposition = _DISPOSITION.search(comment)
            if disposition:
                words += f"; the receiver applied '{disposition.group(1).lower()}'"
            return words + " (none = only monitor, quarantine = junk, reject = refuse)."
    return ""


_ACTIONS = {
    "none": "Microsoft 365 took no DMARC action (the domain's policy is none).",
    "quarantine": "Microsoft 365 applied the domain's quarantine policy.",
    "reject": "Microsoft 365 applied the domain's reject policy.",
    "oreject": (
        "The domain asks for such mail to be rejected; Microsoft 365 delivered it as junk "
        "instead (action oreject, 'override reject')."
    ),
    "oquarantine": (
        "The domain asks for such mail to be quarantined; Microsoft 365 overrode that "
        "(action oquarantine)."
    ),
    "pct.quarantine": (
        "The domain's quarantine policy covers only part of its mail; this message fell "
        "outside it (action pct.quarantine)."
    ),
    "pct.reject": (
        "The domain's reject policy covers only part of its mail; this message fell outside "
        "it (action pct.reject)."
    ),
}


def _arc_detail(who: str, _stated: list[AuthResult], _records: list[ReceivedSpf]) -> str:
    return (
        f"{who} checked the ARC chain (the seals forwarding services and mailing lists add) "
        "and it failed: a seal is broken or was tampered with, so what earlier forwarders "
        "say about the message cannot be relied on."
    )


def _compauth_detail(who: str, stated: list[AuthResult], _records: list[ReceivedSpf]) -> str:
    explanation = next((r.comment for r in stated if r.comment), None)
    base = (
        f"{who} judged the sender spoofed (Microsoft's composite authentication, which "
        "combines SPF, DKIM, DMARC and its own signals)."
    )
    return f"{base} {explanation}" if explanation else base


def _iprev_detail(who: str, _stated: list[AuthResult], _records: list[ReceivedSpf]) -> str:
    return (
        f"{who} could not confirm the sending server's name from its IP address (reverse "
        "DNS does not lead back to it). Common for small or misconfigured servers; a weak "
        "sign on its own."
    )


def _auth_detail(who: str, _stated: list[AuthResult], _records: list[ReceivedSpf]) -> str:
    return (
        f"{who} records that a client tried to log in to send this message and the login "
        "failed (auth=fail)."
    )


_DETAILS = {
    "spf": _spf_detail,
    "dmarc": _dmarc_detail,
    "arc": _arc_detail,
    "compauth": _compauth_detail,
    "iprev": _iprev_detail,
    "auth": _auth_detail,
}
_TITLES = {
    ("dmarc", "fail"): "DMARC failed",
    ("compauth", "fail"): "Microsoft 365 flags the sender as spoofed",
    ("spf", "fail"): "SPF failed",
    ("spf", "softfail"): "SPF soft fail",
    ("dkim", "fail"): "DKIM signature failed",
    ("arc", "fail"): "ARC chain failed",
    ("iprev", "fail"): "Reverse DNS check failed",
    ("auth", "fail"): "SMTP login failed",
}


def _errors(
    results: Sequence[AuthResult], spf: Sequence[ReceivedSpf], by_index: dict[int, HeaderField]
) -> list[Finding]:
    """temperror/permerror the receiver stated: the check could not reach a verdict."""
    groups: dict[str, tuple[list[AuthResult], list[ReceivedSpf]]] = {}
    for result in results:
        if result.trusted and result.result in ERRORS:
            groups.setdefault(result.method, ([], []))[0].append(result)
    for record in spf:
        if record.trusted and record.result in ERRORS:
            groups.setdefault("spf", ([], []))[1].append(record)
    found = []
    for method, (stated, records) in groups.items():
        kinds = {r.result for r in stated} | {s.result for s in records}
        detail = (
            f"{_who(stated, records)} could not finish its {method.upper()} check: "
            + _error_words(kinds)
            + " The check neither vouches for nor against the sender."
        )
        evidence = _evidence_for(stated, by_index) + _spf_evidence(records, by_index)
        found.append(
            finding(
                f"auth.results.{method}_error".replace("-", "_"),
                Severity.LOW,
                f"{method.upper()} check could not complete",
                detail,
                evidence,
            )
        )
    return found


def _error_words(kinds: set[str]) -> str:
    words = []
    if "temperror" in kinds:
        words.append("a temporary error, usually a DNS lookup that timed out")
    if kinds & {"permerror", "error"}:
        words.append("a permanent error, usually a broken record the domain published")
    return " and ".join(words) + "."
