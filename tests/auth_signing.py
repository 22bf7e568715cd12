"""Test helpers that sign messages for real: fresh RSA keys, dkimpy signing, ARC sealing.

Keys are generated once per test session (RSA generation costs tens of milliseconds)
and published only through `OfflineKeys`, the way the analysis reads them.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from functools import cache

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dkim.canonicalization import CanonicalizationPolicy
from dkim.crypto import parse_pem_private_key

from mailview.core.auth.keys import OfflineKeys
from mailview.core.load import load_bytes
from mailview.core.model import LoadedMessage

DOMAIN = "example.org"
SELECTOR = "sel1"


@dataclass(frozen=True, slots=True)
class KeyPair:
    private_pem: bytes  # PKCS#8 PEM, as dkimpy reads it
    record: bytes  # the DKIM TXT record: v=DKIM1; k=rsa; p=<base64 DER SubjectPublicKeyInfo>
    bits: int


@cache
def key_pair(bits: int = 2048) -> KeyPair:
    """One RSA key per size per test session."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    return KeyPair(private, record, bits)


def keys_for(
    pair: KeyPair, selector: str = SELECTOR, domain: str = DOMAIN, **more: KeyPair
) -> OfflineKeys:
    """An OfflineKeys holding `pair` at selector._domainkey.domain (and `more` by name)."""
    records = {f"{selector}._domainkey.{domain}": pair.record}
    records.update({name: extra.record for name, extra in more.items()})
    return OfflineKeys(records)


def plain_message(body: bytes = b"Hello Bob,\r\n\r\nthe report is attached.\r\n") -> bytes:
    return (
        b"From: Alice <alice@example.org>\r\n"
        b"To: Bob <bob@example.net>\r\n"
        b"Subject: Quarterly report\r\n"
        b"Date: Mon, 03 Jun 2024 10:00:00 +0000\r\n"
        b"Message-ID: <q2-report@example.org>\r\n"
        b"\r\n" + body
    )


def dkim_sign(
    message: bytes,
    pair: KeyPair,
    *,
    selector: str = SELECTOR,
    domain: str = DOMAIN,
    include: tuple[str, ...] = ("from", "to", "subject", "date", "message-id"),
    length: bool = False,
    algorithm: bytes = b"rsa-sha256",
    canonicalize: tuple[bytes, bytes] = (b"relaxed", b"simple"),
) -> bytes:
    """`message` with a DKIM-Signature prepended, signed by dkimpy."""
    header = dkim.sign(
        message,
        selector.encode(),
        domain.encode(),
        pair.private_pem,
        include_headers=[h.encode() for h in include],
        length=length,
        signature_algorithm=algorithm,
        canonicalize=canonicalize,
    )
    assert isinstance(header, bytes)
    return header + message


def dkim_sign_tags(
    message: bytes,
    pair: KeyPair,
    include: tuple[str, ...],
    tags: list[tuple[bytes, bytes]],
) -> bytes:
    """Sign with exactly the tags given (b= and bh= are added), for what dkim.sign refuses.

    `dkim.sign` offers no x= and refuses an h= without From; the signing itself is
    dkimpy's (DomainSigner.gen_header), so the signature is as real as any other.
    """
    signer = dkim.DKIM(message, signature_algorithm=b"rsa-sha256")
    signer.hasher = dkim.HASH_ALGORITHMS[b"rsa-sha256"]
    canon = CanonicalizationPolicy.from_c_value(dict(tags).get(b"c", b"simple/simple"))
    body_hash = base64.b64encode(hashlib.sha256(canon.canonicalize_body(signer.body)).digest())
    included = [h.encode() for h in include]
    fields = [*tags, (b"h", b" : ".join(included)), (b"bh", body_hash), (b"b", b"0" * 60)]
    private = parse_pem_private_key(pair.private_pem)
    value = signer.gen_header(fields, included, canon, b"DKIM-Signature", private)
    assert isinstance(value, bytes)
    return b"DKIM-Signature: " + value + message


def arc_seal(
    message: bytes,
    pair: KeyPair,
    *,
    domain: str,
    selector: str,
    results: str,
    cv: str,
    timestamp: int | None = None,
) -> bytes:
    """`message` with its next ARC set (RFC 8617) prepended, sealed with dkimpy.

    dkimpy's own `arc_sign` reads the sealer's Authentication-Results with the `authres`
    package, which mailview does not depend on. This is the rest of its signing sequence
    (dkim.ARC.sign) unchanged: the caller states the results (`srv-id; spf=pass …`) and
    the chain status `cv` (none | pass | fail) the sealer would have derived.
    """
    sealer = dkim.ARC(message, signature_algorithm=b"rsa-sha256")
    sealer.hasher = dkim.HASH_ALGORITHMS[b"rsa-sha256"]
    private = parse_pem_private_key(pair.private_pem)
    include = (b"from", b"to", b"subject", b"date", b"message-id")
    canon = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")
    newest, existing = sealer.sorted_arc_headers()
    instance = newest + 1 if existing else 1
    # a sealer that found the chain failed seals only its own set (RFC 8617 §5.2)
    arc_headers = [h for _, h in existing] if cv != "fail" else []
    stamp = str(timestamp or int(time.time())).encode()
    common = [(b"a", b"rsa-sha256"), (b"d", domain.encode()), (b"s", selector.encode())]

    aar = f"i={instance}; {results}".encode() + b"\r\n"
    arc_headers.insert(0, (b"ARC-Authentication-Results", aar))
    sealer.headers = canon.canonicalize_headers(arc_headers[:1]) + sealer.headers

    body_hash = base64.b64encode(hashlib.sha256(canon.canonicalize_body(sealer.body)).digest())
    ams_fields = [
        (b"i", str(instance).encode()),
        *common[:1],
        (b"c", b"relaxed/relaxed"),
        *common[1:],
        (b"t", stamp),
        (b"h", b" : ".join(include)),
        (b"bh", body_hash),
        (b"b", b"0" * 60),
    ]
    ams: bytes = sealer.gen_header(ams_fields, include, canon, b"ARC-Message-Signature", private)
    arc_headers.insert(0, (b"ARC-Message-Signature", ams))
    sealer.headers = canon.canonicalize_headers(arc_headers[:1]) + sealer.headers

    seal_fields = [(b"i", str(instance).encode()), (b"cv", cv.encode()), *common]
    seal_fields += [(b"t", stamp), (b"b", b"0" * 60)]
    seal_include = [name.lower() for name, _ in reversed(arc_headers)]
    if cv == "fail":
        sealer.headers.reverse()
    seal: bytes = sealer.gen_header(seal_fields, seal_include, canon, b"ARC-Seal", private)
    return (
        b"ARC-Seal: "
        + seal
        + b"ARC-Message-Signature: "
        + ams
        + b"ARC-Authentication-Results: "
        + aar
        + message
    )


def load_one(data: bytes) -> LoadedMessage:
    (message,) = load_bytes(data)
    return message
