"""Why delivery failed, as a reason class, with a sentence and a hint for each class.

The class names follow the vocabulary of the Sisimai bounce analyser (userunknown,
mailboxfull, hostunknown, …) so results can be compared with it. Precedence of evidence,
strongest first:

1. words that outweigh any code (a 5.1.1 that says "blacklisted" is a block);
2. the receiving provider's own phrases, for big providers whose wording means something
   only on their servers (Yahoo's "is no longer valid" is a closed account);
3. a status code specific enough to settle it alone (5.1.1 is a missing mailbox);
4. the remote server's own words, most specific classes first; steps 1 to 4 read the
   diagnostic first, then the notice's words about the recipient;
5. what the code's subject and detail suggest ("4.4.1" is a network error);
6. the SMTP command the server refused: a refusal at MAIL FROM is about the sender, at
   the greeting or HELO about the sending server; only when the code said nothing sharper;
7. the code's class: "5.7.x" is "security or policy". A recipient that "failed" with a
   temporary (4.x.x) code that names no cause, or names a network error, was retried
   until the sender's server gave up: expired.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from mailview.core.ascii_re import ascii_alike, twin
from mailview.core.lazy_re import LazyPattern


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
        "The recipient's servers could not be reached for the whole retry period; "
        "check their MX records and send again.",
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
        "The sending server asked too much at once (connections, or recipients per message).",
        "Lower the number of simultaneous connections and of recipients per message "
        "to this receiver.",
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

# Codes that settle the class whatever the text says (subject.detail). X.2.0 "other
# mailbox status" is deliberately absent: it is said of full, disabled and missing
# mailboxes alike, so only the words can tell.
_DECISIVE = {
    "1.1": "userunknown",
    "1.2": "hostunknown",
    "1.3": "userunknown",
    "1.6": "hasmoved",
    "1.10": "notaccept",
    "2.2": "mailboxfull",
    "2.3": "exceedlimit",
    "3.4": "mesgtoobig",
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
    # X.4.7 "delivery time expired" is how the retrying server reports giving up; the last
    # error it quotes ("452 4.4.5 Insufficient disk space") says why, when it says anything.
    "4.7": "expired",
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


def _any(*phrases: str) -> LazyPattern[str]:
    # Compiled on first use: a report's reason is mostly settled by its status code or
    # the first tables, and the phrases of a provider are read only for its own servers.
    return LazyPattern("|".join(f"(?:{p})" for p in phrases), re.I)


# Words that outweigh even a decisive code: servers send 5.1.1 with "too many
# recipients this hour" or "IP blacklisted", and the words are the truth.
_OVERRIDE: tuple[tuple[str, LazyPattern[str]], ...] = (
    ("virusdetected", _any(r"\bvirus", r"malware")),
    # Complaints from users are what a reputation is made of; a deferral "due to volume or
    # complaints" is the receiver's verdict on the sending IP's standing, not a rate limit.
    ("badreputation", _any(r"reputation", r"\bcomplaints\b")),
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
    # A blocklisted sender address is about the envelope sender, not the sending server.
    (
        "rejected",
        _any(
            r"(?:sender|from) (?:e-?mail )?address (?:has been |is )?black ?listed",
            r"(?:to/)?from an address that has been black ?listed",
        ),
    ),
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
            # "messages from 192.0.2.1 weren't sent", "unwanted messages … from the following
            # IP address": the sending address itself is what is refused.
            r"messages? from \[?\d{1,3}(?:\.\d{1,3}){3}\]? (?:were|was|are|is)n'?t",
            r"(?:sent|coming) from (?:the following |your |this )?ip address",
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
_TEXT: tuple[tuple[str, LazyPattern[str]], ...] = (
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
            r"reverse[ -]?dns",
            r"\bptr\b",
            r"\brdns\b",
            r"reverse (?:lookup|name)",
            r"cannot (?:find|resolve) your (?:hostname|host name|address)",
            r"ip name lookup failed",
            r"unresolvable relay host",
            # The name the sending server gave does not lead back to its address.
            r"mismatches client ip",
            r"generic dns",
        ),
    ),
    # The message's own header breaks RFC 5322 (two From: fields, no Date:): the words are
    # specific, so they go before the broad spam and policy tables.
    (
        "notcompliantrfc",
        _any(
            r"rfc ?5322",
            r"rfc ?2822",
            r"not rfc",
            r"rfc ?message ?non ?compliant",
            r"duplicated? (?:\S+ )?headers?\b",
            r"\bmultiple \S+ (?:headers?|header fields?)\b",
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
            r"(?:disabled|suspended|deactivated|inactive|locked|not active|frozen|terminated)",
            r"recipient suspend",
            r"mailbox (?:has been )?(?:disabled|suspended)",
            r"account (?:is )?(?:expired|unavailable)",
            # The account exists but was switched off: said of the address, not the server.
            r"(?:is|has been) (?:currently |temporarily )?suspended",
            r"inactive (?:account|user|mailbox|recipient)",
            r"disabled or discontinued",
            r"no longer accepts (?:e-?)?mail",
            r"temporar(?:y|ily) (?:locked|inactive)",
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
            r"malformed (?:recipient )?address",
            r"incorrectly constructed",
            r"unknown in (?:virtual|local|relay) (?:mailbox|recipient|alias)",
            r"mailbox .{0,20}does not exist",
            r"no valid recipients",
            r"not a registered (?:gateway )?user",
            # Postfix access-table refusal of the address itself, also Microsoft's directory
            # edge blocking ("5.4.1 Recipient address rejected: Access denied").
            r"recipient address rejected: access denied",
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
        _any(
            r"spam",
            r"unsolicited",
            r"bulk (?:e-?)?mail",
            r"junk mail",
            r"\bu[bc]e\b",
            # Content scanners that do not say "spam".
            r"content filter",
            r"(?:unacceptable|banned) content",
            r"mail content denied",
        ),
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
            # Refusals of the sending machine: its greeting name, its address range, open proxy.
            r"helo command rejected",
            r"bad helo",
            r"helo/ehlo argument",
            r"dynamic ip",
            r"open proxy",
            r"banned sender\b",
            r"not in (?:the )?(?:white|allow) ?list",
            r"(?:mail|e-?mail) over ipv6",
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
            r"too many messages",
            r"throttl",
            r"sending rate",
            r"unusual rate",
            r"receiving mail (?:too quickly|at a rate)",
            r"try again slower",
        ),
    ),
    (
        "toomanyconn",
        _any(
            r"too many (?:connections|concurrent|simultaneous)",
            r"connection (?:frequency|rate) limit",
            # RFC 5321 §4.5.3.1.10: a limit on recipients per message, not a sending rate.
            r"too many recipients",
            r"max(?:imum)? (?:number of )?messages? per connection",
        ),
    ),
    (
        "rejected",
        _any(
            r"sender (?:address )?(?:rejected|refused|denied|verify failed|blocked)",
            r"sender .{0,40}(?:rejected|not allowed)",
            r"mail from .{0,60}(?:rejected|refused)",
            r"domain of sender address .{0,40}(?:does not|not) (?:exist|resolve)",
            r"address is not verified",
            r"unroutable sender",
            # The envelope sender or the From: domain is what the receiver could not accept.
            r"(?:from|sender)(?::| address)? domain (?:is )?(?:invalid|unresolvable|empty)",
            r"provide a valid from",
            r"invalid sender",
            r"(?:null|empty) (?:envelope )?senders? (?:is |are )?not allowed",
            r"bogus mail from",
            r"\bbatv\b",
            r"not (?:allowed|permitted) to post",
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
    # Only an explicit policy: "not allowed" or "not authorised" alone is what every refusal
    # says, and a 5.7.x that gives no rule is a security refusal (the code's subject decides).
    (
        "policyviolation",
        _any(
            r"polic(?:y|ies)",
            r"protocol violation",
            r"header error",
            r"illegal attachment",
            r"attachments? (?:type )?(?:is |are )?not (?:allowed|accepted)",
            r"members-only|closed mailing list|not subscribed to this group",
            r"organi[sz]ational settings",
            r"mass mailer",
        ),
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
            # A time limit stated: "not delivered within 0 days and 1 hours", "for 5 days".
            r"(?:not (?:been )?|could not be |unable to be )delivered (?:with)?in \d+",
            r"unable to deliver .{0,40}after (?:multiple|several|\d+) (?:retries|attempts)",
            r"(?:delivery|message) (?:time )?(?:expired|timed out)",
            r"(?:too long|sitting) in (?:the )?queue",
            r"failing for a long time",
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
            # A DNS lookup that failed (timeout, SERVFAIL, garbled reply) says nothing about
            # whether the domain exists; NXDOMAIN is in the hostunknown table above.
            r"name service error",
            r"host ?name lookup fail",
            r"name ?server (?:reply|failure|timeout)",
            r"not responding",
        ),
    ),
    (
        "systemfull",
        _any(
            r"insufficient (?:system )?storage",
            r"insufficient disk space",
            r"disk full",
            r"out of (?:disk|storage)",
        ),
    ),
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
            r"could not load\b",
            r"queue file write error",
            r"local error in processing",
            r"service currently unavailable",
            r"interrupted system call",
        ),
    ),
)


# Providers whose phrases or own error codes mean something only on their servers,
# recognised by the remote server's name, or by the provider's error-code style quoted in
# the text. Each maps its phrases, then its codes (as its postmaster pages document
# them), to a class; a code it documents as vague maps to nothing and the general tables
# decide.
class _Provider(NamedTuple):
    hosts: LazyPattern[str]
    rules: tuple[tuple[str, LazyPattern[str]], ...]
    code: LazyPattern[str] | None  # group 1 is the provider's own code
    codes: dict[str, str]


_PROVIDERS: tuple[_Provider, ...] = (
    # Yahoo (mail servers named *.yahoodns.net): the wording of its postmaster pages.
    _Provider(
        _any(r"yahoodns\.net", r"\.yahoo\.com\b", r"postmaster\.(?:yahoo|yahooinc|verizonmedia)"),
        (
            ("suspend", _any(r"is no longer valid", r"mailbox is disabled")),
            ("rejected", _any(r"permanently deferred", r"unresolvable rfc\.?5321")),
        ),
        None,
        {},
    ),
    # Orange and La Poste end each refusal with a code such as "OFR006_102", "LPN007_420"
    # or "ofr_506"; the last three digits name the reason.
    _Provider(
        _any(r"orange\.fr", r"wanadoo\.fr", r"laposte\.net", r"\b(?:ofr|lpn)\w*_\d{3}\b"),
        (("authfailure", _any(r"spf/dns de votre nom de domaine")),),
        _any(r"\b(?:lpn|lpnaaa|ofr|ouk)(?:\d{3}[-_]|_)(\d{3})\b"),
        {
            **dict.fromkeys(("101", "102", "103", "510", "999"), "blocked"),  # sending IP
            "104": "toomanyconn",
            **dict.fromkeys(("305", "402"), "securityerror"),  # authentication required
            **dict.fromkeys(("401", "517"), "authfailure"),  # SPF, DMARC
            **dict.fromkeys(("403", "405", "415", "421"), "rejected"),  # invalid sender
            "416": "userunknown",
            "417": "mailboxfull",
            **dict.fromkeys(("420", "426"), "suspend"),  # archived, blocked account
            "505": "systemerror",
            "506": "spamdetected",
            "514": "mesgtoobig",
            "630": "policyviolation",
        },
    ),
    # Cox quotes its acceptable-use codes as "AUP#CXBL"; the letters name the reason.
    _Provider(
        _any(r"\bcox\.net\b", r"\baup#"),
        (("toomanyconn", _any(r"too many sessions from", r"message threshold exceeded")),),
        _any(r"\baup#([a-z]+)"),
        {
            **dict.fromkeys(("cxbl", "cdrbl", "ipbl"), "blocked"),
            "cxdns": "requireptr",
            "cxsndr": "authfailure",
            "cxsmtp": "rejected",
            **dict.fromkeys(("cxcnct", "cxmxrt"), "toomanyconn"),
            **dict.fromkeys(("cxthrt", "cxmj"), "securityerror"),
            "urlbl": "spamdetected",
        },
    ),
)

# RFC 3464 §2.3.6 Diagnostic-Code texts of Postfix, Exim and sendmail name the command the
# server answered: "(in reply to MAIL FROM command)", "after RCPT TO", "after initial
# connection".
_AT_SENDER = _any(r"(?:in reply to|after) mail from\b", r"\bmail from command")
_AT_GREETING = _any(
    r"(?:in reply to|after) (?:ehlo|helo)\b",
    r"after (?:the )?initial connection",
    r"in reply to (?:the )?(?:initial )?greeting",
)

_LIMIT = 4000  # characters of diagnostic text read: the reason is in the first lines


def _first(rules: tuple[tuple[str, LazyPattern[str]], ...], text: str) -> str | None:
    if ascii_alike(text):  # the usual case: read by the faster ASCII twins, same answers
        return next((name for name, pattern in rules if twin(pattern.compiled).search(text)), None)
    return next((name for name, pattern in rules if pattern.search(text)), None)


def _provider(text: str, remote: str | None) -> str | None:
    where = f"{remote or ''} {text}"
    for provider in _PROVIDERS:
        if not provider.hosts.search(where):
            continue
        found = _first(provider.rules, text)
        code = None if provider.code is None else provider.code.search(text)
        if found is None and code is not None:
            found = provider.codes.get(code.group(1).lower())
        if found is not None:
            return found
    return None


def _by_code(detail: str | None) -> str | None:
    if detail in _BY_CODE:
        return _BY_CODE[detail]
    if detail is not None and detail.split(".")[0] in _BY_SUBJECT:
        return _BY_SUBJECT[detail.split(".")[0]]
    return None


def _by_command(text: str) -> str | None:
    if _AT_SENDER.search(text):
        return "rejected"
    if _AT_GREETING.search(text):
        return "blocked"
    return None


def _by_words(detail: str | None, text: str, remote: str | None) -> str | None:
    """Steps 1 to 4 of the precedence."""
    found = _first(_OVERRIDE, text) or _provider(text, remote)
    if found is None and detail in _DECISIVE:
        found = _DECISIVE[detail]
    return found or _first(_TEXT, text)


def classify(
    status: str | None,
    text: str,
    action: str | None = None,
    remote: str | None = None,
    context: str = "",
) -> str:
    """The reason class for one recipient, from its status code, the server's words, the
    server's name, and the notice's words about it (`context`, read when the server's
    words tell nothing). Precedence in the module's docstring."""
    if action in ("delivered", "relayed", "expanded") or (status or "").startswith("2."):
        return "delivered"
    words = (status, text[:_LIMIT], action, remote, context[:_LIMIT])
    # Remembered only with a server name of ordinary length: a key holds what it is given.
    return _classify(*words) if len(remote or "") <= _LIMIT else _classify.__wrapped__(*words)


# A report that lists hundreds of recipients usually says the same of each: the same words
# are classified once (a hostile one with 4,000 characters for each took seconds).
@functools.lru_cache(maxsize=256)
def _classify(
    status: str | None, text: str, action: str | None, remote: str | None, context: str
) -> str:
    detail = None if status is None else status.split(".", 1)[1]
    found = _by_words(detail, text, remote) or _by_words(detail, context, remote)
    if found is None:
        found = _by_code(detail)
        if found is None or found == "securityerror":
            # "5.7.1 Access denied (in reply to MAIL FROM command)" is about the sender.
            found = _by_command(f"{text}\n{context}") or found
    given_up = action == "failed" and (status or "").startswith("4.")
    if found == "networkerror" and given_up:
        # RFC 3464 §2.3.3: "failed" is final. A temporary network error retried until the
        # sender's server gave up is an expired delivery time.
        return "expired"
    if found is not None:
        return found
    if action == "delayed":
        return "expired" if "expired" in f"{text} {context}".lower() else "networkerror"
    if given_up:
        return "expired"
    return "onhold" if not (text.strip() or context.strip()) else "undefined"


def describe(reason: str) -> Reason:
    return REASONS.get(reason, REASONS["undefined"])
