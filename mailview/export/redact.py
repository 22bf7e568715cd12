"""Redaction for sharing: the recipient's identity and internal network out, evidence in.

Strategy: two passes over the frozen report. The first collects what must go — recipient
addresses (To, Cc, Delivered-To and friends, `for <…>` in hops, the envelope's RCPT TO),
the receiving organisation's internal host names (names on the receiving side of trusted
hops, and any host under `own_domains` or under the organisational domains of the
trusted hops' receivers) and private IP addresses wherever they are written — and gives
each original one numbered placeholder, in order of first appearance. The second pass
rebuilds the whole report generically (every string of every dataclass and tuple, raw
headers, finding evidence, auth properties and summary fields alike) through one text
function, so the same original becomes the same placeholder everywhere. The sending side
(From, the boundary hop's client names, public sending IPs, URLs) is never collected:
it is the evidence the report is shared for.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import cast

from mailview.core.auth.addresses import parse_mailboxes
from mailview.core.domains import is_localhost, normalise_host, org_domain
from mailview.core.ipscope import parse_ip, scope_of
from mailview.core.model import Report, Scope

RECIPIENT_HEADERS = frozenset(
    {"to", "cc", "bcc", "delivered-to", "x-original-to", "envelope-to", "x-delivered-to"}
)
PLACEHOLDER_DOMAIN = "redacted.invalid"  # RFC 2606: .invalid can never be a real name
REDACTED_SCOPES = frozenset(
    {Scope.PRIVATE, Scope.LOOPBACK, Scope.LINK_LOCAL, Scope.ULA, Scope.CGNAT}
)

# What Received headers write where no name was known: words, not host names; replacing
# them would rewrite ordinary text ("unknown") all over the report.
_NOT_NAMES = frozenset({"unknown", "local", "none", "localhost.localdomain"})
# A host name: dot-separated labels. The look-arounds keep a match from starting or ending
# inside a longer name (or an address's local part), so only whole names are replaced.
_HOST = re.compile(r"(?<![\w.@-])[A-Za-z0-9](?:[\w-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9_-]+)+(?![\w-])")
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
# IPv6 candidates, with an optional `IPv6:` tag (RFC 5321 address literals) left outside
# the group; `ipaddress` then decides, so times like 09:14:40 are turned away.
_IPV6 = re.compile(
    r"(?i)(?<![\w:.])(?:ipv6:)?([0-9a-f]*:[0-9a-f:]*:[0-9a-f]*(?:\d+\.\d+\.\d+\.\d+)?)(?![\w:])"
)


@dataclass(frozen=True, slots=True)
class RedactionMap:
    """What was replaced: (original, placeholder) pairs per kind, in placeholder order."""

    recipients: tuple[tuple[str, str], ...] = ()
    hosts: tuple[tuple[str, str], ...] = ()
    ips: tuple[tuple[str, str], ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return {"recipients": len(self.recipients), "hosts": len(self.hosts), "ips": len(self.ips)}

    def describe(self) -> str:
        """ "2 recipient addresses, 3 internal host names, 4 private IPs replaced"."""
        parts = [
            _count(len(self.recipients), "recipient address", "recipient addresses"),
            _count(len(self.hosts), "internal host name", "internal host names"),
            _count(len(self.ips), "private IP", "private IPs"),
        ]
        return ", ".join(parts) + " replaced"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def redact(report: Report, *, own_domains: Sequence[str] = ()) -> tuple[Report, RedactionMap]:
    """A copy of `report` with recipients, internal hosts and private IPs replaced."""
    texts = list(_strings(report))
    recipients, names = _recipients(report)
    hosts = _hosts(report, texts, own_domains)
    ips = _private_ips(report, texts)
    table = _Placeholders(recipients, names, hosts, ips)
    redacted = cast(Report, _rebuild(report, table.apply))
    return redacted, table.as_map()


# --- collecting -----------------------------------------------------------------------


def _recipients(report: Report) -> tuple[list[str], dict[str, str]]:
    """Recipient addresses (lower-cased, first appearance first) and display names → address."""
    found: list[str] = []
    names: dict[str, str] = {}

    def add(address: str | None, name: str | None = None) -> None:
        key = (address or "").strip("<> ").lower()
        if "@" not in key or key.endswith(PLACEHOLDER_DOMAIN):
            return  # not an address, or one this module already wrote
        if key not in found:
            found.append(key)
        # Short names ("IT") would hit ordinary words elsewhere; a name shorter than this
        # identifies nobody anyway.
        if name and len(name.strip()) >= 4:
            names.setdefault(name.strip(), key)

    for hop in report.hops:
        add(hop.fields.for_addr)
    for field in report.headers:
        if field.name.lower() in RECIPIENT_HEADERS:
            for box in parse_mailboxes(field.value):
                add(box.address, box.display_name)
    if report.envelope is not None:
        for rcpt in report.envelope.rcpt_to:
            add(rcpt)
    return found, names


def _hosts(report: Report, texts: Iterable[str], own_domains: Sequence[str]) -> list[str]:
    """Internal host names (lower-cased), first appearance first."""
    kept = _sender_side_names(report)
    internal: list[str] = []
    domains = {d for d in (normalise_host(x) for x in own_domains) if d}

    def add(name: str | None) -> None:
        host = normalise_host(name)
        if host and host not in kept and host not in internal and _is_name(host):
            internal.append(host)

    boundary = report.trust_boundary_hop
    for hop in report.hops:
        if not hop.trusted:
            continue
        f = hop.fields
        add(f.by_host)
        org = org_domain(f.by_host)
        if org:
            domains.add(org)
        # The boundary hop's client is the outside sender: evidence, kept.
        if hop.index != boundary:
            for name in (f.from_host, f.from_helo, f.from_rdns):
                add(name)
    for text in texts:
        for match in _HOST.finditer(text):
            host = match.group(0).lower()
            if any(host.endswith("." + d) for d in domains):
                add(host)
    return internal


def _sender_side_names(report: Report) -> set[str]:
    """Names the sending side wrote or chose: claimed hops and the boundary hop's client."""
    kept: set[str] = set()
    for hop in report.hops:
        f = hop.fields
        names = [f.from_host, f.from_helo, f.from_rdns]
        if not hop.trusted:
            names.append(f.by_host)
        if not hop.trusted or hop.index == report.trust_boundary_hop:
            kept.update(n for n in (normalise_host(x) for x in names) if n)
    return kept


def _is_name(host: str) -> bool:
    """A host name worth replacing: not an address literal, not `localhost`, not a word."""
    return (
        parse_ip(host) is None
        and not is_localhost(host)
        and host not in _NOT_NAMES
        and len(host) >= 3
        and not host.endswith(PLACEHOLDER_DOMAIN)
    )


def _private_ips(report: Report, texts: Iterable[str]) -> list[str]:
    found: list[str] = []
    candidates: list[str] = []
    for hop in report.hops:
        candidates += [x for x in (hop.fields.from_ip, hop.fields.by_ip) if x]
    for text in texts:
        candidates += _IPV4.findall(text)
        candidates += _IPV6.findall(text)
    for candidate in candidates:
        key = _private_key(candidate)
        if key is not None and key not in found:
            found.append(key)
    return found


def _private_key(text: str) -> str | None:
    """The canonical form of `text` when it is an address in a redacted scope."""
    address = parse_ip(text)
    if address is None or scope_of(address) not in REDACTED_SCOPES:
        return None
    return str(address)


# --- replacing --------------------------------------------------------------------------


class _Placeholders:
    def __init__(
        self,
        recipients: list[str],
        names: dict[str, str],
        hosts: list[str],
        ips: list[str],
    ) -> None:
        self.recipients = {
            a: f"recipient-{n}@{PLACEHOLDER_DOMAIN}" for n, a in enumerate(recipients, 1)
        }
        self.names = {
            name: f"Recipient {recipients.index(address) + 1}" for name, address in names.items()
        }
        self.hosts = {h: f"internal-host-{n}.{PLACEHOLDER_DOMAIN}" for n, h in enumerate(hosts, 1)}
        self.ips = {ip: f"private-ip-{n}" for n, ip in enumerate(ips, 1)}
        # Longest first, so that a name is never replaced inside a longer one.
        self._address_re = _alternation(self.recipients, r"(?<![\w.+-])", r"(?![\w-]|\.\w)")
        self._name_re = _alternation(self.names, r"(?<!\w)", r"(?!\w)", ignore_case=False)
        self._host_re = _alternation(self.hosts, r"(?<![\w.-])", r"(?![\w-]|\.\w)")

    def apply(self, text: str) -> str:
        if self._address_re is not None:
            text = self._address_re.sub(lambda m: self.recipients[m.group(0).lower()], text)
        if self._name_re is not None:
            text = self._name_re.sub(lambda m: self.names[m.group(0)], text)
        if self._host_re is not None:
            text = self._host_re.sub(lambda m: self.hosts[m.group(0).lower()], text)
        if self.ips:
            text = _IPV4.sub(self._ip, text)
            text = _IPV6.sub(self._ip6, text)
        return text

    def _ip(self, match: re.Match[str]) -> str:
        key = _private_key(match.group(0))
        return self.ips.get(key, match.group(0)) if key else match.group(0)

    def _ip6(self, match: re.Match[str]) -> str:
        key = _private_key(match.group(1))
        if key is None or key not in self.ips:
            return match.group(0)
        start, end = match.span(1)
        whole = match.group(0)
        offset = match.start(0)
        return whole[: start - offset] + self.ips[key] + whole[end - offset :]

    def as_map(self) -> RedactionMap:
        return RedactionMap(
            recipients=tuple(self.recipients.items()),
            hosts=tuple(self.hosts.items()),
            ips=tuple(self.ips.items()),
        )


def _alternation(
    table: dict[str, str], before: str, after: str, *, ignore_case: bool = True
) -> re.Pattern[str] | None:
    if not table:
        return None
    words = sorted(table, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in words)
    return re.compile(f"{before}(?:{body}){after}", re.IGNORECASE if ignore_case else 0)


# --- walking the frozen model -------------------------------------------------------------

_ATOMS = (Enum, int, float, bool, bytes, datetime, ipaddress.IPv4Address, ipaddress.IPv6Address)


def _rebuild(value: object, change: Callable[[str], str]) -> object:
    """`value` with every string inside replaced by `change(string)`; other values shared."""
    if value is None or isinstance(value, _ATOMS):
        return value  # enums first: a StrEnum (Severity, Scope) is a str, but a fixed one
    if isinstance(value, str):
        return change(value)
    if isinstance(value, tuple):
        items = [_rebuild(item, change) for item in value]
        if hasattr(value, "_fields"):  # NamedTuple: HeaderField, Hop, ReceivedFields, …
            return type(value)(*items)  # type: ignore[arg-type]
        return tuple(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _rebuild(getattr(value, f.name), change) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def _strings(value: object) -> Iterator[str]:
    """Every string inside `value`, in field order (headers and hops in report order)."""
    if value is None or isinstance(value, _ATOMS):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
