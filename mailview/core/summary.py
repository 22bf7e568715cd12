"""The message's own identity headers, decoded for people (RFC 2047 encoded-words)."""

from __future__ import annotations

import ipaddress

from mailview.core.chain import Route
from mailview.core.dates import parse_date
from mailview.core.ipscope import parse_ip
from mailview.core.model import HeaderField, MessageSummary, Originator
from mailview.core.words import decode_words

# Headers in which a webmail or submission server names the client that sent the message.
ORIGINATING_HEADERS = (
    "x-originating-ip",
    "x-sender-ip",
    "x-ms-exchange-organization-originalclientipaddress",
    "x-client-ip",
    "x-real-ip",
)


def first_values(headers: tuple[HeaderField, ...]) -> dict[str, HeaderField]:
    """The first field of each name (lower-cased)."""
    seen: dict[str, HeaderField] = {}
    for field in headers:
        seen.setdefault(field.name.lower(), field)
    return seen


def summarise(headers: tuple[HeaderField, ...]) -> MessageSummary:
    first = first_values(headers)

    def text(name: str) -> str | None:
        field = first.get(name)
        return None if field is None else decode_words(field.value.strip())

    date_text = text("date")
    names = ("from", "to", "subject", "date", "message-id", "return-path", "reply-to")
    return MessageSummary(
        from_=text("from"),
        to=text("to"),
        subject=text("subject"),
        date=date_text,
        message_id=text("message-id"),
        return_path=text("return-path"),
        reply_to=text("reply-to"),
        date_parsed=None if date_text is None else parse_date(date_text),
        sources=tuple((n, first[n].index) for n in names if n in first),
    )


def originators(headers: tuple[HeaderField, ...], route: Route) -> tuple[Originator, ...]:
    """The originating client: the first external hop's IP, then headers that name one."""
    found: list[Originator] = []
    boundary = route.boundary
    if boundary is not None and boundary.fields.from_ip:
        found.append(
            Originator(boundary.fields.from_ip, "first external hop", boundary.header_index)
        )
    for field in headers:
        if field.name.lower() in ORIGINATING_HEADERS:
            address = parse_ip(field.value.strip().strip("[]").split(",")[0])
            if address is not None:
                found.append(Originator(_compact(address), field.name, field.index))
    return tuple(found)


def _compact(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    return str(address)


# decode_words lived here before words.py; callers still import it from here.
__all__ = ["decode_words", "first_values", "originators", "summarise"]
