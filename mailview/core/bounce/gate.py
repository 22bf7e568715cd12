"""Whether a message might be a delivery report at all: the cheap test ordinary mail fails.

Apart from the readers so that ordinary mail never loads them (nor Mailman's bounce
detectors, nor the tables of bounce reasons): `read_bounce` asks this first and imports
the readers only for a message that passes.
"""

from __future__ import annotations

import email.errors
import re

from mailview.core.bounce.model import BounceReport
from mailview.core.model import HeaderField, LoadedMessage
from mailview.core.summary import decode_words, first_values

DAEMON = re.compile(
    r"mailer-daemon|postmaster|mail delivery|mail administrator|mmsc ndr|"
    r"\bmailer\b|system administrator|delivery (?:subsystem|system)|mail\.delivery\.system|"
    r"\bno-?reply@|-admin@|\bowner-",
    re.I,
)
SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status|failure|failed|has failed|notification|report|"
    r"problem)|returned mail|failure notice|mail delivery failed|could not be delivered|"
    r"non-?delivery|mail system error|delivery failure|loop alert|error sending|"
    r"delayed mail|warning: could not send|message you sent blocked|mail failure|"
    r"considered unsolicited|returned to sender|message delivery has failed|"
    r"delivery notification|mail could not be delivered|rejected|unzustellbar|"
    r"non remis|no entregado|не доставлено|недоставленное|配信",
    re.I,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|out of (?:the )?office|"
    r"auto:|abwesenheit|vacation|absence|自動応答|不在)",
    re.I,
)

# What the stdlib parser and codecs raise on hostile bytes: such a message is not read
# as a report rather than lost.
UNREADABLE_ERRORS = (
    ValueError,
    LookupError,
    TypeError,
    IndexError,
    AttributeError,
    UnicodeError,
    RecursionError,
    email.errors.MessageError,
)


def read_bounce(message: LoadedMessage) -> BounceReport | None:
    """What the delivery report in `message` says; None when it is not one."""
    try:
        headers = first_values(message.headers)
        if not might_be_report(headers, message.body):
            return None
    except UNREADABLE_ERRORS:
        return None
    from mailview.core.bounce import read  # noqa: PLC0415 - the readers, for reports only

    return read.read_bounce(message, headers)


# What a report's body shows of itself before any MIME parsing: a delivery-status or
# feedback-report part (RFC 3464 §2, RFC 5965 §3), or the per-recipient fields of a
# DSN pasted as plain text.
_BODY_MARKS = (b"delivery-status", b"feedback-report", b"-recipient:")
_MARK_BYTES = 100_000


def might_be_report(headers: dict[str, HeaderField], body: bytes) -> bool:
    """Cheap test that every kind of report `read.py` reads passes; most mail fails it.

    Each reader needs one of these: a report content type or report part (DSN, ARF),
    a daemon or Amazon sender, a null Return-Path or a notice's subject (prose
    notices, SES), or an auto-reply marker (RFC 3834). Parsing the MIME tree only
    then keeps ordinary mail from paying for the stdlib parser a second time.
    """
    content_type = value(headers, "content-type").lower()
    sender = value(headers, "from")
    title = subject(headers)
    if (
        "report" in content_type
        or DAEMON.search(sender)
        or "amazonaws.com" in sender.lower()
        or ("return-path" in headers and value(headers, "return-path").strip() in ("<>", ""))
        or SUBJECT.search(title)
        or is_autoreply_marked(headers)
    ):
        return True
    head = body[:_MARK_BYTES].lower()
    return any(mark in head for mark in _BODY_MARKS)


# Characters of a subject read: a notice's subject is one line, and testing the patterns
# above on a subject folded over 200 KB took longer than reading a whole bounce.
MAX_SUBJECT = 1000


def subject(headers: dict[str, HeaderField]) -> str:
    """The decoded subject, its first `MAX_SUBJECT` characters."""
    found = headers.get("subject")
    return "" if found is None else decode_words(found.value[: MAX_SUBJECT * 4])[:MAX_SUBJECT]


def value(headers: dict[str, HeaderField], name: str) -> str:
    """The decoded value of the first header `name` (lower case); "" without one."""
    found = headers.get(name)
    return "" if found is None else decode_words(found.value)


def is_autoreply_marked(headers: dict[str, HeaderField]) -> bool:
    """The auto-reply markers alone, whatever the subject otherwise says."""
    auto = value(headers, "auto-submitted").strip().lower()
    if auto.startswith("auto-replied"):
        return True
    if any(name in headers for name in ("x-autoreply", "x-autorespond", "x-autoresponse")):
        return True
    if value(headers, "precedence").strip().lower() == "auto_reply":
        return True
    return bool(_AUTO_SUBJECT.search(subject(headers)))
