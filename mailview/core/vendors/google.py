"""Gmail / Google Workspace's own trace headers, explained (they are opaque by design).

Strategy: Google stamps outgoing mail with identifiers only Google can read
(X-Google-Smtp-Source, X-Gm-Message-State, X-Gm-Features, X-Gm-Gg). mailview cannot decode
them and does not pretend to: each becomes one field whose meaning says what the header
is for and what its presence tells (the message went through Google's sending servers).
X-Google-DKIM-Signature is Google's second, internal DKIM signature (d=1e100.net); its
tags are read like a DKIM-Signature's so the reader sees which domain signed and when.
X-Received belongs to the Received parser, not here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mailview.core.model import HeaderField
from mailview.core.vendors.model import Decoder, VendorField, VendorVerdict

VENDOR = "Google (Gmail / Workspace)"


def _opaque(key: str, meaning: str, summary: str) -> Decoder:
    def decode(field: HeaderField) -> VendorVerdict | None:
        raw = "".join(field.value.split())  # folds inside a base64-like token carry nothing
        if not raw:
            return None
        return VendorVerdict(
            VENDOR, field.name, field.index, (VendorField(key, raw, meaning),), summary
        )

    return decode


_SMTP_SOURCE = _opaque(
    "id",
    "an internal Google id (opaque, not decodable); says the message passed Google's "
    "outbound servers",
    "The message left through Google's sending servers (Gmail or Google Workspace).",
)
_MESSAGE_STATE = _opaque(
    "state",
    "Google's internal state of the message at submission (opaque, not decodable)",
    "Google recorded its internal message state: the message was submitted through Gmail or "
    "Google Workspace.",
)
_FEATURES = _opaque(
    "features",
    "Google's internal record of the sending client's features (opaque)",
    "Google recorded internal features of the sending client (opaque).",
)
_GG = _opaque(
    "gg",
    "an internal Google value (opaque, undocumented)",
    "Google added an internal, undocumented value (opaque).",
)

_DKIM_TAGS: dict[str, str] = {
    "v": "signature version",
    "a": "signing algorithm",
    "c": "canonicalisation (how header/body were normalised before signing)",
    "d": "signing domain",
    "s": "selector (which key of the domain)",
    "t": "signing time",
    "x": "expiry time",
    "h": "headers covered by the signature",
    "bh": "hash of the body",
    "b": "the signature itself",
    "i": "signing identity",
    "l": "length of body signed",
}


def _tags(value: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for item in value.split(";"):
        key, eq, raw = item.partition("=")
        key = key.strip()
        if key and eq:
            pairs.append((key, "".join(raw.split())))
    return pairs


def _tag_meaning(key: str, raw: str) -> str | None:
    words = _DKIM_TAGS.get(key)
    if words is None:
        return None
    if key == "d" and raw.lower() == "1e100.net":
        return f"{words}: 1e100.net, Google's own infrastructure domain"
    if key in ("t", "x") and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        moment = datetime.fromtimestamp(int(raw), UTC)
        return f"{words}: {moment:%Y-%m-%d %H:%M:%S} UTC"
    if key in ("b", "bh"):
        return words
    return f"{words}: {raw}"


def _google_dkim(field: HeaderField) -> VendorVerdict | None:
    """X-Google-DKIM-Signature: Google's internal second signature."""
    pairs = _tags(field.value)
    if not any(k in ("d", "b", "bh") for k, _ in pairs):
        return None
    fields = tuple(VendorField(k, raw, _tag_meaning(k, raw)) for k, raw in pairs)
    domain = next((raw for k, raw in pairs if k == "d"), "an unnamed domain")
    summary = (
        f"Google's own internal DKIM signature (by {domain}), added when the message passed "
        "Google's servers; it is not the sender's signature and says nothing about the "
        "From domain."
    )
    return VendorVerdict(VENDOR, field.name, field.index, fields, summary)


DECODERS: dict[str, Decoder] = {
    "x-google-smtp-source": _SMTP_SOURCE,
    "x-gm-message-state": _MESSAGE_STATE,
    "x-gm-features": _FEATURES,
    "x-gm-gg": _GG,
    "x-google-dkim-signature": _google_dkim,
}
