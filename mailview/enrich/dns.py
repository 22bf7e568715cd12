"""DNS look-ups for online enrichment: answers as plain frozen values, failures as a status.

Strategy: a thin layer over dnspython's stub resolver. Every query has a hard lifetime
(dnspython gives up after it, retries included), every DNS failure becomes a `status`
on a `DnsAnswer` instead of an exception, and answers are cached per (name, type) for
the life of the `DnsResolver` so that the ten hops of a message sharing one relay cost
one query. Transient failures (timeout, error) are not cached: asking again may work.
`query_many` runs independent queries in a bounded thread pool, so a slow or silent
server costs about one timeout for a whole batch rather than one per query.

Nothing here runs unless a caller builds a `DnsResolver`: offline analysis never imports
this module's sockets. Every answer carries `looked_up_at` (UTC), because it describes
the DNS of today, not of the day the message was delivered.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import dns.exception
import dns.name
import dns.nameserver
import dns.rdata
import dns.rdatatype
import dns.resolver
import dns.rrset

from mailview.core.record import record

OK = "ok"
NXDOMAIN = "nxdomain"  # the name does not exist (RFC 8020: nor anything below it)
NODATA = "nodata"  # the name exists, with no record of the asked type (RFC 2308 §2.2)
TIMEOUT = "timeout"
ERROR = "error"  # SERVFAIL, REFUSED, a malformed name, a network error…

DEFAULT_LIFETIME = 2.0  # seconds per query, retries included
DEFAULT_PARALLEL = 32  # enough for a message's hops × lists in one round, still bounded
# RFC 6891 §6.2.5 leaves the size open; 1232 is the DNS Flag Day 2020 value that avoids IP
# fragmentation on common paths. Larger answers come back truncated and are retried by TCP.
_EDNS_PAYLOAD = 1232
_PORT_MAX = 65535

# "ADDRESS[:PORT]": a bare IPv4 address or IPv6 address (no port), `a.b.c.d:port`, or
# `[v6]` / `[v6]:port` — the bracket form is RFC 3986 §3.2.2's IP-literal, the usual way to
# put a port after an IPv6 address.
_BRACKETED = re.compile(r"\[(?P<address>[^\]]+)\](?::(?P<port>[0-9]{1,5}))?")
_V4_WITH_PORT = re.compile(r"(?P<address>[0-9.]+):(?P<port>[0-9]{1,5})")


class DnsConfigError(ValueError):
    """A nameserver string could not be read, or the system has no resolver configured."""


@record
class DnsAnswer:
    """What one query gave: records as text, and how the look-up ended.

    `records`: A/AAAA as addresses, PTR/NS/CNAME as names without the root dot, MX as
    "preference host" (see `mx_host`), TXT as the character-strings of each record
    joined without a separator (RFC 7208 §3.3 — how SPF, DKIM and DMARC read them).
    """

    name: str  # as asked, lower case, without the root dot
    rdtype: str  # "A", "TXT", …
    records: tuple[str, ...]
    status: str  # ok | nxdomain | nodata | timeout | error
    looked_up_at: datetime  # UTC
    detail: str = ""  # why, for timeout and error, in words

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def conclusive(self) -> bool:
        """Whether the DNS gave an answer (possibly "no such record"), not a failure."""
        return self.status in (OK, NXDOMAIN, NODATA)


class Resolver(Protocol):
    def query(self, name: str, rdtype: str) -> DnsAnswer: ...


@runtime_checkable
class BatchResolver(Protocol):
    """A resolver that can also run many queries at once."""

    def query(self, name: str, rdtype: str) -> DnsAnswer: ...

    def query_many(
        self, queries: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], DnsAnswer]: ...


def query_all(
    resolver: Resolver, queries: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], DnsAnswer]:
    """All `queries`, in parallel when the resolver can, one by one otherwise."""
    if isinstance(resolver, BatchResolver):
        return resolver.query_many(queries)
    return {key: resolver.query(*key) for key in dict.fromkeys(queries)}


def mx_host(record: str) -> str:
    """The host of an MX record text "10 mx.example.com" ("" for a null MX, RFC 7505)."""
    _, _, host = record.partition(" ")
    return host.strip().rstrip(".").lower()


def parse_nameserver(text: str) -> tuple[str, int]:
    """(address, port) from "ADDRESS[:PORT]"; DnsConfigError when it is not one.

    Only literal addresses: a nameserver given by name would need DNS to be found.
    """
    spec = text.strip()
    address, port = spec, "53"
    if match := _BRACKETED.fullmatch(spec):
        address, port = match["address"], match["port"] or "53"
    elif match := _V4_WITH_PORT.fullmatch(spec):
        address, port = match["address"], match["port"]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise DnsConfigError(f"not a nameserver address: {text!r}") from None
    number = int(port)
    if not 1 <= number <= _PORT_MAX:
        raise DnsConfigError(f"nameserver port out of range: {text!r}")
    return str(parsed), number


class DnsResolver:
    """Queries the given nameservers (or the system's), with a timeout and a cache.

    `nameservers`: "ADDRESS[:PORT]" strings ("192.0.2.53", "127.0.0.1:5353", "[::1]:53");
    None or empty means the system's configuration (/etc/resolv.conf, or the registry on
    Windows). Raises DnsConfigError for an unreadable nameserver or a system without
    one; `query` and `query_many` never raise for DNS failures.
    """

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        *,
        lifetime: float = DEFAULT_LIFETIME,
        max_parallel: int = DEFAULT_PARALLEL,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if lifetime <= 0:
            raise DnsConfigError(f"lifetime must be positive, not {lifetime}")
        servers = [parse_nameserver(text) for text in nameservers or ()]
        try:
            self._resolver = dns.resolver.Resolver(configure=not servers)
        except dns.exception.DNSException as error:  # NoResolverConfiguration
            raise DnsConfigError(f"no system DNS resolver configured: {error}") from None
        if servers:
            self._resolver.nameservers = [
                dns.nameserver.Do53Nameserver(address, port) for address, port in servers
            ]
        # The lifetime bounds the whole query (all retries and servers); the per-try
        # timeout equals it so that one silent server cannot take two lifetimes.
        self._resolver.lifetime = lifetime
        self._resolver.timeout = lifetime
        self._resolver.use_edns(0, 0, _EDNS_PAYLOAD)
        self._resolver.cache = None  # ours below: it also keeps negative answers and times
        self.lifetime = lifetime
        self.max_parallel = max(1, max_parallel)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._cache: dict[tuple[str, str], DnsAnswer] = {}
        self._lock = threading.Lock()

    @property
    def nameservers(self) -> tuple[str, ...]:
        """The servers in use, as "address:port" text (IPv6 in brackets)."""
        shown = []
        for server in self._resolver.nameservers:
            if isinstance(server, dns.nameserver.Do53Nameserver):
                address, port = server.address, server.port
            else:  # a plain address string, as configure=True leaves them
                address, port = str(server), self._resolver.port
            host = f"[{address}]" if ":" in address else address
            shown.append(f"{host}:{port}")
        return tuple(shown)

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        """The answer for (name, rdtype); ValueError only for an unknown record type."""
        key = (_normalise(name), _rdtype(rdtype))
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        answer = self._lookup(*key)
        if answer.conclusive:
            with self._lock:
                answer = self._cache.setdefault(key, answer)
        return answer

    def query_many(self, queries: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DnsAnswer]:
        """Answers keyed by the (name, rdtype) pairs as given; duplicates asked once."""
        keys = list(dict.fromkeys(queries))
        if not keys:
            return {}
        for _, rdtype in keys:
            _rdtype(rdtype)  # fail on a bad type before any thread starts
        workers = min(self.max_parallel, len(keys))
        if workers == 1:
            return {key: self.query(*key) for key in keys}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mailview-dns") as pool:
            answers = pool.map(lambda key: self.query(*key), keys)
            return dict(zip(keys, answers, strict=True))

    def _lookup(self, name: str, rdtype: str) -> DnsAnswer:
        def answer(status: str, records: tuple[str, ...] = (), detail: str = "") -> DnsAnswer:
            return DnsAnswer(name, rdtype, records, status, self._clock(), detail)

        try:
            qname = dns.name.from_text(name)  # absolute: the root is the default origin
        except (dns.exception.DNSException, UnicodeError) as error:
            return answer(ERROR, detail=f"not a valid DNS name: {error}")
        try:
            result = self._resolver.resolve(qname, rdtype, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return answer(NXDOMAIN)
        except dns.exception.Timeout:  # LifetimeTimeout included
            return answer(TIMEOUT, detail=f"no answer within {self.lifetime:g} s")
        except (dns.exception.DNSException, OSError) as error:
            return answer(ERROR, detail=str(error) or type(error).__name__)
        if result.rrset is None:
            return answer(NODATA)
        return answer(OK, tuple(_record_text(rdata) for rdata in result.rrset))


def _normalise(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _rdtype(text: str) -> str:
    try:
        return dns.rdatatype.to_text(dns.rdatatype.from_text(text.strip().upper()))
    except dns.exception.DNSException:
        raise ValueError(f"unknown DNS record type: {text!r}") from None


def _record_text(rdata: dns.rdata.Rdata) -> str:
    rdtype = rdata.rdtype
    if rdtype == dns.rdatatype.TXT:
        strings: Iterable[bytes] = rdata.strings  # type: ignore[attr-defined]
        return b"".join(strings).decode("utf-8", "replace")
    if rdtype == dns.rdatatype.MX:
        exchange: dns.name.Name = rdata.exchange  # type: ignore[attr-defined]
        return f"{rdata.preference} {exchange.to_text(omit_final_dot=True)}"  # type: ignore[attr-defined]
    if rdtype in (dns.rdatatype.PTR, dns.rdatatype.NS, dns.rdatatype.CNAME):
        target: dns.name.Name = rdata.target  # type: ignore[attr-defined]
        return target.to_text(omit_final_dot=True)
    return rdata.to_text()


class DeadlineResolver:
    """A resolver that stops asking at an overall deadline: every query after it answers
    at once with a timeout saying so, so a silent resolver and a thousand hops cost the
    deadline plus one query's lifetime, not one lifetime per round of questions.

    `skipped` counts the questions not asked.
    """

    def __init__(
        self,
        inner: Resolver,
        seconds: float,
        *,
        max_parallel: int = DEFAULT_PARALLEL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.seconds = seconds
        self.max_parallel = max(1, max_parallel)
        self._monotonic = monotonic
        self._end = monotonic() + seconds
        self._lock = threading.Lock()
        self.skipped = 0

    @property
    def expired(self) -> bool:
        return self._monotonic() >= self._end

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        if self.expired:
            with self._lock:
                self.skipped += 1
            detail = f"not asked: the look-ups' overall deadline of {self.seconds:g} s had passed"
            return DnsAnswer(name, rdtype, (), TIMEOUT, datetime.now(UTC), detail)
        return self.inner.query(name, rdtype)

    def query_many(self, queries: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DnsAnswer]:
        keys = list(dict.fromkeys(queries))
        if len(keys) <= 1:
            return {key: self.query(*key) for key in keys}
        workers = min(self.max_parallel, len(keys))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mailview-dns") as pool:
            return dict(zip(keys, pool.map(lambda key: self.query(*key), keys), strict=True))
