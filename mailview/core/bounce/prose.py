"""The words around a delivery report: part texts, who sent it, and the one-line headline."""

from __future__ import annotations

import binascii
import email.message
import re
from collections import Counter
from functools import cache

from mailview.core.bounce import plain
from mailview.core.bounce.fields import HEADER_LINE_TEXT, fetch, first, read_fields
from mailview.core.bounce.gate import DAEMON, SUBJECT, is_autoreply_marked, subject, value
from mailview.core.bounce.model import BounceReport, OriginalRef
from mailview.core.model import HeaderField
from mailview.core.summary import decode_words


@cache
def _quiet_flufl() -> None:
    """Mailman's detectors log a traceback for each detector that trips over a message; on
    hostile input that is noise, and the failure is already handled where they are called.
    (Done before their first use: `logging` loads with them, not with every report.)"""
    import logging  # noqa: PLC0415

    log = logging.getLogger("flufl.bounce")
    log.addHandler(logging.NullHandler())
    log.propagate = False


MAX_TEXT = 256 * 1024  # characters of one part's text read

_BODY = re.compile(
    r"could not be delivered|was not delivered|wasn't able to deliver|unable to deliver|"
    r"delivery (?:to the following|has failed|failed|to .{1,80} failed)|"
    r"permanent (?:error|failure)|"
    r"did not reach|failed permanently|following address(?:es|\(es\))? failed|"
    r"error (?:has occurred while attempting to deliver|delivering)|could not deliver|"
    r"undeliverable|returned to sender|not be delivered|delivery problem|"
    r"was undeliverable|message (?:was )?rejected|transcript of session|"
    r"send(?:ing)? your mail|duplicated message-id|invalid final delivery|"
    r"送信できませんでした|届きませんでした|宛先|не может быть доставлено|не доставлено",
    re.I,
)
_FIELD_LINE = re.compile(r"\s{0,3}[!-9;-~]+:")  # RFC 5322 field-name then ":"
_REPORT_SUBJECT = re.compile(r"\breport\b|dmarc|forensic|abuse|feedback", re.I)
_BY = re.compile(r"\bby\s+([A-Za-z0-9][\w.-]*[A-Za-z0-9])", re.I)
# RFC 5321 §4.5.3.1.1: "The maximum total length of a user name or other local-part is 64
# octets." Bounded, a run of local-part characters with no "@" after it is tried at most 64
# characters from each start: an unbounded `+` read a 30 KB To header in 25 s.
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w.-]+", re.I)


def part_text(part: email.message.Message) -> str | None:
    """The decoded text of a text/plain or text/html part; None for any other part."""
    ctype = part.get_content_type()
    if ctype not in ("text/plain", "text/html"):
        return None
    text = decode_part(part)
    return html_text(text) if ctype == "text/html" else text


def html_text(text: str) -> str:
    """An HTML part's words, tags dropped and line-breaking tags made line ends."""
    text = re.sub(r"<br\s*/?>|</p>|</div>|</tr>", "\n", text, flags=re.I)
    text = re.sub(r"<[^>]{0,2000}>", " ", text)
    text = re.sub(r"&nbsp;", " ", text)
    return re.sub(r"&lt;", "<", re.sub(r"&gt;", ">", re.sub(r"&amp;", "&", text)))


def raw_text(part: email.message.Message) -> str:
    """The text of a message/* part as written (the stdlib parsed it into sub-messages)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = []
        for sub in payload:
            if isinstance(sub, email.message.Message):
                blocks.append("\n".join(f"{k}: {v}" for k, v in sub.items()))
                body = sub.get_payload()
                if isinstance(body, str) and body.strip():
                    blocks.append(body)
        return "\n\n".join(blocks)[: MAX_TEXT * 8]
    return decode_part(part)


_SEVEN_BIT = {"us-ascii", "ascii", "iso-2022-jp", "iso-2022-jp-2", "iso-2022-kr", "utf-7"}
_MISLABELLED = ("utf-8", "euc-jp", "cp932")


def decode_part(part: email.message.Message) -> str:
    """A part's payload as text: transfer encoding undone, read in its charset."""
    try:
        data = part.get_payload(decode=True)
    except (ValueError, LookupError, binascii.Error):
        data = None
    if not isinstance(data, bytes):
        payload = part.get_payload()
        return payload[:MAX_TEXT] if isinstance(payload, str) else ""
    return decode_payload(data, part.get_content_charset())


def decode_payload(data: bytes, charset: str | None) -> str:
    """Decoded payload bytes as text in `charset` (UTF-8 when unknown or none)."""
    data = data[: MAX_TEXT * 4]
    charset = charset or "utf-8"
    if charset in _SEVEN_BIT and not data.isascii():
        # A 7-bit charset cannot hold these bytes: the label is wrong (Japanese carriers
        # label EUC-JP text "ISO-2022-JP"). Take the first charset that reads them cleanly.
        for guess in _MISLABELLED:
            try:
                return data.decode(guess)[:MAX_TEXT]
            except UnicodeDecodeError:
                continue
    try:
        return data.decode(charset, "replace")[:MAX_TEXT]
    except LookupError:
        return data.decode("utf-8", "replace")[:MAX_TEXT]


def is_failure_notice(headers: dict[str, HeaderField], texts: list[str]) -> bool:
    """Whether a message without a DSN part reads like a delivery failure notice."""
    sender = value(headers, "from")
    null_sender = value(headers, "return-path").strip() in ("<>", "")
    daemon = bool(DAEMON.search(sender)) or ("return-path" in headers and null_sender)
    titled = bool(SUBJECT.search(subject(headers)))
    notice = plain.notice_text("\n".join(texts))[:8000]
    body = bool(_BODY.search(notice))
    return (daemon and (titled or body)) or (titled and body and null_sender)


def is_autoreply(headers: dict[str, HeaderField], texts: list[str]) -> bool:
    """RFC 3834 §5: Auto-Submitted: auto-replied, or the common vacation markers."""
    if _REPORT_SUBJECT.search(subject(headers)):
        return False  # DMARC and abuse report generators mark themselves auto-replied too
    return is_autoreply_marked(headers)


def own_addresses(headers: dict[str, HeaderField]) -> set[str]:
    """The bounce's own sender and recipient: never the failed recipient."""
    found: set[str] = set()
    for name in ("from", "to", "return-path", "sender", "reply-to", "delivered-to"):
        found.update(a.lower() for a in _ADDRESS.findall(value(headers, name)))
    return found


def detected_recipients(parsed: email.message.Message) -> list[str]:
    """Failed recipients found by GNU Mailman's bounce detectors (flufl.bounce)."""
    _quiet_flufl()
    from flufl.bounce import all_failures  # noqa: PLC0415 - a fallback, loaded when asked

    try:
        temporary, permanent = all_failures(parsed)
    except Exception:  # third-party heuristics on hostile input: no answer
        return []
    found = {_text(a).lower() for a in (*permanent, *temporary)}
    return sorted(a for a in found if "@" in a and len(a) < 256)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("<> ")
    return str(value).strip("<> ")


def reporting_host(headers: tuple[HeaderField, ...]) -> str | None:
    """The server that wrote a prose notice: the `by` of its newest Received header."""
    for header in headers:
        if header.name.lower() == "received":
            match = _BY.search(header.value)
            return None if match is None else match.group(1)
    return None


def quoted_original(text: str, notice: str | None = None) -> OriginalRef | None:
    """The header fields of the original when a prose notice quotes it inline (`notice`:
    `plain.notice_text(text)`, when the caller has it)."""
    notice = plain.notice_text(text) if notice is None else notice
    lines = text[len(notice) : len(notice) + 64 * 1024].splitlines()
    start = next((n for n, line in enumerate(lines) if _FIELD_LINE.match(line)), len(lines))
    head: list[str] = []
    for line in lines[start:]:
        field = line[3:] if line.startswith("   ") else line
        if not HEADER_LINE_TEXT.match(field):  # where email.parser ends the header block
            break
        head.append(field + "\n")
    fields = read_fields(head, drop_from=True)

    def quoted(name: str) -> str | None:
        found = first(fields, name)
        return None if found is None else " ".join(decode_words(fetch(name, found)).split())

    if quoted("subject") is None and quoted("message-id") is None:
        return None
    return OriginalRef(
        address=None,
        label="returned message (quoted in the notice)",
        headers_only=True,
        subject=quoted("subject"),
        from_=quoted("from"),
        to=quoted("to"),
        message_id=quoted("message-id"),
        date=quoted("date"),
    )


def headline(report: BounceReport) -> str:
    """The report in one sentence."""
    if report.kind == "feedback":
        kind = f" ({report.feedback_type})" if report.feedback_type else ""
        return (
            f"A feedback report{kind}: a complaint or failure report about a message, not a bounce."
        )
    if report.kind == "autoreply":
        return "An automatic reply (out of office or similar), not a delivery failure."
    failed = report.failed
    if not failed:
        if report.outcome == "delivered":
            return "A delivery report: the message was delivered."
        return "A delivery failure notice; which recipient failed could not be read from it."
    if len(failed) == 1:
        entry = failed[0]
        verb = "is delayed" if entry.action == "delayed" else "failed"
        code = f" ({entry.status})" if entry.status else ""
        who = entry.address or "the recipient"
        return f"Delivery to {who} {verb}{code}: {_lower_first(entry.sentence)}"
    counts = Counter(r.sentence for r in failed)
    reasons = "; ".join(
        f"{_lower_first(sentence).rstrip('.')} ({n})" for sentence, n in counts.most_common(3)
    )
    verb = "is delayed" if all(r.action == "delayed" for r in failed) else "failed"
    total = max(report.recipient_count, len(failed))
    return f"Delivery to {total} recipients {verb}: {reasons}."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
