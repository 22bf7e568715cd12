"""Reading one Received (or X-Received) header into `ReceivedFields`.

Strategy:

1. Tokenize once with one precompiled pattern run by `finditer`. RFC 5322 §3.2.2 comments
   nest, so ``(`` / ``)`` drive a stack and a comment becomes one token holding its own
   tokens; ``[…]`` address literals, ``<…>`` paths and quoted strings (never across a
   parenthesis) are single tokens too. Keywords inside a comment, a literal or a path
   therefore never split anything, however deeply nested.
2. The date is what follows the last top-level ``;`` (RFC 5321 §4.4). When there is no
   ``;`` (SendGrid, some gateways) the last thing shaped like a date is taken instead.
3. The top-level tokens before the date are grouped into clauses by the RFC 5321 Stamp
   keywords ``from by via with id for``. Only the first occurrence of a keyword opens a
   clause; a repeat is kept as text of the clause it appears in, since some MTAs write
   ``… for <a> from <b>`` or ``by host by uid 1``.
4. Each clause is read for its fields; comments anywhere are searched for what MTAs put
   in comments (TLS, authentication, envelope sender, software). Whether the name after
   ``from`` is the HELO or the reverse-DNS name depends on the MTA's layout, see
   `_helo_and_rdns`. Shapes no MTA documents are read best effort (first address
   literal, any ``by`` word) and what was not understood is said in `problems`.

Every step is a single pass over the text or over the tokens, no pattern can
backtrack over more than a bounded stretch, and token counts are capped, so the time is
linear in the input (a 1 MB value takes milliseconds, a real header tens of microseconds).
Nothing here raises on message content: whatever cannot be understood becomes a
sentence in `problems`.
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import re
from dataclasses import field
from typing import TypeAlias

from mailview.core.dates import parse_date
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import ParsedDate, ReceivedFields, TlsInfo
from mailview.core.record import mutable_record

# --- tokens -----------------------------------------------------------------------------

# One token per match, leading whitespace included, so the scan runs in C via finditer.
# RFC 5321 §4.1.3: address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
#   General-address-literal ) "]"          -> lit
# RFC 5321 §4.1.2: Path = "<" [ A-d-l ":" ] Mailbox ">"   -> angle
# RFC 5322 §3.2.4: quoted-string = DQUOTE *([FWS] qcontent) [FWS] DQUOTE   -> quoted; here
#   without quoted-pairs and never across a parenthesis, so an unclosed quote cannot
#   swallow comments nor make the scan go back over the same text twice
# RFC 5322 §3.2.2: comment = "(" *([FWS] ccontent) [FWS] ")"   -> open/close, nested by
#   `_tokenize`; quoted-pair = "\" (VCHAR / WSP) is a word of its own, so "\(" opens none
# Words come first as they are most tokens; a "<", "[" or quote that starts no path,
# literal or string is a one-character word, so every non-space character starts a token.
_TOKEN = re.compile(
    r"""\s*(?:
     (?P<word>[^\s()";\\<\[]+)
    |(?P<lit>\[[^\[\]()<>;\s]*\])
    |(?P<angle><[^<>()\s;]*>)
    |(?P<semi>;)
    |(?P<quoted>"[^"()]*")
    |(?P<pair>\\[\s\S])
    |(?P<open>\()|(?P<close>\))
    |(?P<other>[\s\S]))""",
    re.VERBOSE,
)


# Token kind by group number (`Match.lastindex` is cheaper than `lastgroup`); a
# quoted-pair or a stray character is text like a word. Index 0 is never a group.
_KIND_BY_GROUP = tuple(
    "word" if name in ("pair", "other") else name
    for name in ["word", *sorted(_TOKEN.groupindex, key=_TOKEN.groupindex.__getitem__)]
)
_OPEN, _CLOSE = _TOKEN.groupindex["open"], _TOKEN.groupindex["close"]

# One token: (kind, start, end, kids). kind is word | lit | angle | quoted | comment | semi;
# start/end index the source text (a comment's span is its inside, without the
# parentheses). Plain tuples: building a NamedTuple per token cost a quarter of the parse.
Tok: TypeAlias = tuple[str, int, int, tuple["Tok", ...]]

# Real Received headers have well under a hundred tokens, and only the first few inside
# a comment matter (TCP-info). The caps keep garbage megabytes from costing seconds.
_MAX_MATCHES = 5000
_MAX_KIDS = 32


@mutable_record
class _Tokens:
    top: list[Tok]
    unclosed: bool  # a "(" never closed, or a ")" never opened
    open_at_end: bool  # the text ended inside a comment
    truncated: bool  # more than _MAX_MATCHES tokens: the rest was not read


def _tokenize(text: str, start: int, end: int) -> _Tokens:
    """Top-level tokens of text[start:end]; a comment keeps its first tokens as kids
    (nested comments are kept as tokens, their insides only counted for nesting)."""
    top: list[Tok] = []
    out = top
    stack: list[tuple[int, list[Tok]]] = []  # per open "(": start of inside, outer list
    unbalanced = False
    matches = _TOKEN.finditer(text, start, len(text[:end].rstrip()))
    for m in itertools.islice(matches, _MAX_MATCHES):
        group = m.lastindex or 0
        if group == _OPEN:
            stack.append((m.end(), out))
            out = []
        elif group == _CLOSE:
            if stack:
                inside, outer = stack.pop()
                _keep(outer, ("comment", inside, m.end() - 1, tuple(out)), len(stack))
                out = outer
            else:
                unbalanced = True
        elif not stack or (len(stack) == 1 and len(out) < _MAX_KIDS):  # as in _keep, inline
            begin, stop = m.span(group)
            out.append((_KIND_BY_GROUP[group], begin, stop, ()))
    truncated = next(matches, None) is not None
    open_at_end = bool(stack)
    while stack:  # close what the header left open, so its text is still searchable
        inside, outer = stack.pop()
        _keep(outer, ("comment", inside, end, tuple(out)), len(stack))
        out = outer
    return _Tokens(top, unbalanced or open_at_end, open_at_end, truncated)


def _keep(out: list[Tok], tok: Tok, depth: int) -> None:
    """Append unless deep inside comments or past the first _MAX_KIDS of a comment."""
    if depth == 0 or (depth == 1 and len(out) < _MAX_KIDS):
        out.append(tok)


# --- dates without ";" ------------------------------------------------------------------

# RFC 5322 §3.3 date = day month year, then time-of-day, searched for when a header has
# no ";" before its date. The pattern starts with a digit and has only bounded repeats,
# so the search is one quick test per position. A weekday just before is included after.
_DATE_SEARCH = LazyPattern(
    r"(?<![0-9A-Za-z])(?:\d{1,2}[ -]{1,5}"
    r"(?:[Jj]an|[Ff]eb|[Mm]ar|[Aa]pr|[Mm]ay|[Jj]un|[Jj]ul|[Aa]ug|[Ss]ep|[Oo]ct|[Nn]ov|[Dd]ec)"
    r"[a-z]{0,6}[ -]{1,5}\d{2,4},?\s{1,9}\d{1,2}:\d\d"
    r"|\d{4}-\d\d-\d\d[T ]\d\d:\d\d)"  # ISO 8601, as Go writes it (SendGrid)
)
_WEEKDAY_BEFORE = LazyPattern(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]{0,6},?\s{0,5}$", re.I)


def _find_date_start(text: str) -> int | None:
    """Where the last date-shaped text begins (its weekday included), or None."""
    last = None
    for m in _DATE_SEARCH.finditer(text):
        last = m
    if last is None:
        return None
    weekday = _WEEKDAY_BEFORE.search(text, max(0, last.start() - 16), last.start())
    return weekday.start() if weekday else last.start()


# --- small readers ----------------------------------------------------------------------

# RFC 5321 §4.1.3: IPv6-address-literal = "IPv6:" IPv6-addr. Exim/ecelerity append
# ":port" to IPv4 literals, Exchange a "%zone" index to link-local IPv6 addresses.
# RFC 5321 §4.1.3: IPv4-address-literal = Snum 3("."  Snum); Snum = 1*3DIGIT ; 0-255
_IPV4 = re.compile(r"(\d{1,3}(?:\.\d{1,3}){3})(?:[:.]\d{1,5})?")
# Exactly what `ipaddress.IPv4Address` accepts (and writes back unchanged): four ASCII
# decimal octets of at most 255 without leading zeros. A match costs far less than
# building the object.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_VALID = LazyPattern(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_PLAIN_IPV4 = re.compile(rf"\[?({_OCTET}(?:\.{_OCTET}){{3}})\]?")
_IPV6_CHARS = re.compile(r"[0-9A-Fa-f:.]{2,45}")


def _as_ip(candidate: str) -> str | None:
    """The bare IP address written in `candidate` ("[IPv6:…]", "user@1.2.3.4", "[ip]:port",
    "fe80::1%22"), validated, or None. The cheap shape tests come first so host names
    never reach `ipaddress` (whose failures cost exceptions); IPv4 needs no `ipaddress`."""
    if ":" not in candidate and candidate.count(".") < 3:  # neither IPv6 nor a dotted quad
        return None
    if plain := _PLAIN_IPV4.fullmatch(candidate):  # the usual "[1.2.3.4]" or "1.2.3.4"
        return plain.group(1)
    s = candidate.strip().strip("[]").rpartition("@")[2].strip("[]")
    if s[:5].lower() == "ipv6:":
        s = s[5:]
    v4 = _IPV4.fullmatch(s)
    if v4:
        return v4.group(1) if _IPV4_VALID.fullmatch(v4.group(1)) else None
    s = s.partition("%")[0]
    if ":" not in s or not _IPV6_CHARS.fullmatch(s):
        return None
    return _ipv6_text(s)


@functools.lru_cache(maxsize=256)
def _ipv6_text(s: str) -> str | None:
    """`ipaddress`'s own text for an IPv6 address, or None. Remembered, as a message names
    the same few relays in several headers and `ipaddress` takes microseconds each time."""
    try:
        return str(ipaddress.IPv6Address(s))
    except ValueError:
        return None


def _text(src: str, tok: Tok) -> str:
    return src[tok[1] : tok[2]]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _strip_angle(text: str) -> str:
    """`x` from `<x>`; for a doubled form like `<"x" <x>>` the innermost address."""
    inner = text.strip().removeprefix("<").removesuffix(">")
    return inner.rpartition("<")[2].strip()


def _short(text: str, limit: int = 80) -> str:
    text = _squash(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- clauses ----------------------------------------------------------------------------

# RFC 5321 §4.4: Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
#   From-domain = "FROM" FWS Extended-Domain;  By-domain = CFWS "BY" FWS Extended-Domain
#   Opt-info = [Via] [With] [ID] [For] [Additional-Registered-Clauses]
_KEYWORDS = frozenset({"from", "by", "via", "with", "id", "for"})
_LONGEST_KEYWORD = 4


@mutable_record
class _Clauses:
    """Tokens grouped by the keyword opening their clause ("" holds those before any),
    and apart from them each clause's comments, which most readers look at alone."""

    toks: dict[str, list[Tok]]
    comments: dict[str, list[Tok]]


def _clauses(src: str, toks: list[Tok]) -> _Clauses:
    groups: dict[str, list[Tok]] = {"": []}
    comments: dict[str, list[Tok]] = {"": []}
    current, notes = groups[""], comments[""]
    for tok in toks:
        kind, start, end, _ = tok
        if kind == "comment":
            notes.append(tok)
        elif kind == "word" and end - start <= _LONGEST_KEYWORD:  # `_keyword`, inline
            word = src[start:end].lower()
            if word in _KEYWORDS and word not in groups:
                current = groups[word] = []
                notes = comments[word] = []
                continue
        current.append(tok)
    return _Clauses(groups, comments)


def _keyword(src: str, tok: Tok) -> str | None:
    """The Stamp keyword this token is, lower-cased, or None."""
    kind, start, end, _ = tok
    if kind != "word" or end - start > _LONGEST_KEYWORD:
        return None
    word = src[start:end].lower()
    return word if word in _KEYWORDS else None


def _first_value(toks: list[Tok]) -> Tok | None:
    """The clause's value: its first token that is not a comment or a stray ";"."""
    for tok in toks:
        if tok[0] not in ("comment", "semi"):
            return tok
    return None


def _comments(toks: list[Tok]) -> list[Tok]:
    return [t for t in toks if t[0] == "comment"]


# --- the from clause --------------------------------------------------------------------

# Exim/ecelerity/mail.ru "helo=x"; qmail/IronPort "HELO x"; Zimbra "LHLO x"; vger "EHLO x".
_HELO_IN_COMMENT = LazyPattern(
    r"(?:\bhelo=|\b(?:HELO|EHLO|LHLO)\s+)(\[[^\[\]()\s]*\]|[^\s()\[\]\"]+)"
)
# Comments after `from` that are not TCP-info even when they hold a bracketed text.
_NOT_TCP_INFO = re.compile(
    r"\s*(?:authenticated|auth:|using\s|envelope-|client\s|no client|may be forged)", re.I
)
_UNKNOWN = frozenset({"unknown", "[unknown]"})


@mutable_record
class _From:
    host: str | None = None
    host_ip: str | None = None  # the host when it is written as an address
    helo: str | None = None  # written explicitly: Exim helo=, qmail (HELO x)
    named_info: bool = False  # TCP-info is "(name [ip])": Postfix, sendmail, Google
    paren_name: str | None = None  # that name, None when "unknown"
    ip: str | None = None
    bad_literal: str | None = None  # an address literal that is not an IP address
    bare_ip_info: bool = False  # "(1.2.3.4)": qmail / Microsoft
    literal_first: bool = False  # "([1.2.3.4] …)": Exim, sendmail without rDNS
    exim_marks: bool = False  # helo=, port= or "[ip]:port" in the TCP-info
    tcp_done: bool = False  # the TCP-info comment has been read


def _read_from(src: str, toks: list[Tok], comments: list[Tok]) -> _From:
    """The from clause. The address the receiving MTA saw on the connection (TCP-info)
    wins over a literal the client wrote as its own name (`from [127.0.0.1] (x [ip])`)."""
    info = _From()
    first = _first_value(toks)
    for tok in comments:
        _read_tcp_info(src, tok, info)
    for tok in toks:
        if tok[0] == "lit" and tok is not first:
            literal = _text(src, tok)  # fetchmail / old Exim: from host [ip]
            _note_ip(info, literal, _as_ip(literal))
    if first is not None and first is toks[0]:
        info.host = _text(src, first)
        info.host_ip = _as_ip(info.host)
        if first[0] == "lit" or info.host_ip:
            _note_ip(info, info.host, info.host_ip)
    return info


def _note_ip(info: _From, literal: str, ip: str | None) -> None:
    """Keep the first valid address (`ip`, read from `literal`); remember the first
    literal that was not one."""
    if ip is None:
        if info.bad_literal is None and literal.strip("[]").strip():
            info.bad_literal = literal
    elif info.ip is None:
        info.ip = ip


def _read_tcp_info(src: str, comment: Tok, info: _From) -> None:
    """RFC 5321 §4.4 TCP-info = address-literal / ( Domain FWS address-literal ) / Domain,
    and what MTAs write instead: ([ip]:port helo=x), (HELO x), (ip), (user@ip)."""
    _, start, end, kids = comment
    inner = src[start:end]
    if info.helo is None and ("LO" in inner or "helo=" in inner):  # cheap before the search
        helo = _HELO_IN_COMMENT.search(inner)
        if helo:
            info.helo = helo.group(1)
            info.exim_marks = info.exim_marks or "helo=" in helo.group(0)
    if "port=" in inner:
        info.exim_marks = True
    if info.tcp_done or _NOT_TCP_INFO.match(inner):
        return
    at = _tcp_literal_index(src, kids)
    if at is not None:
        info.tcp_done = True
        _, lit_start, lit_end, _ = kids[at]
        literal = src[lit_start:lit_end]
        _note_ip(info, literal, _as_ip(literal))
        if at == 0:
            info.literal_first = True
            info.exim_marks = info.exim_marks or src[lit_end : lit_end + 1] == ":"
        elif at == 1 and kids[0][0] == "word":
            info.named_info = True
            info.paren_name = _rdns_word(_text(src, kids[0]))
    elif len(kids) == 1 and kids[0][0] == "word":
        ip = _as_ip(_text(src, kids[0]))
        if ip is not None:
            info.tcp_done = info.bare_ip_info = True
            if info.ip is None:
                info.ip = ip


def _tcp_literal_index(src: str, kids: tuple[Tok, ...]) -> int | None:
    """Where the address literal is among a comment's tokens. A literal that is a value,
    as in Exim's "helo=[192.168.1.10]", is not the address."""
    for at, (kind, start, _, _) in enumerate(kids):
        if kind == "lit" and not (start > 0 and src[start - 1] == "="):
            return at
    return None


def _rdns_word(word: str) -> str | None:
    """The host name in sendmail/Postfix TCP-info: 'IDENT:user@host' and 'user@host' lose
    the ident part, Google's trailing root dot goes, 'unknown' means none."""
    name = word.rpartition("@")[2].rstrip(".")
    if not name or name.lower() in _UNKNOWN or name.startswith(("=", ":")):
        return None
    return name


# --- with, TLS, authentication ----------------------------------------------------------

_PROTOCOLS = frozenset(
    {
        "SMTP", "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA", "LMTP", "LMTPA", "LMTPS", "LMTPSA",
        "UTF8SMTP", "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA", "UTF8LMTP", "UTF8LMTPA",
        "UTF8LMTPS", "UTF8LMTPSA", "SMTPS", "HTTP", "HTTPS", "MAPI", "IMAP", "POP3",
        "QMQP", "UUCP", "NNFMP", "BSMTP",
    }
)  # fmt: skip
# RFC 3848 / RFC 6531: "…A" = authenticated, "…S" = over TLS.
_AUTH_PROTOCOL = re.compile(r"(?:UTF8)?(?:E?SMTP|LMTP)S?A")
_TLS_PROTOCOL = re.compile(r"(?:UTF8)?(?:E?SMTP|LMTP)SA?|SMTPS|HTTPS")

# Postfix: (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
_TLS_POSTFIX = re.compile(
    r"using\s+(\S+)\s+with\s+cipher\s+(\S+)(?:\s+\((\d{1,5})/\d+\s+bits)?", re.I
)
# sendmail, Google, Microsoft, Mailgun, Haraka: version=TLS1_2, cipher=… bits=256/256
_TLS_VERSION = re.compile(r"\bversion=([\w./]+)", re.I)
_TLS_CIPHER = re.compile(r"\bcipher=([\w.-]+)", re.I)
_TLS_BITS = re.compile(r"\bbits=(\d{1,5})(?!\d)", re.I)
# Exim: (TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256), (TLSv1:DHE-RSA-AES256-SHA:256), (TLS1.3)
_TLS_EXIM = LazyPattern(r"((?:TLS|SSL)v?[\d._]+)(?::([\w.-]+)(?::(\d{1,5}))?)?", re.I)
_TLS_MARKERS = frozenset({"tls", "using tls", "google transport security"})
_TLS_UNKNOWN = TlsInfo(None, None)  # TLS without details; immutable, so built once
_TLS_NAME = re.compile(r"(TLS|SSL)V?(\d)(?:[._](\d))?", re.I)

_AUTH_COMMENT = LazyPattern(
    r"Authenticated sender:\s*([^\s()]+)"  # Postfix, cPanel Exim, ZoneMTA
    r"|AUTH:\s*\S+\s+([^\s,()]+)"  # Courier: (AUTH: LOGIN user)
    r"|authenticated user\s+([^\s()]+)"  # SquirrelMail
    r"|^authenticated(?:\s+(?:as|id)\s+([^\s()]+))?(?:\s+bits=\d+)?\s*$",  # sendmail, Exim
    re.I,
)
# Cheap substring tests on lower-cased text that skip the per-comment searches when they
# cannot match (a case-insensitive regex search costs microseconds, `in` almost nil).
_AUTH_HINTS = ("auth",)
_ENVELOPE_HINTS = ("envelope-",)
_TLS_HINTS = ("tls", "ssl", "cipher", "transport security")
# What any comment must hold for `_read_auth`, `_read_tls` or `_read_envelope` to take
# something from it; the only readers of comments after the date. (Their patterns are
# case-blind, but no other character folds to a letter of these words.)
_COMMENT_HINTS = _AUTH_HINTS + _ENVELOPE_HINTS + _TLS_HINTS


def _mentions(low: str, words: tuple[str, ...]) -> bool:
    """Whether the lower-cased text `low` holds any of `words`."""
    return any(map(low.__contains__, words))  # no generator frame: a third of the cost


_ENVELOPE = LazyPattern(r"envelope-(?:from|sender)\s*(<[^<>]*>|[^\s<>,;()]+)?", re.I)


def _read_protocol(src: str, toks: list[Tok]) -> tuple[str | None, TlsInfo | None]:
    """The protocol named after `with`, and TLS written into it (IronPort's ESMTP/TLS/…)."""
    words = [_text(src, t) for t in toks if t[0] == "word"]
    if not words:
        return None, None
    if words[0].lower() == "microsoft" and len(words) > 1:
        rest = " ".join(words[1:3])
        name = "Microsoft SMTP Server" if rest.lower() == "smtp server" else f"Microsoft {words[1]}"
        return name, None
    head, _, tail = words[0].partition("/")
    if tail and head.upper() in _PROTOCOLS:  # IronPort: ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384
        parts = tail.split("/")
        cipher = parts[1] if len(parts) > 1 and parts[0].upper() == "TLS" and parts[1] else None
        return head.upper(), TlsInfo(None, cipher) if parts[0].upper() == "TLS" else None
    for word in words:
        if word.upper() in _PROTOCOLS:
            return word.upper(), None
    return words[0], None


def _norm_tls_version(raw: str) -> str:
    """'TLS1_2', 'TLS1.2', 'TLSv1.2' → 'TLSv1.2'; 'TLS1'/'TLSv1' → 'TLSv1.0'; 'SSLv3' kept."""
    m = _TLS_NAME.fullmatch(raw.strip())
    if m is None:
        return raw
    family, major, minor = m.group(1).upper(), m.group(2), m.group(3)
    if family == "SSL":
        return f"SSLv{major}"
    return f"TLSv{major}.{minor or '0'}"


def _int(digits: str | None) -> int | None:
    return int(digits) if digits else None


def _tls_from_comment(inner: str) -> TlsInfo | None:
    """TLS details in one comment's text, in any of the layouts MTAs use."""
    m = _TLS_POSTFIX.search(inner)
    if m:
        return TlsInfo(_norm_tls_version(m.group(1)), m.group(2), _int(m.group(3)))
    version, cipher = _TLS_VERSION.search(inner), _TLS_CIPHER.search(inner)
    if version or cipher:
        bits = _TLS_BITS.search(inner)
        return TlsInfo(
            _norm_tls_version(version.group(1)) if version else None,
            cipher.group(1) if cipher else None,
            _int(bits.group(1)) if bits else None,
        )
    m = _TLS_EXIM.fullmatch(inner.strip())
    if m:
        return TlsInfo(_norm_tls_version(m.group(1)), m.group(2), _int(m.group(3)))
    if inner.strip().lower() in _TLS_MARKERS:
        return _TLS_UNKNOWN
    return None


def _exim_tls_cipher(src: str, toks: list[Tok]) -> str | None:
    """Exim 4.9x writes `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`."""
    words = [t for t in toks if t[0] == "word"]
    for word, nxt in itertools.pairwise(words):
        if word[2] - word[1] == len("tls") and _text(src, word).lower() == "tls":
            return _text(src, nxt)
    return None


def _read_tls(
    src: str, low: str, comments: list[Tok], with_toks: list[Tok], protocol: str | None
) -> TlsInfo | None:
    """TLS from the comments, Exim's `tls` word after `with`, or the protocol name; `low`
    is `src` lower-cased: without a hint in it the comments and words need no look."""
    found: TlsInfo | None = None
    hinted = _mentions(low, _TLS_HINTS)
    for tok in comments if hinted else ():
        inner = _text(src, tok)
        info = _tls_from_comment(inner) if _mentions(inner.lower(), _TLS_HINTS) else None
        if info is not None and (found is None or found == _TLS_UNKNOWN):
            found = info
    cipher = _exim_tls_cipher(src, with_toks) if hinted else None
    if cipher:
        found = TlsInfo(found.version if found else None, cipher, found.bits if found else None)
    if found is None and protocol and _TLS_PROTOCOL.fullmatch(protocol.upper()):
        found = _TLS_UNKNOWN
    return found


def _read_auth(
    src: str, low: str, comments: list[Tok], protocol: str | None
) -> tuple[bool, str | None]:
    """Whether the client authenticated (RFC 3848 "…A" protocols, MTA comments), and as whom."""
    for tok in comments if _mentions(low, _AUTH_HINTS) else ():
        m = _AUTH_COMMENT.search(_squash(_text(src, tok)))
        if m:
            return True, next((g for g in m.groups() if g), None)
    if protocol and _AUTH_PROTOCOL.fullmatch(protocol.upper()):
        return True, None
    return False, None


def _read_envelope(src: str, low: str, comments: list[Tok], clauses: _Clauses) -> str | None:
    """Exim/sendmail (envelope-from <x>), magicmail (envelope-sender <x>), Haraka's bare
    `envelope-from <x>`; "" for the null reverse-path <>."""
    if not _mentions(low, _ENVELOPE_HINTS):
        return None
    for tok in comments:
        m = _ENVELOPE.match(_text(src, tok).strip())
        if m and m.group(1) is not None:
            return _strip_angle(m.group(1))
    toks = [t for clause in clauses.toks.values() for t in clause]
    for tok, nxt in itertools.pairwise(toks):
        if tok[0] == "word" and _text(src, tok).lower() == "envelope-from":
            return _strip_angle(_text(src, nxt))
    return None


# --- software ---------------------------------------------------------------------------

_EXIM = re.compile(r"Exim\s+([\w.-]+)")
_SENDMAIL = LazyPattern(r"\d+\.[\w.]*(?:\s*\([^()]*\))?/[\w.-]+(?:/[\w.-]+)*")
_QMAIL = LazyPattern(r"qmail\s+(\d+)\s+invoked\b", re.I)
_EXIM_ID = LazyPattern(r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}")
_NOT_SOFTWARE = LazyPattern(
    r"=|envelope-|authenticated|transport security|^using |^\d|\[|^TLS|^SSL", re.I
)


# What the text must start with for any of _EXIM, "Postfix", _SENDMAIL to match it.
_SOFTWARE_START = re.compile(r"\s*(?:Exim|Postfix|\d)")


def _software_in(inner: str) -> str | None:
    if not _SOFTWARE_START.match(inner):  # cheap: most comments are something else
        return None
    text = _squash(inner)
    if m := _EXIM.match(text):
        return f"Exim {m.group(1)}"
    if text.startswith("Postfix"):
        return "Postfix"
    if m := _SENDMAIL.match(text):
        return m.group(0)
    return None


def _read_software(src: str, clauses: _Clauses, protocol: str | None) -> str | None:
    """The MTA named where it is easy to tell; else the first by/with comment that is not
    an address, TLS, authentication or envelope note."""
    if protocol and protocol.startswith("Microsoft"):
        return protocol
    comments = clauses.comments
    for key in ("by", "with", "id", "via", "for"):
        for tok in comments.get(key, []):
            if found := _software_in(_text(src, tok)):
                return found
    for tok in comments[""]:
        if m := _QMAIL.search(_text(src, tok)):
            return f"qmail {m.group(1)}"
    for key in ("by", "with"):  # (fetchmail-6.2.1)
        for tok in comments.get(key, []):
            text = _squash(_text(src, tok))
            if text and not _NOT_SOFTWARE.search(text) and not _as_ip(text):
                return _short(text.partition(",")[0], 60)
    return None


# --- assembling -------------------------------------------------------------------------


@mutable_record
class _Parts:
    """The header split into its clause tokens and its date text."""

    clauses: _Clauses
    date_comments: list[Tok]  # the comments after the date
    date_text: str | None
    problems: list[str] = field(default_factory=list)


def _split(value: str) -> _Parts:
    """Clause tokens and date text. Fast path: when the last ";" is at the top level (no
    comment open there, no quoted string that could hold it) the date part after it is
    not tokenized, except for its comments: this saves a third of the work."""
    cut = value.rfind(";")
    if cut >= 0 and '"' not in value:
        head = _tokenize(value, 0, cut)
        if not head.open_at_end:
            tail = value[cut + 1 :]
            return _parts(value, head.top, _date_comments(value, cut), tail.strip() or None, head)
    tokens = _tokenize(value, 0, len(value))
    semis = [i for i, t in enumerate(tokens.top) if t[0] == "semi"]
    if semis:
        body, date_toks = tokens.top[: semis[-1]], tokens.top[semis[-1] + 1 :]
        date_text = value[tokens.top[semis[-1]][2] :].strip() or None
    else:
        body, date_toks, date_text = _split_no_semicolon(value, tokens.top)
    return _parts(value, body, date_toks, date_text, tokens)


def _date_comments(value: str, cut: int) -> list[Tok]:
    """The top-level tokens after the ";" at `cut`, of which only the comments are used,
    and only when they hold one of `_COMMENT_HINTS`: the usual "+0000 (UTC)" needs no
    tokens. Without a backslash (whose quoted-pair could hide a "(") every "(" begins a
    token, so the scan may start at the first one; unless the text is long enough for the
    token cap to matter, where skipping tokens would let it read further."""
    first = value.find("(", cut + 1)
    if first < 0 or not _mentions(value[cut + 1 :].lower(), _COMMENT_HINTS):
        return []
    if "\\" in value[cut:] or len(value) - cut >= _MAX_MATCHES:
        first = cut + 1
    return _tokenize(value, first, len(value)).top


def _split_no_semicolon(src: str, toks: list[Tok]) -> tuple[list[Tok], list[Tok], str | None]:
    """Without ";" the date is the last date-shaped text; clauses after it still count."""
    start = _find_date_start(src)
    if start is None:
        return toks, [], None
    after = [t for t in toks if t[1] >= start]
    resume = next((i for i, t in enumerate(after) if _keyword(src, t)), len(after))
    end = after[resume][1] if resume < len(after) else len(src)
    body = [t for t in toks if t[1] < start] + after[resume:]
    return body, after[:resume], src[start:end].strip()


def _parts(
    src: str, body: list[Tok], date_toks: list[Tok], date_text: str | None, tokens: _Tokens
) -> _Parts:
    problems = []
    if tokens.truncated:
        problems.append("This Received header is unusually long; only its start was read.")
    elif tokens.unclosed:
        problems.append("A comment in this Received header is not closed.")
    return _Parts(_clauses(src, body), _comments(date_toks), date_text, problems)


def _all_comments(parts: _Parts) -> list[Tok]:
    """Every comment in order: each clause's in turn are the body's, then the date's."""
    return [t for notes in parts.clauses.comments.values() for t in notes] + parts.date_comments


def _read_date(date_text: str | None, problems: list[str]) -> ParsedDate | None:
    if date_text is None:
        problems.append("No date at the end of this Received header.")
        return None
    parsed = parse_date(date_text)
    if parsed is None:
        start = _find_date_start(date_text)
        parsed = parse_date(date_text[start:]) if start is not None else None
    if parsed is None:
        problems.append(f"The date '{_short(date_text)}' could not be read as a date.")
    return parsed


def _host_and_ip(src: str, toks: list[Tok], comments: list[Tok]) -> tuple[str | None, str | None]:
    """`by` host as written, and its address: the host itself when it is one, else the
    first (ip), ([ip]) or (name [ip]) comment after it (Microsoft, amavisd)."""
    first = _first_value(toks)
    host = _text(src, first) if first is not None and first is toks[0] else None
    ip = _as_ip(host) if host else None
    for _, _, _, kids in comments:
        if ip is not None:
            break
        literal = next((k for k in kids if k[0] == "lit"), None)
        if literal is not None:
            ip = _as_ip(_text(src, literal))
        elif len(kids) == 1:
            ip = _as_ip(_text(src, kids[0]))
    return host, ip


def _microsoft_style(src: str, clauses: _Clauses, by_host: str | None) -> bool:
    """Exchange/IBM gateways write `from HELO (ip) by host (ip)`: the name is the HELO.
    The cheap tests come first; the (ip) after `by` is checked last."""
    with_text = " ".join(_text(src, t) for t in clauses.toks.get("with", [])).lower()
    if "microsoft" in with_text or with_text.startswith("mapi"):
        return True
    if (by_host or "").lower().endswith(("outlook.com", "office365.com")):
        return True
    return any(
        len(kids) == 1 and _as_ip(_text(src, kids[0]))
        for _, _, _, kids in clauses.comments.get("by", [])
    )


def _rdns_first(src: str, clauses: _Clauses, info: _From, by_host: str | None) -> bool:
    """Exim, qmail and IronPort put the verified reverse-DNS name right after `from`."""
    if info.exim_marks or info.helo is not None:
        return True
    for key in ("by", "with", "id"):
        for kind, start, end, _ in clauses.toks.get(key, []):
            text = src[start:end]
            if kind == "comment" and text.startswith("Exim"):
                return True
            if kind != "word" or ("-" not in text and "/" not in text):
                continue  # cheap: either test below needs one of these characters
            if _EXIM_ID.fullmatch(text) or "/TLS/" in text.upper():
                return True  # Exim message id; IronPort's with ESMTP/TLS/cipher
    return (by_host or "").lower().endswith(".iphmx.com")


def _helo_and_rdns(
    src: str, clauses: _Clauses, info: _From, by_host: str | None
) -> tuple[str | None, str | None]:
    """Who said what. RFC 5321 §4.4: the name after `from` SHOULD be the EHLO name, and
    TCP-info holds the reverse-DNS name; Exim, qmail and IronPort write it the other way."""
    host = info.host or ""
    if info.named_info:
        return info.helo or host or None, info.paren_name  # Postfix, sendmail, Google
    rdns_first = _rdns_first(src, clauses, info, by_host)
    if info.literal_first and not rdns_first:
        return info.helo or host or None, None  # sendmail without rDNS: from HELO ([ip])
    name = host if host and not host.startswith("[") and not info.host_ip else None
    if info.bare_ip_info and _microsoft_style(src, clauses, by_host):
        return info.helo or name, None  # Exchange: from HELO (ip)
    if rdns_first or info.bare_ip_info:
        return info.helo, _rdns_word(name) if name else None  # from rDNS (HELO x)
    return info.helo or name, None


def _read_for(src: str, toks: list[Tok]) -> str | None:
    """The first recipient: a <path>, else a bare address (sendmail writes no brackets)."""
    for tok in toks:
        text = _text(src, tok)
        if tok[0] == "angle":
            return _strip_angle(text)
        if tok[0] == "word" and text not in ("<", ">"):
            return text.rstrip(",")
    return None


def _parse(value: str) -> ReceivedFields:
    if not value.strip():
        return ReceivedFields(problems=("This Received header is empty.",))
    parts = _split(value)
    clauses, problems = parts.clauses, parts.problems
    toks, comments = clauses.toks, clauses.comments
    info = _read_from(value, toks.get("from", []), comments.get("from", []))
    by_host, by_ip = _host_and_ip(value, toks.get("by", []), comments.get("by", []))
    protocol, proto_tls = _read_protocol(value, toks.get("with", []))
    helo, rdns = _helo_and_rdns(value, clauses, info, by_host)
    if protocol and protocol.lower().startswith("local") and info.ip is None:
        helo = rdns = None  # Exim "from user by host with local": a login name, no client
    if "from" not in toks and info.ip is None:
        _scan_preamble(value, toks[""], info)
    low = value.lower()  # once, for the cheap hint tests of the readers below
    # they read no comment without a hint, so without any no list of all is needed
    notes = _all_comments(parts) if _mentions(low, _COMMENT_HINTS) else []
    authenticated, auth_as = _read_auth(value, low, notes, protocol)
    tls = _read_tls(value, low, notes, toks.get("with", []), protocol) or proto_tls
    id_tok = _first_value(toks.get("id", []))
    via = " ".join(_text(value, t) for t in toks.get("via", []) if t[0] == "word")
    _shape_problems(value, clauses, info, problems)
    date = _read_date(parts.date_text, problems)
    return ReceivedFields(
        from_host=info.host,
        from_helo=helo,
        from_rdns=rdns,
        from_ip=info.ip,
        by_host=by_host,
        by_ip=by_ip,
        with_protocol=protocol,
        tls=tls,
        id=_text(value, id_tok) if id_tok else None,
        for_addr=_read_for(value, toks.get("for", [])),
        via=via or None,
        envelope_from=_read_envelope(value, low, notes, clauses),
        authenticated=authenticated,
        authenticated_as=auth_as,
        date=date,
        date_text=parts.date_text,
        software=_read_software(value, clauses, protocol),
        problems=tuple(problems),
    )


def _scan_preamble(src: str, toks: list[Tok], info: _From) -> None:
    """No `from` keyword: take the first address literal before `by`, best effort."""
    for tok in toks:
        if tok[0] == "lit":
            literal = _text(src, tok)
            _note_ip(info, literal, _as_ip(literal))
        elif tok[0] == "comment":
            _read_tcp_info(src, tok, info)
        if info.ip is not None:
            return


def _shape_problems(src: str, clauses: _Clauses, info: _From, out: list[str]) -> None:
    if info.bad_literal is not None and info.ip is None:
        out.append(f"The sending address '{_short(info.bad_literal, 50)}' is not an IP address.")
    if "from" not in clauses.toks and "by" not in clauses.toks:
        known = any(_QMAIL.search(_text(src, t)) for t in clauses.comments[""])
        if not known:
            out.append("This Received header has neither 'from' nor 'by'; little could be read.")


# Pure and immutable: the route, and later the sending-service fingerprints, read the same
# Received values; remembering the last few hundred makes the second reading free.
@functools.lru_cache(maxsize=1024)
def parse_received(value: str) -> ReceivedFields:
    """Read one unfolded Received/X-Received value; never raises (see module strategy)."""
    try:
        return _parse(value)
    except Exception:  # defence in depth; the property tests fail if this is ever reached
        return ReceivedFields(problems=("This Received header could not be read.",))
