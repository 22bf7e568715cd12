"""Indicators of compromise in one message: IPs, addresses, domains, URLs, attachments.

Strategy:

* IPs and addresses come from what the analysis already decided: the report's
  originators, the hops whose sending address is public (or documentation, so the
  bundled sample shows some), and the From/Reply-To/Sender/Return-Path mailboxes.
* The body is parsed with the stdlib `email` package over the message's own header block
  and body bytes. The tree is walked iteratively (no recursion, depth and part count
  capped). Text parts are scanned with one URL regex; HTML parts with `HTMLParser`, which
  unescapes entities and gives each `<a href>` its visible text, so a link that shows one
  domain and points at another is flagged. Attachments are hashed and their first bytes
  compared with a small table of magic numbers — they are never opened, rendered or run.
* Work is bounded: parts, URLs, parsed bytes, decoded bytes and scanned characters are
  capped, and every cap that bites is reported in words on `Indicators.problems`.
* The stdlib parser raises assorted exceptions on hostile MIME; each part is examined
  under its own guard, so one bad part costs only itself and leaves a problem behind.
"""

from __future__ import annotations

import contextlib
import email.errors
import email.header
import email.message
import email.policy
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urlsplit

from mailview.core.auth.addresses import parse_mailboxes, to_ascii_domain
from mailview.core.domains import org_domain, same_org
from mailview.core.ipscope import parse_ip, scope_of_text
from mailview.core.model import HeaderField, LoadedMessage, Report, Scope
from mailview.core.sniff import OLE_MAGIC, is_probably_binary

MAX_PARTS = 500  # MIME parts examined: a bomb of empty parts stays cheap
MAX_NESTING = 20  # multipart inside multipart (the loader's limit too)
MAX_URLS = 2_000
MAX_DECODED_BYTES = 50 * 1024 * 1024  # decoded payloads hashed or scanned, in all
MAX_PARSED_BYTES = 64 * 1024 * 1024  # body bytes handed to the parser
MAX_SCANNED_CHARS = 5_000_000  # characters of one text part searched for URLs
_MAX_SHOWN = 200  # characters of a link's visible text kept

IpRole = Literal["originating", "hop"]
AddressRole = Literal["from", "reply-to", "sender", "return-path"]
UrlSource = Literal["text", "html"]

_ADDRESS_ROLES: tuple[AddressRole, ...] = ("from", "reply-to", "sender", "return-path")
_HOP_SCOPES = (Scope.PUBLIC, Scope.DOCUMENTATION)


@dataclass(frozen=True, slots=True)
class IpIndicator:
    ip: str
    role: IpRole
    hop_index: int | None  # the hop that recorded it (1 = oldest), None when no hop did
    scope: Scope | None


@dataclass(frozen=True, slots=True)
class AddressIndicator:
    address: str
    role: AddressRole
    domain: str | None  # lower-case A-labels


@dataclass(frozen=True, slots=True)
class UrlIndicator:
    url: str  # as written (entities unescaped), scheme-less for bare `www.` links
    domain: str | None  # lower-case A-labels (or the IP literal); None when unreadable
    source: UrlSource
    shown_text: str | None  # a link's visible text when it differs from the target
    mismatch: bool  # the visible text names another domain than the target's


@dataclass(frozen=True, slots=True)
class AttachmentIndicator:
    name: str | None  # RFC 2231/2047 decoded
    size: int | None  # decoded bytes; None when not decoded (budget spent, attached mail)
    declared_type: str  # the part's Content-Type
    detected_type: str | None  # from the magic bytes, as a MIME type; None: not examined
    sha256: str | None  # of the decoded bytes


@dataclass(frozen=True, slots=True)
class Indicators:
    ips: tuple[IpIndicator, ...]
    addresses: tuple[AddressIndicator, ...]
    domains: tuple[str, ...]
    urls: tuple[UrlIndicator, ...]
    attachments: tuple[AttachmentIndicator, ...]
    problems: tuple[str, ...]


def extract_indicators(report: Report, message: LoadedMessage) -> Indicators:
    """The indicators of `message`, whose analysis is `report`; never raises."""
    addresses = _addresses(report.headers)
    scan = _Scan()
    scan.run(message)
    urls = tuple(scan.urls)
    return Indicators(
        ips=_ips(report),
        addresses=addresses,
        domains=_domains(addresses, urls),
        urls=urls,
        attachments=tuple(scan.attachments),
        problems=tuple(scan.problems),
    )


# --- IPs, addresses, domains --------------------------------------------------------------


def _ip_key(ip: str) -> str:
    parsed = parse_ip(ip)
    return ip if parsed is None else str(parsed)


def _ips(report: Report) -> tuple[IpIndicator, ...]:
    """Originators first, then public hop addresses oldest first; each address once."""
    first_hop: dict[str, int] = {}
    for hop in report.hops:
        if hop.fields.from_ip:
            first_hop.setdefault(_ip_key(hop.fields.from_ip), hop.index)
    found: dict[str, IpIndicator] = {}
    for origin in report.originators:
        key = _ip_key(origin.ip)
        if key not in found:
            scope = scope_of_text(origin.ip)
            found[key] = IpIndicator(origin.ip, "originating", first_hop.get(key), scope)
    for hop in report.hops:
        ip = hop.fields.from_ip
        if ip and hop.ip_scope in _HOP_SCOPES and _ip_key(ip) not in found:
            found[_ip_key(ip)] = IpIndicator(ip, "hop", hop.index, hop.ip_scope)
    return tuple(found.values())


def _addresses(headers: tuple[HeaderField, ...]) -> tuple[AddressIndicator, ...]:
    found: dict[tuple[str, str], AddressIndicator] = {}
    for role in _ADDRESS_ROLES:
        for header in headers:
            if header.name.lower() != role:
                continue
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
_BARE_DOMAIN = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,63}\.?(?::\d+)?(?:[/?#]\S*)?")
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
    for match in _URL.finditer(text):
        url = _trim(match.group())
        if url.lower() not in ("www.", "http://", "https://", "ftp://"):
            yield url


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


def _link(target: str, shown: str, source: UrlSource) -> UrlIndicator:
    host = url_host(target)
    text = " ".join(shown.split())[:_MAX_SHOWN]
    shown_host = _shown_host(text) if text else None
    mismatch = (
        host is not None
        and shown_host is not None
        and shown_host != host
        and not same_org(shown_host, host)
    )
    return UrlIndicator(target, host, source, text if text and text != target else None, mismatch)


class _LinkParser(HTMLParser):
    """Collects, in document order, link targets (with their visible text) and URLs
    written as plain text outside links. Script and style contents are not text."""

    _SRC_TAGS = frozenset({"img", "iframe", "frame", "embed"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[UrlIndicator] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._hidden = 0  # inside <script>/<style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a":
            self._end_link()
            self._href = _network_target(values.get("href"))
        elif tag == "area":
            self._add(_network_target(values.get("href")))
        elif tag in self._SRC_TAGS:
            self._add(_network_target(values.get("src")))
        elif tag == "form":
            self._add(_network_target(values.get("action")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag == "a":
            self._end_link()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._href is not None:
            self._text.append(data)
        else:
            for url in urls_in_text(data):
                self.found.append(UrlIndicator(url, url_host(url), "html", None, False))

    def close(self) -> None:
        super().close()
        self._end_link()

    def _add(self, target: str | None) -> None:
        if target is not None:
            self.found.append(_link(target, "", "html"))

    def _end_link(self) -> None:
        if self._href is not None:
            self.found.append(_link(self._href, "".join(self._text), "html"))
        self._href, self._text = None, []


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
_TEXT_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"#!"), "text/x-shellscript"),
    (re.compile(r"@echo\s+off"), "text/x-msdos-batch"),
    (re.compile(r"(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script|meta)\b", re.S),
     "text/html"),
    (re.compile(r"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<svg\b", re.S), "image/svg+xml"),
    (re.compile(r"<\?xml\b"), "application/xml"),
)  # fmt: skip
# Windows Script Host code reads like this wherever it starts.
_WSH = re.compile(r"wscript\.|createobject\s*\(|activexobject\s*\(|powershell\s+-", re.I)


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
    return "text/x-script" if _WSH.search(text) else "text/plain"


def _attached_message(part: email.message.Message) -> bool:
    if part.get_content_maintype() != "message":
        return False
    return part.get_content_subtype() in ("rfc822", "global") or _filename(part) is not None


def _filename(part: email.message.Message) -> str | None:
    name = part.get_filename()
    if name is None:
        return None
    name = str(name)
    if "=?" in name:  # RFC 2047 inside a parameter: wrong, but what many mailers write
        with contextlib.suppress(
            email.errors.HeaderParseError, LookupError, UnicodeError, ValueError
        ):
            name = str(email.header.make_header(email.header.decode_header(name)))
    return name


# --- walking the body ----------------------------------------------------------------------


@dataclass
class _Scan:
    """Mutable state of one body walk: what was found and what is left of each budget."""

    urls: list[UrlIndicator] = field(default_factory=list)
    attachments: list[AttachmentIndicator] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _seen: dict[str, int] = field(default_factory=dict)  # url → position in `urls`
    _decoded: int = 0
    _capped: set[str] = field(default_factory=set)

    def run(self, message: LoadedMessage) -> None:
        if message.format == "msg":
            # The loader keeps an Outlook item's plain-text body only; its transport
            # headers may still describe the MIME original, which this body is not.
            self._scan_text(message.body.decode("utf-8", "replace"), "text")
            return
        try:
            root = _parse(message, self)
        except Exception:  # the stdlib parser on hostile input (deep nesting: recursion)
            self.problems.append(
                "The message body could not be parsed as MIME; it was searched as plain text."
            )
            self._scan_text(message.body.decode("utf-8", "replace"), "text")
            return
        self._walk(root)

    def _walk(self, root: email.message.Message) -> None:
        stack: list[tuple[email.message.Message, int]] = [(root, 0)]
        count = 0
        while stack:
            part, depth = stack.pop()
            count += 1
            if count > MAX_PARTS:
                self._cap("parts", f"Only the first {MAX_PARTS} MIME parts were examined.")
                return
            try:
                children = self._examine(part, depth)
            except Exception:  # see the module docstring: one bad part costs only itself
                self.problems.append(f"MIME part {count} could not be read.")
                continue
            stack.extend((child, depth + 1) for child in reversed(children))

    def _examine(self, part: email.message.Message, depth: int) -> list[email.message.Message]:
        """Scan or record one part; return its children for the walk."""
        if part.is_multipart():
            payload = part.get_payload()
            children = [p for p in payload if isinstance(p, email.message.Message)]
            if _attached_message(part):
                # The parser does not keep an attached message's bytes exactly, so it is
                # listed by name and scanned through its parts, but not hashed.
                self._add_attachment(part, None)
            if children and depth >= MAX_NESTING:
                self._cap("depth", f"MIME parts nested deeper than {MAX_NESTING} were skipped.")
                return []
            return children
        maintype = part.get_content_maintype()
        disposition = part.get_content_disposition()
        name = _filename(part)
        if name is not None or disposition == "attachment" or maintype not in ("text", "multipart"):
            self._add_attachment(part, self._payload(part))
            return []
        data = self._payload(part)
        if data is not None:
            text = _decode_text(data, part.get_content_charset())
            self._scan_text(text, "html" if part.get_content_subtype() == "html" else "text")
        return []

    def _payload(self, part: email.message.Message) -> bytes | None:
        """The decoded payload, or None when it would overrun the decoded-bytes budget."""
        raw = part.get_payload()
        # Decoding never grows a payload (base64 and quoted-printable both shrink it), so
        # its encoded length bounds the work before any is done.
        estimate = len(raw) if isinstance(raw, str | bytes) else 0
        if self._decoded + estimate > MAX_DECODED_BYTES:
            limit = MAX_DECODED_BYTES // (1024 * 1024)
            self._cap("decoded", f"Parts beyond the first {limit} MB were not decoded.")
            return None
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        self._decoded += len(data)
        return data

    def _add_attachment(self, part: email.message.Message, data: bytes | None) -> None:
        self.attachments.append(
            AttachmentIndicator(
                name=_filename(part),
                size=None if data is None else len(data),
                declared_type=part.get_content_type(),
                detected_type=None if data is None else detect_type(data),
                sha256=None if data is None else hashlib.sha256(data).hexdigest(),
            )
        )

    def _scan_text(self, text: str, source: UrlSource) -> None:
        if len(text) > MAX_SCANNED_CHARS:
            limit = f"{MAX_SCANNED_CHARS:,}"
            self._cap("chars", f"Only the first {limit} characters of a long part were scanned.")
            text = text[:MAX_SCANNED_CHARS]
        if source == "text":
            for url in urls_in_text(text):
                self._add_url(UrlIndicator(url, url_host(url), "text", None, False))
            return
        parser = _LinkParser()
        try:
            parser.feed(text)
            parser.close()
        except (AssertionError, ValueError):  # _markupbase asserts on some broken markup
            self.problems.append("An HTML part is malformed; links after the fault were lost.")
        for found in parser.found:
            self._add_url(found)

    def _add_url(self, url: UrlIndicator) -> None:
        """Add `url` once, in first-seen order; a later mismatched link upgrades it.

        A multipart/alternative message usually says each URL twice, text part first:
        only its HTML twin can carry the visible text that makes a mismatch.
        """
        at = self._seen.get(url.url)
        if at is not None:
            if url.mismatch and not self.urls[at].mismatch:
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


def _parse(message: LoadedMessage, scan: _Scan) -> email.message.Message:
    # The raw header fields hold no line end of their own; CRLF joins them and the empty
    # line ends the block, as in the message itself.
    head = "\r\n".join(h.raw for h in message.headers).encode("utf-8", "replace")
    body = message.body
    if len(body) > MAX_PARSED_BYTES:
        limit = MAX_PARSED_BYTES // (1024 * 1024)
        scan.problems.append(f"Only the first {limit} MB of the body were parsed.")
        body = body[:MAX_PARSED_BYTES]
    return BytesParser(policy=email.policy.default).parsebytes(head + b"\r\n\r\n" + body)


def _decode_text(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "utf-8", "replace")
    except (LookupError, UnicodeError, ValueError):  # unknown or non-text charset names
        return data.decode("utf-8", "replace")
