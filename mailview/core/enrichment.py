"""What the core may be given to look things up with; implemented in `mailview.enrich`.

Protocols only: the core stays free of file formats and sockets, and a test passes any
object that answers the same questions.
"""

from __future__ import annotations

from typing import Protocol

from mailview.core.model import GeoInfo


class GeoSource(Protocol):
    def lookup(self, ip: str) -> GeoInfo | None:
        """Geo facts for a public address, None when the databases know nothing of it."""
        ...

    def describe(self) -> str:
        """The databases in use and their build dates, for the report and the UI."""
        ...
