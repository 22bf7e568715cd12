"""OVHcloud / Vade (Vade Retro) anti-spam headers, with X-VR-SPAMCAUSE de-obfuscated.

Strategy: OVH's mail platform runs Vade's filter and writes X-VR-SPAMCAUSE (also seen as
X-OVH-SPAMCAUSE), a report that is obfuscated, not encrypted. The public reverse-engineering
(discussed e.g. under "Is it possible to decode a SPAMCAUSE field in a mail header?")
found that each output character is written as a pair of lower-case letters: one letter
of the pair sets a block of 16 ("offset letter", counted down from 'g'), the sum of both
letters gives the position inside it, and the offset letter is the second of the pair in
even-numbered pairs and the first in odd-numbered ones. Decoding gives text such as
"Vade Retro 01.394.21 AS+AV+AP+RT Profile: OVH; Bailout: 300; ^ForbiddenHdr (500)",
which is split on ";" into fields. Newer "vade1{…}" values are encrypted: they are shown
as such, never guessed at. Vade documents none of this, so most meanings stay cautious
or None.
"""

from __future__ import annotations

import base64
import binascii
import re

from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField
from mailview.core.vendors.model import Decoder, VendorField, VendorVerdict

VENDOR = "OVHcloud / Vade"

_OBFUSCATED = re.compile(r"^[a-z]+$")
_KEY = ord("x")
_BASE = ord("g")


def deobfuscate(text: str) -> str | None:
    """The legacy SPAMCAUSE text, or None when `text` is not that obfuscation."""
    letters = "".join(text.split())
    if len(letters) < 2 or not _OBFUSCATED.match(letters):
        return None
    out: list[str] = []
    for pair_index in range(len(letters) // 2):
        first, second = letters[2 * pair_index], letters[2 * pair_index + 1]
        offset, other = (second, first) if pair_index % 2 == 0 else (first, second)
        code = ord(offset) + ord(other) - _KEY - 16 * (_BASE - ord(offset))
        if code < 0:
            return None
        out.append(chr(code) if 0x20 <= code <= 0x7E else "\ufffd")
    decoded = "".join(out)
    # Real reports are printable ASCII; more than a stray odd character means the letters
    # were not an obfuscated report (or were damaged), and a garbled "decoding" misleads.
    return decoded if decoded.count("\ufffd") <= 0.05 * len(decoded) else None


def obfuscate(text: str) -> str:
    """The inverse of `deobfuscate`, for printable ASCII (tests and examples)."""
    out: list[str] = []
    for pair_index, ch in enumerate(text):
        code = ord(ch)
        # Pick the offset letter that keeps the partner letter within a..z.
        for offset in range(ord("a"), ord("z") + 1):
            other = code + _KEY + 16 * (_BASE - offset) - offset
            if ord("a") <= other <= ord("z"):
                break
        else:
            raise ValueError(f"cannot obfuscate {ch!r}")
        pair = chr(other) + chr(offset) if pair_index % 2 == 0 else chr(offset) + chr(other)
        out.append(pair)
    return "".join(out)


_ENGINE = LazyPattern(r"^\s*(Vade Retro\s+\S+)\s*(?:(?!Profile:)(\S+))?\s*(?:Profile:\s*(.*))?$")
_RULE = LazyPattern(r"^\s*(\^?[A-Za-z][\w.+-]*)\s*\((-?\d+)\)\s*$")

_MODULES: dict[str, str] = {
    "AS": "anti-spam",
    "AV": "anti-virus",
    "AP": "anti-phishing",
    "RT": "real-time analysis (reading uncertain)",
}

_RULES: dict[str, str] = {
    "BadReput-Ip": "the sending IP has a bad reputation at Vade",
    "ForbiddenHdr": "the message carries a header the filtering profile forbids",
}

_PAIRS: dict[str, str] = {
    "From": "the From address Vade saw",
    "Ip": "IP addresses Vade considered for the sender",
    "BadReputIp": "IP address with a bad reputation at Vade",
    "Param": "details of the SMTP session Vade recorded (mode, HELO, sender, recipients)",
}


def _cause_fields(decoded: str) -> list[VendorField]:
    fields: list[VendorField] = []
    for part in (p.strip() for p in decoded.split(";")):
        if not part:
            continue
        fields.extend(_part_fields(part))
    return fields


def _part_fields(part: str) -> list[VendorField]:
    engine = _ENGINE.match(part)
    if engine:
        name, modules, profile = engine.groups()
        found = [
            VendorField("engine", name, f"Vade's filter engine and version: {name}"),
        ]
        if modules:
            words = [_MODULES.get(m) for m in modules.split("+")]
            known = all(words)
            found.append(
                VendorField(
                    "modules",
                    modules,
                    "modules that ran: " + ", ".join(w or "?" for w in words) if known else None,
                )
            )
        if profile is not None:
            found.append(VendorField("Profile", profile, f"filtering profile applied: {profile}"))
        return found
    rule = _RULE.match(part)
    if rule:
        name, points = rule.groups()
        meaning = _RULES.get(name.lstrip("^"))
        return [VendorField(f"rule {name}", points, meaning)]
    # "Bailout: 300" and "Hdr=TSIDF@0"; a value may itself hold "=" or ":".
    colon, equals = part.find(":"), part.find("=")
    use_colon = colon >= 0 and (equals < 0 or colon < equals)
    key, sep, value = part.partition(":" if use_colon else "=")
    if not sep:
        return [VendorField(part, "", None)]
    label = _PAIRS.get(key.strip())
    value = value.strip()
    return [VendorField(key.strip(), value, f"{label}: {value}" if label else None)]


def _vade1(letters: str) -> str | None:
    """Size of the encrypted payload of a newer 'vade1…' value, None if it is not one."""
    payload = letters.removeprefix("vade1")
    if payload == letters:
        return None
    try:
        size = len(base64.b64decode(payload.strip("{}") + "==", validate=False))
    except (binascii.Error, ValueError):
        size = 0
    return f"{size} bytes" if size else "unknown size"


def decode_spamcause(field: HeaderField) -> VendorVerdict | None:
    """X-VR-SPAMCAUSE / X-OVH-SPAMCAUSE / X-Vade-Spamcause."""
    letters = "".join(field.value.split())
    if not letters:
        return None
    decoded = deobfuscate(letters)
    if decoded is None:
        return _undecodable(field, letters)
    fields = [VendorField("decoded", decoded, "the report with its obfuscation removed")]
    parts = _cause_fields(decoded)
    fields.extend(parts)
    rules = [
        f.key.removeprefix("rule ") + f" ({f.raw})" for f in parts if f.key.startswith("rule ")
    ]
    engine = next((f.raw for f in parts if f.key == "engine"), "Vade's filter")
    tail = "; rules: " + ", ".join(rules) if rules else "; no scoring rule listed"
    summary = f"OVHcloud's anti-spam report (decoded), by {engine}{tail}."
    return VendorVerdict(VENDOR, field.name, field.index, tuple(fields), summary)


def _undecodable(field: HeaderField, letters: str) -> VendorVerdict:
    size = _vade1(letters)
    if size is not None:
        meaning = f"Vade's newer encrypted report ({size}); it cannot be read outside Vade"
        summary = "Vade's anti-spam report, encrypted (cannot be decoded)."
    else:
        meaning = None
        summary = "A Vade anti-spam report in a form mailview cannot decode."
    return VendorVerdict(
        VENDOR, field.name, field.index, (VendorField("report", letters, meaning),), summary
    )


_STATES: dict[str, str] = {
    "ok": "not spam",
    "spam": "spam",
    "suspicious": "suspicious",
}


def decode_state(field: HeaderField) -> VendorVerdict | None:
    raw = field.value.strip()
    words = _STATES.get(raw.lower())
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("state", raw, f"Vade's verdict: {words}" if words else None),),
        f"Vade's verdict: {words}." if words else f"Vade's verdict: '{raw}'.",
    )


def decode_score(field: HeaderField) -> VendorVerdict | None:
    raw = field.value.strip()
    if not re.fullmatch(r"[-+]?\d+", raw):
        return None
    meaning = (
        f"Vade's spam score {raw}: higher means more likely spam (Vade does not publish the scale)"
    )
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("score", raw, meaning),),
        f"Vade gave the message a spam score of {raw}.",
    )


def decode_tracer(field: HeaderField) -> VendorVerdict | None:
    raw = field.value.strip()
    if not raw:
        return None
    meaning = "OVHcloud's internal tracking id for the message (quote it to OVHcloud support)"
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("tracer id", raw, meaning),),
        "The message passed through OVHcloud's mail platform, which tracks it under this id.",
    )


DECODERS: dict[str, Decoder] = {
    "x-vr-spamcause": decode_spamcause,
    "x-ovh-spamcause": decode_spamcause,
    "x-vade-spamcause": decode_spamcause,
    "x-vr-spamstate": decode_state,
    "x-ovh-spamstate": decode_state,
    "x-vr-spamscore": decode_score,
    "x-ovh-spamscore": decode_score,
    "x-ovh-tracer-id": decode_tracer,
}
