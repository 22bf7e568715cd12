"""Secure e-mail gateways: Proofpoint, Mimecast, Cisco IronPort, Barracuda, Trend Micro, Sophos.

Strategy: each gateway stamps its own X-headers on the mail it passes. Every header is
read into `VendorField`s that keep the value exactly as written beside its meaning in
words; a key mailview does not know keeps `meaning=None`, so nothing a gateway wrote is
ever dropped. The formats come from the vendors' published descriptions where they exist
(Trend Micro documents X-TM-AS-Result and X-TMASE-Result field by field) and from real
headers otherwise; where a vendor does not publish a scale, the meaning says so instead of
guessing a threshold. Decoders are pure and total: a malformed value yields fields marked
unrecognised, never an exception.

Three things need more than one header and are COMBINERS:
* Mimecast's X-MC-Unique names the message the way Mimecast's own Received line does
  (`id <region>-mta-<n>-<X-MC-Unique>`); matching the two tells which hop was Mimecast.
* X-Policy and X-SenderGroup are generic names; they are IronPort's only when the message
  carries other IronPort headers (Gandi, for one, writes "X-Policy: Greylisted 300 seconds").
* Any other header of a known gateway family (X-Proofpoint-*, X-LASED-*, …) is reported as
  that vendor's, unrecognised, so the user sees it was there.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from mailview.core.chain import (
    route_from_headers,
)
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField, Hop
from mailview.core.summary import decode_words
from mailview.core.vendors.model import Combiner, Decoder, VendorField, VendorVerdict

PROOFPOINT = "Proofpoint"
MIMECAST = "Mimecast"
IRONPORT = "Cisco Secure Email (IronPort)"
BARRACUDA = "Barracuda"
TREND_MICRO = "Trend Micro"
SOPHOS = "Sophos Email"

# What to say about one whole-header value: its meaning in words, None when unknown.
Explain = Callable[[str], str | None]

# --------------------------------------------------------------------------- helpers


def _squash(value: str) -> str:
    return " ".join(value.split())


def _number(text: str) -> float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None  # "nan" and "inf" parse but mean nothing


def _unix_date(text: str) -> str | None:
    """A Unix time in seconds as a UTC date-time; None when it is not a plausible one."""
    if not re.fullmatch(r"[0-9]{9,10}", text.strip()):  # ASCII only: int() rejects "²"
        return None
    seconds = int(text.strip())
    if not 10**8 <= seconds <= 10**10:  # 1973 … 2286: anything else is not a timestamp
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _yes_no(text: str) -> bool | None:
    low = text.strip().lower()
    if low in {"yes", "true", "1"}:
        return True
    if low in {"no", "false", "0"}:
        return False
    return None


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _split_top(text: str, sep: str) -> list[str]:
    """`text` split on `sep` outside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _key_value(token: str) -> tuple[str, str] | None:
    key, eq, value = token.partition("=")
    if not eq or not key.strip():
        return None
    return key.strip(), value.strip().strip('"')


def _simple(vendor: str, explain: Explain) -> Decoder:
    """A decoder for a header whose whole value is one field."""

    def decode(field: HeaderField) -> VendorVerdict | None:
        raw = _squash(field.value)
        try:
            meaning = explain(raw)
        except (ValueError, IndexError):  # belt and braces: a decoder must never raise
            meaning = None
        if meaning is None:
            summary = f"{vendor} stamped {field.name}; mailview does not know what it says."
        else:
            summary = _sentence(f"{vendor}: {meaning}")
        fields = (VendorField(field.name, raw, meaning),)
        return VendorVerdict(vendor, field.name, field.index, fields, summary)

    return decode


def _const(meaning: str) -> Explain:
    return lambda _raw: meaning


def _prefixed(meaning: str) -> Explain:
    """The meaning followed by the value itself (identifiers, addresses, versions)."""
    return lambda raw: f"{meaning}: {raw}" if raw else None


def _verdict(
    vendor: str, field: HeaderField, fields: Sequence[VendorField], summary: str
) -> VendorVerdict:
    return VendorVerdict(vendor, field.name, field.index, tuple(fields), _sentence(summary))


# --------------------------------------------------------------------------- Proofpoint

# Keys of X-Proofpoint-Spam-Details. The per-category scores run 0 (no sign) to 100 (sure).
_PP_SCORES = {
    "score": "overall spam score",
    "spamscore": "spam classifier score",
    "ipscore": "sender-IP reputation score",
    "suspectscore": "'suspect' score (uncertain, possibly spam)",
    "malwarescore": "malware classifier score",
    "phishscore": "phishing classifier score",
    "bulkscore": "bulk-mail (newsletter, marketing) score",
    "adultscore": "adult-content score",
    "lowpriorityscore": "low-priority (graymail: notifications, newsletters) score",
    "mlxscore": "machine-learning (MLX) classifier's spam score",
    "impostorscore": "impostor (business e-mail compromise, impersonation) score",
}
# Scores Proofpoint writes but publishes no scale for: said as such rather than guessed.
_PP_OPAQUE = {
    "clxscore": "Proofpoint-internal 'CLX' score (scale not published)",
    "mlxlogscore": "machine-learning classifier's internal log score (scale not published)",
    "priorityscore": "Proofpoint-internal priority score (scale not published)",
}
_PP_CLASSES = {
    "notspam": "not spam",
    "spam": "spam",
    "bulk": "bulk mail",
    "adult": "adult content",
    "phish": "phishing",
    "malware": "malware",
    "suspect": "suspect (possibly spam)",
    "lowpriority": "low priority",
    "impostor": "impostor",
    "safe": "safe (allowed sender)",
}
_PP_REASONS = {
    "mlx": "the machine-learning (MLX) engine decided",
    "safe": "the sender is on a safe-sender list",
    "orgsafe": "the sender is on the organisation's safe-sender list",
    "dbl": "a domain block list matched",
    "block": "the sender is on a block list",
    "orgblock": "the sender is on the organisation's block list",
}
_DEFS = LazyPattern(r"(?:main-)?(\d{2})(\d{2})(\d{2})\d{4}$")


def _pp_rule(raw: str) -> str:
    # Rule names are the site's own ("outbound_notspam"); the last word is the class.
    last = raw.rsplit("_", 1)[-1].lower()
    what = _PP_CLASSES.get(last)
    suffix = f": {what}" if what else ""
    return f"the rule that decided the outcome is '{raw}'{suffix}"


def _pp_dated(raw: str, what: str) -> str:
    match = _DEFS.search(raw)
    if match is None:
        return f"{what} {raw}"
    year, month, day = match.groups()
    return f"{what} {raw}, built 20{year}-{month}-{day}"


def _pp_score(key: str, raw: str) -> str | None:
    value = _number(raw)
    if value is None:
        return None
    if key in _PP_OPAQUE:
        return _PP_OPAQUE[key]
    return f"{_PP_SCORES[key]}: {raw} of 100 (0 no sign, 100 certain)"


def _pp_detail(key: str, raw: str) -> str | None:
    low = key.lower()
    if low in _PP_SCORES or low in _PP_OPAQUE:
        return _pp_score(low, raw)
    simple = {
        "rule": lambda: _pp_rule(raw),
        "policy": lambda: f"the Proofpoint policy route applied: '{raw}'",
        "classifier": lambda: f"the classifier whose verdict counted: {raw}",
        "adjust": lambda: (
            "no points added or removed by local rules"
            if _number(raw) == 0
            else f"{raw} points added or removed by local rules"
        ),
        "reason": lambda: _PP_REASONS.get(raw.lower(), f"the classifier's reason code: {raw}"),
        "scancount": lambda: (
            "scanned once"
            if raw == "1"
            else f"scanned {raw} times (a rescan, e.g. after a delay or re-injection)"
        ),
        "engine": lambda: _pp_dated(raw, "spam engine version"),
        "definitions": lambda: _pp_dated(raw, "spam definitions version"),
    }
    make = simple.get(low)
    return None if make is None or not raw else make()


def _proofpoint_spam_details(field: HeaderField) -> VendorVerdict | None:
    fields = []
    values: dict[str, str] = {}
    for token in _squash(field.value).split():
        pair = _key_value(token)
        if pair is None:
            fields.append(VendorField(token, token, None))
            continue
        key, raw = pair
        values.setdefault(key.lower(), raw)
        fields.append(VendorField(key, raw, _pp_detail(key, raw)))
    if not values:
        return None
    return _verdict(PROOFPOINT, field, fields, _pp_summary(values))


def _pp_summary(values: dict[str, str]) -> str:
    rule = values.get("rule")
    head = "Proofpoint scanned the message"
    if rule:
        last = rule.rsplit("_", 1)[-1].lower()
        head = f"Proofpoint's rule '{rule}' decided" + (
            f" it is {_PP_CLASSES[last]}" if last in _PP_CLASSES else ""
        )
    raised = [
        f"{key} {values[key]}"
        for key in _PP_SCORES
        if key not in {"score"} and (_number(values.get(key, "")) or 0) > 0
    ]
    score = f", overall score {values['score']} of 100" if "score" in values else ""
    tail = f" (raised: {', '.join(raised)})" if raised else ""
    return head + score + tail


def _proofpoint_virus_version(field: HeaderField) -> VendorVerdict | None:
    names = {
        "vendor": "anti-virus engine vendor",
        "engine": "anti-virus engine version",
        "definitions": "virus definitions release",
    }
    fields = []
    for token in _squash(field.value).split():
        pair = _key_value(token)
        if pair is None:
            fields.append(VendorField(token, token, None))
            continue
        key, raw = pair
        label = names.get(key.lower())
        fields.append(VendorField(key, raw, None if label is None else f"{label}: {raw}"))
    if not fields:
        return None
    summary = "Proofpoint recorded which anti-virus engine and definitions scanned the message"
    return _verdict(PROOFPOINT, field, fields, summary)


def _pp_reason(raw: str) -> str | None:
    return _PP_REASONS.get(raw.strip().lower())


_PROOFPOINT: dict[str, Decoder] = {
    "x-proofpoint-spam-details": _proofpoint_spam_details,
    "x-proofpoint-virus-version": _proofpoint_virus_version,
    "x-proofpoint-guid": _simple(
        PROOFPOINT, _prefixed("Proofpoint's tracking ID for this message (for its message log)")
    ),
    "x-proofpoint-orig-guid": _simple(
        PROOFPOINT,
        _prefixed("tracking ID given by the first Proofpoint system that handled the message"),
    ),
    "x-proofpoint-spam-reason": _simple(PROOFPOINT, _pp_reason),
}

# --------------------------------------------------------------------------- Mimecast

_MC_IMPERSONATION = {
    "policy": "the Impersonation Protect policy that was applied",
    "similar internal domain": "sender's domain looks like one of the organisation's own",
    "similar monitored external domain": "sender's domain looks like a monitored partner domain",
    "custom external domain": "sender's domain is on the administrator's own list",
    "mimecast external domain": "sender's domain is on Mimecast's list of abused domains",
    "newly observed domain": "sender's domain was first seen recently",
    "internal user name": "display name matches an internal user's name",
    "custom display name list": "display name is on the administrator's watch list",
    "reply-to address mismatch": "Reply-To goes to a different address than From",
    "targeted threat dictionary": "text uses words from Mimecast's targeted-threat dictionary",
    "mimecast threat dictionary": "text uses words from Mimecast's threat dictionary",
    "custom threat dictionary": "text uses words from the administrator's threat dictionary",
}


def _mc_flag(key: str, raw: str) -> str | None:
    what = _MC_IMPERSONATION.get(key.lower())
    if what is None:
        return None
    if key.lower() == "policy":
        return f"{what}: {raw}" if raw else None
    flag = _yes_no(raw)
    if flag is None:
        return None
    return f"yes: {what}" if flag else f"no; this check ({what}) did not match"


def _mimecast_impersonation(field: HeaderField) -> VendorVerdict | None:
    fields = []
    hits = []
    for token in _split_top(_squash(field.value), ";"):
        pair = _key_value(token)
        if pair is None:
            fields.append(VendorField(token, token, None))
            continue
        key, raw = pair
        fields.append(VendorField(key, raw, _mc_flag(key, raw)))
        if key.lower() != "policy" and _yes_no(raw) is True:
            hits.append(key)
    if not fields:
        return None
    if hits:
        summary = f"Mimecast Impersonation Protect matched: {', '.join(hits)}"
    else:
        summary = "Mimecast Impersonation Protect checked the message and matched nothing"
    return _verdict(MIMECAST, field, fields, summary)


def _mc_spam_score(raw: str) -> str | None:
    if _number(raw) is None:
        return None
    return f"Mimecast's spam score {raw}; higher is more spam-like (scale not published)"


_MIMECAST: dict[str, Decoder] = {
    "x-mimecast-spam-score": _simple(MIMECAST, _mc_spam_score),
    "x-mimecast-impersonation-protect": _mimecast_impersonation,
    "x-mimecast-spam-signature": _simple(
        MIMECAST, _prefixed("the spam signature Mimecast matched")
    ),
    "x-mimecast-bulk-signature": _simple(
        MIMECAST, _prefixed("whether Mimecast recognised bulk mail")
    ),
    "x-mimecast-mfc-proc-id": _simple(MIMECAST, _prefixed("Mimecast processing ID")),
    "x-mimecast-mfc-agg-id": _simple(MIMECAST, _prefixed("Mimecast account ID")),
    "x-mc-unique": _simple(MIMECAST, _prefixed("Mimecast's ID for this message")),
    "x-mc-uniqueid": _simple(MIMECAST, _prefixed("Mimecast's ID for this message")),
}


def _hop_with_id(hops: Sequence[Hop], unique: str) -> Hop | None:
    # Mimecast writes `id <region>-mta-<n>-<unique>`; some paths write the bare value.
    for hop in hops:
        hop_id = (hop.fields.id or "").strip()
        if hop_id and (hop_id == unique or hop_id.endswith("-" + unique)):
            return hop
    return None


def mimecast_hops(
    headers: Sequence[HeaderField], verdicts: Sequence[VendorVerdict]
) -> Sequence[VendorVerdict]:
    """The X-MC-Unique verdicts again, now saying which hop carries that ID.

    Each returned verdict has the same header_index as the single decoding it replaces.
    """
    del verdicts  # the decoding is redone here; the verdicts add nothing to it
    uniques = [h for h in headers if h.name.lower() in {"x-mc-unique", "x-mc-uniqueid"}]
    if not uniques:
        return ()
    hops = route_from_headers(headers).hops
    out = []
    for field in uniques:
        unique = _squash(field.value)
        hop = _hop_with_id(hops, unique) if unique else None
        if hop is None:
            continue
        by = f" (received by {hop.fields.by_host})" if hop.fields.by_host else ""
        meaning = f"Mimecast's ID for this message: {unique}; matches hop {hop.index}'s id{by}"
        summary = f"Mimecast handled the message at hop {hop.index}{by}"
        fields = (VendorField(field.name, unique, meaning),)
        out.append(_verdict(MIMECAST, field, fields, summary))
    return tuple(out)


# --------------------------------------------------------------------------- IronPort


def _sbrs(raw: str) -> str | None:
    if raw.strip().lower() == "none":
        return "SenderBase reputation score: none (Cisco has no data on the sending address)"
    value = _number(raw)
    if value is None or not -10 <= value <= 10:
        return None
    if value <= -3:
        band = "poor reputation: default policies block or throttle such senders"
    elif value < 0:
        band = "somewhat poor reputation"
    else:
        band = "neutral to good reputation"
    return (
        f"SenderBase reputation score {raw} on Cisco's scale from -10 (worst) to +10 (best): {band}"
    )


def _ironport_av_field(key: str, raw: str) -> str | None:
    low = key.lower()
    if low == "e":
        return f"anti-virus engine: {raw}" if raw else None
    if low == "i":
        parts = [p.strip() for p in raw.split(",")]
        when = _unix_date(parts[-1]) if parts else None
        stamp = (
            f", ending with the Unix time {parts[-1]} ({when}), likely the definitions' date"
            if when
            else ""
        )
        return f"scanner and definitions versions {raw}{stamp}"
    if low == "d":
        kinds = sorted({m.lower() for m in re.findall(r"([A-Za-z]+)'", raw)})
        what = ", ".join(kinds) if kinds else raw
        return f"what was scanned: {what} (the numbers are Cisco-internal result codes)"
    if low == "a":
        return f"scan serial number {raw}"
    return None


def _ironport_av(field: HeaderField) -> VendorVerdict | None:
    fields = []
    for token in _split_top(_squash(field.value), ";"):
        pair = _key_value(token)
        if pair is None:
            fields.append(VendorField(token, token, None))
            continue
        key, raw = pair
        fields.append(VendorField(key, raw, _ironport_av_field(key, raw)))
    if not fields:
        return None
    engine = next((f.raw for f in fields if f.key.lower() == "e"), None)
    by = f" with the {engine} engine" if engine else ""
    summary = f"The Cisco IronPort gateway scanned the message for viruses{by}"
    return _verdict(IRONPORT, field, fields, summary)


def _amp_result(raw: str) -> str | None:
    verdicts = {
        "clean": "clean: the file reputation service knows the attachment as harmless",
        "malicious": "malicious: the attachment is known malware",
        "unknown": "unknown: the file reputation service has no verdict on the attachment",
        "unscannable": "unscannable: the attachment could not be scanned",
        "low risk": "low risk: not sent for analysis",
        "skipped": "skipped: the attachment was not checked",
    }
    what = verdicts.get(raw.strip().lower())
    return None if what is None else f"Advanced Malware Protection verdict {what}"


def _amp_uploaded(raw: str) -> str | None:
    flag = _yes_no(raw)
    if flag is None:
        return None
    if flag:
        return "an attachment was uploaded to the sandbox for file analysis"
    return "no attachment was uploaded to the sandbox for file analysis"


def _outbreak(raw: str) -> str | None:
    match = re.match(r"\s*(yes|no)\s*,\s*level\s*(\d)", raw, re.IGNORECASE)
    if match is None:
        return None
    hit = "matched" if match.group(1).lower() == "yes" else "did not match"
    return (
        f"the message {hit} an Outbreak Filter; threat level {match.group(2)} "
        "on Cisco's scale 0 (none) to 5 (highest)"
    )


_OPAQUE_IRONPORT = "Cisco-internal data for its support and reporting (not readable as words)"

_IRONPORT: dict[str, Decoder] = {
    "x-ironport-av": _ironport_av,
    "x-ironport-anti-spam-filtered": _simple(
        IRONPORT,
        lambda raw: (
            "the message went through IronPort anti-spam scanning" if _yes_no(raw) else None
        ),
    ),
    "x-ironport-anti-spam-result": _simple(IRONPORT, _const(_OPAQUE_IRONPORT)),
    "x-ipas-result": _simple(IRONPORT, _const(_OPAQUE_IRONPORT)),
    "ironport-phdr": _simple(IRONPORT, _const(_OPAQUE_IRONPORT)),
    "ironport-sdr": _simple(IRONPORT, _const("Cisco-internal sender domain reputation data")),
    "ironport-data": _simple(IRONPORT, _const(_OPAQUE_IRONPORT)),
    "ironport-hdrordr": _simple(IRONPORT, _const(_OPAQUE_IRONPORT)),
    "x-ironport-remoteip": _simple(
        IRONPORT, _prefixed("the address that connected to the IronPort gateway")
    ),
    "x-ironport-mid": _simple(
        IRONPORT, _prefixed("IronPort's message ID (MID), to find the message in its logs")
    ),
    "x-ironport-reputation": _simple(IRONPORT, _sbrs),
    "x-ironport-sbrs": _simple(IRONPORT, _sbrs),
    "x-sbrs": _simple(IRONPORT, _sbrs),
    "x-amp-result": _simple(IRONPORT, _amp_result),
    "x-amp-original-verdict": _simple(
        IRONPORT, _prefixed("Advanced Malware Protection's first verdict")
    ),
    "x-amp-file-uploaded": _simple(IRONPORT, _amp_uploaded),
    "x-ironport-outbreak-status": _simple(IRONPORT, _outbreak),
}

# Generic names that are IronPort's only beside other IronPort headers.
_IRONPORT_CONTEXT: dict[str, Decoder] = {
    "x-policy": _simple(IRONPORT, _prefixed("the IronPort mail policy that matched the message")),
    "x-sendergroup": _simple(
        IRONPORT, _prefixed("the IronPort sender group the connecting address fell into")
    ),
}


def _is_ironport(name: str) -> bool:
    low = name.lower()
    return low.startswith(("x-ironport-", "ironport-")) or low in {"x-ipas-result", "x-sbrs"}


def ironport_context(
    headers: Sequence[HeaderField], verdicts: Sequence[VendorVerdict]
) -> Sequence[VendorVerdict]:
    """X-Policy and X-SenderGroup, decoded as IronPort's when IronPort headers are there."""
    del verdicts
    if not any(_is_ironport(h.name) for h in headers):
        return ()
    out = []
    for field in headers:
        decode = _IRONPORT_CONTEXT.get(field.name.lower())
        found = None if decode is None else decode(field)
        if found is not None:
            out.append(found)
    return tuple(out)


# --------------------------------------------------------------------------- Barracuda

_SPAM_STATUS = LazyPattern(
    r"^\s*(?P<flag>yes|no)\b\s*,?\s*(?:score\s*=\s*(?P<score>-?[\d.]+))?", re.IGNORECASE
)
_LEVEL = LazyPattern(r"\b([A-Z_]+_LEVEL)\s*=\s*(-?[\d.]+)")
_TESTS = LazyPattern(r"\btests\s*=\s*(.*?)(?:\s+scanned\b|\s*$)", re.IGNORECASE | re.DOTALL)
_LEVEL_WORDS = {
    "TAG_LEVEL": "score at which the message is tagged as spam",
    "QUARANTINE_LEVEL": "score at which the message is quarantined",
    "KILL_LEVEL": "score at which the message is blocked",
}


def _barracuda_status(field: HeaderField) -> VendorVerdict | None:
    value = _squash(field.value)
    match = _SPAM_STATUS.match(value)
    if match is None:
        return None
    vendor = BARRACUDA
    spam = match.group("flag").lower() == "yes"
    fields = [VendorField("spam", match.group("flag"), "spam" if spam else "not spam")]
    score = match.group("score")
    if score is not None:
        fields.append(VendorField("SCORE", score, f"Barracuda spam score {score}"))
    for name, level in _LEVEL.findall(value):
        fields.append(VendorField(name, level, _LEVEL_WORDS.get(name)))
    tests = _TESTS.search(value)
    if tests and tests.group(1).strip():
        for rule in (t.strip() for t in tests.group(1).split(",")):
            if rule:
                fields.append(VendorField(f"rule {rule}", rule, "a spam rule that matched"))
    verdict_words = "spam" if spam else "not spam"
    at = f" (score {score})" if score is not None else ""
    return _verdict(vendor, field, fields, f"Barracuda judged the message {verdict_words}{at}")


_REPORT_RULE = LazyPattern(r"^\s*(-?\d+\.\d+)\s+(\S+)\s+(.*)$")


def _barracuda_report(field: HeaderField) -> VendorVerdict | None:
    # Lines of "pts rule-name description" after a header row; the rest is kept unknown.
    fields = []
    lines = [ln.strip() for ln in field.value.replace("\r", "").split("\n") if ln.strip()]
    for line in lines:
        match = _REPORT_RULE.match(line)
        if match is None:
            continue
        points, rule, description = match.groups()
        fields.append(VendorField(f"rule {rule}", points, f"{points} points: {description}"))
    if not fields:
        fields.append(VendorField(field.name, _squash(field.value), None))
        return _verdict(BARRACUDA, field, fields, "Barracuda wrote a spam report")
    return _verdict(BARRACUDA, field, fields, f"Barracuda's spam report lists {len(fields)} rules")


def _host_ip(raw: str) -> str | None:
    match = re.match(r"^\s*([^\s\[]*)\s*\[([0-9A-Fa-f:.]+)\]", raw)
    if match is None:
        return None
    host, ip = match.groups()
    return f"host {host or '(no name)'}, address {ip}"


def _brts(raw: str) -> str | None:
    if raw.strip() == "1":
        return "the Barracuda Real-Time System (cloud fingerprint check) was consulted"
    return None


def _score_meaning(vendor: str) -> Explain:
    def explain(raw: str) -> str | None:
        if _number(raw) is None:
            return None
        return f"{vendor} spam score {raw}; higher is more spam-like, thresholds are set locally"

    return explain


_BARRACUDA: dict[str, Decoder] = {
    "x-barracuda-spam-score": _simple(BARRACUDA, _score_meaning("Barracuda")),
    "x-barracuda-spam-status": _barracuda_status,
    "x-barracuda-spam-report": _barracuda_report,
    "x-barracuda-spam-flag": _simple(
        BARRACUDA,
        lambda raw: (
            None
            if _yes_no(raw) is None
            else ("flagged as spam" if _yes_no(raw) else "not flagged as spam")
        ),
    ),
    "x-barracuda-start-time": _simple(
        BARRACUDA,
        lambda raw: None if _unix_date(raw) is None else f"scan started at {_unix_date(raw)}",
    ),
    "x-barracuda-effective-source-ip": _simple(
        BARRACUDA,
        lambda raw: (
            None
            if _host_ip(raw) is None
            else f"the sender Barracuda judged (past trusted relays): {_host_ip(raw)}"
        ),
    ),
    "x-barracuda-apparent-source-ip": _simple(
        BARRACUDA, _prefixed("the address Barracuda took as the message's source")
    ),
    "x-barracuda-envelope-from": _simple(
        BARRACUDA, _prefixed("the envelope sender (MAIL FROM) Barracuda saw")
    ),
    "x-barracuda-connect": _simple(
        BARRACUDA,
        lambda raw: None if _host_ip(raw) is None else f"connected from {_host_ip(raw)}",
    ),
    "x-barracuda-brts-status": _simple(BARRACUDA, _brts),
    "x-barracuda-url": _simple(
        BARRACUDA, _prefixed("the Barracuda appliance's page for this message")
    ),
    "x-barracuda-scan-msg-size": _simple(
        BARRACUDA,
        lambda raw: f"{raw} bytes scanned" if re.fullmatch(r"[0-9]+", raw) else None,
    ),
    "x-barracuda-virus-scanned": _simple(
        BARRACUDA, lambda raw: f"scanned for viruses {raw}" if raw else None
    ),
    "x-barracuda-encrypted": _simple(
        BARRACUDA, _prefixed("the TLS cipher of the connection Barracuda received it on")
    ),
    "x-barracuda-rbl-trusted-forwarder": _simple(
        BARRACUDA, _prefixed("a forwarding server Barracuda trusts and looked past")
    ),
    "x-barracuda-bayes": _simple(
        BARRACUDA,
        lambda raw: f"Bayesian filter verdict: {raw.split()[0]}" if raw.split() else None,
    ),
    "x-bess-spam-score": _simple(BARRACUDA, _score_meaning("Barracuda Email Security Service")),
    "x-bess-id": _simple(BARRACUDA, _prefixed("Barracuda Email Security Service message ID")),
    "x-bess-apparent-source-ip": _simple(
        BARRACUDA, _prefixed("the address Barracuda took as the message's source")
    ),
    "x-bess-brts-status": _simple(BARRACUDA, _brts),
    "x-asg-debug-id": _simple(BARRACUDA, _prefixed("Barracuda's internal message ID")),
    "x-asg-orig-subj": _simple(BARRACUDA, _prefixed("the subject before Barracuda tagged it")),
}

# --------------------------------------------------------------------------- Trend Micro

_TM_PRODUCTS = {
    "smex": "ScanMail for Microsoft Exchange",
    "smd": "ScanMail for Domino",
    "imss": "InterScan Messaging Security Suite",
    "imsva": "InterScan Messaging Security Virtual Appliance",
}


def _tm_version_fields(field: HeaderField) -> list[VendorField]:
    # Product - product version - anti-spam engine version - spam pattern version.
    parts = _squash(field.value).split("-")
    if len(parts) != 4:
        return [VendorField(field.name, _squash(field.value), None)]
    product, version, engine, pattern = parts
    known = _TM_PRODUCTS.get(product.lower())
    return [
        VendorField("product", product, f"product: {known}" if known else f"product '{product}'"),
        VendorField("version", version, f"product version {version}"),
        VendorField("engine", engine, f"anti-spam engine version {engine}"),
        VendorField("pattern", pattern, f"spam pattern version {pattern}"),
    ]


def _tm_version(field: HeaderField) -> VendorVerdict | None:
    fields = _tm_version_fields(field)
    return _verdict(
        TREND_MICRO, field, fields, "Trend Micro recorded the anti-spam engine that scanned it"
    )


def _tm_dash_fields(value: str) -> list[str]:
    """Split on '-'. Trend writes "-1.8" for a score of 1.8 and "--1.8" for -1.8: the first
    dash is the separator, so an empty part means the next one is negative."""
    merged: list[str] = []
    negative = False
    for part in value.split("-"):
        if part == "":
            negative = True
            continue
        merged.append(f"-{part}" if negative else part)
        negative = False
    return merged


def _tm_as_result(field: HeaderField) -> VendorVerdict | None:
    # Documented: Spam Yes/No - Trend Score - Detection Threshold - Category - Trend Type.
    parts = _tm_dash_fields(_squash(field.value))
    if not parts or _yes_no(parts[0]) is None:
        return None
    spam = bool(_yes_no(parts[0]))
    fields = [VendorField("spam", parts[0], "spam" if spam else "not spam")]
    labels = ("score", "threshold", "category", "type")
    for label, raw in zip(labels, parts[1:], strict=False):
        fields.append(VendorField(label, raw, _tm_result_meaning(label, raw)))
    fields.extend(VendorField(f"part {i + 6}", raw, None) for i, raw in enumerate(parts[5:]))
    verdict_words = "spam" if spam else "not spam"
    score = f" (score {parts[1]}, threshold {parts[2]})" if len(parts) > 2 else ""
    return _verdict(
        TREND_MICRO, field, fields, f"Trend Micro judged the message {verdict_words}{score}"
    )


def _tm_result_meaning(label: str, raw: str) -> str | None:
    if label in {"score", "threshold"} and _number(raw) is None:
        return None
    if label == "score":
        return f"Trend score {raw}; spam when it reaches the threshold"
    if label == "threshold":
        return f"detection threshold {raw} (Trend's defaults: 4 high, 5 medium, 8 low)"
    if label == "type":
        return {"1": "trend type 1: spam", "2": "trend type 2: phishing"}.get(raw)
    return None  # the category number is not documented


def _tmase_result(field: HeaderField) -> VendorVerdict | None:
    # Documented: <TrendType>-<Spam Score>-<Spam Threshold>; "10--5.5-4.0" has score -5.5.
    parts = _tm_dash_fields(_squash(field.value))
    if len(parts) < 3 or _number(parts[1]) is None or _number(parts[2]) is None:
        return _verdict(
            TREND_MICRO,
            field,
            [VendorField(field.name, _squash(field.value), None)],
            "Trend Micro's anti-spam engine wrote a result mailview cannot read",
        )
    trend_type, score, threshold = parts[0], parts[1], parts[2]
    fields = [
        VendorField("type", trend_type, f"threat type {trend_type}"),
        VendorField("score", score, f"anti-spam engine score {score}"),
        VendorField("threshold", threshold, f"spam threshold {threshold} set in the policy"),
    ]
    fields.extend(VendorField(f"part {i + 4}", raw, None) for i, raw in enumerate(parts[3:]))
    over = (_number(score) or 0) >= (_number(threshold) or 0)
    words = "at or above" if over else "below"
    summary = f"Trend Micro's anti-spam engine scored {score}, {words} the threshold {threshold}"
    return _verdict(TREND_MICRO, field, fields, summary)


def _tm_list(listed: str, unlisted: str) -> Explain:
    def explain(raw: str) -> str | None:
        flag = _yes_no(raw)
        return None if flag is None else (listed if flag else unlisted)

    return explain


def _tm_spf(raw: str) -> str | None:
    words = raw.split()
    result = words[0].lower() if words else ""
    if result not in {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"}:
        return None
    return f"Trend Micro's SPF check: {result}"


_TRENDMICRO: dict[str, Decoder] = {
    "x-tm-as-product-ver": _tm_version,
    "x-tm-as-result": _tm_as_result,
    "x-tm-as-user-approved-sender": _simple(
        TREND_MICRO,
        _tm_list(
            "the sender is on the approved-senders list (not treated as spam)",
            "the sender is not on the approved-senders list",
        ),
    ),
    "x-tm-as-user-blocked-sender": _simple(
        TREND_MICRO,
        _tm_list(
            "the sender is on the blocked-senders list (treated as spam)",
            "the sender is not on the blocked-senders list",
        ),
    ),
    "x-tmase-result": _tmase_result,
    "x-tmase-version": _tm_version,
    "x-tmase-matchedrid": _simple(
        TREND_MICRO, _const("the anti-spam engine rules matched, in Trend's encoded form")
    ),
    "x-tm-received-spf": _simple(TREND_MICRO, _tm_spf),
}

# --------------------------------------------------------------------------- Sophos

_LASED_HIT = LazyPattern(r"^\s*(\S+)\s+(-?\d+(?:\.\d+)?)\s*$")


def _lased_hits(field: HeaderField) -> VendorVerdict | None:
    fields = []
    for item in _squash(field.value).split(","):
        if not item.strip():
            continue
        match = _LASED_HIT.match(item)
        if match is None:
            fields.append(VendorField(item.strip(), item.strip(), None))
            continue
        rule, weight = match.groups()
        fields.append(
            VendorField(f"rule {rule}", weight, f"anti-spam rule matched, weight {weight}")
        )
    if not fields:
        return None
    summary = f"Sophos's anti-spam engine lists {len(fields)} rules that matched"
    return _verdict(SOPHOS, field, fields, summary)


def _probability(raw: str) -> str | None:
    value = _number(raw)
    if value is None or not 0 <= value <= 1:
        return None
    return f"spam probability {value:.0%} (0 to 1 scale)"


def _sender_history(field: HeaderField) -> VendorVerdict | None:
    fields = []
    for token in _squash(field.value).split(","):
        pair = _key_value(token)
        if pair is None:
            if token.strip():
                fields.append(VendorField(token.strip(), token.strip(), None))
            continue
        key, raw = pair
        # Only ip= is certain; the counters' names are not published.
        meaning = f"the sending address: {raw}" if key.lower() == "ip" else None
        fields.append(VendorField(key, raw, meaning))
    if not fields:
        return None
    summary = "Sophos recorded what it has seen from this sender before"
    return _verdict(SOPHOS, field, fields, summary)


_SOPHOS: dict[str, Decoder] = {
    "x-sophos-senderhistory": _sender_history,
    "x-lased-hits": _lased_hits,
    "x-lased-spamprobability": _simple(SOPHOS, _probability),
    "x-lased-spam": _simple(SOPHOS, _prefixed("anti-spam engine verdict")),
    "x-lased-impersonation": _simple(
        SOPHOS,
        _tm_list("impersonation detected", "no impersonation detected"),
    ),
    "x-lased-version": _simple(SOPHOS, _prefixed("anti-spam engine version")),
    "x-lased-from": _simple(SOPHOS, _prefixed("the sender address the engine checked")),
    "x-sophos-email": _simple(SOPHOS, _prefixed("Sophos Email region and engine versions")),
    "x-sophos-email-scan-details": _simple(
        SOPHOS, _const("Sophos-internal scan details (not readable as words)")
    ),
    "x-sophos-product-type": _simple(SOPHOS, _prefixed("Sophos product")),
}

# --------------------------------------------------------------------------- families

# A header of one of these families that no decoder reads is still the vendor's.
_FAMILIES = (
    (("x-proofpoint-",), PROOFPOINT),
    # Not "x-mc-": besides X-MC-Unique those are Mandrill's and Mailchimp's.
    (("x-mimecast-",), MIMECAST),
    (("x-ironport-", "ironport-", "x-amp-"), IRONPORT),
    (("x-barracuda-", "x-bess-", "x-asg-"), BARRACUDA),
    (("x-tm-as-", "x-tmase-", "x-tm-"), TREND_MICRO),
    (("x-sophos-", "x-lased-"), SOPHOS),
)

DECODERS: dict[str, Decoder] = {
    **_PROOFPOINT,
    **_MIMECAST,
    **_IRONPORT,
    **_BARRACUDA,
    **_TRENDMICRO,
    **_SOPHOS,
}


def _family_of(name: str) -> str | None:
    low = name.lower()
    if low in DECODERS or not low.startswith(_family_prefixes()):
        return None  # one C-speed test settles nearly every header
    for prefixes, vendor in _FAMILIES:
        if low.startswith(prefixes):
            return vendor
    return None


@functools.cache
def _family_prefixes() -> tuple[str, ...]:
    """Every family's prefixes together, for the test that rules most names out at once."""
    return tuple(prefix for prefixes, _ in _FAMILIES for prefix in prefixes)


def unrecognised_family_headers(
    headers: Sequence[HeaderField], verdicts: Sequence[VendorVerdict]
) -> Sequence[VendorVerdict]:
    """Headers of a known gateway's family that no decoder reads, kept as unrecognised."""
    del verdicts
    return tuple(_unknown_verdicts(headers))


def _unknown_verdicts(headers: Sequence[HeaderField]) -> Iterator[VendorVerdict]:
    for field in headers:
        vendor = _family_of(field.name)
        if vendor is None:
            continue
        raw = _squash(decode_words(field.value))
        summary = f"{vendor} stamped {field.name}; mailview does not know what it says"
        yield _verdict(vendor, field, [VendorField(field.name, raw, None)], summary)


COMBINERS: tuple[Combiner, ...] = (mimecast_hops, ironport_context, unrecognised_family_headers)
