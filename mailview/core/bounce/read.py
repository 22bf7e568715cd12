"""Recognise a delivery report and read it: `read_bounce(message)` or None for ordinary mail.

Strategy: the MIME parts are read over the first `PARSE_BYTES` of the body (the report
parts come before the returned original, so a 20 MB original costs nothing), from the
message's own bytes as the stdlib parser would read them (`parts.read_parts`: no second
parse); the stdlib parser itself reads the rare message whose reading takes one of its odd
turns, and makes the `email.message.Message` that Mailman's detectors need, only when they
run. In order:
1. a feedback report (RFC 5965) is a complaint, not a bounce;
2. a message/delivery-status part makes an RFC 3464 DSN, read field by field;
3. an Amazon SES notification (JSON) is read as SES writes it;
4. an automatic reply (RFC 3834) is recognised and not called a bounce;
5. otherwise a message from a mailer daemon that reads like a failure notice is scraped
   as prose (`plain`). Ordinary mail matches none of these and gets None.
"""

from __future__ import annotations

import email
import email.errors
import email.message
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from email._policybase import compat32  # what email.policy re-exports, without its imports
from typing import Protocol

from mailview.core.bounce import dsn, plain, prose
from mailview.core.bounce.entry import action_of, notice_action, recipient
from mailview.core.bounce.gate import UNREADABLE_ERRORS
from mailview.core.bounce.model import BounceRecipient, BounceReport, OriginalRef
from mailview.core.bounce.parts import MAX_PARTS, read_parts
from mailview.core.bounce.ses import read_ses
from mailview.core.bounce.status import find_status, from_reply, normalise
from mailview.core.model import HeaderField, LoadedMessage
from mailview.core.record import record
from mailview.core.summary import decode_words, first_values

MAX_BYTES = 2 * 1024 * 1024  # of the body read for the report parts
# Of the body whose parts are read, an object per header block: a DSN part longer than
# this (thousands of recipients) is cut out of the raw body instead.
PARSE_BYTES = 256 * 1024

# The MIME fields, and the few that Mailman's detectors read (who sent the bounce, to whom).
_PARSER_FIELDS = (
    "content-",
    "mime-version",
    "from",
    "to",
    "subject",
    "return-path",
    "sender",
    "date",
    "message-id",
    "x-failed-recipients",
)
_MAX_PARSER_FIELDS = 100
_DSN_TYPES = ("message/delivery-status", "message/global-delivery-status")


def read_bounce(
    message: LoadedMessage, headers: dict[str, HeaderField] | None = None
) -> BounceReport | None:
    """What the delivery report in `message` says; None when it is not one. The readers
    themselves, for a message the gate passed (`headers`: its first values, when the gate
    already has them); `mailview.core.bounce.read_bounce` asks the gate first."""
    try:
        return _read(message, first_values(message.headers) if headers is None else headers)
    except UNREADABLE_ERRORS:
        return None


def _read(message: LoadedMessage, headers: dict[str, HeaderField]) -> BounceReport | None:
    parts, report_type, parsed = _read_parts(message)
    texts = [text for part in parts if (text := part.text()) is not None]
    if report_type.lower() == "feedback-report" or _has(parts, "message/feedback-report"):
        return _feedback(message, parts)
    status_parts = [p for p in parts if p.content_type in _DSN_TYPES]
    if not status_parts:  # a DSN sent as text/plain: its fields say what it is
        status_parts = [p for p in parts if _looks_like_status(p)]
    status_texts = [p.raw_text() for p in status_parts]
    if status_texts and len(message.body) > PARSE_BYTES:
        whole = _raw_status_part(message.body[:MAX_BYTES])
        if len(whole) > sum(len(t) for t in status_texts):
            status_texts = [whole]
    if not status_texts or not any(t.strip() for t in texts):
        # Broken MIME (a boundary that never occurs, a mangled part header): the raw
        # body is all there is to read, and a DSN's fields still name themselves in it.
        raw = message.body[:MAX_BYTES].decode("utf-8", "replace")
        if not status_texts and plain.search_line_starts(_STATUS_FIELDS, raw[:100_000], "foFO"):
            status_texts = [raw]
        if not any(t.strip() for t in texts):
            texts = [raw]
    if status_texts:
        report = _dsn(message, headers, status_texts, texts)
        if report is not None:
            return report
    ses = read_ses(headers, texts)
    if ses is not None:
        return _finish(message, ses)
    if prose.is_failure_notice(headers, texts):
        return _ndr(message, headers, parsed, texts)
    if prose.is_autoreply(headers, texts):
        return _autoreply(message, headers)
    return None


class _Part(Protocol):
    """A leaf part as the readers use it (`parts.ReportPart`, or the stdlib's below)."""

    @property
    def content_type(self) -> str: ...

    def text(self) -> str | None: ...

    def raw_text(self) -> str: ...


@record
class _StdlibPart:
    message: email.message.Message
    content_type: str

    def text(self) -> str | None:
        return prose.part_text(self.message)

    def raw_text(self) -> str:
        return prose.raw_text(self.message)


_Parsed = Callable[[], email.message.Message]


def _read_parts(message: LoadedMessage) -> tuple[list[_Part], str, _Parsed]:
    """The leaf parts, the report-type, and the stdlib's parse of the message (made only
    when asked: Mailman's detectors need it, the readers do not)."""
    data = _parser_input(message)
    tree = read_parts(data)
    if tree is not None:
        return list(tree.parts), tree.report_type, lambda: _parse(data)
    parsed = _parse(data)  # a corner `read_parts` leaves to the stdlib
    parts: list[_Part] = [_StdlibPart(p, p.get_content_type()) for p in _parts(parsed)]
    report_type = (parsed.get_param("report-type") or "") if parsed.is_multipart() else ""
    return parts, str(report_type), lambda: parsed


def _parser_input(message: LoadedMessage) -> bytes:
    # Only the fields the readers use: a message with thousands of Received lines then
    # costs nothing extra.
    wanted = [h for h in message.headers if h.name.lower().startswith(_PARSER_FIELDS)]
    head = "\n".join(h.raw.rstrip("\r\n") for h in wanted[:_MAX_PARSER_FIELDS])
    return head.encode("utf-8", "surrogateescape") + b"\n\n" + message.body[:PARSE_BYTES]


def _parse(data: bytes) -> email.message.Message:
    return email.message_from_bytes(data, policy=compat32)


def _parts(parsed: email.message.Message) -> Iterator[email.message.Message]:
    """The leaf parts in order, not descending into attached messages, at most MAX_PARTS
    (entities, containers included: `parts.read_parts` walks the same way)."""
    stack = [parsed]
    count = 0
    while stack and count < MAX_PARTS:
        part = stack.pop(0)
        count += 1
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            payload = part.get_payload()
            stack[0:0] = [p for p in payload if isinstance(p, email.message.Message)]
            continue
        yield part


_PART_START = re.compile(rb"content-type:[ \t]*message/(?:global-)?delivery-status", re.I)
_NEXT_BOUNDARY = re.compile(rb"^--\S", re.M)


def _raw_status_part(body: bytes) -> str:
    """The first delivery-status part's text, cut from the raw body up to its boundary."""
    found = _PART_START.search(body)
    if found is None:
        return ""
    start = body.find(b"\n\n", found.end())
    crlf = body.find(b"\r\n\r\n", found.end())
    if start < 0 or 0 <= crlf < start:
        start = crlf
    if start < 0:
        return ""
    end = _NEXT_BOUNDARY.search(body, start)
    return body[start : len(body) if end is None else end.start()].decode("utf-8", "replace")


_STATUS_FIELDS = re.compile(r"^(?:final|original)-recipient:.*\n(?:.*\n){0,8}?status:", re.I | re.M)


def _looks_like_status(part: _Part) -> bool:
    if part.content_type != "text/plain":
        return False
    text = part.text() or ""
    return plain.search_line_starts(_STATUS_FIELDS, text[:100_000], "foFO") is not None


def _has(parts: list[_Part], ctype: str) -> bool:
    return any(p.content_type == ctype for p in parts)


# --- RFC 3464 -------------------------------------------------------------------------


def _dsn(
    message: LoadedMessage,
    headers: dict[str, HeaderField],
    status_texts: list[str],
    texts: list[str],
) -> BounceReport | None:
    blocks: list[dsn.Block] = []
    for text in status_texts:
        blocks.extend(dsn.split_blocks(text))
    raw = dsn.read_blocks(blocks)
    notice = plain.notice_text("\n".join(texts))
    read = [_dsn_recipient(r.fields, notice) for r in raw.recipients]
    recipients = [r for r in read if r is not None]
    if not recipients:
        fallback = _ndr(message, headers, None, texts)
        if fallback.recipients:
            return fallback
    report = BounceReport(
        kind="dsn",
        outcome="unknown",
        reporting_mta=dsn.typed_value(raw.per_message.get("reporting-mta")),
        received_from_mta=dsn.typed_value(raw.per_message.get("received-from-mta")),
        arrival_date=raw.per_message.get("arrival-date"),
        recipients=tuple(recipients),
        recipient_count=max(raw.count, len(recipients)),
        original=None,
        headline="",
    )
    return _finish(message, report)


def _dsn_recipient(fields: dict[str, str], notice: str) -> BounceRecipient | None:
    address = (
        dsn.typed_value(fields.get("final-recipient"), address=True)
        or dsn.typed_value(fields.get("x-actual-recipient"), address=True)
        or dsn.typed_value(fields.get("original-recipient"), address=True)
    )
    diagnostic = dsn.typed_value(fields.get("diagnostic-code"))
    said = plain.mentions(notice, [address.lower()]) if address is not None else []
    # What the human-readable part says about this recipient (Postfix writes "refused to
    # talk to me" there and only the reply in the Diagnostic-Code field).
    prose_said = (said[0].context or said[0].diagnostic or "") if said else ""
    if diagnostic is None and said and said[0].diagnostic:
        diagnostic = said[0].diagnostic
    status = normalise(fields.get("status"))
    said_code = None if diagnostic is None else find_status(diagnostic)
    # The remote server's own code is the more exact one ("Status: 5.0.0" with "550 5.1.1"
    # in the diagnostic), except where the reporter says it gave up (x.4.7, expired).
    if said_code is not None and (status is None or not status.endswith(".4.7")):
        status = said_code
    reply = None if diagnostic is None else plain.reply_code(diagnostic)
    if status is None:
        status = from_reply(reply)
    action = (fields.get("action") or "").split(" ", 1)[0].strip().lower() or action_of(status)
    if address is None and status is None and action is None:
        return None
    return recipient(
        address=address,
        original=dsn.typed_value(fields.get("original-recipient"), address=True),
        action=action,
        status=status,
        reply=reply,
        diagnostic=diagnostic,
        remote=dsn.typed_value(fields.get("remote-mta")),
        last_attempt=fields.get("last-attempt-date"),
        retry_until=fields.get("will-retry-until"),
        context=prose_said,
    )


# --- prose notices ----------------------------------------------------------------------


def _ndr(
    message: LoadedMessage,
    headers: dict[str, HeaderField],
    parsed: _Parsed | None,
    texts: list[str],
) -> BounceReport:
    text = "\n".join(texts)
    notice = first_notice = plain.notice_text(text)
    exclude = prose.own_addresses(headers)
    named = plain.addresses(notice, exclude)
    if not named:  # the parts may be mangled: read the body as it stands
        raw = plain.notice_text(message.body[: plain.MAX_NOTICE].decode("utf-8", "replace"))
        named = plain.addresses(raw, exclude)
        notice = raw if named else notice
    if not named and parsed is not None:
        named = prose.detected_recipients(parsed())
    quoted = prose.quoted_original(text, first_notice)
    original = _attached_original(message) or quoted
    if not named and original is not None and original.to:
        # The notice names nobody: the returned copy's To is who it was for.
        named = plain.addresses(original.to, exclude)
    recipients = tuple(
        recipient(
            address=m.address,
            action=notice_action(m.status, f"{m.diagnostic or ''}\n{m.context or notice}"),
            status=m.status,
            reply=m.reply_code,
            diagnostic=m.diagnostic,
            remote=m.remote_mta,
            context=m.context or notice,
        )
        for m in plain.mentions(notice, named)[: dsn.MAX_RECIPIENTS]
    )
    report = BounceReport(
        kind="ndr",
        outcome="unknown",
        reporting_mta=prose.reporting_host(message.headers),
        received_from_mta=None,
        arrival_date=None,
        recipients=recipients,
        recipient_count=len(named),
        original=quoted,
        headline="",
    )
    return _finish(message, report)


def _autoreply(message: LoadedMessage, headers: dict[str, HeaderField]) -> BounceReport:
    sender = headers.get("from")
    return _finish(
        message,
        BounceReport(
            kind="autoreply",
            outcome="autoreply",
            reporting_mta=None,
            received_from_mta=None,
            arrival_date=None,
            recipients=(),
            recipient_count=0,
            original=None,
            headline="",
            notes=(
                "An automatic reply (RFC 3834) from "
                f"{decode_words(sender.value) if sender else 'an unknown sender'}.",
            ),
        ),
    )


def _feedback(message: LoadedMessage, parts: list[_Part]) -> BounceReport:
    fields: dict[str, str] = {}
    for part in parts:
        if part.content_type == "message/feedback-report":
            for block in dsn.split_blocks(part.raw_text()):
                for name, value in block:
                    fields.setdefault(name, value)
    feedback_type = fields.get("feedback-type")
    notes = tuple(
        f"{label}: {fields[name]}"
        for name, label in (
            ("feedback-type", "Feedback type"),
            ("user-agent", "Reported by"),
            ("source-ip", "Source IP"),
            ("original-mail-from", "Original sender"),
            ("original-rcpt-to", "Original recipient"),
            ("reported-domain", "Reported domain"),
            ("authentication-results", "Authentication results"),
        )
        if name in fields
    )
    report = BounceReport(
        kind="feedback",
        outcome="feedback",
        reporting_mta=fields.get("reporting-mta"),
        received_from_mta=None,
        arrival_date=fields.get("arrival-date") or fields.get("received-date"),
        recipients=(),
        recipient_count=0,
        original=None,
        headline="",
        feedback_type=None if feedback_type is None else feedback_type.lower(),
        notes=notes,
    )
    return _finish(message, report)


# --- the whole report -------------------------------------------------------------------


def _finish(message: LoadedMessage, report: BounceReport) -> BounceReport:
    original = _attached_original(message) or report.original
    recipients = tuple(_with_sender_hint(r, original) for r in report.recipients)
    outcome = report.outcome if report.outcome != "unknown" else _outcome(recipients)
    report = replace(report, original=original, recipients=recipients, outcome=outcome)
    return replace(report, headline=prose.headline(report))


def _outcome(recipients: tuple[BounceRecipient, ...]) -> str:
    actions = {r.action for r in recipients} - {None}
    if not actions:
        return "failed" if recipients else "unknown"
    if actions <= {"delivered", "relayed", "expanded"}:
        return "delivered"
    if actions == {"delayed"}:
        return "delayed"
    if "failed" in actions:
        return "failed" if actions == {"failed"} else "mixed"
    return "mixed"


def _with_sender_hint(entry: BounceRecipient, original: OriginalRef | None) -> BounceRecipient:
    """An authentication failure names the domain whose records need fixing."""
    if entry.reason != "authfailure":
        return entry
    # The domain the receiver names ("Unauthenticated email from example.jp", "MAIL FROM
    # domain [example.com]") is the one it checked; else the returned original's From.
    match = _CHECKED_DOMAIN.search(entry.diagnostic or "")
    if match is None and original is not None and original.from_:
        match = re.search(r"@([\w.-]+\.[A-Za-z]{2,})", original.from_)
    if match is None:
        return entry
    domain = match.group(1).lower().rstrip(".")
    return replace(
        entry,
        hint=f"Fix SPF and DKIM for {domain} so that one of them passes aligned with the "
        "From domain (DMARC).",
    )


_CHECKED_DOMAIN = re.compile(
    r"(?:mail from domain|sending domain|email from|domain of|domain|policy for)\s*[\[(<]?"
    r"([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b",
    re.I,
)


def _attached_original(message: LoadedMessage) -> OriginalRef | None:
    if not message.inner:
        return None
    chosen = message.inner[0]
    values = first_values(chosen.headers)

    def value(name: str) -> str | None:
        found = values.get(name)
        return None if found is None else decode_words(found.value)

    return OriginalRef(
        address=chosen.address,
        label=chosen.label,
        headers_only=chosen.format == "headers",
        subject=value("subject"),
        from_=value("from"),
        to=value("to"),
        message_id=value("message-id"),
        date=value("date"),
    )
