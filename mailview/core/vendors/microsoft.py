"""Microsoft 365 / Exchange Online anti-spam headers, decoded field by field.

Strategy: Exchange Online Protection (EOP) writes its verdicts as `KEY:value;` lists
(X-Forefront-Antispam-Report, X-Microsoft-Antispam, X-Microsoft-Antispam-Mailbox-Delivery)
and as single-value X-MS-Exchange-Organization-* headers. Each decoder splits its header
into fields and looks every key up in a table; the words follow Microsoft's article
"Anti-spam message headers in Microsoft 365" and the SCL/BCL/PCL articles. Where Microsoft
documents nothing (SFS/ARA rule ids, most Mailbox-Delivery flags) the meaning says so
instead of guessing, and a key mailview does not know at all keeps `meaning=None`.

The combiner answers the helpdesk's question "why did it land where it landed" from the
mailbox-delivery destination, the filter verdict (SFV/SCL/CAT), Microsoft's composite
authentication (compauth in its Authentication-Results) and any allow-list override.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mailview.core.auth.compauth import explain_compauth
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField
from mailview.core.vendors.model import Combiner, Decoder, VendorField, VendorVerdict

VENDOR = "Microsoft 365"

# --- value tables (Microsoft's documented meanings) ---------------------------------------

_SFV: dict[str, str] = {
    "BLK": (
        "filtering was skipped and the message blocked: the sender is on the recipient's "
        "Blocked Senders list"
    ),
    "NSPM": "spam filtering marked the message as not spam",
    "SFE": (
        "filtering was skipped and the message allowed: the sender is on the recipient's "
        "Safe Senders list"
    ),
    "SKA": (
        "spam filtering was skipped because the sender is on an allowed senders or allowed "
        "domains list in an anti-spam policy"
    ),
    "SKB": (
        "marked as spam because the sender is on a blocked senders or blocked domains list "
        "in an anti-spam policy"
    ),
    "SKI": "spam filtering was skipped for another reason (for example mail inside the tenant)",
    "SKN": (
        "marked as not spam before spam filtering ran (for example a mail flow rule set "
        "SCL -1 or 'bypass spam filtering')"
    ),
    "SKQ": "the message was released from quarantine to its recipients",
    "SKS": (
        "marked as spam before spam filtering ran (for example a mail flow rule set SCL 5 to 9)"
    ),
    "SPM": "spam filtering marked the message as spam",
}

# SFV values that mean "the filter's judgement was set aside by a list or a rule".
_SFV_BYPASS = {"SFE", "SKA", "SKN", "SKI", "SKQ"}

_CAT: dict[str, str] = {
    "NONE": "no protection policy category applied",
    "BULK": "bulk mail",
    "DIMP": "domain impersonation",
    "GIMP": "impersonation detected by mailbox intelligence",
    "HPHSH": "high confidence phishing",
    "HPHISH": "high confidence phishing",
    "HSPM": "high confidence spam",
    "MALW": "malware",
    "PHSH": "phishing",
    "SPM": "spam",
    "SPOOF": "spoofing",
    "UIMP": "user impersonation",
    "AMP": "anti-malware policy",
    "SAP": "Safe Attachments",
    "FTBP": "anti-malware file type policy",
    "OSPM": "outbound spam",
    "INTOS": "intra-organisation phishing (not in Microsoft's main table)",
}

_SFTY: dict[str, str] = {
    "9.19": (
        "domain impersonation: the sending domain tries to impersonate a protected domain "
        "(a safety tip is added if enabled)"
    ),
    "9.20": (
        "user impersonation: the sender tries to impersonate a user of the recipient's "
        "organisation or a protected user (a safety tip is added if enabled)"
    ),
    "9.21": (
        "reported to mean a spoofing/unauthenticated-sender safety tip "
        "(not in Microsoft's current documentation)"
    ),
    "9.25": "first contact safety tip: the recipient rarely or never gets mail from this sender",
}

_IPV: dict[str, str] = {
    "CAL": "spam filtering was skipped because the source IP is on the IP Allow List",
    "NLI": "the connecting IP address was not found on any IP reputation list",
}

_DIR: dict[str, str] = {
    "INB": "inbound: mail coming into the organisation",
    "OUT": "outbound: mail leaving the organisation",
    "INT": "internal: mail within the organisation",
}

_AUTH_AS: dict[str, str] = {
    "anonymous": "the sending server did not authenticate: ordinary mail from the internet",
    "internal": "sent from inside the organisation by an authenticated sender",
    "partner": "received from a partner organisation over a secured (TLS) partner connector",
}

_DEST: dict[str, str] = {
    "I": "the Inbox",
    "J": "the Junk Email folder",
    "D": "Deleted Items",
    "C": "a custom folder",
}

_OFR: dict[str, str] = {
    "SpamFilterAuthJ": "the spam filter's verdict put the message in Junk",
    "TrustedSenderList": "the recipient's Safe Senders list decided the folder",
    "ExclusiveSettings": (
        "the recipient's 'trust only safe senders and lists' junk setting decided the folder"
    ),
    "CustomRules": "an inbox rule of the recipient decided the folder",
    "BlockedSenderList": "the recipient's Blocked Senders list decided the folder",
}

# Mailbox-Delivery flags: not documented by Microsoft; read as commonly reported.
_MAILBOX_FLAGS: dict[str, str] = {
    "ucf": "user-controlled filtering was applied",
    "jmr": "a junk-mail rule of the mailbox was triggered",
    "auth": "authentication contributed to the delivery decision",
    "wl": "the sender or recipient is on an allow (safe) list",
    "abwl": "the sender is on an allow list of the anti-spam policy",
    "pcwl": "the sender is on a policy-controlled allow list",
    "kl": "the sender is on a block list",
    "iwl": "the sender is on an internal allow list",
    "ijl": "the sender is on an internal junk list",
    "dwl": "the sender's domain is on an allow list",
    "dkl": "the sender's domain is on a block list",
    "rwl": "the recipient is on a recipient allow list",
    "ex": "an exception applied",
}
_ALLOW_FLAGS = ("wl", "abwl", "pcwl", "iwl", "dwl", "rwl")

_UNDOCUMENTED = "not documented by Microsoft"


def scl_words(raw: str) -> str | None:
    """Spam confidence level in words (Microsoft's SCL article)."""
    value = raw.strip()
    if value == "-1":
        return "-1: the message skipped spam filtering (safe sender, allow list or a rule)"
    if value in ("0", "1"):
        return f"{value}: spam filtering judged the message not spam (Inbox)"
    if value in ("2", "3", "4"):
        return f"{value}: a value Microsoft does not use"
    if value in ("5", "6"):
        return f"{value}: spam (by default delivered to the Junk Email folder)"
    if value in ("7", "8", "9"):
        return f"{value}: high confidence spam (by default Junk or quarantine)"
    return None


def _scl_short(raw: str) -> str:
    value = raw.strip()
    if value == "-1":
        return "filtering skipped"
    if value in ("0", "1"):
        return "not spam"
    if value in ("5", "6"):
        return "spam"
    if value in ("7", "8", "9"):
        return "high confidence spam"
    return "unusual value"


def bcl_words(raw: str) -> str | None:
    """Bulk complaint level in words (Microsoft's BCL article)."""
    value = raw.strip()
    if value == "0":
        return "0: not from a bulk sender"
    if value in ("1", "2", "3"):
        return f"{value}: from a bulk sender that generates few complaints"
    if value in ("4", "5", "6", "7"):
        return f"{value}: from a bulk sender that generates a mixed number of complaints"
    if value in ("8", "9"):
        return f"{value}: from a bulk sender that generates a high number of complaints"
    return None


def pcl_words(raw: str) -> str | None:
    """Phishing confidence level in words (older Microsoft documentation)."""
    value = raw.strip()
    if value in ("0", "1", "2", "3"):
        return f"{value}: the content is not likely phishing"
    if value in ("4", "5", "6", "7", "8"):
        return f"{value}: the content is likely phishing"
    return None


# --- splitting ---------------------------------------------------------------------------


def split_pairs(value: str) -> list[tuple[str, str]]:
    """`KEY:value;KEY:value;` → pairs in order. An item without a colon keeps an empty value.

    Split on the first colon only: CIP may be an IPv6 address and H a host:port.
    """
    pairs: list[tuple[str, str]] = []
    for item in value.split(";"):
        if not item.strip():
            continue
        key, _, raw = item.strip().partition(":")
        pairs.append((key.strip(), raw.strip()))
    return pairs


def _looks_like_pairs(pairs: list[tuple[str, str]], known: Sequence[str]) -> bool:
    return any(key.upper() in known for key, _ in pairs)


# --- per-key meanings --------------------------------------------------------------------

Meaning = Callable[[str], str | None]


def _text(label: str, empty: str) -> Meaning:
    def meaning(raw: str) -> str:
        return f"{label}: {raw}" if raw else empty

    return meaning


def _table(label: str, table: dict[str, str], empty: str | None = None) -> Meaning:
    def meaning(raw: str) -> str | None:
        if not raw and empty is not None:
            return empty
        words = table.get(raw.upper()) or table.get(raw)
        return f"{label}: {words}" if words else None

    return meaning


def _ptr(raw: str) -> str:
    if not raw:
        return "no reverse DNS (PTR) name recorded for the connecting IP"
    if raw.lower() == "infonorecords":
        return "the connecting IP has no reverse DNS (PTR) record"
    return f"reverse DNS (PTR) name of the connecting IP: {raw}"


def _rule_ids(label: str) -> Meaning:
    def meaning(raw: str) -> str:
        count = raw.count("(")
        if not count:
            return f"{label}: none recorded"
        return f"{label}: {count} internal Microsoft rule ids, {_UNDOCUMENTED}"

    return meaning


def _srv(raw: str) -> str | None:
    if not raw:
        return "no special service verdict"
    if raw.upper() == "BULK":
        return (
            "identified as bulk mail by spam filtering and the bulk complaint level threshold "
            "(marked as spam, SCL 6, when the policy marks bulk mail as spam, the default)"
        )
    return None


_FOREFRONT: dict[str, Meaning] = {
    "CIP": _text(
        "connecting IP address (the server that handed the message to Microsoft)",
        "no connecting IP address recorded",
    ),
    "CTRY": _text(
        "country of the connecting IP (not necessarily the original sender's)",
        "no country recorded",
    ),
    "LANG": _text("language the message is written in", "no language recorded"),
    "IPV": _table("IP reputation", _IPV, "no IP reputation verdict"),
    "SFV": _table("spam filtering verdict", _SFV),
    "SCL": lambda raw: f"spam confidence level {w}" if (w := scl_words(raw)) else None,
    "PCL": lambda raw: f"phishing confidence level {w}" if (w := pcl_words(raw)) else None,
    "BCL": lambda raw: f"bulk complaint level {w}" if (w := bcl_words(raw)) else None,
    "CAT": _table("protection category applied", _CAT, "no protection category recorded"),
    "SFTY": _table("phishing safety verdict", _SFTY, "no safety tip verdict"),
    "SRV": _srv,
    "PTR": _ptr,
    "H": _text("HELO/EHLO name the connecting server gave", "no HELO name recorded"),
    "DIR": _table(f"direction ({_UNDOCUMENTED})", _DIR),
    "SFP": lambda raw: f"spam filter diagnostic value, {_UNDOCUMENTED}",
    "SFS": _rule_ids("spam filter rules that matched"),
    "ARA": _rule_ids("anti-spam rules that matched"),
    "RULEID": _rule_ids("anti-spam rules that matched"),
    "SRVR": _text("Microsoft server that filtered the message", "no server recorded"),
    "SPF": _text("SPF result (older report format)", "no SPF result recorded"),
}


def _fields(pairs: list[tuple[str, str]], table: dict[str, Meaning]) -> tuple[VendorField, ...]:
    out: list[VendorField] = []
    for key, raw in pairs:
        explain = table.get(key.upper())
        out.append(VendorField(key, raw, explain(raw) if explain else None))
    return tuple(out)


def _first(pairs: list[tuple[str, str]], key: str) -> str | None:
    for k, raw in pairs:
        if k.upper() == key:
            return raw
    return None


# --- decoders ----------------------------------------------------------------------------


def decode_forefront(field: HeaderField) -> VendorVerdict | None:
    """X-Forefront-Antispam-Report (and -Untrusted): EOP's filtering report."""
    pairs = split_pairs(field.value)
    if not _looks_like_pairs(pairs, tuple(_FOREFRONT)):
        return None
    untrusted = field.name.lower().endswith("-untrusted")
    return VendorVerdict(
        vendor=VENDOR,
        header=field.name,
        header_index=field.index,
        fields=_fields(pairs, _FOREFRONT),
        summary=_forefront_summary(pairs, untrusted),
    )


def _forefront_summary(pairs: list[tuple[str, str]], untrusted: bool) -> str:
    sfv = _first(pairs, "SFV")
    scl = _first(pairs, "SCL")
    cat = _first(pairs, "CAT")
    parts: list[str] = []
    if sfv:
        parts.append(_SFV.get(sfv.upper(), f"spam filtering verdict {sfv}"))
    if scl:
        parts.append(f"SCL {scl} ({_scl_short(scl)})")
    if cat and cat.upper() != "NONE":
        parts.append(f"category {cat} ({_CAT.get(cat.upper(), 'unrecognised')})")
    cip = _first(pairs, "CIP")
    if cip:
        parts.append(f"connecting IP {cip}")
    body = "; ".join(parts) if parts else "no spam verdict recorded"
    if untrusted:
        return (
            "Another Microsoft 365 organisation's filtering report, carried along untrusted: "
            f"{body}."
        )
    return f"Microsoft 365 filtering report: {body}."


def decode_antispam(field: HeaderField) -> VendorVerdict | None:
    """X-Microsoft-Antispam: bulk complaint level and phishing confidence level."""
    pairs = split_pairs(field.value)
    if not _looks_like_pairs(pairs, ("BCL", "PCL", "RULEID", "ARA", "SRVR", "URISCAN")):
        return None
    bcl = _first(pairs, "BCL")
    pcl = _first(pairs, "PCL")
    parts = [f"bulk complaint level {bcl_words(bcl) or bcl}" if bcl else ""]
    parts.append(f"phishing confidence level {pcl_words(pcl) or pcl}" if pcl else "")
    body = "; ".join(p for p in parts if p) or "no bulk or phishing level recorded"
    return VendorVerdict(VENDOR, field.name, field.index, _fields(pairs, _FOREFRONT), body + ".")


def _single(key: str, explain: Meaning, summary: Callable[[str, str | None], str]) -> Decoder:
    """A decoder for a header holding one value."""

    def decode(field: HeaderField) -> VendorVerdict | None:
        raw = field.value.strip()
        meaning = explain(raw)
        return VendorVerdict(
            VENDOR,
            field.name,
            field.index,
            (VendorField(key, raw, meaning),),
            summary(raw, meaning),
        )

    return decode


def _org_scl_summary(raw: str, meaning: str | None) -> str:
    if meaning is None:
        return f"Exchange recorded the unusual spam confidence level '{raw}'."
    return f"Exchange's effective spam confidence level for the recipient: {meaning}."


def _org_pcl_summary(raw: str, meaning: str | None) -> str:
    if meaning is None:
        return f"Exchange recorded the unusual phishing confidence level '{raw}'."
    return f"Exchange's phishing confidence level: {meaning}."


def _auth_as(raw: str) -> str | None:
    return _AUTH_AS.get(raw.lower())


def _auth_as_summary(raw: str, meaning: str | None) -> str:
    if meaning is None:
        return f"Exchange recorded the sender's authentication status as '{raw}'."
    return f"Exchange authenticated the submission as {raw}: {meaning}."


def _auth_source(raw: str) -> str:
    return f"the Exchange server that decided the authentication status: {raw or '(empty)'}"


def _auth_source_summary(raw: str, meaning: str | None) -> str:
    return f"The authentication status was decided by {raw or 'an unnamed server'}."


_LATENCY = LazyPattern(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$")


def latency_seconds(raw: str) -> float | None:
    """`[d.]hh:mm:ss.fffffff` → seconds, None when it is not that format."""
    match = _LATENCY.match(raw.strip())
    if not match:
        return None
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _latency(raw: str) -> str | None:
    seconds = latency_seconds(raw)
    if seconds is None:
        return None
    return (
        f"the message spent {_duration(seconds)} inside Exchange Online between arriving and "
        "being delivered to the mailbox"
    )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} seconds"
    if seconds < 3600:
        return f"{seconds / 60:.1f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _latency_summary(raw: str, meaning: str | None) -> str:
    if meaning is None:
        return f"Exchange recorded an end-to-end latency it writes in an unknown form: '{raw}'."
    return f"In Microsoft 365, {meaning}."


_MAILBOX_KEYS = (*_MAILBOX_FLAGS, "dest", "ofr", "rf", "eng", "lang")


def _mailbox_meaning(key: str, raw: str) -> str | None:
    lower = key.lower()
    if lower in _MAILBOX_FLAGS:
        answer = {"0": "no", "1": "yes"}.get(raw)
        return f"{_MAILBOX_FLAGS[lower]}: {answer} ({_UNDOCUMENTED})" if answer else None
    if lower == "dest":
        folder = _DEST.get(raw.upper())
        return f"the mailbox delivered the message to {folder}" if folder else None
    if lower == "ofr":
        words = _OFR.get(raw)
        return f"what decided the folder: {words}" if words else None
    if lower == "rf":
        return f"folder the message was put in: {raw}" if raw else None
    if lower == "eng":
        return f"internal Microsoft filtering engine ids, {_UNDOCUMENTED}"
    if lower == "lang":
        return f"language detected: {raw}" if raw else "no language recorded"
    return None


def decode_mailbox_delivery(field: HeaderField) -> VendorVerdict | None:
    """X-Microsoft-Antispam-Mailbox-Delivery: which folder and what decided it."""
    pairs = split_pairs(field.value)
    if not any(k.lower() in _MAILBOX_KEYS for k, _ in pairs):
        return None
    fields = tuple(VendorField(k, raw, _mailbox_meaning(k, raw)) for k, raw in pairs)
    lowered = {k.lower(): raw for k, raw in pairs}
    dest = lowered.get("dest", "")
    folder = _DEST.get(dest.upper())
    head = f"Delivered to {folder}" if folder else "The mailbox delivery record names no folder"
    ofr = lowered.get("ofr")
    if ofr:
        head += f"; {_OFR.get(ofr, f'decided by {ofr}')}"
    allowed = [k for k in _ALLOW_FLAGS if lowered.get(k) == "1"]
    if allowed:
        head += f"; allow-list flags set: {', '.join(allowed)}"
    return VendorVerdict(VENDOR, field.name, field.index, fields, head + ".")


DECODERS: dict[str, Decoder] = {
    "x-forefront-antispam-report": decode_forefront,
    "x-forefront-antispam-report-untrusted": decode_forefront,
    "x-microsoft-antispam": decode_antispam,
    "x-microsoft-antispam-untrusted": decode_antispam,
    "x-ms-exchange-organization-scl": _single("SCL", scl_words, _org_scl_summary),
    "x-ms-exchange-organization-pcl": _single("PCL", pcl_words, _org_pcl_summary),
    "x-ms-exchange-organization-authas": _single("AuthAs", _auth_as, _auth_as_summary),
    "x-ms-exchange-organization-authsource": _single(
        "AuthSource", _auth_source, _auth_source_summary
    ),
    "x-microsoft-antispam-mailbox-delivery": decode_mailbox_delivery,
    "x-ms-exchange-transport-endtoendlatency": _single(
        "EndToEndLatency", _latency, _latency_summary
    ),
}


# --- combiner: why did it land where it landed -------------------------------------------

_COMPAUTH = LazyPattern(r"\bcompauth\s*=\s*([A-Za-z]+)(?:[^;]*?\breason\s*=\s*([0-9A-Za-z]+))?")


def find_compauth(headers: Sequence[HeaderField]) -> tuple[HeaderField, str, str | None] | None:
    """The topmost Authentication-Results carrying compauth: Microsoft adds it on receipt,
    so the topmost one is the receiving tenant's; lower ones may be copied or forged."""
    for field in headers:
        if field.name.lower() != "authentication-results":
            continue
        match = _COMPAUTH.search(field.value)
        if match:
            return field, match.group(1).lower(), match.group(2)
    return None


def _topmost(headers: Sequence[HeaderField], name: str) -> HeaderField | None:
    return next((f for f in headers if f.name.lower() == name), None)


def _inbound_report(headers: Sequence[HeaderField]) -> list[tuple[str, str]] | None:
    """The receiving tenant's Forefront report: the topmost inbound (DIR:INB) one, else the
    topmost trusted one. -Untrusted copies came from another organisation and are skipped."""
    reports = [
        split_pairs(f.value) for f in headers if f.name.lower() == "x-forefront-antispam-report"
    ]
    for pairs in reports:
        if (_first(pairs, "DIR") or "").upper() == "INB":
            return pairs
    return reports[0] if reports else None


def combine(
    headers: Sequence[HeaderField], verdicts: Sequence[VendorVerdict]
) -> Sequence[VendorVerdict]:
    """One sentence on where Microsoft 365 delivered the message and why."""
    del verdicts  # everything needed is re-read from the headers themselves
    report = _inbound_report(headers) or []
    mailbox_field = _topmost(headers, "x-microsoft-antispam-mailbox-delivery")
    mailbox = split_pairs(mailbox_field.value) if mailbox_field else []
    org_scl = _topmost(headers, "x-ms-exchange-organization-scl")
    if not report and not mailbox and org_scl is None:
        return ()
    sfv = _first(report, "SFV")
    scl = org_scl.value.strip() if org_scl else _first(report, "SCL")
    cat = _first(report, "CAT")
    lowered = {k.lower(): raw for k, raw in mailbox}
    compauth = find_compauth(headers)

    fields: list[VendorField] = []
    if not mailbox and org_scl is None and (_first(report, "DIR") or "").upper() == "OUT":
        # Only the sending tenant's outbound scan: where it landed was decided elsewhere,
        # and compauth is an inbound verdict, so neither is claimed.
        verdict = _filter_clause(sfv, scl, cat, fields)
        summary = f"Sent out through Microsoft 365, whose outbound filter recorded {verdict}."
        return (VendorVerdict(VENDOR, "(combined)", None, tuple(fields), summary),)
    clauses = [_landing(lowered.get("dest"), fields)]
    clauses.append(_filter_clause(sfv, scl, cat, fields))
    clauses.append(_compauth_clause(compauth, fields))
    clauses.append(_override_clause(sfv, lowered, bool(mailbox), fields))
    summary = clauses[0] + ": " + "; ".join(c for c in clauses[1:] if c) + "."
    return (VendorVerdict(VENDOR, "(combined)", None, tuple(fields), summary),)


def _landing(dest: str | None, fields: list[VendorField]) -> str:
    if dest is None:
        return "Where Microsoft 365 delivered it is not recorded"
    folder = _DEST.get(dest.upper())
    fields.append(VendorField("dest", dest, f"delivered to {folder}" if folder else None))
    if folder is None:
        return f"Delivered to an unrecognised destination '{dest}'"
    return "Delivered to " + {"I": "the Inbox", "J": "Junk"}.get(dest.upper(), folder)


def _filter_clause(
    sfv: str | None, scl: str | None, cat: str | None, fields: list[VendorField]
) -> str:
    parts: list[str] = []
    if sfv:
        fields.append(VendorField("SFV", sfv, _SFV.get(sfv.upper())))
        parts.append(f"spam filtering verdict {sfv}")
    if scl:
        fields.append(VendorField("SCL", scl, scl_words(scl)))
        parts.append(f"SCL {scl} ({_scl_short(scl)})")
    text = " with ".join(parts)
    if cat and cat.upper() != "NONE":
        fields.append(VendorField("CAT", cat, _CAT.get(cat.upper())))
        text += f", category {cat} ({_CAT.get(cat.upper(), 'unrecognised')})"
    return text or "no spam filtering verdict recorded"


def _compauth_clause(
    compauth: tuple[HeaderField, str, str | None] | None, fields: list[VendorField]
) -> str:
    if compauth is None:
        return "no composite authentication (compauth) result found"
    _, result, reason = compauth
    raw = result + (f" reason={reason}" if reason else "")
    fields.append(VendorField("compauth", raw, explain_compauth(result, reason)))
    verb = {"pass": "passed", "fail": "failed", "softpass": "soft-passed", "none": "gave none"}
    said = verb.get(result, f"gave '{result}'")
    tail = f" with reason {reason}" if reason else ""
    return f"sender authentication (compauth) {said}{tail}"


def _override_clause(
    sfv: str | None, mailbox: dict[str, str], have_mailbox: bool, fields: list[VendorField]
) -> str:
    ofr = mailbox.get("ofr")
    if ofr:
        fields.append(VendorField("OFR", ofr, _OFR.get(ofr)))
    allowed = [k for k in _ALLOW_FLAGS if mailbox.get(k) == "1"]
    if ofr in ("TrustedSenderList", "ExclusiveSettings", "CustomRules", "BlockedSenderList"):
        return f"overridden by the recipient's settings ({_OFR[ofr]})"
    if allowed:
        return "an allow list overrode filtering (" + ", ".join(f"{k}:1" for k in allowed) + ")"
    if sfv and sfv.upper() in _SFV_BYPASS:
        return f"filtering was bypassed: {_SFV[sfv.upper()]}"
    if sfv and sfv.upper() in ("BLK", "SKB", "SKS"):
        return f"a block list or rule decided: {_SFV[sfv.upper()]}"
    if have_mailbox:
        return "no safe-sender override"
    return "no override recorded"


COMBINERS: tuple[Combiner, ...] = (combine,)
