"""The report's "auth" block (schema mailview/report-1): key names kept forever."""

from __future__ import annotations

from typing import Any

from mailview.core.auth.model import (
    AddressCheck,
    Alignment,
    ArcChain,
    AuthReport,
    AuthResult,
    DkimSignature,
    ReceivedSpf,
)

JsonDict = dict[str, Any]


def auth_to_dict(auth: AuthReport) -> JsonDict:
    trusted = [r for r in auth.results if r.trusted]
    return {
        "results": [_result(r) for r in auth.results],
        "spf": _spf(trusted, auth.received_spf, auth.alignment),
        "dkim": [_signature(s) for s in auth.dkim],
        "dmarc": _dmarc(trusted, auth.alignment),
        "arc": _arc(auth.arc),
        "alignment": _alignment(auth.alignment),
        "received_spf": [_received_spf(r) for r in auth.received_spf],
        "addresses": [_address(a) for a in auth.addresses],
        "trusted_authserv_ids": list(auth.trusted_authserv_ids),
    }


def _result(r: AuthResult) -> JsonDict:
    return {
        "method": r.method,
        "result": r.result,
        "reason": r.reason,
        "authserv_id": r.authserv_id,
        "trusted": r.trusted,
        "properties": dict(reversed(r.properties)),  # the first of a repeated property wins
        "header_index": r.header_index,
        "header_name": r.header_name,
        "instance": r.instance,
        "comment": r.comment,
    }


def _first(results: list[AuthResult], method: str) -> AuthResult | None:
    return next((r for r in results if r.method.lower() == method), None)


def _spf(trusted: list[AuthResult], received: tuple[ReceivedSpf, ...], a: Alignment) -> JsonDict:
    stated = _first(trusted, "spf")
    if stated is not None:
        ip = stated.prop("smtp.remote-ip") or stated.prop("smtp.client-ip")
        source = f"{stated.header_name} (header {stated.header_index})"
        return {"result": stated.result, "domain": a.spf_domain, "ip": ip, "source": source}
    spf = next((r for r in received if r.trusted), None)
    if spf is not None:
        source = f"Received-SPF (header {spf.header_index})"
        return {"result": spf.result, "domain": a.spf_domain, "ip": spf.client_ip, "source": source}
    return {"result": None, "domain": a.spf_domain, "ip": None, "source": None}


def _dmarc(trusted: list[AuthResult], a: Alignment) -> JsonDict:
    stated = _first(trusted, "dmarc")
    policy = None if stated is None else (stated.prop("policy.dmarc") or stated.prop("action"))
    return {
        "result": None if stated is None else stated.result,
        "policy": policy,
        "from_domain": a.from_domain,
        "source": None
        if stated is None
        else f"{stated.header_name} (header {stated.header_index})",
        "computed": a.dmarc_computed,
    }


def _signature(s: DkimSignature) -> JsonDict:
    return {
        "domain": s.domain,
        "selector": s.selector,
        "algorithm": s.algorithm,
        "result": s.result,
        "body_hash": s.body_hash,
        "header_index": s.header_index,
        "verification": s.verification,
        "key_bits": s.key_bits,
        "canonicalization": s.canonicalization,
        "signed_headers": list(s.signed_headers),
        "body_length": s.body_length,
        "timestamp": s.timestamp,
        "expiration": s.expiration,
        "problems": list(s.problems),
    }


def _arc(chain: ArcChain) -> JsonDict:
    last = chain.sets[-1] if chain.sets else None
    return {
        "instances": len(chain.sets),
        "chain": chain.structure,
        "result": chain.crypto if chain.crypto is not None else (last.cv if last else None),
        "cv": None if last is None else last.cv,
        "problems": list(chain.problems),
    }


def _alignment(a: Alignment) -> JsonDict:
    return {
        "from_domain": a.from_domain,
        "spf_domain": a.spf_domain,
        "spf_aligned": a.spf_aligned,
        "dkim_aligned_domains": [d for d, _ in a.dkim_aligned_domains],
        "dkim_alignment": [{"domain": d, "mode": m} for d, m in a.dkim_aligned_domains],
        "dmarc_computed": a.dmarc_computed,
        "explanation": a.explanation,
        "receiver_says": a.receiver_says,
    }


def _received_spf(r: ReceivedSpf) -> JsonDict:
    return {
        "result": r.result,
        "client_ip": r.client_ip,
        "envelope_from": r.envelope_from,
        "helo": r.helo,
        "receiver": r.receiver,
        "identity": r.identity,
        "mechanism": r.mechanism,
        "trusted": r.trusted,
        "header_index": r.header_index,
    }


def _address(a: AddressCheck) -> JsonDict:
    return {
        "header": a.header,
        "header_index": a.header_index,
        "display_name": a.display_name,
        "address": a.address,
        "valid": a.valid,
        "problem": a.problem,
    }
