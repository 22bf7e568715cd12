"""Header lines read as the stdlib parser reads them (email.feedparser, compat32 policy).

The report readers once handed text to `email.parser` for a few header fields; these
helpers give the same fields from lines already in hand, without the parser's line
machinery. A Unix `From ` line among the fields is the one case left to the caller
(`UnixFrom`): the parser keeps it as an envelope line, drops it, or starts the body with
it, depending on where it stands.
"""

from __future__ import annotations

import email.charset
import email.header
import re

# email.feedparser's test for a header line: a field name and colon (RFC 5322 §3.6.8,
# ftext = %d33-57 / %d59-126; the parser allows an empty name), a fold, or a Unix
# "From " line.
HEADER_LINE = re.compile(rb"From |[\041-\071\073-\176]*:|[\t ]")
HEADER_LINE_TEXT = re.compile(r"From |[\041-\071\073-\176]*:|[\t ]")

Fields = tuple[tuple[str, str], ...]  # (name, value) as the compat32 parser stores them


class UnixFrom(Exception):
    """A `From ` line among the header lines."""


def read_fields(
    lines: list[str], *, drop_from: bool = False, names: frozenset[str] | None = None
) -> Fields:
    """Header lines (each matching HEADER_LINE) into (name, value) pairs, as
    FeedParser._parse_headers and compat32's header_source_parse store them. A `From `
    line raises UnixFrom, or with `drop_from` is left out (as it is from the fields).
    With `names` (lower case), only those fields are kept."""
    fields: list[tuple[str, str]] = []
    current: list[str] = []
    for line in lines:
        if line[0] in " \t":
            if current:  # a fold; one with no field to belong to is dropped
                current.append(line)
            continue
        if current:
            fields.append(_source(current))
            current = []
        if line.startswith("From "):
            if drop_from:
                continue
            raise UnixFrom(line)
        colon = line.find(":")  # a line starting with ":" names no field and is dropped
        if colon > 0 and (names is None or line[:colon].lower() in names):
            current = [line]
    if current:
        fields.append(_source(current))
    return tuple(fields)


def _source(lines: list[str]) -> tuple[str, str]:
    name, value = lines[0].split(":", 1)
    value = value.lstrip(" \t") + "".join(lines[1:])
    return name, value.rstrip("\r\n")


def first(fields: Fields, name: str) -> str | None:
    """The first value of field `name` (lower case), as Message.get finds it."""
    for key, value in fields:
        if key.lower() == name:
            return value
    return None


def fetch(name: str, value: str) -> str:
    """The value as compat32 hands it out: 8-bit bytes (surrogate escapes) each replaced."""
    if value.isascii():
        return value
    try:
        value.encode()
    except UnicodeEncodeError:
        return str(email.header.Header(value, charset=email.charset.UNKNOWN8BIT, header_name=name))
    return value
