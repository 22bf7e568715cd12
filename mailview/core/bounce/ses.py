"""Amazon SES bounce and complaint notifications, delivered as JSON by Amazon SNS.

SES writes no DSN when it notifies by SNS: the body is a JSON document (or an SNS
envelope whose "Message" is that document as a string) with `notificationType`
Bounce, Complaint or Delivery and one entry per recipient in `bounce.bouncedRecipients`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mailview.core.bounce.entry import recipient
from mailview.core.bounce.model import BounceReport
from mailview.core.model import HeaderField

MAX_JSON = 256 * 1024


def read_ses(headers: dict[str, HeaderField], texts: list[str]) -> BounceReport | None:
    sender = headers.get("from")
    if sender is None or "amazonaws.com" not in sender.value.lower():
        return None
    for text in texts:
        document = _notification(text)
        if document is not None:
            return _report(document)
    return None


def _notification(text: str) -> dict[str, Any] | None:
    start = text.find("{")
    if start < 0 or len(text) > MAX_JSON:
        return None
    body = text[start : text.rfind("}") + 1]
    document = None
    # Some mail systems fold long lines of the JSON body: undo the folds if it fails.
    for candidate in (body, re.sub(r"\r?\n[ \t]?", "", body)):
        try:
            document = json.loads(candidate)
            break
        except ValueError:
            continue
    if isinstance(document, dict) and isinstance(document.get("Message"), str):
        try:
            document = json.loads(document["Message"])
        except ValueError:
            return None
    if isinstance(document, dict) and "notificationType" in document:
        return document
    return None


def _report(document: dict[str, Any]) -> BounceReport:
    kind = str(document.get("notificationType", "")).lower()
    if kind == "complaint":
        complaint = _dict(document.get("complaint"))
        return BounceReport(
            kind="feedback",
            outcome="feedback",
            reporting_mta=None,
            received_from_mta=None,
            arrival_date=_text(complaint.get("arrivalDate")),
            recipients=(),
            recipient_count=0,
            original=None,
            headline="",
            family="Amazon SES",
            feedback_type=_text(complaint.get("complaintFeedbackType")) or "abuse",
        )
    bounce = _dict(document.get("bounce") or document.get("delivery"))
    entries = bounce.get("bouncedRecipients") or bounce.get("recipients") or []
    soft = str(bounce.get("bounceType", "")).lower() == "transient"
    delivered = kind == "delivery"
    recipients = []
    for entry in entries[:500] if isinstance(entries, list) else []:
        item = _dict(entry) if isinstance(entry, dict) else {"emailAddress": entry}
        status = _text(item.get("status"))
        action = "delivered" if delivered else _text(item.get("action")) or "failed"
        if soft and action == "failed":
            action = "delayed"
        diagnostic = _text(item.get("diagnosticCode")) or _text(bounce.get("smtpResponse"))
        recipients.append(
            recipient(
                address=_text(item.get("emailAddress")),
                action=action,
                status=None if status is None else status.strip(),
                diagnostic=diagnostic,
                remote=_text(bounce.get("remoteMtaIp")),
                last_attempt=_text(bounce.get("timestamp")),
            )
        )
    return BounceReport(
        kind="ses",
        outcome="unknown",
        reporting_mta=_text(bounce.get("reportingMTA")),
        received_from_mta=None,
        arrival_date=_text(bounce.get("timestamp")),
        recipients=tuple(recipients),
        recipient_count=len(entries) if isinstance(entries, list) else 0,
        original=None,
        headline="",
        family="Amazon SES",
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    if text.startswith("dsn;"):
        text = text[4:].strip()
    return text or None
