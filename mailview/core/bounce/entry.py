"""One recipient's entry of a delivery report, with its reason and words for people."""

from __future__ import annotations

import re

from mailview.core import ascii_re
from mailview.core.bounce.model import BounceRecipient
from mailview.core.bounce.reasons import classify, describe
from mailview.core.bounce.status import explain
from mailview.core.dates import parse_date

# RFC 5321 §4.2.1: every line of a multiline reply repeats the code ("550-5.7.26 …");
# once the lines are joined, the repeats are noise.
_REPLY_START = re.compile(r"([245]\d\d)[- ]((?:[245]\.\d{1,3}\.\d{1,3} )?)")


def tidy_reply(text: str) -> str:
    """A joined multiline reply with its code said once."""
    start = _REPLY_START.match(text)
    if start is None:
        return text
    repeat = re.compile(r"\s" + start.group(1) + r"[- ]" + re.escape(start.group(2)))
    return text[: start.end()] + repeat.sub(" ", text[start.end() :])


def action_of(status: str | None) -> str | None:
    """RFC 3464 §2.3.3 requires Action; when it is missing the status class tells."""
    if status is None:
        return None
    return {"2": "delivered", "4": "delayed", "5": "failed"}.get(status[0])


# A prose notice has no Action field; its own words say whether the sender's server is
# still trying (a warning) or has stopped, whatever the class of the code it quotes.
_STILL_TRYING = re.compile(
    r"only a temporary failure|(?:will|shall) (?:continue|keep) (?:trying|to try|retrying)|"
    r"delivery attempts will continue|has not yet been delivered|"
    r"this is a warning message only|warning: could not send message for past|"
    r"(?:do not|don't) need to re-?send",
    re.I,
)
_GAVE_UP = re.compile(
    r"failed permanently|permanent (?:error|failure)|giving up|gave up|"
    r"will be deleted from (?:the )?queue|will not (?:be )?retr(?:y|ied)",
    re.I,
)


def notice_action(status: str | None, words: str) -> str:
    """What became of a recipient named in a prose notice (no RFC 3464 Action field)."""
    action = action_of(status)
    if action == "delivered":
        return action
    if ascii_re.search(_STILL_TRYING, words):
        return "delayed"
    if ascii_re.search(_GAVE_UP, words):
        return "failed"
    return action or "failed"


def recipient(
    *,
    address: str | None,
    original: str | None = None,
    action: str | None,
    status: str | None,
    reply: str | None = None,
    diagnostic: str | None,
    remote: str | None = None,
    last_attempt: str | None = None,
    retry_until: str | None = None,
    context: str = "",
) -> BounceRecipient:
    """One recipient's entry, with the reason class and the words for people."""
    diagnostic = None if diagnostic is None else tidy_reply(diagnostic)
    # When the diagnostic says too little, the notice's words about this recipient may not.
    reason = classify(status, diagnostic or context, action, remote, context)
    words = describe(reason)
    attempt = None if last_attempt is None else parse_date(last_attempt)
    permanent = None
    if action in ("failed", "delayed"):
        permanent = action == "failed" and not (status or "5").startswith("4")
    return BounceRecipient(
        address=address,
        original_recipient=original,
        action=action,
        status=status,
        reply_code=reply,
        reason=reason,
        diagnostic=diagnostic,
        remote_mta=remote,
        last_attempt=last_attempt,
        last_attempt_utc=None if attempt is None else attempt.utc,
        will_retry_until=retry_until,
        explanation=explain(status, action),
        sentence=words.sentence,
        hint=words.hint,
        permanent=permanent,
    )
