"""The `bounce` key of the JSON report: what a delivery report says (null for ordinary mail)."""

from __future__ import annotations

from typing import Any

from mailview.core.bounce import BounceRecipient, BounceReport, OriginalRef
from mailview.export.text_bounce import selector

JsonDict = dict[str, Any]


def bounce_to_dict(report: BounceReport, message_count: int = 1) -> JsonDict:
    return {
        "kind": report.kind,
        "is_delivery_report": report.is_delivery_report,
        "outcome": report.outcome,
        "headline": report.headline,
        "reporting_mta": report.reporting_mta,
        "received_from_mta": report.received_from_mta,
        "arrival_date": report.arrival_date,
        "feedback_type": report.feedback_type,
        "family": report.family,
        "recipient_count": report.recipient_count,
        "recipients": [_recipient(r) for r in report.recipients],
        "original": None if report.original is None else _original(report.original, message_count),
        "notes": list(report.notes),
    }


def _recipient(entry: BounceRecipient) -> JsonDict:
    last = entry.last_attempt_utc
    return {
        "address": entry.address,
        "original_recipient": entry.original_recipient,
        "status": entry.status,
        "reply_code": entry.reply_code,
        "action": entry.action,
        "permanent": entry.permanent,
        "severity": _severity(entry),
        "state": entry.state,
        "reason": entry.reason,
        "diagnostic": entry.diagnostic,
        "remote_mta": entry.remote_mta,
        "last_attempt": entry.last_attempt,
        "last_attempt_utc": None if last is None else last.replace(tzinfo=None).isoformat() + "Z",
        "will_retry_until": entry.will_retry_until,
        "explanation": entry.explanation,
        "sentence": entry.sentence,
        "hint": entry.hint,
    }


def _severity(entry: BounceRecipient) -> str | None:
    """hard (permanent) or soft (temporary) failure; null when it did not fail."""
    if entry.permanent is None:
        return None
    return "hard" if entry.permanent else "soft"


def _original(original: OriginalRef, message_count: int) -> JsonDict:
    return {
        "address": None if original.address is None else list(original.address),
        "message_selector": None
        if original.address is None
        else selector(original.address, message_count),
        "label": original.label,
        "headers_only": original.headers_only,
        "subject": original.subject,
        "from": original.from_,
        "to": original.to,
        "message_id": original.message_id,
        "date": original.date,
    }
