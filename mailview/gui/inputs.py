"""The edge where Qt hands over input: QMimeData (a drop, the clipboard) becomes plain Python.

Strategy: everything past this module sees only `Source` values — a path, bytes, or
text — never a Qt type, so the worker and the core stay testable without Qt objects.
Preference order when a drag carries several formats: local files first (a file
manager's drag also carries text), then a mail client's raw message bytes, then text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeData

# Mail clients drag a message as message/rfc822 (Thunderbird, Evolution, Apple Mail);
# some file managers and clients only say octet-stream.
MESSAGE_MIME_TYPES = ("message/rfc822", "application/octet-stream")

DROPPED_NAME = "dropped message"
PASTED_NAME = "pasted headers"


@dataclass(frozen=True, slots=True)
class PathSource:
    """A file to read (in the worker: reading 50 MB is work too)."""

    path: str

    @property
    def title(self) -> str:
        return Path(self.path).name or self.path


@dataclass(frozen=True, slots=True)
class BytesSource:
    """Raw message bytes, e.g. dragged out of a mail client."""

    data: bytes
    name: str = DROPPED_NAME

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class TextSource:
    """Text pasted or dropped: usually a header block copied out of a mail client."""

    text: str
    name: str = PASTED_NAME

    @property
    def title(self) -> str:
        return self.name


Source = PathSource | BytesSource | TextSource


def sources_from_mime(
    mime: QMimeData, text_name: str = DROPPED_NAME, bytes_name: str = DROPPED_NAME
) -> list[Source]:
    """What `mime` carries, as sources to analyse; empty when it carries nothing usable.

    Several local files give one source each. Remote URLs (a link dragged out of a
    browser) are not fetched: mailview never goes on the network by itself.
    """
    if mime.hasUrls():
        paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        paths = [path for path in paths if path]
        if paths:
            return [PathSource(path) for path in paths]
        if not any(mime.hasFormat(kind) for kind in MESSAGE_MIME_TYPES):
            return []  # only links: Qt would offer them as text, but a link is no message
    for mime_type in MESSAGE_MIME_TYPES:
        if mime.hasFormat(mime_type):
            data = bytes(mime.data(mime_type).data())
            if data:
                return [BytesSource(data, bytes_name)]
    if mime.hasText():
        text = mime.text()
        if text.strip():
            return [TextSource(text, text_name)]
    return []


def can_accept(mime: QMimeData) -> bool:
    """Whether a drag is worth accepting (cheap: does not copy the payload)."""
    if mime.hasUrls():
        return True  # accepted even when remote, so the drop can say why it is refused
    return any(mime.hasFormat(kind) for kind in MESSAGE_MIME_TYPES) or mime.hasText()
