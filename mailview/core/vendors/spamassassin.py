"""Apache SpamAssassin's X-Spam-* headers, decoded: verdict, score, threshold and each rule.

Strategy: SpamAssassin writes a small family of headers. X-Spam-Status carries the whole
verdict ("Yes, score=5.1 required=5.0 tests=A,B autolearn=no version=3.4.6"; SpamAssassin 2
wrote "hits=" for "score="); X-Spam-Report lists every rule with its points and its own
description. Each rule becomes a field "rule NAME": its raw value is its points when the
header states them; the meaning comes from a short table of common rules (taken from the
rules' own descriptions), else from the description the report itself carries, else None.
Parsing is by regular expressions over the unfolded value and never raises: a header
that does not look like SpamAssassin's still yields its parts as unrecognised fields.
"""

from __future__ import annotations

import re

from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField
from mailview.core.vendors.model import Decoder, VendorField, VendorVerdict

VENDOR = "SpamAssassin"

# Common rules, in words (after the rules' own "describe" lines).
RULES: dict[str, str] = {
    "HTML_MESSAGE": "the message contains HTML",
    "MIME_HTML_ONLY": "the message has only HTML parts, no plain-text alternative",
    "RDNS_NONE": "delivered by a host with no reverse DNS name",
    "RDNS_DYNAMIC": "delivered by a host whose reverse DNS looks like a dynamic (home) address",
    "SPF_PASS": "SPF: the sending IP is allowed by the envelope sender's domain",
    "SPF_FAIL": "SPF: the sending IP is not allowed by the envelope sender's domain (fail)",
    "SPF_SOFTFAIL": "SPF: the sending IP is probably not allowed (softfail)",
    "SPF_NEUTRAL": "SPF: the domain makes no statement about the sending IP (neutral)",
    "SPF_NONE": "SPF: the envelope sender's domain publishes no SPF record",
    "SPF_HELO_PASS": "SPF for the HELO name passed",
    "SPF_HELO_NONE": "SPF: the HELO name publishes no SPF record",
    "SPF_HELO_FAIL": "SPF for the HELO name failed",
    "SPF_HELO_SOFTFAIL": "SPF for the HELO name softfailed",
    "DKIM_SIGNED": "the message has a DKIM signature, not necessarily valid",
    "DKIM_VALID": "the message has at least one valid DKIM signature",
    "DKIM_VALID_AU": "the message has a valid DKIM signature from the author's domain",
    "DKIM_VALID_EF": "the message has a valid DKIM signature from the envelope sender's domain",
    "DKIM_INVALID": "a DKIM signature is present but does not verify",
    "DKIM_ADSP_NXDOMAIN": "no valid author signature and the domain does not exist",
    "DMARC_PASS": "DMARC passed",
    "DMARC_NONE": "DMARC failed, and the domain's policy is none",
    "DMARC_QUAR": "DMARC failed, and the domain's policy is quarantine",
    "DMARC_REJECT": "DMARC failed, and the domain's policy is reject",
    "DMARC_MISSING": "the sender's domain publishes no DMARC record",
    "URIBL_BLOCKED": (
        "administrator notice: the URIBL query was blocked, so that blocklist was not "
        "checked (says nothing about the message)"
    ),
    "URIBL_BLACK": "contains a link to a domain listed on URIBL's black list",
    "URIBL_GREY": "contains a link to a domain listed on URIBL's grey list",
    "URIBL_DBL_SPAM": "contains a link to a domain listed as spam by Spamhaus DBL",
    "URIBL_ABUSE_SURBL": "contains a link to a domain listed by SURBL as abused",
    "URIBL_SBL": "contains a link whose name server is listed on Spamhaus SBL",
    "RCVD_IN_DNSWL_NONE": "the sending server is on the dnswl.org allow list, with no trust",
    "RCVD_IN_DNSWL_LOW": "the sending server is on the dnswl.org allow list, low trust",
    "RCVD_IN_DNSWL_MED": "the sending server is on the dnswl.org allow list, medium trust",
    "RCVD_IN_DNSWL_HI": "the sending server is on the dnswl.org allow list, high trust",
    "RCVD_IN_MSPIKE_H2": "the sending server has an average good reputation at Mailspike",
    "RCVD_IN_MSPIKE_WL": "the sending server is on Mailspike's allow list",
    "RCVD_IN_SBL": "the sending server is listed on Spamhaus SBL",
    "RCVD_IN_XBL": "the sending server is listed on Spamhaus XBL (compromised hosts)",
    "RCVD_IN_PBL": "the sending server is on Spamhaus PBL (addresses that should not send mail)",
    "RCVD_IN_BL_SPAMCOP_NET": "a relay is listed on the SpamCop blocklist",
    "FREEMAIL_FROM": "the sender uses a free mail provider (often abused)",
    "FREEMAIL_REPLYTO": "the Reply-To address is at a free mail provider",
    "FREEMAIL_FORGED_REPLYTO": "Reply-To is a free mail address different from the From",
    "MISSING_DATE": "the message has no Date header",
    "MISSING_MID": "the message has no Message-Id header",
    "MISSING_HEADERS": "the message has no To header",
    "MISSING_SUBJECT": "the message has no Subject header",
    "MISSING_FROM": "the message has no From header",
    "HEADER_FROM_DIFFERENT_DOMAINS": "the From and envelope sender domains differ",
    "MAILING_LIST_MULTI": "several signs of a widely used mailing-list manager",
    "KNOWN_MAILING_LIST": "the message looks like it came through a known mailing list",
    "DKIM_VERIFIED": "a DKIM signature verified (older rule name)",
    "DKIMWL_WL_MED": "the DKIM signer is on the dkimwl.org allow list, medium trust",
    "DKIMWL_WL_HIGH": "the DKIM signer is on the dkimwl.org allow list, high trust",
    "DATE_IN_PAST_03_06": "the Date header is 3 to 6 hours before the message was received",
    "DATE_IN_PAST_06_12": "the Date header is 6 to 12 hours before the message was received",
    "DATE_IN_PAST_12_24": "the Date header is 12 to 24 hours before the message was received",
    "DATE_IN_PAST_24_48": "the Date header is 1 to 2 days before the message was received",
    "DATE_IN_PAST_96_XX": "the Date header is more than 4 days before the message was received",
    "DATE_IN_FUTURE_03_06": "the Date header is 3 to 6 hours after the message was received",
    "DATE_IN_FUTURE_06_12": "the Date header is 6 to 12 hours after the message was received",
    "ALL_TRUSTED": "the message passed only through trusted hosts",
    "NO_RELAYS": "no relays were recorded (the message was delivered locally)",
    "NO_RECEIVED": "the message has no Received headers",
    "TVD_SPACE_RATIO": "unusual ratio of spaces in the text (a spam-content pattern)",
    "FROM_EXCESS_BASE64": "the From name is base64-encoded without need",
    "SUBJ_ALL_CAPS": "the subject is all capitals",
    "USER_IN_WHITELIST": "the sender is on the local allow list",
    "USER_IN_WELCOMELIST": "the sender is on the local allow list",
    "USER_IN_DEF_SPF_WL": "the sender is on the default allow list, confirmed by SPF",
    "USER_IN_DEF_DKIM_WL": "the sender is on the default allow list, confirmed by DKIM",
    "ENV_AND_HDR_SPF_MATCH": "envelope and header sender both match the default SPF allow list",
    "LOTS_OF_MONEY": "the text mentions huge sums of money",
    "ADVANCE_FEE_2_NEW_MONEY": "looks like an advance-fee fraud",
    "SIGNED_OFF_BY": "the text has a 'Signed-off-by' line (software patch)",
    "INCLUDES_PATCH": "the message includes a source code patch",
}

_BAYES = re.compile(r"^BAYES_(\d{2,3})$")


def rule_meaning(name: str) -> str | None:
    """Words for a rule name; the BAYES_NN family is read from its number."""
    if name in RULES:
        return RULES[name]
    bayes = _BAYES.match(name)
    if bayes:
        digits = bayes.group(1)
        low = "99.9" if digits == "999" else str(int(digits))
        return (
            f"the trained Bayes classifier puts the spam probability at {low}% or more "
            "(its own band starting at that value)"
        )
    return None


_DECIMAL = r"[-+]?\d+(?:\.\d+)?"
_STATUS_HEAD = LazyPattern(r"^\s*(yes|no)\b\s*,?\s*", re.IGNORECASE)


def _status_tokens(rest: str) -> list[tuple[str, str]]:
    """`score=5.1 required=5.0 tests=A, B autolearn=no` → key/value pairs.

    Unfolding leaves whitespace after the commas of a folded tests= list; it is joined
    back first so the list stays one token.
    """
    joined = re.sub(r",\s+", ",", rest.strip())
    pairs: list[tuple[str, str]] = []
    for token in joined.split():
        key, eq, raw = token.partition("=")
        pairs.append((key, raw) if eq else (token, ""))
    return pairs


def _rule_fields(tests: str) -> list[VendorField]:
    """`A,B=1.2` → one field per rule; SpamAssassin may be set to write NAME=score."""
    fields: list[VendorField] = []
    for item in tests.split(","):
        name, _, points = item.strip().partition("=")
        if not name or name.lower() == "none":
            continue
        fields.append(VendorField(f"rule {name}", points, rule_meaning(name)))
    return fields


_STATUS_KEYS = {
    "score": "total score the message earned",
    "hits": "total score the message earned (SpamAssassin 2 wording)",
    "required": "score at which the message counts as spam",
    "autolearn": "whether the Bayes classifier learned from this message",
    "autolearn_force": "whether autolearning was forced by a rule",
    "version": "SpamAssassin version",
    "shortcircuit": "whether a rule stopped the scan early",
}


def decode_status(field: HeaderField) -> VendorVerdict | None:
    """X-Spam-Status: 'Yes|No, score=… required=… tests=… autolearn=… version=…'."""
    head = _STATUS_HEAD.match(field.value)
    if not head:
        return None
    verdict = head.group(1).capitalize()
    fields = [
        VendorField(
            "verdict",
            verdict,
            "spam" if verdict == "Yes" else "not spam (score below the threshold)",
        )
    ]
    values: dict[str, str] = {}
    rules: list[VendorField] = []
    for key, raw in _status_tokens(field.value[head.end() :]):
        lower = key.lower()
        if lower == "tests":
            rules = _rule_fields(raw)
            continue
        values.setdefault(lower, raw)
        words = _STATUS_KEYS.get(lower)
        fields.append(VendorField(key, raw, f"{words}: {raw}" if words else None))
    fields.extend(rules)
    score = values.get("score", values.get("hits"))
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        tuple(fields),
        _status_summary(verdict, score, values, rules),
    )


def _status_summary(
    verdict: str, score: str | None, values: dict[str, str], rules: list[VendorField]
) -> str:
    judged = "judged this spam" if verdict == "Yes" else "judged this not spam"
    numbers = []
    if score:
        numbers.append(f"score {score}")
    if values.get("required"):
        numbers.append(f"threshold {values['required']}")
    text = f"SpamAssassin {judged}" + (f" ({', '.join(numbers)})" if numbers else "")
    if rules:
        names = [r.key.removeprefix("rule ") for r in rules]
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        text += f"; {len(names)} rule{'s' if len(names) != 1 else ''} matched: {shown}"
    return text + "."


def decode_score(field: HeaderField) -> VendorVerdict | None:
    raw = field.value.strip()
    if not re.fullmatch(_DECIMAL, raw):
        return None
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("score", raw, f"total spam score: {raw}"),),
        f"SpamAssassin gave the message a spam score of {raw}.",
    )


def decode_level(field: HeaderField) -> VendorVerdict | None:
    """X-Spam-Level: one star per whole point of the score (empty below 1)."""
    raw = field.value.strip()
    if raw and len(set(raw)) != 1:
        return None
    stars = len(raw)
    if stars == 0:
        meaning = "no stars: the score is below 1"
    else:
        meaning = f"{stars} star{'s' if stars != 1 else ''}: the score is at least {stars}"
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("level", raw, meaning),),
        f"SpamAssassin's score bar: {meaning}.",
    )


def decode_flag(field: HeaderField) -> VendorVerdict | None:
    raw = field.value.strip()
    meaning = {"yes": "flagged as spam", "no": "not flagged as spam"}.get(raw.lower())
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        (VendorField("flag", raw, meaning),),
        f"SpamAssassin: {meaning}." if meaning else f"SpamAssassin set an unusual flag '{raw}'.",
    )


# "*  3.5 BAYES_99 BODY: Bayes spam probability is 99 to 100%" or, in the body-style
# report, "3.5 BAYES_99 BODY: …" after a "pts rule name description" table head.
_REPORT_RULE = LazyPattern(r"(?:^|(?<=\s))(" + _DECIMAL + r")\s+([A-Z][A-Z0-9_]{2,})\b")


def decode_report(field: HeaderField) -> VendorVerdict | None:
    """X-Spam-Report: each rule with its points and the description SpamAssassin wrote."""
    value = field.value
    matches = list(_REPORT_RULE.finditer(value))
    if not matches:
        return None
    fields: list[VendorField] = []
    total = 0.0
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(value)
        described = _clean_description(value[match.end() : end])
        name = match.group(2)
        fields.append(VendorField(f"rule {name}", match.group(1), rule_meaning(name) or described))
        total += float(match.group(1))
    summary = (
        f"SpamAssassin's report lists {len(fields)} rule{'s' if len(fields) != 1 else ''} "
        f"adding up to {total:.1f} points."
    )
    return VendorVerdict(VENDOR, field.name, field.index, tuple(fields), summary)


def _clean_description(text: str) -> str | None:
    # The header report draws a "*" bullet before each line; the words are what matter.
    words = " ".join(text.replace("*", " ").split())
    return words or None


_CHECKER = LazyPattern(r"^\s*SpamAssassin\s+(\S+)(?:\s+\(([^)]*)\))?(?:\s+on\s+(\S+))?")


def decode_checker(field: HeaderField) -> VendorVerdict | None:
    """X-Spam-Checker-Version: 'SpamAssassin 3.4.2 (2018-09-13) on host'."""
    match = _CHECKER.match(field.value)
    if not match:
        return None
    version, date, host = match.groups()
    fields = [VendorField("version", version, f"SpamAssassin version {version}")]
    if date:
        fields.append(VendorField("released", date, f"release date of that version: {date}"))
    if host:
        fields.append(VendorField("host", host, f"the server that ran SpamAssassin: {host}"))
    where = f" on {host}" if host else ""
    return VendorVerdict(
        VENDOR,
        field.name,
        field.index,
        tuple(fields),
        f"The message was checked by SpamAssassin {version}{where}.",
    )


DECODERS: dict[str, Decoder] = {
    "x-spam-status": decode_status,
    "x-spam-score": decode_score,
    "x-spam-level": decode_level,
    "x-spam-flag": decode_flag,
    "x-spam-report": decode_report,
    "x-spam-checker-version": decode_checker,
}
