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

`Redaction` is that one description of what is private. It is built from the report and
whatever else an export shows (the body's indicators), and applied to any of them — and
to anything made of dataclasses, tuples, lists and dicts — so a value private in one
place is replaced in every other. Each recipient is also found in the forms other
systems write it in: percent-encoded in a link (`alice%40contoso.com`), folded into a
VERP bounce address (`bounces+alice=contoso.com@…`), or as the encoded-word display
name of its header. Host names on an intranet (a single label in a URL, or a name under
a private-use suffix such as `.corp` or `.internal`) are internal hosts too.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from enum import Enum
from typing import TypeVar, cast

from mailview.core.auth.addresses import parse_mailboxes
from mailview.core.defects import Defect
from mailview.core.domains import is_localhost, normalise_host, org_domain
from mailview.core.ipscope import parse_ip, scope_of
from mailview.core.model import Report, Scope
from mailview.core.record import record

T = TypeVar("T")

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
_HOST = re.compile(r"(?<![\w.-])[A-Za-z0-9](?:[\w-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9_-]+)+(?![\w-])")
# A URL's host: after `scheme://` and any `user@`, up to a port, path, query or fragment.
_URL_HOST = re.compile(
    r"(?i)\b[a-z][a-z0-9+.-]*://(?:[^/\s@?#]*@)?([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)"
)
# Suffixes no public name ends in: RFC 6762 .local, RFC 8375 .home.arpa, ICANN's reserved
# .internal, and the ones intranets commonly use.
_PRIVATE_SUFFIXES = (
    ".local",
    ".lan",
    ".internal",
    ".intranet",
    ".corp",
    ".home.arpa",
    ".localdomain",
)
# RFC 2047 §2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
# IPv6 candidates, with an optional `IPv6:` tag (RFC 5321 address literals) left outside
# the group; `ipaddress` then decides, so times like 09:14:40 are turned away.
_IPV6 = re.compile(
    r"(?i)(?<![\w:.])(?:ipv6:)?([0-9a-f]*:[0-9a-f:]*:[0-9a-f]*(?:\d+\.\d+\.\d+\.\d+)?)(?![\w:])"
)


@record
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
    redaction = Redaction.of(report, own_domains=own_domains)
    return redaction.apply(report), redaction.as_map()


class Redaction:
    """What is private in one report (and what an export shows beside it), and its
    replacement anywhere."""

    def __init__(self, table: _Placeholders) -> None:
        self._table = table

    @classmethod
    def of(cls, report: Report, *also: object, own_domains: Sequence[str] = ()) -> Redaction:
        """What is private in `report`; `also` (e.g. the body's indicators) is searched
        for private addresses and internal names as well."""
        texts = list(_strings(report))
        for extra in also:
            texts += _strings(extra)
        texts = list(dict.fromkeys(texts))  # a hop's header is also in the headers: once
        recipients, names = _recipients(report)
        hosts = _hosts(report, texts, own_domains)
        ips = _private_ips(report, texts)
        return cls(_Placeholders(recipients, names, hosts, ips))

    def apply(self, value: T) -> T:
        """`value` with every private string inside replaced; other values shared."""
        done: dict[str, str] = {}  # the same text (a header and its hop) is rewritten once

        def change(text: str) -> str:
            found = done.get(text)
            if found is None:
                found = done[text] = self._table.apply(text)
            return found

        return cast(T, _rebuild(value, change))

    def text(self, text: str) -> str:
        return self._table.apply(text)

    def as_map(self) -> RedactionMap:
        return self._table.as_map()


# --- collecting -----------------------------------------------------------------------


def _recipients(report: Report) -> tuple[list[str], dict[str, str]]:
    """Recipient addresses (lower-cased, first appearance first) and display names → address."""
    found: dict[str, None] = {}  # an ordered set
    names: dict[str, str] = {}

    def add(address: str | None, name: str | None = None) -> None:
        key = (address or "").strip("<> ").lower()
        if "@" not in key or key.endswith(PLACEHOLDER_DOMAIN):
            return  # not an address, or one this module already wrote
        found.setdefault(key, None)
        # Short names ("IT") would hit ordinary words elsewhere; a name shorter than this
        # identifies nobody anyway.
        if name and len(name.strip()) >= 4:
            names.setdefault(name.strip(), key)

    for hop in report.hops:
        add(hop.fields.for_addr)
    for field in report.headers:
        if field.name.lower() in RECIPIENT_HEADERS:
            boxes = [b for b in parse_mailboxes(field.value) if b.address]
            for box in boxes:
                add(box.address, box.display_name)
            # The raw header keeps a display name encoded (RFC 2047); it names the
            # recipient as much as the decoded one does.
            if boxes:
                for word in _ENCODED_WORD.findall(field.value):
                    add(boxes[0].address, word)
    if report.envelope is not None:
        for rcpt in report.envelope.rcpt_to:
            add(rcpt)
    return list(found), names


def _hosts(report: Report, texts: Iterable[str], own_domains: Sequence[str]) -> list[str]:
    """Internal host names (lower-cased), first appearance first."""
    kept = _sender_side_names(report)
    internal: dict[str, None] = {}  # an ordered set: first appearance first, found in O(1)
    domains = {d for d in (normalise_host(x) for x in own_domains) if d}

    def add(name: str | None) -> None:
        host = normalise_host(name)
        if host and host not in kept and host not in internal and _is_name(host):
            internal[host] = None

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
            if _under(host, domains) or host.endswith(_PRIVATE_SUFFIXES):
                add(host)
        for match in _URL_HOST.finditer(text):
            host = match.group(1).lower()
            if "." not in host and _is_name(host):
                add(host)  # http://intranet/: only a local resolver knows the name
    return list(internal)


def _under(host: str, domains: set[str]) -> bool:
    """Whether `host` is a name strictly below one of `domains` (a set look-up per label)."""
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(1, len(labels)))


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
    found: dict[str, None] = {}  # an ordered set
    candidates: list[str] = []
    for hop in report.hops:
        candidates += [x for x in (hop.fields.from_ip, hop.fields.by_ip) if x]
    for text in texts:
        candidates += _IPV4.findall(text)
        candidates += _IPV6.findall(text)
    for candidate in candidates:
        key = _private_key(candidate)
        if key is not None:
            found.setdefault(key, None)
    return list(found)


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
        number = {address: n for n, address in enumerate(recipients, 1)}
        self.names = {name: f"Recipient {number[address]}" for name, address in names.items()}
        self.hosts = {h: f"internal-host-{n}.{PLACEHOLDER_DOMAIN}" for n, h in enumerate(hosts, 1)}
        self.ips = {ip: f"private-ip-{n}" for n, ip in enumerate(ips, 1)}
        # The other spellings of each recipient address, mapped to the same placeholder's.
        self.spellings: dict[str, str] = {}
        for address, placeholder in self.recipients.items():
            local, _, domain = address.rpartition("@")
            self.spellings[f"{local}%40{domain}"] = placeholder.replace("@", "%40")
            self.spellings[f"{local}={domain}"] = placeholder.replace("@", "=")
        # Longest first, so that a name is never replaced inside a longer one.
        self._address_re = _alternation(self.recipients, r"(?<![\w.+-])", r"(?![\w-]|\.\w)")
        self._spelling_re = _alternation(self.spellings, r"(?<![\w.])", r"(?![\w-]|\.\w)")
        self._name_re = _alternation(self.names, r"(?<!\w)", r"(?!\w)", ignore_case=False)
        # Host names are found by their shape and looked up: an alternation of thousands of
        # names (one per internal hop) would cost seconds to compile and to run.
        self._single = any("." not in h for h in self.hosts)

    def apply(self, text: str) -> str:
        if self._address_re is not None:
            text = self._address_re.sub(lambda m: self.recipients[m.group(0).lower()], text)
        if self._spelling_re is not None:
            text = self._spelling_re.sub(lambda m: self.spellings[m.group(0).lower()], text)
        if self._name_re is not None:
            text = self._name_re.sub(lambda m: self.names[m.group(0)], text)
        if self.hosts:
            text = _HOST.sub(self._host, text)
        if self._single:  # a single-label name is replaced only where it is a host: a URL
            text = _URL_HOST.sub(self._url_host, text)
        if self.ips:
            text = _IPV4.sub(self._ip, text)
            text = _IPV6.sub(self._ip6, text)
        return text

    def _host(self, match: re.Match[str]) -> str:
        return self.hosts.get(match.group(0).lower(), match.group(0))

    def _url_host(self, match: re.Match[str]) -> str:
        placeholder = self.hosts.get(match.group(1).lower())
        if placeholder is None:
            return match.group(0)
        start, end = match.span(1)
        whole, offset = match.group(0), match.start(0)
        return whole[: start - offset] + placeholder + whole[end - offset :]

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
    if isinstance(value, Defect):
        return value.with_text(change(str(value)))  # the sentence changes, not the data
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_rebuild(item, change) for item in value]
    if isinstance(value, dict):
        return {_rebuild(k, change): _rebuild(v, change) for k, v in value.items()}
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
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
