"""Split a header block (text) into `HeaderField`s.

Strategy: one pass over the lines with one regex match per line. A line that starts with
a field name and a colon opens a field; a line that starts with whitespace continues the
open field (a fold); anything else is recorded as a defect and skipped, and splitting
goes on. Every field keeps its raw text exactly as written (folds and line ends
included), so later stages can always quote what the message said.
"""

from __future__ import annotations

import re

from mailview.core.defects import (
    HEADER_NAME_FOLDED,
    HEADER_NUL,
    HEADER_STRAY_LINE,
    HEADER_STRAY_LINES,
    HEADER_UNINDENTED,
    Defect,
)
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField

# RFC 5322 §3.6.8:  field-name = 1*ftext
#                   ftext      = %d33-57 / %d59-126   ; printable US-ASCII except ":"
# RFC 5322 §4.5.8 (obsolete syntax) allows white space before the colon:
#                   obs-optional = field-name *WSP ":" unstructured CRLF
FIELD_START = LazyPattern(r"([!-9;-~]+)[ \t]*:")

# RFC 5322 §2.2.3: "Unfolding is accomplished by simply removing any CRLF that is
# immediately followed by WSP", so a line starting with WSP (SP / HTAB) continues a field.
_WSP = (" ", "\t")

# A whole field: its first line and every folded line after it (LF or CRLF line ends; a
# CR before the LF is matched by "." and removed afterwards).
_WHOLE_FIELD = re.compile(r"^(([!-9;-~]+)[ \t]*:(.*(?:\n[ \t].*)*))", re.M)

# A field name alone on its line, its colon on the folded next line ("From\r\n : x").
# Unfolding (§2.2.3) comes before parsing, so this is the field "From : x"; mail filters
# have been fooled by it, so it is read as a field and also reported.
_NAME_ONLY = re.compile(r"([!-9;-~]+)[ \t]*")
_COLON_FOLD = re.compile(r"[ \t]+:")

# Looks like a field whose name is damaged (a NUL, an 8-bit byte): a word, then a colon.
_DAMAGED_FIELD = re.compile(r"[^\s:]+[ \t]*:")

# Mixed or bare-CR line ends need the slow split that remembers each terminator.
_EOL = re.compile(r"(\r\n|\r|\n)")

# Stray lines are quoted one by one up to this count, then summarised.
_MAX_LINE_DEFECTS = 10
_QUOTE_CHARS = 60


def split_header_block(text: str) -> tuple[tuple[HeaderField, ...], tuple[Defect, ...]]:
    """Split `text` (a header block, without the body) into fields and defects."""
    if "\x00" not in text:
        fast = _split_well_formed(text)
        if fast is not None:
            return fast, ()
    return _split_lines_one_by_one(text)


def _split_well_formed(text: str) -> tuple[HeaderField, ...] | None:
    """The fast path: one regex scan, for blocks whose every line belongs to a field.

    Returns None (and the careful line-by-line path takes over) when some line is not
    part of a field (the fields then cover fewer lines than the block has), and for
    bare-CR line ends.
    """
    crlf = "\r" in text
    if crlf and text.count("\r") != text.count("\r\n"):
        return None
    fields: list[HeaderField] = []
    append = fields.append
    line = 1
    for whole, name, rest in _WHOLE_FIELD.findall(text):
        raw = whole.removesuffix("\r") if crlf else whole
        value = rest.removesuffix("\r") if crlf else rest
        folds = raw.count("\n")
        if folds:  # unfold (§2.2.3): drop each line break, keep the WSP after it
            value = value.replace("\r\n", "").replace("\n", "")
        append(_new_field(HeaderField, (len(fields), name, value.lstrip(" \t"), raw, line)))
        line += folds + 1
    lines = text.count("\n") + (not text.endswith("\n"))
    return tuple(fields) if line - 1 == lines else None


# `HeaderField(...)` without the Python frame of the NamedTuple's generated `__new__`
# (which does just this): a header block makes dozens of fields, and the frame cost
# about a tenth of the split.
_new_field = tuple.__new__


def _split_lines_one_by_one(text: str) -> tuple[tuple[HeaderField, ...], tuple[Defect, ...]]:
    """The careful path: any line ends, stray lines, NUL bytes, names folded from colons."""
    lines, terms = _split_lines(text)
    while lines and lines[-1] == "":
        lines.pop()  # the last line's terminator, or the empty line that ends the block
    fields: list[HeaderField] = []
    stray: list[int] = []
    split_names: list[int] = []
    unindented: list[int] = []
    start = -1  # line index where the open field began, -1 when none is open
    colon, name = 0, ""
    for i, line in enumerate(lines):
        if line.startswith(_WSP) and start >= 0:
            continue  # a fold of the open field
        if start >= 0 and _lost_its_indent(line):
            unindented.append(i)  # a fold whose leading white space a copy removed
            continue
        if start >= 0:
            fields.append(_make_field(lines, terms, start, i, name, colon, len(fields)))
            start = -1
        match = FIELD_START.match(line)
        if match is not None:
            start, colon, name = i, match.end(), match.group(1)
        elif (folded := _name_folded_from_colon(lines, i)) is not None:
            start, colon, name = i, folded[1], folded[0]
            split_names.append(i)
        else:
            stray.append(i)
    if start >= 0:
        fields.append(_make_field(lines, terms, start, len(lines), name, colon, len(fields)))
    return tuple(fields), _defects(text, lines, stray, split_names, unindented)


def _lost_its_indent(line: str) -> bool:
    """A non-empty line that cannot start a field: the rest of the field above it.

    Archives and copies often strip the white space of folded lines; reading such a line
    as part of the open field keeps e.g. a Received header's `by` clause and date, where
    dropping it would lose them. The loader has already cut a body pasted without a
    blank line off the block, so stray lines here are followed by more header fields.
    """
    return (
        bool(line.strip())
        and _DAMAGED_FIELD.match(line) is None
        and _NAME_ONLY.fullmatch(line) is None
    )


def _name_folded_from_colon(lines: list[str], i: int) -> tuple[str, int] | None:
    """(name, offset of the value in the joined lines) when line i is a lone field name."""
    if i + 1 >= len(lines):
        return None
    name = _NAME_ONLY.fullmatch(lines[i])
    colon = _COLON_FOLD.match(lines[i + 1])
    if name is None or colon is None:
        return None
    return name.group(1), len(lines[i]) + colon.end()


def _split_lines(text: str) -> tuple[list[str], str | list[str]]:
    """Lines without their terminators, and the terminator(s): one string when uniform."""
    if "\r" not in text:
        return text.split("\n"), "\n"
    if "\n" not in text:
        return text.split("\r"), "\r"
    crlf = text.count("\r\n")
    if crlf == text.count("\r") == text.count("\n"):
        return text.split("\r\n"), "\r\n"
    parts = _EOL.split(text)
    return parts[0::2], parts[1::2]


def _make_field(
    lines: list[str],
    terms: str | list[str],
    start: int,
    end: int,
    name: str,
    colon: int,
    index: int,
) -> HeaderField:
    """Build the field spanning lines[start:end]; `colon` is where its value begins."""
    first = lines[start]
    if end == start + 1:  # the common case: no folds
        return HeaderField(index, name, first[colon:].lstrip(" \t"), first, start + 1)
    if isinstance(terms, str):
        raw = terms.join(lines[start:end])
    else:
        raw = first + "".join(terms[i - 1] + lines[i] for i in range(start + 1, end))
    # Unfolding removes the line breaks and keeps the WSP that followed them; a fold that
    # lost its indent gets one space so that words do not run together.
    rest = (line if line.startswith(_WSP) else " " + line for line in lines[start + 1 : end])
    value = (first + "".join(rest))[colon:].lstrip(" \t")
    return HeaderField(index=index, name=name, value=value, raw=raw, line=start + 1)


def _defects(
    text: str, lines: list[str], stray: list[int], split_names: list[int], unindented: list[int]
) -> tuple[Defect, ...]:
    """Describe stray lines (a few quoted, the rest counted), split names, NUL bytes."""
    found = [
        Defect(
            HEADER_NAME_FOLDED,
            f"Line {i + 1} of the header block folds the field name {lines[i].strip()!r} "
            "away from its colon.",
        )
        for i in split_names
    ]
    if unindented:
        numbers = ", ".join(str(i + 1) for i in unindented[:_MAX_LINE_DEFECTS])
        more = "…" if len(unindented) > _MAX_LINE_DEFECTS else ""
        found.append(
            Defect(
                HEADER_UNINDENTED,
                f"{len(unindented)} line(s) of the header block ({numbers}{more}) continue "
                "the field above them without the leading white space a fold needs (RFC "
                "5322 §2.2.3); they were read as part of that field.",
            )
        )
    for i in stray[:_MAX_LINE_DEFECTS]:
        found.append(Defect(HEADER_STRAY_LINE, _stray_sentence(i + 1, lines[i])))
    if len(stray) > _MAX_LINE_DEFECTS:
        found.append(
            Defect(
                HEADER_STRAY_LINES,
                f"In all, {len(stray)} lines of the header block were not header fields.",
            )
        )
    if "\x00" in text:
        found.append(Defect(HEADER_NUL, "The header block contains NUL bytes."))
    return tuple(found)


def _stray_sentence(number: int, line: str) -> str:
    if not line.strip():
        return f"Line {number} of the header block is empty; header fields continue after it."
    quoted = line if len(line) <= _QUOTE_CHARS else line[:_QUOTE_CHARS] + "…"
    return f"Line {number} of the header block is not a header field: {quoted!r}"
