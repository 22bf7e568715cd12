"""The words for a route's facts: hop times, delays, protocols, the names a server was given,
and what a DKIM signature proves. Every face words these through here, so a delay reads the
same in the app, the diagram, the text report, Markdown, HTML and ticket text.
"""

from __future__ import annotations

from mailview.core.model import Hop, ReceivedFields, Report, Severity
from mailview.present.durations import delay_label, describe_delay

__all__ = [
    "BODY_HASH",
    "BODY_HASH_FORM",
    "SEVERITY_LABEL",
    "SIGNATURE_CHECK",
    "SIGNATURE_CHECK_FORM",
    "delay_label",
    "describe_delay",
    "hop_delay",
    "hop_protocol",
    "hop_sender",
    "hop_time",
    "route_count",
    "severity_label",
    "tls_label",
    "transit",
]

SEVERITY_LABEL = {
    Severity.HIGH: "HIGH",
    Severity.MEDIUM: "MEDIUM",
    Severity.LOW: "LOW",
    Severity.INFO: "INFO",
}

# What a recomputed body hash and a signature check prove, in the words every face uses.
BODY_HASH = {"match": "body unchanged since signing", "mismatch": "BODY ALTERED after signing"}
SIGNATURE_CHECK = {
    "pass": "signature verified",
    "fail": "SIGNATURE FAILS",
    "unverifiable": "signature unverifiable (no key at hand)",
    "invalid": "signature malformed",
}

# The same facts in a form's register, where the row's label already names the subject
# ("Signature: verified") and capitals would shout.
BODY_HASH_FORM: dict[str | None, str] = {
    "match": "body unchanged since signing",
    "mismatch": "body altered after signing",
    None: "not checked",
}
SIGNATURE_CHECK_FORM = {
    "pass": "verified",
    "fail": "fails",
    "unverifiable": "unverifiable (no key at hand)",
    "invalid": "invalid (malformed signature)",
}

SKEW = "clock skew"


def severity_label(severity: Severity) -> str:
    return SEVERITY_LABEL[severity]


def hop_time(fields: ReceivedFields, *, seconds: bool = True) -> str:
    """`2024-10-07 18:59:16` (UTC), or `no date` when the header gave none readable."""
    if fields.date is None:
        return "no date"
    return fields.date.utc.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def hop_delay(hop: Hop, *, skew: str = " ({})") -> str:
    """The delay before a hop (`12 s`), negative ones marked as clock skew; "" when unknown.

    `skew` formats the marker: " ({})" gives "-5 s (clock skew)", " {}" gives "-5 s clock skew".
    """
    if hop.delay_seconds is None:
        return ""
    text = describe_delay(hop.delay_seconds)
    return text + skew.format(SKEW) if hop.delay_seconds < 0 else text


def tls_label(fields: ReceivedFields) -> str | None:
    """`TLS 1.3`, `TLS` when the version is unknown, None without TLS."""
    if fields.tls is None:
        return None
    version = fields.tls.version
    return version.replace("TLSv", "TLS ") if version else "TLS"


def hop_protocol(fields: ReceivedFields, *, tls_words: str = "raw", empty: str = "-") -> str:
    """`ESMTPS TLSv1.3 authenticated`; `tls_words="short"` writes `TLS 1.3` instead."""
    parts = [fields.with_protocol or empty]
    if fields.tls is not None:
        parts.append(
            (fields.tls.version or "TLS") if tls_words == "raw" else (tls_label(fields) or "TLS")
        )
    if fields.authenticated:
        parts.append("authenticated")
    return " ".join(parts)


def hop_sender(hop: Hop, *, with_ip: bool = False, local: str = "(local)") -> str:
    """`name [helo …, rdns …]` (and the address with its scope when `with_ip`)."""
    f = hop.fields
    name = f.from_host or local
    extras = []
    if f.from_helo and f.from_helo != f.from_host:
        extras.append(f"helo {f.from_helo}")
    if f.from_rdns and f.from_rdns != f.from_host:
        extras.append(f"rdns {f.from_rdns}")
    if with_ip and f.from_ip and f.from_ip != f.from_host:
        scope = "" if hop.ip_scope is None else f" {hop.ip_scope.value}"
        extras.append(f"{f.from_ip}{scope}")
    return name + (f" [{', '.join(extras)}]" if extras else "")


def route_count(count: int) -> str:
    return "no Received headers" if not count else "1 hop" if count == 1 else f"{count} hops"


def transit(report: Report) -> str:
    """`10 hops, 2 d 18 h in transit`."""
    count = route_count(len(report.hops))
    total = report.total_delay_seconds
    return count if total is None else f"{count}, {describe_delay(total)} in transit"
