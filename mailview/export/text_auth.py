"""The "Authentication" section of the text report."""

from __future__ import annotations

from collections.abc import Iterator

from mailview.core.auth.alignment import COMPUTED_WORDS
from mailview.core.auth.model import AuthReport, AuthResult, DkimSignature
from mailview.present.wording import BODY_HASH, SIGNATURE_CHECK

_BODY: dict[str | None, str] = {None: "body not checked"}
_BODY.update(BODY_HASH)
_VERIFY = SIGNATURE_CHECK


def auth_lines(auth: AuthReport) -> Iterator[str]:
    ids = ", ".join(auth.trusted_authserv_ids) or "none found"
    yield f"Authentication (the receiver's own verdicts come from: {ids}):"
    trusted = [r for r in auth.results if r.trusted]
    for method in ("spf", "dkim", "dmarc", "arc", "compauth"):
        for result in (r for r in trusted if r.method.lower() == method):
            yield "  " + _statement(result)
    for signature in auth.dkim:
        yield "  " + _signature(signature)
    if auth.arc.sets:
        yield (
            f"  ARC      {len(auth.arc.sets)} instance(s), chain {auth.arc.structure}"
            + (f", signatures {auth.arc.crypto}" if auth.arc.crypto else "")
        )
    a = auth.alignment
    stated = f"; the receiver says dmarc={a.receiver_says}" if a.receiver_says else ""
    computed = COMPUTED_WORDS.get(a.dmarc_computed, a.dmarc_computed)
    yield f"  DMARC alignment (computed): {computed} — {a.explanation}{stated}"
    claims = [r for r in auth.results if not r.trusted]
    if claims:
        yield "  Claimed before the receiver's systems (could be forged):"
        for result in claims:
            yield "    " + _statement(result)


def _statement(r: AuthResult) -> str:
    detail = " ".join(f"{k}={v}" for k, v in r.properties[:3])
    by = r.authserv_id or "no authserv-id"
    note = f" ({r.comment})" if r.comment else ""
    return f"{r.method.upper():8} {r.result:10} {detail} [{by}, header {r.header_index + 1}]{note}"


def _signature(s: DkimSignature) -> str:
    body = _BODY.get(s.body_hash, "body not checked")
    verify = _VERIFY.get(s.verification, s.verification)
    return f"DKIM sig d={s.domain} s={s.selector} a={s.algorithm}: {body}; {verify}"
