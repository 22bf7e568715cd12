"""The ARC chain (RFC 8617): its sets, whether it is well formed, and whether it verifies.

Strategy:

1. Group ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results by their i=
   instance. The two signatures are RFC 6376 tag-lists (read with dkim.parse_tag_list);
   the results header starts with `i=N;` before an Authentication-Results payload.
2. Check the structure ourselves, as RFC 8617 §5.1.1 describes, and say in words what
   is wrong: a reader needs "instance 2 has no ARC-Message-Signature", not a boolean.
3. Verify the signatures with dkimpy's ARC verifier only when the KeyStore holds every
   key the chain names; its `dnsfunc` answers from the KeyStore, so nothing reaches DNS.
   A missing key makes the chain "unverifiable", never "fail". dkimpy judges ARC t=
   against the wall clock (only a seal dated over 10 hours ahead fails that); its
   verifier is otherwise independent of the day.
4. `arc_findings` turns the chain into findings.

Work is bounded: at most 50 instances are verified (RFC 8617 §4.2.1 caps i= at 50), and
each verification is linear in the message, so a hostile chain costs at most 50 passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from typing import Any

from mailview.core.auth.dkim import (
    MAX_HEADER_WORK,
    first_tag,
    message_bytes,
    parse_number,
    parse_tag_list,
    quiet_logger,
)
from mailview.core.auth.keys import KeyStore, dnsfunc_for, key_name
from mailview.core.auth.model import ArcChain, ArcSet
from mailview.core.domains import normalise_host
from mailview.core.findings.context import finding
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Evidence, Finding, HeaderField, Severity
from mailview.core.record import mutable_record

MAX_INSTANCES = 50  # RFC 8617 §4.2.1: "The maximum value for i= is 50"

_SEAL = "arc-seal"
_AMS = "arc-message-signature"
_AAR = "arc-authentication-results"
_KINDS = (_SEAL, _AMS, _AAR)
_SHOWN = {_SEAL: "ARC-Seal", _AMS: "ARC-Message-Signature", _AAR: "ARC-Authentication-Results"}
# RFC 8617 §4.1.1: arc-info = arc-instance ";" authres-payload;
# arc-instance = [FWS] %s"i" [FWS] "=" [FWS] instance-num [FWS]; instance-num = 1*2DIGIT.
# Digits are matched generously (1*9) so that i=99 is reported as out of range, not missing.
_AAR_INSTANCE = LazyPattern(r"\s*i\s*=\s*([0-9]{1,9})\s*(?:;|$)")
_CV_VALUES = ("none", "fail", "pass")  # RFC 8617 §4.1.3: chain-status


@mutable_record
class _Set:
    members: dict[str, HeaderField] = field(default_factory=dict)
    seal_tags: tuple[tuple[str, str], ...] = ()
    ams_tags: tuple[tuple[str, str], ...] = ()


# --- reading the chain -------------------------------------------------------------------


def read_arc(headers: Sequence[HeaderField], body: bytes | None, keys: KeyStore | None) -> ArcChain:
    """The ARC chain as written, its structure and, when keys are at hand, its crypto.

    `body` is None when the input was a header block alone: the ARC-Message-Signatures
    cover the body, so the chain is then unverifiable.
    """
    arc_fields = [f for f in headers if f.name.lower() in _KINDS]
    if not arc_fields:
        return ArcChain(sets=(), structure="none", problems=(), crypto=None)
    groups, problems = _group(arc_fields)
    sets = tuple(_arc_set(i, groups[i]) for i in sorted(groups))
    problems += _structure_problems(groups)
    structure = "broken" if problems else "valid"
    crypto, note = _crypto(headers, body, keys, groups, structure)
    if note:
        problems.append(note)
    return ArcChain(sets=sets, structure=structure, problems=tuple(problems), crypto=crypto)


def _group(arc_fields: Sequence[HeaderField]) -> tuple[dict[int, _Set], list[str]]:
    groups: dict[int, _Set] = {}
    problems: list[str] = []
    for f in arc_fields:
        kind = f.name.lower()
        tags = parse_tag_list(f.value)[0] if kind != _AAR else ()
        instance = _instance(f, kind, tags)
        where = f"{_SHOWN[kind]} (header {f.index + 1})"
        if instance is None:
            problems.append(f"{where} has no valid i= instance number.")
            continue
        if not 1 <= instance <= MAX_INSTANCES:
            problems.append(f"{where} has i={instance}, outside 1 to {MAX_INSTANCES}.")
            continue
        group = groups.setdefault(instance, _Set())
        if kind in group.members:
            problems.append(f"Instance {instance} has more than one {_SHOWN[kind]}.")
            continue
        group.members[kind] = f
        if kind == _SEAL:
            group.seal_tags = tags
        elif kind == _AMS:
            group.ams_tags = tags
    return groups, problems


def _instance(f: HeaderField, kind: str, tags: tuple[tuple[str, str], ...]) -> int | None:
    if kind == _AAR:
        match = _AAR_INSTANCE.match(f.value)
        return int(match.group(1)) if match else None
    text = first_tag(tags, "i")
    return parse_number(text) if text is not None and len(text.strip()) <= 9 else None


def _arc_set(instance: int, group: _Set) -> ArcSet:
    seal, ams, aar = (group.members.get(k) for k in _KINDS)
    cv = first_tag(group.seal_tags, "cv")
    domain = first_tag(group.seal_tags, "d")
    return ArcSet(
        instance=instance,
        seal_index=seal.index if seal else None,
        message_signature_index=ams.index if ams else None,
        results_index=aar.index if aar else None,
        cv=cv.strip().lower() if cv is not None else None,
        domain=normalise_host(domain) if domain else None,
    )


def _structure_problems(groups: dict[int, _Set]) -> list[str]:
    """RFC 8617 §5.1.1 step 3: contiguous instances, one of each header, cv rules."""
    if not groups:
        return []
    last = max(groups)
    problems = [f"Instance {i} is missing entirely." for i in range(1, last) if i not in groups]
    for i in sorted(groups):
        absent = [_SHOWN[k] for k in _KINDS if k not in groups[i].members]
        if absent:
            problems.append(f"Instance {i} has no {' and no '.join(absent)}.")
    problems += _cv_problems(groups, last)
    return problems


def _cv_problems(groups: dict[int, _Set], last: int) -> list[str]:
    cvs = {i: (first_tag(g.seal_tags, "cv") or "").strip().lower() for i, g in groups.items()}
    problems = []
    chain_failed = cvs.get(last) == "fail"  # §5.1.1 step 2: the newest seal says "failed"
    for i in sorted(groups):
        cv = cvs[i]
        if _SEAL not in groups[i].members:
            continue
        if cv not in _CV_VALUES:
            problems.append(f"The ARC-Seal of instance {i} has no valid cv= (chain status).")
        elif cv == "fail" and i != last:
            problems.append(f"Instance {i} says cv=fail, yet later instances follow it.")
        elif chain_failed or cv == "fail":
            continue
        elif i == 1 and cv != "none":
            problems.append(f"Instance 1 says cv={cv}; the first instance must say cv=none.")
        elif i > 1 and cv != "pass":
            problems.append(f"Instance {i} says cv={cv}; every later instance must say cv=pass.")
    return problems


# --- verifying it ------------------------------------------------------------------------


def _crypto(
    headers: Sequence[HeaderField],
    body: bytes | None,
    keys: KeyStore | None,
    groups: dict[int, _Set],
    structure: str,
) -> tuple[str, str | None]:
    """("pass" | "fail" | "unverifiable", a note in words or None)."""
    if keys is None or body is None:
        return "unverifiable", None
    if not groups:
        return "fail", None  # ARC headers, but not one usable instance
    missing = [name for name in _key_names(groups) if keys.txt(name) is None]
    if missing:
        return "unverifiable", None
    if _header_work(groups) * len(headers) > MAX_HEADER_WORK:
        return "unverifiable", "Not verified: the ARC signatures name too many header fields."
    outcome = _dkimpy_verify(headers, body, keys, latin1=False)
    if outcome != "pass" and any(not f.raw.isascii() for f in headers):
        # the loader may have read 8-bit lines as Latin-1; try those bytes too
        outcome = _dkimpy_verify(headers, body, keys, latin1=True) or outcome
    if outcome is None:
        return "unverifiable", "dkimpy could not read the message to verify the chain."
    if structure == "broken" and outcome == "pass":
        return "fail", None  # a malformed chain fails whatever its signatures say
    return outcome, None


def _header_work(groups: dict[int, _Set]) -> int:
    """How many header names the ARC-Message-Signatures' h= tags list, all together."""
    return sum(len((first_tag(g.ams_tags, "h") or "").split(":")) for g in groups.values())


def _key_names(groups: dict[int, _Set]) -> list[str]:
    names = []
    for group in groups.values():
        for tags in (group.seal_tags, group.ams_tags):
            selector, domain = first_tag(tags, "s"), first_tag(tags, "d")
            if selector and domain:
                names.append(key_name(selector, domain))
    return names


def _dkimpy_verify(
    headers: Sequence[HeaderField], body: bytes, keys: KeyStore, *, latin1: bool
) -> str | None:
    import dkim  # noqa: PLC0415 - dkimpy loads only when every key is at hand

    data = message_bytes(headers, body, latin1=latin1)
    try:
        verifier: Any = dkim.ARC(data, logger=quiet_logger(), minkey=0)
        cv, _, _ = verifier.verify(dnsfunc=dnsfunc_for(keys))
    except Exception:  # dkimpy raises many kinds (and IndexError) on odd input
        return "fail"
    if cv == dkim.CV_Pass:
        return "pass"
    if cv in (dkim.CV_Fail, None):  # None: a seal said cv=fail, the chain ends there
        return "fail"
    return None  # CV_None: dkimpy saw no chain where we saw one


# --- findings ----------------------------------------------------------------------------


def arc_findings(chain: ArcChain, headers: Sequence[HeaderField] = ()) -> list[Finding]:
    """What the ARC chain tells an analyst. `headers` fill the evidence with raw text."""
    if chain.structure == "none":
        return []
    found: list[Finding] = []
    evidence = _evidence(chain, headers)
    last = chain.sets[-1] if chain.sets else None
    stated_fail = last is not None and last.cv == "fail"
    if chain.structure == "broken":
        found.append(
            finding(
                "auth.arc.broken",
                Severity.MEDIUM,
                "ARC chain is malformed",
                "The ARC headers, which forwarding systems add to vouch for what they "
                "received, do not form a valid chain, so receivers cannot rely on them: "
                + " ".join(chain.problems),
                evidence,
            )
        )
    if stated_fail and last is not None:
        found.append(
            finding(
                "auth.arc.cv_fail",
                Severity.LOW,
                "A forwarder reported a broken ARC chain",
                f"The system that added ARC instance {last.instance} "
                f"({last.domain or 'unknown domain'}) stated that the chain it received did "
                "not validate (cv=fail). What the earlier systems vouched for cannot be "
                "trusted.",
                evidence,
            )
        )
    elif chain.crypto == "fail" and chain.structure != "broken":
        found.append(
            finding(
                "auth.arc.crypto_fail",
                Severity.MEDIUM,
                "ARC signatures do not verify",
                "The ARC chain is well formed but its signatures do not match the message: it "
                "was changed after the last forwarder sealed it, or the chain was forged.",
                evidence,
            )
        )
    return found


def _evidence(chain: ArcChain, headers: Sequence[HeaderField]) -> tuple[Evidence, ...]:
    by_index = {f.index: f for f in headers}
    found = []
    for arc_set in chain.sets:
        for index in (arc_set.seal_index, arc_set.message_signature_index):
            f = by_index.get(index) if index is not None else None
            if f is not None:
                found.append(Evidence(f.index, f.name, f.raw))
            elif index is not None:
                found.append(Evidence(index, None, ""))
    return tuple(found)
