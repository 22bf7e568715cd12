"""Message sources for batch work: folders walked, mbox files streamed one message at a time.

Strategy: a batch may be handed a mailbox of many gigabytes, so nothing here holds more
than one message. `iter_files` walks folders recursively in sorted order and lists every
entry it meets, including what it could not open, so that nothing is skipped silently.
`iter_messages` opens a file once: when it starts with an mbox `From ` line it is read
line by line and cut where the loader would cut it (RFC 4155: a `From ` line carrying a
date after an empty line), each message yielded on its own with its envelope line removed
and mboxrd `>From ` escapes undone; any other file is yielded whole, and the loader
decides what it is. An mbox holding a single message is yielded whole too, exactly as
`mailview analyze` would see it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from mailview.core.errors import InputError
from mailview.core.load import _MBOX_FROM_LINE, MAX_FILE_BYTES, read_path
from mailview.core.record import record

# A line is read with at most this many bytes: a binary file without newlines (or a
# hostile one) never makes one read hold more. A longer line arrives in pieces; a piece
# never follows an empty line, so it can never be taken for a `From ` line.
_LINE_LIMIT = 64 * 1024
_PEEK = 4096  # enough to see past leading blank lines to the first real line
_ESCAPED = re.compile(rb">(>*From )")  # mboxrd: one '>' was added per level
_BLANK_LINES = re.compile(rb"(?:[ \t]*\r?\n)*")
_FIELD_START = re.compile(rb"[!-9;-~]+[ \t]*:")  # `From :` is a header field, not an envelope
_COUNT_CHUNK = 1024 * 1024


@record
class Listed:
    """A file found under the paths given; `error` says why a folder could not be listed."""

    path: str
    error: InputError | None = None
    named: bool = True  # given by the user, not found inside a folder


def iter_files(paths: Iterable[str]) -> Iterator[Listed]:
    """Every file named or found under a named folder, folders in sorted order.

    A symbolic link to a folder is listed, not followed (it could loop); reading it then
    fails with a sentence saying it is a folder.
    """
    for path in paths:
        if _is_real_folder(path):
            yield from _walk(path)
        else:
            yield Listed(path)


def _is_real_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False  # reading it later says why


def _walk(folder: str) -> Iterator[Listed]:
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries)
    except OSError as err:
        reason = (err.strerror or "the system reported an error").lower()
        yield Listed(
            folder, InputError(f"The folder {folder!r} could not be listed: {reason}.", path=folder)
        )
        return
    for name in names:
        path = os.path.join(folder, name)
        if _is_real_folder(path):
            yield from _walk(path)
        else:
            yield Listed(path, named=False)


def iter_messages(path: str) -> Iterator[tuple[str, bytes]]:
    """(label, message bytes) for each message in the file at `path`.

    An mbox of several messages yields them one by one, labelled `PATH#N` (1-based),
    reading the file as it goes; anything else yields `(PATH, whole file)` once.
    InputError when the file cannot be read, also part-way through an mbox.
    """
    try:
        # stat before open: opening a FIFO would wait for a writer.
        regular = stat.S_ISREG(os.stat(path).st_mode)
        handle = open(path, "rb") if regular else None  # noqa: SIM115 - closed below
    except OSError:
        handle = None
    if handle is None:
        yield path, read_path(path)  # raises InputError with the reason in words
        return
    with handle:
        if not _starts_mbox(handle.peek(_PEEK)[:_PEEK]):
            yield path, read_path(path)
            return
        try:
            yield from _split_mbox(_mbox_chunks(handle, path), path)
        except OSError as err:
            reason = (err.strerror or "the system reported an error").lower()
            raise InputError(
                f"The file {path!r} could not be read to the end: {reason}.", path=path
            ) from err


def _starts_mbox(head: bytes) -> bool:
    """The first line after any blank lines is an mbox envelope line, not `From :`."""
    start = _BLANK_LINES.match(head)
    rest = head[start.end() if start else 0 :]
    return rest.startswith(b"From ") and _FIELD_START.match(rest) is None


def _split_mbox(chunks: Iterator[list[bytes]], path: str) -> Iterator[tuple[str, bytes]]:
    """Label the messages; the first is held back until a second shows there are several,
    so that a lone message is yielded whole, as `mailview analyze` would read the file."""
    held: list[bytes] | None = None
    for number, lines in enumerate(chunks, start=1):
        if number == 1:
            held = lines
            continue
        if held is not None:
            yield f"{path}#1", _message(held)
            held = None
        yield f"{path}#{number}", _message(lines)
    if held is not None:
        yield path, b"".join(held)


def _mbox_chunks(handle: BinaryIO, path: str) -> Iterator[list[bytes]]:
    """The lines of each message, envelope line first, cut where the loader would cut."""
    lines: list[bytes] = []
    size = 0
    after_blank = True  # blank lines may lead to the first `From ` line
    for line in iter(lambda: handle.readline(_LINE_LIMIT), b""):
        blank = line in (b"\n", b"\r\n")
        if after_blank and line.startswith(b"From ") and _starts_next(line, lines):
            if lines:
                yield lines
            lines, size = [], 0
        elif not lines and blank:
            continue  # before the first message
        size += len(line)
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"A message in the mbox file {path!r} is larger than 200 MB.", path=path
            )
        lines.append(line)
        after_blank = blank
    if lines:
        yield lines


def _starts_next(line: bytes, lines: list[bytes]) -> bool:
    """The first `From ` line always starts a message; later ones must carry a date."""
    return not lines or _MBOX_FROM_LINE.match(line) is not None


def _message(lines: list[bytes]) -> bytes:
    """The message without its envelope line, the empty line that ended it, or escapes."""
    body = lines[1:]
    if body and body[-1] in (b"\n", b"\r\n"):
        body.pop()
    return b"".join(_unescape(line) if line[:1] == b">" else line for line in body)


def _unescape(line: bytes) -> bytes:
    return line[1:] if _ESCAPED.match(line) else line


def count_messages(path: str) -> int:
    """About how many messages `iter_messages(path)` will yield, from a quick byte scan.

    Counts empty-line-then-`From ` occurrences without checking the date, so a body line
    such as "From my point of view" after a paragraph is over-counted: good for an ETA,
    not for a total to report. Unreadable files count as one.
    """
    try:
        with open(path, "rb") as handle:
            if not _starts_mbox(handle.peek(_PEEK)[:_PEEK]):
                return 1
            found = 1
            tail = b""
            while chunk := handle.read(_COUNT_CHUNK):
                data = tail + chunk
                found += data.count(b"\n\nFrom ") + data.count(b"\n\r\nFrom ")
                tail = data[-7:]  # a separator cut in two is seen whole next time
            return found
    except OSError:
        return 1
