"""What a delivery report says: who failed, where, with which code, and why in words."""

from __future__ import annotations

from datetime import datetime

from mailview.core.record import record

# Kinds of report: an RFC 3464 delivery status notification, a non-standard notice in
# prose (qmail, Exim, Exchange 2003, …), an Amazon SES notification, an RFC 3834
# automatic reply, an RFC 5965 feedback (abuse) report. Only "dsn", "ndr" and "ses" are
# delivery reports; the others are recognised so that they are not called bounces.
DELIVERY_KINDS = ("dsn", "ndr", "ses")


@record
class BounceRecipient:
    address: str | None  # Final-Recipient, or the address the notice names
    original_recipient: str | None  # Original-Recipient (RFC 3461 ORCPT), when given
    action: str | None  # failed | delayed | delivered | relayed | expanded (RFC 3464 §2.3.3)
    status: str | None  # RFC 3463 code, "5.1.1"
    reply_code: str | None  # the SMTP reply code in the diagnostic, "550"
    reason: str  # class name (Sisimai's vocabulary)
    diagnostic: str | None  # the remote server's own words
    remote_mta: str | None  # the server that refused (RFC 3464 Remote-MTA)
    last_attempt: str | None  # Last-Attempt-Date as written
    last_attempt_utc: datetime | None
    will_retry_until: str | None
    explanation: str  # the status code in plain words
    sentence: str  # the reason in plain words
    hint: str  # what to do about it
    permanent: bool | None  # hard (True) or soft (False) failure; None: not a failure

    @property
    def state(self) -> str:
        """What became of the delivery, for people: "failed, hard", "delayed, soft …".

        RFC 3464 §2.3.3: "failed" is final. A failed recipient with a temporary (4.X.XXX)
        code was retried until the sender's server gave up; calling it "soft (temporary)"
        would tell an admin that delivery is still being attempted.
        """
        if self.action == "failed":
            if self.permanent is False:
                return "failed after retrying (temporary error, given up)"
            return "failed, hard"
        if self.action == "delayed":
            return "delayed, soft (still being retried)"
        return self.action or "unknown"


@record
class OriginalRef:
    """The returned message: attached (reachable with --message) or quoted in the text."""

    address: tuple[int, ...] | None  # LoadedMessage address; None when only quoted inline
    label: str
    headers_only: bool  # only its header block came back (text/rfc822-headers)
    subject: str | None
    from_: str | None
    to: str | None
    message_id: str | None
    date: str | None


@record
class BounceReport:
    kind: str  # dsn | ndr | ses | autoreply | feedback
    outcome: str  # failed | delayed | delivered | mixed | autoreply | feedback | unknown
    reporting_mta: str | None  # the server that wrote the report
    received_from_mta: str | None  # who handed it the message (RFC 3464 §2.2.4)
    arrival_date: str | None
    recipients: tuple[BounceRecipient, ...]
    recipient_count: int  # recipients read; more than listed when the list was capped
    original: OriginalRef | None
    headline: str  # one line for people: "Delivery to x@y failed: the mailbox does not exist."
    family: str | None = None  # which software or provider wrote it, when known
    feedback_type: str | None = None  # ARF Feedback-Type (abuse, auth-failure, …)
    notes: tuple[str, ...] = ()

    @property
    def is_delivery_report(self) -> bool:
        return self.kind in DELIVERY_KINDS

    @property
    def failed(self) -> tuple[BounceRecipient, ...]:
        return tuple(r for r in self.recipients if r.action in ("failed", "delayed"))
