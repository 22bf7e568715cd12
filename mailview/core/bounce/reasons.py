"""Why delivery failed, as a reason class, with a sentence and a hint for each class.

The class names follow the vocabulary of the Sisimai bounce analyser (userunknown,
mailboxfull, hostunknown, …) so results can be compared with it. A class is decided
from three clues, in this order: a status code specific enough to settle it alone
(5.1.1 is a missing mailbox whatever the text says), then the remote server's own words,
then whatever the code's subject says (5.7.x is "security or policy").
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Reason(NamedTuple):
    sentence: str  # what happened, for people
    hint: str  # what to do about it


REASONS: dict[str, Reason] = {
    "userunknown": Reason(
        "The recipient's mailbox does not exist.",
        "Check the address for typos; the person may have left or the address was never valid.",
    ),
    "hostunknown": Reason(
        "The recipient's domain does not exist or has no mail server.",
        "Check the part after the @: the domain may be misspelt or expired.",
    ),
    "mailboxfull": Reason(
        "The recipient's mailbox is full.",
        "Try again later or reach the recipient another way; they must make room.",
    ),
    "exceedlimit": Reason(
        "The message is larger than the recipient's mailbox accepts.",
        "Send a smaller message: link to large files instead of attaching them.",
    ),
    "mesgtoobig": Reason(
        "The message is too big for the receiving system.",
        "Send a smaller message: link to large files instead of attaching them.",
    ),
    "suspend": Reason(
        "The recipient's mailbox is disabled or suspended.",
        "The account exists but takes no mail; contact the recipient another way.",
    ),
    "hasmoved": Reason(
        "The recipient has moved to another address.",
        "Use the new address if the bounce names one, and update your records.",
    ),
    "expired": Reason(
        "The sending server kept retrying and finally gave up.",
        "The recipient's servers were unreachable for days; check their MX and try again.",
    ),
    "networkerror": Reason(
        "The receiving server could not be reached, or the connection broke off.",
        "Usually temporary; if it persists, the recipient's mail servers or DNS are down.",
    ),
    "systemerror": Reason(
        "The receiving mail system had an internal problem.",
        "Not caused by your message; try again later or tell the recipient's postmaster.",
    ),
    "systemfull": Reason(
        "The receiving mail system is out of storage.",
        "Not caused by your message; try again later.",
    ),
    "notaccept": Reason(
        "The recipient's domain does not accept mail.",
        "The domain publishes no usable mail server (or a null MX); use another address.",
    ),
    "blocked": Reason(
        "The receiving server refused the sending server itself (its IP address or name).",
        "Check whether the sending IP is on a blocklist and whether its reverse DNS is right; "
        "ask for delisting.",
    ),
    "rejected": Reason(
        "The receiving server refused the sender's address.",
        "Check the envelope sender (Return-Path): it must be a real, deliverable address.",
    ),
    "spamdetected": Reason(
        "The receiving server judged the message to be spam.",
        "Review the content and links, and make sure the sender's SPF, DKIM and DMARC pass.",
    ),
    "virusdetected": Reason(
        "The receiving server found malware in the message.",
        "Scan the attachments; send them another way if they are clean.",
    ),
    "policyviolation": Reason(
        "The message broke a policy of the receiving organisation.",
        "Read the server's text for the rule (attachment types, external mail, content).",
    ),
    "securityerror": Reason(
        "A security requirement of the receiving server was not met.",
        "Check TLS and authentication between the servers, and the sender's credentials.",
    ),
    "authfailure": Reason(
        "The message failed sender authentication (SPF, DKIM or DMARC) at the recipient.",
        "Fix SPF and DKIM for the sending domain so that one of them passes aligned "
        "with the From domain.",
    ),
    "requireptr": Reason(
        "The sending server has no valid reverse-DNS name.",
        "Give the sending IP a PTR record that resolves back to it.",
    ),
    "badreputation": Reason(
        "The receiving server distrusts the sender's reputation.",
        "Warm up new IPs slowly, keep lists clean and authenticate the mail.",
    ),
    "speeding": Reason(
        "The sender sent too much, too fast.",
        "Slow down the sending rate; the receiver will accept mail again later.",
    ),
    "toomanyconn": Reason(
        "The sending server opened too many connections.",
        "Lower the number of simultaneous connections to this receiver.",
    ),
    "norelaying": Reason(
        "The server refused to relay: it is not a mail server for the recipient's domain.",
        "Check the recipient's domain and MX records, or authenticate to your own relay.",
    ),
    "filtered": Reason(
        "The recipient's own filter refused the message.",
        "The recipient blocks this sender or this kind of mail; ask them to allow it.",
    ),
    "syntaxerror": Reason(
        "The servers disagreed on the mail protocol (a command was not understood).",
        "A fault of the sending software; tell the postmaster of the sending server.",
    ),
    "contenterror": Reason(
        "The receiving server could not handle the message's content or encoding.",
        "Send plain text or standard MIME; avoid unusual encodings.",
    ),
    "notcompliantrfc": Reason(
        "The message does not follow the mail format standard (RFC 5322).",
        "Fix the sending software: duplicate or malformed headers are refused.",
    ),
    "mailererror": Reason(
        "A local delivery program failed on the receiving system.",
        "Tell the recipient's postmaster; the receiving system is misconfigured.",
    ),
    "onhold": Reason(
        "The bounce does not say enough to tell why delivery failed.",
        "Read the diagnostic text; ask the recipient's postmaster if it says nothing.",
    ),
    "undefined": Reason(
        "The reason could not be told from the bounce.",
        "Read the diagnostic text; ask the recipient's postmaster if it says nothing.",
    ),
    "delivered": Reason("The message was delivered.", "Nothing to do."),
    "vacation": Reason(
        "This is an automatic reply (out of office), not a delivery failure.",
        "The message was delivered; nothing to do.",
    ),
    "feedback": Reason(
        "This is a feedback report (a complaint or authentication failure report), not a bounce.",
        "Stop mailing the complaining recipient, or fix the authentication it reports.",
    ),
}

# Codes that settle the class whatever the text says (subject.detail).
_DECISIVE = {
    "1.1": "userunknown",
    "1.2": "hostunknown",
    "1.3": "userunknown",
    "1.6": "hasmoved",
    "1.10": "notaccept",
    "2.2": "mailboxfull",
    "2.3": "exceedlimit",
    "3.4": "mesgtoobig",
    "4.7": "expired",
    "7.23": "authfailure",
    "7.24": "authfailure",
    "7.25": "requireptr",
    "7.26": "authfailure",
    "7.27": "notaccept",
}

# What the code's subject and detail suggest when the text says nothing clearer.
_BY_CODE = {
    "1.0": "userunknown",
    "1.4": "userunknown",
    "1.7": "rejected",
    "1.8": "rejected",
    "2.0": "userunknown",
    "2.1": "suspend",
    "2.4": "systemerror",
    "3.0": "systemerror",
    "3.1": "systemfull",
    "3.2": "notaccept",
    "3.3": "systemerror",
    "3.5": "systemerror",
    "4.0": "networkerror",
    "4.1": "networkerror",
    "4.2": "networkerror",
    "4.3": "systemerror",
    "4.4": "hostunknown",
    "4.5": "toomanyconn",
    "4.6": "networkerror",
    "7.0": "securityerror",
    "7.1": "securityerror",
    "7.2": "rejected",
    "7.13": "suspend",
    "7.17": "hasmoved",
    "7.20": "authfailure",
    "7.21": "authfailure",
    "7.22": "authfailure",
    "7.28": "speeding",
    "7.30": "securityerror",
}
_BY_SUBJECT = {"5": "syntaxerror", "6": "contenterror", "7": "securityerror"}


def _any(*phrases: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in phrases), re.I)


# Words that outweigh even a decisive code: servers send 5.1.1 with "too many
# recipients this hour" or "IP blacklisted", and the words are the truth.
_OVERRIDE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("virusdetected", _any(r"\bvirus", r"malware")),
    ("badreputation", _any(r"reputation")),
    (
        "speeding",
        _any(
            r"too many recipients this hour",
            r"rate limit",
            r"sending rate",
            r"daily (?:relay |sending )?(?:quota|limit)",
        ),
    ),
    # Exchange Online sends 5.1.10 (the null-MX code of RFC 7505) for a missing mailbox.
    ("userunknown", _any(r"recipientnotfound", r"recipient not found")),
    (
        "blocked",
        _any(
            r"black ?listed",
            r"block ?list",
            r"banned sending ip",
            r"spamhaus|spamcop|barracudacentral|sorbs|\bdnsbl\b",
            r"client host .{0,60}(?:rejected|blocked)",
            r"\bip\b.{0,40}(?:blocked|bloquee|listed)",
            r"blocked ip",
            r"refused to talk to me",
        ),
    ),
    (
        "spamdetected",
        _any(
            r"(?:rejected|blocked) (?:due to|as|for) spam",
            r"spam classification",
            r"likely unsolicited",
        ),
    ),
    ("rejected", _any(r"group you tried to contact", r"groups\.google\.com")),
)

# The remote server's words, most specific classes first. Checked in order.
_TEXT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("virusdetected", _any(r"\bvirus", r"malware", r"infected")),
    (
        "authfailure",
        _any(
            r"\bdmarc\b",
            r"\bspf\b",
            r"sender policy framework",
            r"dkim.{0,30}(?:fail|invalid|not (?:pass|valid))",
            r"unauthenticated (?:e-?)?mail",
            r"not pass authentication",
            r"fails? to pass authentication",
            r"does not have authentication information",
            r"sender(?:'s)? domain .{0,30}authenticat",
        ),
    ),
    (
        "requireptr",
        _any(
            r"reverse[ -]?dns", r"\bptr\b", r"reverse (?:lookup|name)", r"cannot find your hostname"
        ),
    ),
    (
        "mailboxfull",
        _any(
            r"mailbox (?:is )?full",
            r"mailbox.{0,20}(?:over|exceeded).{0,10}quota",
            r"over ?quota",
            r"quota (?:exceeded|full)",
            r"exceeded (?:the |his |her |their )?(?:storage |disk )?quota",
            r"full mailbox",
            r"mailbox.{0,30}size limit",
            r"(?:account|inbox) is full",
            r"insufficient (?:disk )?space.{0,20}mailbox",
        ),
    ),
    (
        "mesgtoobig",
        _any(r"message (?:is )?too (?:big|large)", r"message size exceeds", r"size limit"),
    ),
    (
        "suspend",
        _any(
            r"(?:account|mailbox|user)(?: has been| is)? "
            r"(?:disabled|suspended|deactivated|inactive|locked|not active)",
            r"recipient suspend",
            r"mailbox (?:has been )?(?:disabled|suspended)",
            r"account (?:is )?(?:expired|unavailable)",
        ),
    ),
    (
        "userunknown",
        _any(
            r"user(?:name)? (?:is )?unknown",
            r"unknown (?:local[- ]part|user|recipient|address|mailbox)",
            r"no such (?:user|recipient|mailbox|address|account)",
            r"(?:user|recipient|mailbox|address|addressee) (?:was )?not found",
            r"(?:user|mailbox|recipient|account|address|addressee)"
            r"(?: does not|n't| doesn't) exists?",
            r"does not have an? .{0,40}account",
            r"doesn't have an? .{0,40}account",
            r"invalid (?:recipient|mailbox|address|final delivery userid|user)",
            r"not listed in",
            r"recipient name is not recognized",
            r"unrouteable address",
            r"bad destination mailbox",
            r"recipientnotfound",
            r"addressee unknown",
            r"user not known",
            r"no mailbox (?:here|by that name)",
            r"mailbox unavailable",
            r"email account that you tried to reach does not exist",
            r"address (?:does not|doesn't) exist",
            r"not a valid (?:recipient|mailbox|user)",
            r"recipient address rejected: access denied",
            r"malformed (?:recipient )?address",
            r"incorrectly constructed",
            r"unknown in (?:virtual|local|relay) (?:mailbox|recipient|alias)",
            r"mailbox .{0,20}does not exist",
            r"no valid recipients",
            r"not a registered (?:gateway )?user",
        ),
    ),
    (
        "hostunknown",
        _any(
            r"domain (?:name )?(?:does not exist|not found|not exist)",
            r"host (?:or domain name )?(?:unknown|not found)",
            r"unknown (?:host|domain)",
            r"no such domain",
            r"name or service not known",
            r"unrouteable mail domain",
            r"nxdomain",
            r"non-existent (?:host|domain)",
            r"domain .{0,30}(?:is not|isn't) (?:valid|configured)",
            r"no mx (?:record )?found",
            r"host ?name lookup fail",
            r"(?:couldn't|could not) find (?:any host|a mail exchanger)",
        ),
    ),
    (
        "norelaying",
        _any(
            r"relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)",
            r"(?:unable|not permitted|not allowed) to relay",
            r"we do not relay",
            r"no relaying",
        ),
    ),
    (
        "spamdetected",
        _any(r"spam", r"unsolicited", r"bulk (?:e-?)?mail", r"junk mail", r"\bu[bc]e\b"),
    ),
    (
        "blocked",
        _any(
            r"blocked",
            r"black ?list",
            r"block ?list",
            r"\bdnsbl\b",
            r"\brbl\b",
            r"spamhaus|spamcop|barracudacentral|sorbs",
            r"client host .{0,60}rejected",
            r"banned sending ip",
            r"your ip",
            r"listed (?:at|in|on|by) ",
            r"connection (?:refused|rejected) (?:by|due to) policy",
        ),
    ),
    (
        "badreputation",
        _any(r"reputation"),
    ),
    (
        "speeding",
        _any(
            r"rate limit",
            r"too many (?:messages|recipients)",
            r"throttl",
            r"sending rate",
            r"unusual rate",
        ),
    ),
    ("toomanyconn", _any(r"too many (?:connections|concurrent)")),
    (
        "rejected",
        _any(
            r"sender (?:address )?(?:rejected|refused|denied|verify failed|blocked)",
            r"sender .{0,40}(?:rejected|not allowed)",
            r"mail from .{0,60}(?:rejected|refused)",
            r"domain of sender address .{0,40}(?:does not|not) (?:exist|resolve)",
            r"address is not verified",
            r"unroutable sender",
        ),
    ),
    (
        "filtered",
        _any(
            r"refused by (?:the )?recipient",
            r"rejected by (?:the )?recipient",
            r"recipient has blocked",
            r"does not accept mail from",
            r"user (?:has )?(?:rejected|refused)",
            r"filtered",
        ),
    ),
    (
        "policyviolation",
        _any(r"polic(?:y|ies)", r"prohibited", r"not allowed", r"violat", r"not authori[sz]ed"),
    ),
    (
        "notaccept",
        _any(
            r"does not accept (?:e-?)?mail",
            r"null mx",
            r"not accepting",
            r"no (?:mail|smtp) service",
            r"accepts no mail",
            r"doesn't receive (?:e-?)?mail",
        ),
    ),
    (
        "securityerror",
        _any(
            r"starttls",
            r"tls (?:is )?required",
            r"encryption (?:is )?required",
            r"authentication (?:is )?required",
            r"certificate",
        ),
    ),
    (
        "expired",
        _any(
            r"retry time(?:out)? (?:exceeded|reached)",
            r"giving up",
            r"given up",
            r"(?:queue|delivery) time (?:expired|limit)",
            r"message (?:has )?expired",
            r"cannot send message for \d+",
            r"could not be delivered for \d+",
            r"too long in (?:the )?queue",
            r"retry timeout",
            r"envelope expired",
            r"failed \d+ attempts",
        ),
    ),
    (
        "networkerror",
        _any(
            r"connection (?:timed out|refused|reset|lost|closed)",
            r"timed out",
            r"no route to host",
            r"network error",
            r"network is unreachable",
            r"lost connection",
            r"(?:could not|couldn't|unable to) connect",
            r"mail (?:for .{0,60})?loops? back",
            r"routing loop",
            r"too many hops",
            r"mail loop",
            r"did not accept our requests to connect",
            r"not responding",
        ),
    ),
    (
        "systemfull",
        _any(r"insufficient (?:system )?storage", r"disk full", r"out of (?:disk|storage)"),
    ),
    ("notcompliantrfc", _any(r"rfc ?5322", r"rfc ?2822", r"not rfc")),
    (
        "syntaxerror",
        _any(r"syntax error", r"command unrecognized", r"bad sequence", r"not implemented"),
    ),
    ("mailererror", _any(r"mailer error", r"command died", r"pipe to |pipe to program")),
    (
        "systemerror",
        _any(
            r"system error",
            r"internal (?:server )?error",
            r"configuration error",
            r"temporary (?:local )?problem",
            r"local error",
            r"duplicated message-id",
        ),
    ),
)

_LIMIT = 4000  # characters of diagnostic text read: the reason is in the first lines


def classify(status: str | None, text: str, action: str | None = None) -> str:
    """The reason class for one recipient, from its status code and the server's words."""
    if action in ("delivered", "relayed", "expanded") or (status or "").startswith("2."):
        return "delivered"
    detail = None if status is None else status.split(".", 1)[1]
    text = text[:_LIMIT]
    for name, pattern in _OVERRIDE:
        if pattern.search(text):
            return name
    if detail in _DECISIVE:
        return _DECISIVE[detail]
    for name, pattern in _TEXT:
        if pattern.search(text):
            return name
    if detail in _BY_CODE:
        return _BY_CODE[detail]
    if detail is not None and detail.split(".")[0] in _BY_SUBJECT:
        return _BY_SUBJECT[detail.split(".")[0]]
    if action == "delayed":
        return "expired" if "expired" in text.lower() else "networkerror"
    return "onhold" if not text.strip() else "undefined"


def describe(reason: str) -> Reason:
    return REASONS.get(reason, REASONS["undefined"])
