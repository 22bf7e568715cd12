"""A small authoritative DNS server on 127.0.0.1, for tests that need real DNS traffic.

Strategy: dnspython parses each query (`dns.message.from_wire`) and builds the reply
(`dns.message.make_response`) from a zone given as `(name, rdtype, text)` records, so the
resolver under test talks real DNS over real sockets, with no mock anywhere. One
background thread serves UDP and TCP on the same OS-chosen port through a selector;
answers too big for the client's UDP payload are sent truncated (TC), as a real server
does, so the TCP retry path is exercised too. `silent=True` reads queries and never
answers (timeout tests); names in `servfail` are answered SERVFAIL (error tests).

Use it as a context manager; leaving it joins the thread and closes every socket, so no
ResourceWarning reaches pytest's `filterwarnings = error`.
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading
from collections import Counter
from collections.abc import Iterable
from types import TracebackType

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

Record = tuple[str, str, str]  # (owner name, rdtype, rdata text)

_POLL_SECONDS = 0.05  # how often the serving thread checks for stop()
_TCP_READ_SECONDS = 1.0  # a test client that stalls mid-message must not hang the server
_UDP_DEFAULT_PAYLOAD = 512  # RFC 1035 §4.2.1: UDP messages without EDNS are ≤ 512 bytes
_TTL = 300


def _key(name: str) -> dns.name.Name:
    return dns.name.from_text(name.lower())  # relative names are made absolute (root origin)


class DnsServer:
    """Serves `records` on 127.0.0.1:`port` (UDP and TCP) until `stop()`."""

    def __init__(
        self,
        records: Iterable[Record] = (),
        *,
        silent: bool = False,
        servfail: Iterable[str] = (),
    ) -> None:
        self.silent = silent
        self._servfail = {_key(name) for name in servfail}
        self._zone = self._build_zone(records)
        # Every owner name and its ancestors "exist": RFC 8020 §2 says an empty
        # non-terminal (4.2.0.192.origin.asn.cymru.com's parents) answers NODATA, not
        # NXDOMAIN.
        self._existing: set[dns.name.Name] = set()
        for owner in self._zone:
            name = owner
            while name != dns.name.root and name not in self._existing:
                self._existing.add(name)
                name = name.parent()
        self.hits: Counter[tuple[str, str]] = Counter()  # (name, rdtype) → queries seen
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._thread: threading.Thread | None = None
        try:
            self._udp.bind(("127.0.0.1", 0))
            self.port: int = self._udp.getsockname()[1]
            # A resolver retries over TCP at the same address and port after a truncated
            # UDP answer, so TCP must share the OS-chosen UDP port.
            self._tcp.bind(("127.0.0.1", self.port))
            self._tcp.listen(8)
        except OSError:
            self._close_sockets()
            raise

    @staticmethod
    def _build_zone(
        records: Iterable[Record],
    ) -> dict[dns.name.Name, dict[int, dns.rrset.RRset]]:
        grouped: dict[tuple[dns.name.Name, dns.rdatatype.RdataType], list[str]] = {}
        for name, rdtype, text in records:
            grouped.setdefault((_key(name), dns.rdatatype.from_text(rdtype)), []).append(text)
        zone: dict[dns.name.Name, dict[int, dns.rrset.RRset]] = {}
        for (owner, code), texts in grouped.items():
            rrset = dns.rrset.from_text(owner, _TTL, dns.rdataclass.IN, code, *texts)
            zone.setdefault(owner, {})[code] = rrset
        return zone

    @property
    def nameserver(self) -> str:
        """The server as an `ADDRESS:PORT` string, the form DnsResolver takes."""
        return f"127.0.0.1:{self.port}"

    def count(self, name: str, rdtype: str) -> int:
        """How many queries for (name, rdtype) reached the server, over UDP and TCP."""
        with self._lock:
            return self.hits[(str(_key(name)), rdtype.upper())]

    def start(self) -> DnsServer:
        self._thread = threading.Thread(target=self._serve, name="test-dns", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._close_sockets()

    def _close_sockets(self) -> None:
        self._udp.close()
        self._tcp.close()

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    # -- serving -------------------------------------------------------------------------

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._udp, selectors.EVENT_READ, self._on_udp)
            selector.register(self._tcp, selectors.EVENT_READ, self._on_tcp)
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=_POLL_SECONDS):
                    key.data()

    def _on_udp(self) -> None:
        wire, client = self._udp.recvfrom(65535)
        reply = self._reply(wire, tcp=False)
        if reply is not None:
            self._udp.sendto(reply, client)

    def _on_tcp(self) -> None:
        connection, _ = self._tcp.accept()
        with connection:
            connection.settimeout(_TCP_READ_SECONDS)
            try:
                # RFC 1035 §4.2.2: over TCP each message is prefixed by its 2-byte length.
                (length,) = struct.unpack("!H", _read_exactly(connection, 2))
                reply = self._reply(_read_exactly(connection, length), tcp=True)
                if reply is not None:
                    connection.sendall(struct.pack("!H", len(reply)) + reply)
            except (OSError, struct.error):
                return  # the client went away or sent garbage; a test server just moves on

    def _reply(self, wire: bytes, *, tcp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None  # not a DNS message: a real server would drop it too
        if not query.question:
            return None
        question = query.question[0]
        with self._lock:
            self.hits[(str(question.name).lower(), dns.rdatatype.to_text(question.rdtype))] += 1
        if self.silent:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        self._answer(response, _key(str(question.name)), question.rdtype)
        if tcp:
            return response.to_wire(max_size=65535)  # TCP: only the 2-byte length bounds it
        payload = query.payload if query.edns >= 0 else _UDP_DEFAULT_PAYLOAD
        try:
            return response.to_wire(max_size=max(payload, _UDP_DEFAULT_PAYLOAD))
        except dns.exception.TooBig:
            # RFC 2181 §9: set TC and let the client retry over TCP.
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.AA | dns.flags.TC
            return truncated.to_wire()

    def _answer(self, response: dns.message.Message, qname: dns.name.Name, rdtype: int) -> None:
        if qname in self._servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return
        rrsets = self._zone.get(qname, {})
        if rdtype in rrsets:
            response.answer.append(rrsets[rdtype])
        elif qname not in self._existing:
            response.set_rcode(dns.rcode.NXDOMAIN)
        # else NODATA: NOERROR with an empty answer section (RFC 2308 §2.2)


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise OSError("connection closed mid-message")
        data += chunk
    return data
