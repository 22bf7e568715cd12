"""Enhanced mail system status codes (RFC 3463, registry of RFC 5248) in plain words.

A code is `class.subject.detail`. RFC 3463 §3.1: "2.X.XXX Success", "4.X.XXX Persistent
Transient Failure" (may succeed if sent again unchanged), "5.X.XXX Permanent Failure".
The subject says which part of the system failed (§3.2); the detail, with the subject,
what exactly. Codes nobody registered still get their class and subject in words.
"""

from __future__ import annotations

import re

# RFC 3463 §2: status-code = class "." subject "." detail;
#   class = "2"/"4"/"5"; subject = 1*3digit; detail = 1*3digit
STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)")

CLASSES = {
    "2": "success",
    "4": "temporary failure (the sender's server keeps retrying)",
    "5": "permanent failure (the message will not be delivered)",
}

SUBJECTS = {
    "0": "other or undefined status",
    "1": "addressing",
    "2": "the recipient's mailbox",
    "3": "the receiving mail system",
    "4": "network and routing",
    "5": "mail delivery protocol",
    "6": "message content or media",
    "7": "security or policy",
}

# Subject.detail in plain words (RFC 3463 §3.3-3.9 and the RFC 5248 registry).
DETAILS = {
    "0.0": "no further detail was given",
    "1.0": "something about the address is wrong",
    "1.1": "the mailbox does not exist at that domain",
    "1.2": "the recipient's domain does not exist or cannot receive mail",
    "1.3": "the recipient address is not a valid address",
    "1.4": "the address matches more than one recipient",
    "1.5": "the recipient address is valid (success)",
    "1.6": "the mailbox has moved and no forwarding address is known",
    "1.7": "the sender's address is not valid",
    "1.8": "the sender's domain is not valid",
    "1.9": "the message was relayed to a system that does not speak SMTP",
    "1.10": "the recipient's domain accepts no mail at all (null MX)",
    "2.0": "something is wrong with the mailbox",
    "2.1": "the mailbox is disabled and accepts no messages",
    "2.2": "the mailbox is full",
    "2.3": "the message is larger than the mailbox accepts",
    "2.4": "a mailing list could not be expanded",
    "3.0": "the receiving mail system had a problem",
    "3.1": "the receiving mail system is out of storage",
    "3.2": "the receiving system is not accepting messages now",
    "3.3": "the receiving system cannot handle a feature the message needs",
    "3.4": "the message is too big for the receiving system",
    "3.5": "the receiving system is misconfigured",
    "3.6": "the requested priority was changed",
    "4.0": "a network or routing problem",
    "4.1": "the receiving server did not answer",
    "4.2": "the connection to the receiving server broke off",
    "4.3": "a directory server (such as DNS) failed",
    "4.4": "the message could not be routed to the recipient's domain",
    "4.5": "the mail system is congested",
    "4.6": "the message was going round in a routing loop",
    "4.7": "delivery took too long and the sender's server gave up",
    "5.0": "something went wrong in the mail protocol",
    "5.1": "the server did not accept a command",
    "5.2": "the server did not understand a command",
    "5.3": "the message had too many recipients",
    "5.4": "a command had invalid arguments",
    "5.5": "the servers speak different protocol versions",
    "5.6": "authentication exchange line too long",
    "6.0": "something is wrong with the message content",
    "6.1": "the content type is not supported",
    "6.2": "the content would have had to be converted, which was not allowed",
    "6.3": "the content could not be converted",
    "6.4": "the content was converted with loss",
    "6.5": "converting the content failed",
    "6.6": "the content is not available",
    "6.7": "non-ASCII addresses are not supported",
    "6.8": "UTF-8 string reply required",
    "6.9": "UTF-8 header message cannot be transferred",
    "6.10": "non-ASCII addresses need a server that supports them",
    "7.0": "a security or policy rule refused the message",
    "7.1": "delivery is not authorised: the message was refused by policy",
    "7.2": "the mailing list could not be expanded because of policy",
    "7.3": "conversion required, but not allowed for security reasons",
    "7.4": "the security features the message needs are not supported",
    "7.5": "cryptographic failure",
    "7.6": "the cryptographic algorithm is not supported",
    "7.7": "the message failed an integrity check",
    "7.8": "the sender's credentials are invalid",
    "7.9": "the authentication mechanism is too weak",
    "7.10": "encryption is needed for this authentication mechanism",
    "7.11": "encryption is required to deliver",
    "7.12": "the sender must change the password",
    "7.13": "the sender's account is disabled",
    "7.14": "the domain does not trust the relay",
    "7.15": "priority level is unsupported",
    "7.16": "the message is too large for the priority level",
    "7.17": "the mailbox owner has changed",
    "7.18": "the domain owner has changed",
    "7.19": "RRVS test cannot be completed",
    "7.20": "no passing DKIM signature was found",
    "7.21": "no acceptable DKIM signature was found",
    "7.22": "no valid author-matched DKIM signature was found",
    "7.23": "the sending server is not allowed by the sender domain's SPF record",
    "7.24": "SPF could not be checked (a DNS error at the sender's domain)",
    "7.25": "the sending server's IP address has no reverse-DNS name",
    "7.26": "the message failed authentication (DMARC: SPF and DKIM did not pass aligned)",
    "7.27": "the sender's domain accepts no mail (null MX), so no bounce could come back",
    "7.28": "mail flood: too many messages of this kind",
    "7.29": "the ARC chain of the message is broken",
    "7.30": "a required TLS connection could not be made",
}


def find_status(text: str) -> str | None:
    """The first RFC 3463 code in `text`, normalised ("5.01.1" becomes "5.1.1")."""
    match = STATUS.search(text)
    if match is None:
        return None
    return ".".join(str(int(part)) for part in match.groups())


def normalise(code: str | None) -> str | None:
    """A Status field's code ("5.1.1 (user unknown)" gives "5.1.1"), None when it has none."""
    return None if code is None else find_status(code)


# RFC 3464 §2.3.3: "failed" means the reporting server will not try again. A 4.X.XXX
# code on a failed recipient is a temporary error that was retried until the server gave
# up, so "keeps retrying" would tell an admin the opposite of the truth.
GIVEN_UP = "temporary error, retried until the sender's server gave up (no more attempts)"


def explain(code: str | None, action: str | None = None) -> str:
    """The code in words: "5.1.1: permanent failure — the mailbox does not exist …"."""
    if code is None:
        return "No status code was given."
    klass, subject, detail = code.split(".")
    what = DETAILS.get(f"{subject}.{detail}")
    if what is None:
        area = SUBJECTS.get(subject, "an unknown area")
        what = f"an unregistered detail code about {area}"
    kind = GIVEN_UP if klass == "4" and action == "failed" else CLASSES.get(klass, "unknown class")
    return f"{code}: {kind} — {what}."


def is_permanent(code: str | None) -> bool | None:
    return None if code is None else code.startswith("5")


def from_reply(reply: str | None) -> str | None:
    """A basic status from a bare SMTP reply code (RFC 5321 §4.2): 550 gives "5.0.0"."""
    if reply is None or reply[0] not in "245":
        return None
    return f"{reply[0]}.0.0"
