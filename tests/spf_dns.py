"""A DNS zone held in a dict, answering through mailview's own `Resolver` Protocol.

Strategy: the SPF evaluator only ever sees `Resolver.query(name, rdtype) -> DnsAnswer`, so
its unit tests need a zone, not a network: this is a fake zone behind our Protocol, not a
mock of dnspython (the dnspython adapter is tested against a real local server). It keeps
the DNS distinctions SPF depends on — NXDOMAIN (the name has no records at all) versus
NODATA (the name exists with other types), CNAMEs followed as a resolver would — and can
make chosen names time out or fail. Every query is logged so tests can count them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from mailview.enrich.dns import ERROR, NODATA, NXDOMAIN, OK, TIMEOUT, DnsAnswer

_MAX_CNAME_CHAIN = 8
_FIXED_TIME = datetime(2024, 1, 1, tzinfo=UTC)


def _name(name: str) -> str:
    return name.strip().rstrip(".").lower()


class Zone:
    """Records by (name, type); `timeouts` and `errors` are names (or (name, type) pairs)."""

    def __init__(
        self,
        text: str = "",
        *,
        timeouts: Iterable[str | tuple[str, str]] = (),
        errors: Iterable[str | tuple[str, str]] = (),
    ) -> None:
        self._records: dict[str, dict[str, list[str]]] = {}
        self._timeouts = {_key(item) for item in timeouts}
        self._errors = {_key(item) for item in errors}
        self.queries: list[tuple[str, str]] = []
        self.load(text)

    def load(self, text: str) -> Zone:
        """Add records from lines "name TYPE data" (TXT data taken verbatim, unquoted).

        Blank lines and ";" comments are skipped; a name ending in "." is the same name.
        """
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith(";"):
                continue
            name, rdtype, data = line.split(None, 2)
            self.add(name, rdtype, data)
        return self

    def add(self, name: str, rdtype: str, *data: str) -> Zone:
        by_type = self._records.setdefault(_name(name), {})
        values = by_type.setdefault(rdtype.upper(), [])
        for value in data:
            values.append(value if rdtype.upper() == "TXT" else value.rstrip("."))
        return self

    def txt(self, name: str, *records: str) -> Zone:
        return self.add(name, "TXT", *records)

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        asked, rdtype = _name(name), rdtype.upper()
        self.queries.append((asked, rdtype))
        current = asked
        for _ in range(_MAX_CNAME_CHAIN):
            if (current, rdtype) in self._timeouts or (current, "*") in self._timeouts:
                return DnsAnswer(asked, rdtype, (), TIMEOUT, _FIXED_TIME, "no answer in 2 s")
            if (current, rdtype) in self._errors or (current, "*") in self._errors:
                return DnsAnswer(asked, rdtype, (), ERROR, _FIXED_TIME, "SERVFAIL")
            by_type = self._records.get(current)
            if by_type is None:
                return DnsAnswer(asked, rdtype, (), NXDOMAIN, _FIXED_TIME)
            if rdtype != "CNAME" and "CNAME" in by_type:
                current = _name(by_type["CNAME"][0])
                continue
            values = by_type.get(rdtype)
            if not values:
                return DnsAnswer(asked, rdtype, (), NODATA, _FIXED_TIME)
            return DnsAnswer(asked, rdtype, tuple(values), OK, _FIXED_TIME)
        return DnsAnswer(asked, rdtype, (), ERROR, _FIXED_TIME, "CNAME chain too long")


def _key(item: str | tuple[str, str]) -> tuple[str, str]:
    if isinstance(item, tuple):
        return (_name(item[0]), item[1].upper())
    return (_name(item), "*")
