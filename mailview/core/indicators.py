"""Indicators of compromise in one message: IPs, addresses, domains, URLs, attachments.

Strategy:

* IPs and addresses come from what the analysis already decided: the report's
  originators, the hops whose sending address is public (or documentation, so the
  bundled sample shows some), and the From/Reply-To/Sender/Return-Path mailboxes.
* The body is walked over the analysis's own parse (`mime.walk_parts`: the loader's
  boundary splitting on one buffer, iterative, capped in parts, depth and decoded bytes),
  never re-parsed with the stdlib, whose header folding is quadratic on hostile input.
  Text parts are scanned with one URL regex; HTML parts (and HTML or SVG attachments,
  and text parts that are really HTML) with the linear scanner of `htmlscan`, which
  unescapes entities and gives each `<a href>` its visible text, so a link that shows one
  domain and points at another is flagged, and which notes forms and password fields.
  Attachments are hashed and their first bytes compared with a small table of magic
  numbers — they are never opened, rendered or run.
* Work is bounded: parts, URLs, decoded bytes and scanned characters are capped, and
  every cap that bites is reported in words on `Indicators.problems`.
* The visible text of the message's own text parts (capped) is kept beside the
  indicators for the wording rules; it is not part of the report.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import field
from typing import Literal
from urllib.parse import urlsplit

from mailview.core.auth.addresses import parse_mailboxes, to_ascii_domain
from mailview.core.domains import org_domain, same_org
from mailview.core.htmlscan import HtmlScan, looks_like_html, scan_html
from mailview.core.ipscope import parse_ip, scope_of_text
from mailview.core.lazy_re import LazyPattern
from mailview.core.mime import MAX_DECODED_BYTES, MAX_NESTING, MAX_PARTS, Part, walk_parts
from mailview.core.model import HeaderField, Hop, LoadedMessage, Originator, Report, Scope
from mailview.core.record import mutable_record, record
from mailview.core.sniff import OLE_MAGIC, is_probably_binary

__all__ = ["MAX_DECODED_BYTES", "MAX_NESTING", "MAX_PARTS"]

MAX_URLS = 2_000
MAX_SCANNED_CHARS = 5_000_000  # characters of one text part searched for URLs
MAX_BODY_TEXT = 200_000  # characters of visible text kept for the wording rules, in all
_MAX_SHOWN = 200  # characters of a link's visible text kept

IpRole = Literal["originating", "hop"]
AddressRole = Literal["from", "reply-to", "sender", "return-path"]
UrlSource = Literal["text", "html"]

_ADDRESS_ROLES: tuple[AddressRole, ...] = ("from", "reply-to", "sender", "return-path")
_ROLE_LENGTHS = frozenset(len(role) for role in _ADDRESS_ROLES)
_HOP_SCOPES = (Scope.PUBLIC, Scope.DOCUMENTATION)


@record
class IpIndicator:
    ip: str
    role: IpRole
    hop_index: int | None  # the hop that recorded it (1 = oldest), None when no hop did
    scope: Scope | None


@record
class AddressIndicator:
    address: str
    role: AddressRole
    domain: str | None  # lower-case A-labels


@record
class UrlIndicator:
    url: str  # as written (entities unescaped), scheme-less for bare `www.` links
    domain: str | None  # lower-case A-labels (or the IP literal); None when unreadable
    source: UrlSource
    shown_text: str | None  # a link's visible text when it differs from the target
    mismatch: bool  # the visible text names another domain than the target's
    part: str | None = None  # where it was written: "HTML part 2", "attachment 'a.htm'"


@record
class AttachmentIndicator:
    name: str | None  # RFC 2231/2047 decoded
    size: int | None  # decoded bytes; None when not decoded (budget spent, attached mail)
    declared_type: str  # the part's Content-Type
    detected_type: str | None  # from the magic bytes, as a MIME type; None: not examined
    sha256: str | None  # of the decoded bytes


@record
class FormIndicator:
    """An HTML form in the body or an attached page: where it posts, what it asks for."""

    action: str | None  # the action URL as written; None when the form names none
    domain: str | None  # the host it posts to; None when it posts nowhere on the network
    password: bool  # it holds a password field
    part: str  # "HTML part 2", "attachment 'invoice.htm'"


@record
class Indicators:
    ips: tuple[IpIndicator, ...]
    addresses: tuple[AddressIndicator, ...]
    domains: tuple[str, ...]
    urls: tuple[UrlIndicator, ...]
    attachments: tuple[AttachmentIndicator, ...]
    problems: tuple[str, ...]
    forms: tuple[FormIndicator, ...] = ()
    password_fields: tuple[str, ...] = ()  # parts holding a password field outside a form


@record
class BodyText:
    """The visible text of one of the message's own text parts (for wording rules)."""

    part: str  # "text part 1", "HTML part 2"
    text: str


@record
class Content:
    """What reading the body found: the indicators (in the report) and the text."""

    indicators: Indicators
    texts: tuple[BodyText, ...] = ()


def read_content(
    message: LoadedMessage,
    headers: tuple[HeaderField, ...],
    hops: Sequence[Hop],
    originators: Sequence[Originator],
) -> Content:
    """The indicators and visible text of `message`; never raises."""
    addresses = _addresses(headers)
    scan = _Scan()
    scan.run(message)
    urls = tuple(scan.urls)
    indicators = Indicators(
        ips=_ips(hops, originators),
        addresses=addresses,
        domains=_domains(addresses, urls),
        urls=urls,
        attachments=tuple(scan.attachments),
        problems=tuple(scan.problems),
        forms=tuple(scan.forms),
        password_fields=tuple(scan.password_parts),
    )
    return Content(indicators, tuple(scan.texts))


def extract_indicators(report: Report, message: LoadedMessage) -> Indicators:
    """The indicators of `message`, whose analysis is `report`; never raises."""
    if report.indicators is not None:
        return report.indicators
    return read_content(message, report.headers, report.hops, report.originators).indicators


# --- IPs, addresses, domains --------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _ip_key(ip: str) -> str:
    parsed = parse_ip(ip)
    return ip if parsed is None else str(parsed)


def _ips(hops: Sequence[Hop], originators: Sequence[Originator]) -> tuple[IpIndicator, ...]:
    """Originators first, then public hop addresses oldest first; each address once."""
    first_hop: dict[str, int] = {}
    for hop in hops:
        if hop.fields.from_ip:
            first_hop.setdefault(_ip_key(hop.fields.from_ip), hop.index)
    found: dict[str, IpIndicator] = {}
    for origin in originators:
        key = _ip_key(origin.ip)
        if key not in found:
            scope = scope_of_text(origin.ip)
            found[key] = IpIndicator(origin.ip, "originating", first_hop.get(key), scope)
    for hop in hops:
        ip = hop.fields.from_ip
        if ip and hop.ip_scope in _HOP_SCOPES and _ip_key(ip) not in found:
            found[_ip_key(ip)] = IpIndicator(ip, "hop", hop.index, hop.ip_scope)
    return tuple(found.values())


def _addresses(headers: tuple[HeaderField, ...]) -> tuple[AddressIndicator, ...]:
    found: dict[tuple[str, str], AddressIndicator] = {}
    by_role: dict[str, list[HeaderField]] = {role: [] for role in _ADDRESS_ROLES}
    for header in headers:  # one pass: a message has dozens of headers, four roles
        if len(header.name) in _ROLE_LENGTHS:  # cheaper than lower-casing every name
            fields = by_role.get(header.name.lower())
            if fields is not None:
                fields.append(header)
    for role in _ADDRESS_ROLES:
        for header in by_role[role]:
            for box in parse_mailboxes(header.value):
                address = box.address
                if address and "@" in address and (address, role) not in found:
                    domain = to_ascii_domain(address.rsplit("@", 1)[1])
                    found[(address, role)] = AddressIndicator(address, role, domain)
    return tuple(found.values())


def _domains(
    addresses: tuple[AddressIndicator, ...], urls: tuple[UrlIndicator, ...]
) -> tuple[str, ...]:
    """Every domain named, addresses first; IP literals are not domains."""
    names = [a.domain for a in addresses] + [u.domain for u in urls]
    return tuple(dict.fromkeys(n for n in names if n and parse_ip(n) is None))


# --- URLs ----------------------------------------------------------------------------------

# http/https/ftp URLs and bare www. names; the run stops at white space, quotes, angle
# brackets and control characters, which never belong to a URL written in running text.
_URL = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'`\x00-\x1f\x7f]+", re.I)
_TRAILING = ".,;:!?'\"]}>*)"
# A bare domain as link text ("paypal.com", "paypal.com/login"); letters of any script.
_BARE_DOMAIN = LazyPattern(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,63}\.?(?::\d+)?(?:[/?#]\S*)?")
_NETWORK_PREFIXES = ("http://", "https://", "ftp://", "//", "www.")
_URL_JUNK = re.compile(r"[\t\r\n]")  # browsers drop these from a URL before using it


def _trim(url: str) -> str:
    """`url` without the punctuation of the sentence around it; balanced `)` stays."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def urls_in_text(text: str) -> Iterator[str]:
    """Every URL written in `text`, in order.

    The regex alone would be tried at every character (it is case-insensitive and starts
    with an alternation, which the engine cannot skip ahead for); the places where a URL
    can start are found first with `str.find` at C speed, and the regex runs only there.
    """
    lowered = text.lower()
    end = 0
    for start in _url_starts(lowered):
        if start < end:
            continue  # inside the previous URL
        match = _URL.match(text, start)
        if match is None:
            continue
        end = match.end()
        url = _trim(match.group())
        if url.lower() not in ("www.", "http://", "https://", "ftp://"):
            yield url


def _url_starts(lowered: str) -> list[int]:
    """Where `_URL` may match: before `http://`, `https://`, `ftp://`, `www.`."""
    starts: list[int] = []
    for marker, back in (("://", (5, 4, 3)), ("www.", (0,))):
        at = lowered.find(marker)
        while at >= 0:
            for offset in back:
                start = at - offset
                if start >= 0 and lowered.startswith(("https", "http", "ftp", "www."), start):
                    starts.append(start)
                    break
            at = lowered.find(marker, at + 1)
    return sorted(starts)


def url_host(url: str) -> str | None:
    """The host a browser would contact for `url` (A-labels), or None."""
    # WHATWG URLs read "\" as "/" in http(s): "https://evil.example\@bank.example" goes to
    # evil.example, whereas urlsplit alone would name bank.example.
    text = url.replace("\\", "/")
    if not text.lower().startswith(("http://", "https://", "ftp://", "//")):
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:  # an unbalanced IPv6 bracket
        return None
    return to_ascii_domain(host) if host else None


def _network_target(value: str | None) -> str | None:
    """An href/src/action value when it reaches the network (not mailto:, #, relative)."""
    if not value:
        return None
    target = _URL_JUNK.sub("", value.strip())
    return target if target.lower().startswith(_NETWORK_PREFIXES) else None


def _shown_host(text: str) -> str | None:
    """The host a link's visible text names, when it reads as a URL or a domain."""
    match = _URL.search(text)
    if match is not None:
        return url_host(_trim(match.group()))
    stripped = text.strip()
    if _BARE_DOMAIN.fullmatch(stripped) is None:
        return None
    host = url_host(stripped)
    # "invoice.pdf" is a file name, not a domain: only names under a real suffix count.
    return host if host and org_domain(host) is not None else None


def _link(target: str, shown: str, source: UrlSource, part: str | None = None) -> UrlIndicator:
    host = url_host(target)
    text = " ".join(shown.split())[:_MAX_SHOWN]
    shown_host = _shown_host(text) if text else None
    mismatch = (
        host is not None
        and shown_host is not None
        and shown_host != host
        and not same_org(shown_host, host)
    )
    shown_text = text if text and text != target else None
    return UrlIndicator(target, host, source, shown_text, mismatch, part)


# --- attachments ---------------------------------------------------------------------------

# (magic bytes at offset 0, MIME type), checked in order.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"MZ", "application/vnd.microsoft.portable-executable"),
    (b"\x7fELF", "application/x-elf"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (OLE_MAGIC, "application/x-ole-storage"),  # .doc .xls .ppt .msg
    (b"L\x00\x00\x00\x01\x14\x02\x00", "application/x-ms-shortcut"),  # .lnk
    (b"{\\rtf", "application/rtf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Office Open XML / OpenDocument packages are ZIP files; their member names say which.
_ZIP_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"mimetypeapplication/vnd.oasis.opendocument", "application/vnd.oasis.opendocument"),
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_ISO_OFFSET = 0x8001  # ISO 9660 volume descriptor: disk images are a favourite dropper
# Text kinds, from the start of the text (lower case, white space and BOM stripped).
# Leading comments are skipped possessively (`*+`): each is the shortest run to its "-->",
# as in WHATWG MIME sniffing, and never re-split on failure; re-splitting tried every way
# of grouping the comments, doubling the time with each (20 comments: 0.2 s, 40: hours).
_TEXT_KINDS: tuple[tuple[LazyPattern[str], str], ...] = (
    (LazyPattern(r"#!"), "text/x-shellscript"),
    (LazyPattern(r"@echo\s+off"), "text/x-msdos-batch"),
    (LazyPattern(r"(?:<!--.*?-->\s*)*+<(?:!doctype\s+html|html|head|body|script|meta)\b", re.S),
     "text/html"),
    (LazyPattern(r"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*+<svg\b", re.S), "image/svg+xml"),
    (LazyPattern(r"<\?xml\b"), "application/xml"),
)  # fmt: skip
# Windows Script Host code reads like this wherever it starts.
_WSH = LazyPattern(r"wscript\.|createobject\s*\(|activexobject\s*\(|powershell\s+-", re.I)
_WSH_WORDS = ("wscript", "createobject", "activexobject", "powershell")  # one is in every match


def detect_type(data: bytes) -> str:
    """What `data` is by its first bytes, as a MIME type; never runs or opens it."""
    if not data:
        return "application/x-empty"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(_ZIP_MAGIC):
        head = data[:65536]
        return next((k for marker, k in _ZIP_KINDS if marker in head), "application/zip")
    if data[_ISO_OFFSET : _ISO_OFFSET + 5] == b"CD001":
        return "application/x-iso9660-image"
    if is_probably_binary(data):
        return "application/octet-stream"
    return _text_type(data[:4096].decode("utf-8", "replace"))


def _text_type(text: str) -> str:
    start = text.lstrip("\ufeff \t\r\n").lower()
    for pattern, kind in _TEXT_KINDS:
        if pattern.match(start):
            return kind
    lowered = text.lower()
    if any(word in lowered for word in _WSH_WORDS) and _WSH.search(text):
        return "text/x-script"
    return "text/plain"


# --- walking the body ----------------------------------------------------------------------

_PAGE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml")
_PAGE_NAMES = (".htm", ".html", ".shtml", ".xhtml", ".svg", ".svgz")


@mutable_record
class _Scan:
    """Mutable state of one body walk: what was found and what is left of each budget."""

    urls: list[UrlIndicator] = field(default_factory=list)
    attachments: list[AttachmentIndicator] = field(default_factory=list)
    forms: list[FormIndicator] = field(default_factory=list)
    password_parts: list[str] = field(default_factory=list)
    texts: list[BodyText] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _seen: dict[str, int] = field(default_factory=dict)  # url → position in `urls`
    _text_size: int = 0
    _capped: set[str] = field(default_factory=set)

    def run(self, message: LoadedMessage) -> None:
        if message.format == "msg":
            # The loader keeps an Outlook item's plain-text body only; its transport
            # headers may still describe the MIME original, which this body is not.
            self._scan_text(message.body.decode("utf-8", "replace"), "text", "text part 1")
            return
        if not message.body.strip():
            return  # pasted headers, or an empty body: nothing to read
        walk = walk_parts(message.headers, message.body)
        for part in walk.parts:
            self._examine(part)
        self.problems[:0] = walk.problems

    def _examine(self, part: Part) -> None:
        if part.is_attachment:
            self._add_attachment(part)
            if part.data is not None and _is_page(part):
                label = f"attachment '{part.filename or part.number}'"
                self._scan_html(part.data.decode("utf-8", "replace"), label, keep_text=False)
            return
        if part.data is None:
            return
        text = part.text()
        if part.content_type == "text/html" or ("<" in text[:1024] and looks_like_html(text)):
            self._scan_html(text, f"HTML part {part.number}", keep_text=True)
        else:
            self._scan_text(text, "text", f"text part {part.number}")

    def _add_attachment(self, part: Part) -> None:
        data = part.data
        self.attachments.append(
            AttachmentIndicator(
                name=part.filename,
                size=None if data is None else len(data),
                declared_type=part.content_type,
                detected_type=None if data is None else detect_type(data),
                sha256=None if data is None else hashlib.sha256(data).hexdigest(),
            )
        )

    def _scan_text(self, text: str, source: UrlSource, label: str) -> None:
        text = self._bounded(text)
        self._keep_text(label, text)
        for url in urls_in_text(text):
            self._add_url(UrlIndicator(url, url_host(url), source, None, False, label))

    def _scan_html(self, markup: str, label: str, *, keep_text: bool) -> None:
        scan: HtmlScan = scan_html(self._bounded(markup))
        for href, shown in scan.links:
            target = _network_target(href)
            if target is not None and self._room(target):
                self._add_url(_link(target, shown, "html", label))
        for value in scan.targets:
            target = _network_target(value)
            if target is not None:
                self._add_url(_link(target, "", "html", label))
        for piece in scan.outside_links:
            for url in urls_in_text(piece):
                self._add_url(UrlIndicator(url, url_host(url), "html", None, False, label))
        for form in scan.forms:
            target = _network_target(form.action)
            host = url_host(target) if target is not None else None
            self.forms.append(FormIndicator(form.action, host, form.password, label))
        if scan.password_fields > sum(f.password for f in scan.forms):
            self.password_parts.append(label)
        if keep_text:
            self._keep_text(label, scan.text)

    def _bounded(self, text: str) -> str:
        if len(text) > MAX_SCANNED_CHARS:
            limit = f"{MAX_SCANNED_CHARS:,}"
            self._cap("chars", f"Only the first {limit} characters of a long part were scanned.")
            return text[:MAX_SCANNED_CHARS]
        return text

    def _keep_text(self, label: str, text: str) -> None:
        room = MAX_BODY_TEXT - self._text_size
        if room > 0 and text and not text.isspace():
            self.texts.append(BodyText(label, text[:room]))
            self._text_size += min(room, len(text))

    def _room(self, url: str) -> bool:
        """Whether `url` may still be added (known already, or under the cap): judging a
        link costs more than finding it, so links past the cap are not judged at all."""
        if url in self._seen or len(self.urls) < MAX_URLS:
            return True
        self._cap("urls", f"Only the first {MAX_URLS:,} URLs were kept.")
        return False

    def _add_url(self, url: UrlIndicator) -> None:
        """Add `url` once, in first-seen order; a later mismatched link upgrades it.

        A multipart/alternative message usually says each URL twice, text part first:
        only its HTML twin can carry the visible text that makes a mismatch.
        """
        at = self._seen.get(url.url)
        if at is not None:
            if (url.mismatch and not self.urls[at].mismatch) or (
                url.shown_text and not self.urls[at].shown_text
            ):
                self.urls[at] = url
            return
        if len(self.urls) >= MAX_URLS:
            self._cap("urls", f"Only the first {MAX_URLS:,} URLs were kept.")
            return
        self._seen[url.url] = len(self.urls)
        self.urls.append(url)

    def _cap(self, key: str, sentence: str) -> None:
        if key not in self._capped:
            self._capped.add(key)
            self.problems.append(sentence)


def _is_page(part: Part) -> bool:
    """An attached web page or SVG image, which opens in a browser and can hold a form."""
    name = (part.filename or "").lower()
    if part.content_type in _PAGE_TYPES or name.endswith(_PAGE_NAMES):
        return True
    return part.data is not None and detect_type(part.data[:4096]) in _PAGE_TYPES
