"""Rspamd's headers, decoded: action, score against threshold, and each symbol that fired.

Strategy: Rspamd (and its milter) writes X-Spamd-Result as
"default: False [3.40 / 15.00]; SYMBOL(score)[options]; …" — the metric name, whether it
counts as spam, the score and the reject threshold, then every symbol. Older versions
separate the symbols by folding only, no semicolons, so symbols are found by their
`NAME(score)` shape rather than by splitting. Each symbol becomes a field "symbol NAME"
whose raw value is its score and options as written; the meaning comes from a table of
common symbols (after Rspamd's own descriptions), else None. Nothing here raises.
"""

from __future__ import annotations

import re

from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField
from mailview.core.vendors.model import Decoder, VendorField, VendorVerdict

VENDOR = "Rspamd"

SYMBOLS: dict[str, str] = {
    "R_SPF_ALLOW": "SPF: the sending IP is allowed by the sender's domain",
    "R_SPF_FAIL": "SPF: the sending IP is not allowed by the sender's domain (fail)",
    "R_SPF_SOFTFAIL": "SPF: the sending IP is probably not allowed (softfail)",
    "R_SPF_NEUTRAL": "SPF: the domain makes no statement about the sending IP (neutral)",
    "R_SPF_NA": "SPF: the sender's domain publishes no SPF record",
    "R_SPF_DNSFAIL": "SPF: the DNS look-up failed (temporary error)",
    "R_SPF_PERMFAIL": "SPF: the domain's SPF record is broken (permanent error)",
    "R_DKIM_ALLOW": "DKIM: a signature verified",
    "R_DKIM_REJECT": "DKIM: a signature failed to verify",
    "R_DKIM_NA": "DKIM: the message is not signed",
    "R_DKIM_TEMPFAIL": "DKIM: the key could not be fetched (temporary error)",
    "R_DKIM_PERMFAIL": "DKIM: the signature or key is broken (permanent error)",
    "DKIM_TRACE": "DKIM results per signing domain (+ pass, - fail, ? unknown)",
    "DKIM_MIXED": "DKIM: some signatures verified and some failed",
    "DMARC_POLICY_ALLOW": "DMARC passed",
    "DMARC_POLICY_REJECT": "DMARC failed, and the domain's policy is reject",
    "DMARC_POLICY_QUARANTINE": "DMARC failed, and the domain's policy is quarantine",
    "DMARC_POLICY_SOFTFAIL": "DMARC failed, and the domain's policy is none",
    "DMARC_NA": "the sender's domain publishes no DMARC record",
    "ARC_ALLOW": "ARC: the forwarding chain verified",
    "ARC_REJECT": "ARC: the forwarding chain failed to verify",
    "ARC_INVALID": "ARC: the forwarding chain is malformed",
    "ARC_NA": "ARC: the message carries no ARC chain",
    "MIME_GOOD": "the MIME structure looks normal",
    "MIME_TRACE": "the MIME parts seen (diagnostic)",
    "FROM_HAS_DN": "the From header has a display name",
    "FROM_NEQ_ENVFROM": "the From address differs from the envelope sender",
    "TO_DN_NONE": "no recipient has a display name",
    "TO_DN_ALL": "every recipient has a display name",
    "TO_DN_EQ_ADDR_ALL": "every recipient's display name is just the address",
    "TO_MATCH_ENVRCPT_ALL": "all recipients match the envelope recipients",
    "RCPT_COUNT_ONE": "one recipient",
    "RCVD_TLS_LAST": "the last hop used TLS",
    "RCVD_TLS_ALL": "every hop used TLS",
    "RCVD_NO_TLS_LAST": "the last hop did not use TLS",
    "RCVD_COUNT_ONE": "one Received header",
    "RCVD_COUNT_TWO": "two Received headers",
    "RCVD_COUNT_THREE": "three to five Received headers",
    "RCVD_COUNT_SEVEN": "seven or more Received headers",
    "RCVD_IN_DNSWL_HI": "the sending server is on the dnswl.org allow list, high trust",
    "RCVD_IN_DNSWL_MED": "the sending server is on the dnswl.org allow list, medium trust",
    "RCVD_IN_DNSWL_LOW": "the sending server is on the dnswl.org allow list, low trust",
    "RCVD_IN_DNSWL_NONE": "the sending server is on the dnswl.org allow list, no trust",
    "RCVD_DKIM_ARC_DNSWL_HI": "a verified DKIM/ARC signer is on the dnswl.org list, high trust",
    "FREEMAIL_FROM": "the sender uses a free mail provider",
    "FREEMAIL_ENVFROM": "the envelope sender is at a free mail provider",
    "FORGED_SENDER": "the From and envelope sender differ",
    "FORGED_RECIPIENTS": "the To/Cc recipients differ from the envelope recipients",
    "FORGED_SENDER_MAILLIST": "sender mismatch explained by a mailing list",
    "FORGED_RECIPIENTS_MAILLIST": "recipient mismatch explained by a mailing list",
    "FORGED_SENDER_FORWARDING": "sender mismatch explained by forwarding",
    "FORGED_RECIPIENTS_FORWARDING": "recipient mismatch explained by forwarding",
    "FORWARDED": "the message was forwarded",
    "MAILLIST": "the message came through a mailing list",
    "HAS_LIST_UNSUB": "the message has a List-Unsubscribe header",
    "NEURAL_HAM": "Rspamd's neural network says not spam",
    "NEURAL_SPAM": "Rspamd's neural network says spam",
    "BAYES_HAM": "the Bayes classifier says not spam",
    "BAYES_SPAM": "the Bayes classifier says spam",
    "SENDER_REP_HAM": "the sender has a good reputation at this server",
    "SENDER_REP_SPAM": "the sender has a bad reputation at this server",
    "HFILTER_MID_NOT_FQDN": "the Message-Id's domain part is not a full domain name",
    "MID_RHS_MATCH_FROM": "the Message-Id's domain matches the From domain",
    "MISSING_MID": "the message has no Message-Id",
    "MISSING_DATE": "the message has no Date header",
    "MISSING_TO": "the message has no To header",
    "ASN": "network (autonomous system) of the sending IP",
    "XM_UA_NO_VERSION": "the X-Mailer/User-Agent has no version number",
    "PHISHING": "a link's text shows a different site from where it leads",
    "DBL_SPAM": "contains a link to a domain listed as spam by Spamhaus DBL",
    "URIBL_BLACK": "contains a link to a domain listed on URIBL's black list",
    "RBL_SPAMHAUS_SBL": "the sending server is listed on Spamhaus SBL",
    "RBL_SPAMHAUS_XBL": "the sending server is listed on Spamhaus XBL",
    "RBL_SPAMHAUS_PBL": "the sending server is on Spamhaus PBL",
}

_DECIMAL = r"[-+]?\d+(?:\.\d+)?"
_RESULT_HEAD = LazyPattern(
    r"^\s*([\w-]+)\s*:\s*(True|False)\s*\[\s*(" + _DECIMAL + r")\s*/\s*(" + _DECIMAL + r")\s*\]",
    re.IGNORECASE,
)
_SYMBOL = LazyPattern(r"([A-Z][A-Z0-9_]*)\((" + _DECIMAL + r")\)(?:\[([^\]]*)\])?")


def symbol_fields(text: str) -> list[VendorField]:
    fields: list[VendorField] = []
    for match in _SYMBOL.finditer(text):
        name, score, options = match.groups()
        raw = score + (f" [{options}]" if options else "")
        fields.append(VendorField(f"symbol {name}", raw, SYMBOLS.get(name)))
    return fields


def decode_result(field: HeaderField) -> VendorVerdict | None:
    """X-Spamd-Result: 'default: False [3.40 / 15.00]; SYMBOL(score)[options]; …'."""
    head = _RESULT_HEAD.match(field.value)
    if not head:
        return None
    metric, spam, score, threshold = head.groups()
    is_spam = spam.lower() == "true"
    fields = [
        VendorField("metric", metric, f"Rspamd's scoring metric: {metric}"),
        VendorField("spam", spam, "spam" if is_spam else "not spam"),
        VendorField("score", score, f"total score: {score}"),
        VendorField("threshold", threshold, f"score at which Rspamd rejects: {threshold}"),
    ]
    symbols = symbol_fields(field.value[head.end() :])
    fields.extend(symbols)
    judged = "judged this spam" if is_spam else "judged this not spam"
    top = sorted(symbols, key=_symbol_weight, reverse=True)[:4]
    text = f"Rspamd {judged} (score {score} of {threshold}); {len(symbols)} symbols"
    if top:
        text += ", weightiest " + ", ".join(s.key.removeprefix("symbol ") for s in top)
    return VendorVerdict(VENDOR, field.name, field.index, tuple(fields), text + ".")


def _symbol_weight(field: VendorField) -> float:
    try:
        return abs(float(field.raw.split()[0]))
    except (ValueError, IndexError):
        return 0.0


def decode_report(field: HeaderField) -> VendorVerdict | None:
    """X-Rspamd-Report: 'R_DKIM_ALLOW(-0.2) MIME_GOOD(-0.1) …' (symbols only)."""
    symbols = symbol_fields(field.value)
    if not symbols:
        return None
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        tuple(symbols),
        f"Rspamd lists {len(symbols)} symbols that fired.",
    )


_ACTIONS: dict[str, str] = {
    "no action": "deliver normally",
    "greylist": "ask the sender to retry later (greylisting)",
    "add header": "deliver, marked as spam (usually to the junk folder)",
    "rewrite subject": "deliver with the subject marked as spam",
    "soft reject": "refuse temporarily (the sender may retry)",
    "reject": "refuse the message",
    "discard": "accept and silently drop the message",
    "quarantine": "hold the message in quarantine",
}


def decode_action(field: HeaderField) -> VendorVerdict | None:
    raw = field.value.strip()
    words = _ACTIONS.get(raw.lower())
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("action", raw, words),),
        f"Rspamd's action: {raw} ({words})." if words else f"Rspamd's action: '{raw}'.",
    )


def decode_score(field: HeaderField) -> VendorVerdict | None:
    raw = field.value.strip()
    if not re.fullmatch(_DECIMAL, raw):
        return None
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("score", raw, f"total spam score: {raw}"),),
        f"Rspamd gave the message a score of {raw}.",
    )


def _plain(key: str, words: str, summary: str) -> Decoder:
    def decode(field: HeaderField) -> VendorVerdict | None:
        raw = field.value.strip()
        return VendorVerdict(
            VENDOR,
            field.name,
            field.index,
            (VendorField(key, raw, f"{words}: {raw}"),),
            summary.format(raw=raw),
        )

    return decode


def decode_bar(field: HeaderField) -> VendorVerdict | None:
    """X-Rspamd-Bar / X-Spamd-Bar: '+' per point of spam score, '-' per point of ham, '/' 0."""
    raw = field.value.strip()
    if raw and (len(set(raw)) != 1 or raw[0] not in "+-/"):
        return None
    if not raw or raw[0] == "/":
        meaning = "score about zero"
    elif raw[0] == "+":
        meaning = f"score about +{len(raw)} (towards spam)"
    else:
        meaning = f"score about -{len(raw)} (towards not spam)"
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("bar", raw, meaning),),
        f"Rspamd's score bar: {meaning}.",
    )


def decode_x_spam(field: HeaderField) -> VendorVerdict | None:
    raw = field.value.strip()
    meaning = {"yes": "marked as spam", "no": "not marked as spam"}.get(raw.lower())
    if meaning is None:
        return None  # other filters write X-Spam too, in other forms
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("spam", raw, meaning),),
        f"The spam filter (Rspamd's milter writes this header): message {meaning}.",
    )


DECODERS: dict[str, Decoder] = {
    "x-spamd-result": decode_result,
    "x-rspamd-report": decode_report,
    "x-rspamd-action": decode_action,
    "x-rspamd-score": decode_score,
    "x-rspamd-bar": decode_bar,
    "x-spamd-bar": decode_bar,
    "x-rspamd-server": _plain(
        "server", "the server that ran Rspamd", "The message was scanned by Rspamd on {raw}."
    ),
    "x-spamd-server": _plain(
        "server", "the server that ran Rspamd", "The message was scanned by Rspamd on {raw}."
    ),
    "x-rspamd-queue-id": _plain(
        "queue id",
        "the mail server's queue id for the message (to find it in that server's logs)",
        "Rspamd saw the message under queue id {raw}.",
    ),
    "x-spamd-queue-id": _plain(
        "queue id",
        "the mail server's queue id for the message (to find it in that server's logs)",
        "Rspamd saw the message under queue id {raw}.",
    ),
    "x-spam": decode_x_spam,
}
