"""The addresses in the message's originator and destination headers, and what is wrong
with them.

Strategy:

1. Split each address header (From, Sender, Reply-To, Return-Path, To, Cc) into mailboxes
   with one linear scan (`_tokens`) that knows the RFC 5322 §3.4 structure: quoted
   strings, comments, angle brackets, domain literals, groups. The standard library's
   parsers were measured on hostile input first: `email.headerregistry` is quadratic
   (12 s for a 50 kB run of dots) and raises on some values, and 3.11's
   `email.utils.getaddresses` recurses once per nested comment (RecursionError) and
   splits `a@b@c` into nonsense. A header is at most 998 characters a line but may be
   folded without bound, so only a scan in linear time is safe.
2. Check each addr-spec with `email-validator` (syntax only: `check_deliverability` is
   off, so no DNS, and reserved names such as `localhost` are accepted because they are
   not a syntax error). Internationalised addresses (RFC 6532) pass; `<>` is valid only
   as Return-Path, where it is the null sender of bounces (RFC 5321 §4.5.5).
3. Findings: invalid addresses; several From headers, or several From mailboxes without a
   Sender (RFC 5322 §3.6.2); display names that name another address or another
   organisation's domain, the oldest trick for making a forged sender look right in a
   mail client that shows only the name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence

from mailview.core.auth.model import AddressCheck
from mailview.core.domains import org_domain, public_suffix
from mailview.core.findings.context import finding
from mailview.core.model import Evidence, Finding, HeaderField, Severity
from mailview.core.record import record
from mailview.core.summary import decode_words

# Lower-case header name → the spelling reports use.
ADDRESS_HEADERS = {
    "from": "From",
    "sender": "Sender",
    "reply-to": "Reply-To",
    "return-path": "Return-Path",
    "to": "To",
    "cc": "Cc",
}
# Display names of these headers are compared with the real address: they are the ones a
# mail client shows as "who wrote this" and "where a reply goes".
_SPOOFABLE = frozenset({"From", "Sender", "Reply-To"})
# Headers that must hold at least one mailbox; To and Cc may be an empty group
# ("undisclosed-recipients:;").
_NEEDS_ADDRESS = frozenset({"From", "Sender", "Reply-To", "Return-Path"})
_MAX_ADDRESS = 1000  # longer than any valid address (RFC 5321 §4.5.3.1.3: 256 octets)
_NULL = "<>"
# RFC 5322 §3.2.3 specials that end an atom; each starts a token of its own in `_tokens`.
_SPECIALS = frozenset('"(<[,:;')
# Characters that cannot be part of an address or domain name written inside a display
# name; they split the name into words to look at.
_NAME_SPLIT = re.compile(r"[\s\"'`<>()\[\]{},;:|/\\*!?=&+]+")
_LABEL = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")  # RFC 1035 §2.3.1 label, Unicode letters
_LIST_HEADERS = ("list-id", "list-post", "list-unsubscribe")


@record
class Mailbox:
    """One mailbox as written in a header: display name and addr-spec, both optional."""

    display_name: str | None
    address: str | None  # addr-spec as written, or "<>"; None when none could be found
    problem: str | None = None  # what the scanner could not make sense of


# --- splitting a header into mailboxes (RFC 5322 §3.4) -----------------------------------
#
#   address-list = (address *("," address)) / obs-addr-list
#   address      = mailbox / group
#   mailbox      = name-addr / addr-spec
#   name-addr    = [display-name] angle-addr
#   angle-addr   = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr
#   group        = display-name ":" [group-list] ";" [CFWS]
#
# A token is (kind, text): kind "atom" (a run of ordinary characters, spaces included),
# "quoted" (a quoted-string, unescaped), "comment", "angle" (what stood between < and >),
# "literal" (a domain literal with its brackets), "unclosed" (a quote, comment or angle
# bracket left open: the rest of the value).


def parse_mailboxes(value: str) -> list[Mailbox]:
    """Every mailbox in an address-list value, group members included; linear time."""
    return list(_parse_mailboxes(value))


# Several rules read the same From/To/Reply-To; Mailbox is frozen, so parsing each value
# once per message and handing out copies of the list is safe.
@functools.lru_cache(maxsize=512)
def _parse_mailboxes(value: str) -> tuple[Mailbox, ...]:
    boxes: list[Mailbox] = []
    piece: list[tuple[str, str]] = []
    in_group = False
    for kind, text in _tokens(value):
        if kind == "," or (kind == ";" and in_group):
            _flush(piece, boxes)
            piece = []
            in_group = in_group and kind == ","
        elif kind == ":" and not in_group and not any(k == "angle" for k, _ in piece):
            piece, in_group = [], True  # the group's display name is not a mailbox
        elif kind in {":", ";"}:
            piece.append(("atom", kind))
        else:
            piece.append((kind, text))
    _flush(piece, boxes)
    return tuple(boxes)


def _tokens(value: str) -> Iterator[tuple[str, str]]:
    i, n = 0, len(value)
    while i < n:
        char = value[i]
        if char in _OPENERS:
            end, text = _OPENERS[char](value, i + 1)
            kind = _OPENED[char]
            yield (kind if end <= n else f"open {kind}"), text
        elif char in ",:;":
            end = i + 1
            yield char, char
        else:
            end = i + 1
            while end < n and value[end] not in _SPECIALS:
                end += 1
            yield "atom", value[i:end]
        i = end


def _quoted(value: str, start: int) -> tuple[int, str]:
    """(index after the closing quote, unescaped content); index n+1 when never closed."""
    out: list[str] = []
    i, n = start, len(value)
    while i < n:
        char = value[i]
        if char == "\\" and i + 1 < n:  # RFC 5322 §3.2.1 quoted-pair
            out.append(value[i + 1])
            i += 2
            continue
        if char == '"':
            return i + 1, "".join(out)
        out.append(char)
        i += 1
    return n + 1, "".join(out)


def _literal(value: str, start: int) -> tuple[int, str]:
    """RFC 5322 §3.4.1 domain-literal, brackets kept: `[192.0.2.1]`."""
    close = value.find("]", start)
    if close < 0:
        return len(value) + 1, value[start - 1 :]
    return close + 1, value[start - 1 : close + 1]


def _comment(value: str, start: int) -> tuple[int, str]:
    """RFC 5322 §3.2.2: comments nest; quoted-pairs escape parentheses."""
    depth, i, n = 1, start, len(value)
    while i < n:
        char = value[i]
        if char == "\\":
            i += 2
            continue
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return i + 1, value[start:i]
        i += 1
    return n + 1, value[start:]


def _angle(value: str, start: int) -> tuple[int, str]:
    """Up to the `>` that closes the angle-addr; a quoted local part may contain `>`."""
    i, n = start, len(value)
    while i < n:
        char = value[i]
        if char == '"':
            i, _ = _quoted(value, i + 1)
            continue
        if char == ">":
            return i + 1, value[start:i]
        i += 1
    return n + 1, value[start:]


_OPENERS: dict[str, Callable[[str, int], tuple[int, str]]] = {
    '"': _quoted,
    "(": _comment,
    "<": _angle,
    "[": _literal,
}
_OPENED = {'"': "quoted", "(": "comment", "<": "angle", "[": "literal"}
_NEVER_CLOSED = {
    "open quoted": "a quoted name is never closed with '\"'",
    "open comment": "a comment is never closed with ')'",
    "open angle": "the '<' before the address is never closed with '>'",
    "open literal": "the '[' of a domain literal is never closed with ']'",
}


def _flush(piece: list[tuple[str, str]], boxes: list[Mailbox]) -> None:
    if any(kind.endswith("angle") or (kind != "comment" and text.strip()) for kind, text in piece):
        boxes.append(_mailbox(piece))


def _mailbox(piece: list[tuple[str, str]]) -> Mailbox:
    problem = next((_NEVER_CLOSED[k] for k, _ in piece if k in _NEVER_CLOSED), None)
    # An angle-addr left open still holds the address: read it, and say what is wrong.
    piece = [(k.removeprefix("open "), t) for k, t in piece]
    angle = next((i for i, (k, _) in enumerate(piece) if k == "angle"), None)
    if angle is not None:
        name = _words(piece[:angle])
        address = _strip_route(_without_comments(piece[angle][1]).strip())
        if any(k != "comment" and t.strip() for k, t in piece[angle + 1 :]):
            problem = problem or "text follows the address after '>'"
        return Mailbox(name, address or _NULL, problem)
    # A bare addr-spec: an old-style trailing comment is the display name (RFC 822 habit).
    comments = [t for k, t in piece if k == "comment"]
    written = "".join(_as_written(k, t) for k, t in piece if k != "comment").strip()
    name = " ".join(c.strip() for c in comments if c.strip()) or None
    return Mailbox(_decoded(name), written or None, problem)


def _as_written(kind: str, text: str) -> str:
    if kind == "quoted":
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return text


def _words(tokens: Sequence[tuple[str, str]]) -> str | None:
    """The display name: atoms and quoted strings, whitespace collapsed, RFC 2047 decoded.

    Comments are not part of a display name (RFC 5322 §3.4) but mail programs show
    them, so `PayPal (paypal.com) <x@example.net>` keeps its comment for the spoof check.
    """
    parts = [f"({t})" if k == "comment" else t for k, t in tokens if k != "literal"]
    return _decoded(" ".join(" ".join(parts).split()) or None)


def _decoded(name: str | None) -> str | None:
    return None if name is None else (decode_words(name).strip() or None)


def _without_comments(text: str) -> str:
    return "".join(_as_written(k, t) for k, t in _tokens(text) if k != "comment")


def _strip_route(address: str) -> str:
    """RFC 5322 §4.4 obs-route: `<@relay1,@relay2:user@example.com>` → the addr-spec."""
    if address.startswith("@") and ":" in address:
        return address.rsplit(":", 1)[1].strip()
    return address


# --- checking addresses ----------------------------------------------------------------


def check_addresses(headers: Sequence[HeaderField]) -> tuple[AddressCheck, ...]:
    """One AddressCheck per mailbox in From, Sender, Reply-To, Return-Path, To and Cc."""
    checks: list[AddressCheck] = []
    for field in headers:
        name = ADDRESS_HEADERS.get(field.name.lower())
        if name is not None:
            checks.extend(_check_field(name, field))
    return tuple(checks)


def _check_field(name: str, field: HeaderField) -> Iterator[AddressCheck]:
    boxes = parse_mailboxes(field.value)
    if not boxes and name in _NEEDS_ADDRESS:
        boxes = [Mailbox(None, None, "no address could be found here")]
    for box in boxes:
        problem = box.problem or _address_problem(name, box.address)
        yield AddressCheck(
            header=name,
            header_index=field.index,
            display_name=box.display_name,
            address=box.address,
            valid=problem is None,
            problem=problem,
        )


# RFC 5322 §3.4.1 addr-spec = local-part "@" domain, for the everyday case only:
#   dot-atom-text = 1*atext *("." 1*atext)   (local part)
#   domain labels per RFC 1035 §2.3.1: letter/digit, hyphens inside, a non-numeric TLD.
# An address this matches (within the lengths below) is valid for email-validator too; a
# property test holds it to that. Everything else goes to email-validator.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)


def _plainly_valid(address: str) -> bool:
    """A cheap yes for ordinary ASCII addresses: email-validator costs ~20 µs a call."""
    local, _, domain = address.rpartition("@")
    return (
        len(local) <= 64
        and len(domain) <= 253
        and _PLAIN_ADDRESS.fullmatch(address) is not None
        # IDNA reserves labels whose third and fourth characters are "--" (punycode's
        # "xn--"): leave those to email-validator, which checks them properly.
        and not any(label[2:4] == "--" for label in domain.split("."))
    )


def _address_problem(header: str, address: str | None) -> str | None:
    """None when `address` is a valid addr-spec for `header`, else why not, in words."""
    if address is None:
        return "no address could be found here"
    if address == _NULL:
        if header == "Return-Path":
            return None  # the null reverse-path of bounces (RFC 5321 §4.5.5)
        return "the empty address <> is only meaningful as the Return-Path of a bounce"
    if len(address) > _MAX_ADDRESS:
        return "The email address is too long."
    if _plainly_valid(address):
        return None
    # email-validator (~20 ms to import, its grammar compiled at import) loads only for
    # the rare address the plain check above cannot vouch for.
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415

    try:
        validate_email(
            address,
            check_deliverability=False,  # never DNS: the analysis is offline
            allow_quoted_local=True,  # RFC 5322 §3.4.1 allows quoted local parts
            allow_domain_literal=True,
            allow_smtputf8=True,  # RFC 6532 internationalised addresses
            globally_deliverable=False,  # syntax only: `root@mailhost` is well formed
            test_environment=True,  # …and so is `user@test`
        )
    except EmailNotValidError as err:
        sentence = str(err)
        # Special-use names (localhost, .local, .invalid) are well formed; whether they
        # can receive mail is a deliverability question, which is out of scope here.
        return None if "special-use or reserved name" in sentence else sentence
    return None


# --- findings --------------------------------------------------------------------------


def address_findings(
    checks: Sequence[AddressCheck], headers: Sequence[HeaderField]
) -> list[Finding]:
    by_index = {field.index: field for field in headers}
    found = _invalid_findings(checks, by_index)
    found.extend(_from_count_findings(checks, headers))
    list_orgs = _list_orgs(headers)
    for check in checks:
        if check.header in _SPOOFABLE:
            spoof = _display_name_finding(check, by_index, list_orgs)
            if spoof is not None:
                found.append(spoof)
    return found


def _evidence(by_index: dict[int, HeaderField], index: int) -> Evidence:
    field = by_index.get(index)
    if field is None:
        return Evidence(index, None, "")
    return Evidence(field.index, field.name, field.raw)


def _invalid_findings(
    checks: Sequence[AddressCheck], by_index: dict[int, HeaderField]
) -> list[Finding]:
    """One finding per header holding invalid addresses (a long Cc stays one line)."""
    bad: dict[int, list[AddressCheck]] = {}
    for check in checks:
        if not check.valid:
            bad.setdefault(check.header_index, []).append(check)
    found = []
    for index, group in bad.items():
        header = group[0].header
        listed = "; ".join(f"{_shown(c)}: {c.problem}" for c in group[:5])
        more = f" (and {len(group) - 5} more)" if len(group) > 5 else ""
        found.append(
            finding(
                "auth.address_invalid",
                Severity.MEDIUM if header == "From" else Severity.LOW,
                f"Invalid address in {header}",
                f"The {header} header holds an address that is not written as email "
                f"addresses must be, so replies or bounces may go astray and some "
                f"filters distrust the message. {listed}{more}.",
                [_evidence(by_index, index)],
            )
        )
    return found


def _shown(check: AddressCheck) -> str:
    return repr(check.address) if check.address is not None else "(no address)"


def _from_count_findings(
    checks: Sequence[AddressCheck], headers: Sequence[HeaderField]
) -> list[Finding]:
    """RFC 5322 §3.6: exactly one From field; §3.6.2: several authors require a Sender."""
    froms = [f for f in headers if f.name.lower() == "from"]
    evidence = [Evidence(f.index, f.name, f.raw) for f in froms]
    if len(froms) > 1:
        detail = (
            f"The message has {len(froms)} From headers; the standard allows exactly one. "
            "Mail programs and authentication checks may each pick a different one, so "
            "the sender shown may not be the sender that was checked."
        )
        return [
            finding("auth.from_multiple", Severity.MEDIUM, "Several From headers", detail, evidence)
        ]
    authors = [c for c in checks if c.header == "From"]
    # Headers are searched for a Sender only when it matters: for several authors.
    if len(authors) > 1 and not any(f.name.lower() == "sender" for f in headers):
        detail = (
            f"The From header names {len(authors)} addresses but there is no Sender header "
            "saying which of them sent it, as the standard requires (RFC 5322 §3.6.2). "
            "Authentication (DMARC) cannot judge such a message reliably."
        )
        return [
            finding(
                "auth.from_multiple",
                Severity.MEDIUM,
                "Several authors, no Sender",
                detail,
                evidence,
            )
        ]
    return []


def _display_name_finding(
    check: AddressCheck, by_index: dict[int, HeaderField], list_orgs: frozenset[str]
) -> Finding | None:
    real = _address_domain(check.address)
    if not check.display_name or real is None:
        return None
    real_address = _fold(check.address or "")
    real_org = org_domain(real) or real
    other_address, other_domain = _named_in(check.display_name, real_address, real_org)
    if other_address is None and other_domain is None:
        return None
    if _list_rewrite(check.display_name, real_org, list_orgs):
        return None
    evidence = [_evidence(by_index, check.header_index)]
    if other_address is not None:
        return finding(
            "auth.display_name_address",
            Severity.HIGH,
            f"{check.header} name shows a different address",
            f"The {check.header} display name says {other_address!r} but the message "
            f"really comes from {check.address!r}. Mail programs often show only the "
            "name, so the message looks as if it came from the address in the name: a "
            "common impersonation trick.",
            evidence,
            strength="heuristic",
        )
    return finding(
        "auth.display_name_domain",
        Severity.MEDIUM,
        f"{check.header} name names another domain",
        f"The {check.header} display name mentions {other_domain!r}, but the address "
        f"{check.address!r} belongs to {real_org}, a different organisation. A name that "
        "carries a well-known domain can make a message look as if it came from there.",
        evidence,
        strength="heuristic",
    )


def _named_in(name: str, real_address: str, real_org: str) -> tuple[str | None, str | None]:
    """(an address other than the real one, a domain of another organisation) in `name`."""
    other_domain: str | None = None
    for raw_word in _NAME_SPLIT.split(name):
        word = raw_word.strip(".-_")
        if "@" in word:
            domain = _address_domain(word)
            if domain is not None and _fold(word) != real_address:
                return word, None
        elif other_domain is None and "." in word:
            domain = _host(word)
            if domain is not None and org_domain(domain) not in {real_org, None}:
                other_domain = word
    return None, other_domain


def _list_rewrite(name: str, real_org: str, list_orgs: frozenset[str]) -> bool:
    """`'alice@example.com' via Group <group@googlegroups.com>`: a list's DMARC rewrite.

    Mailing lists replace From with their own address and keep the author in the name,
    with "via"; that is only believed when the message carries List-* headers of the
    list's own organisation.
    """
    return real_org in list_orgs and " via " in f" {name.lower()} "


def _list_orgs(headers: Sequence[HeaderField]) -> frozenset[str]:
    orgs = set()
    for field in headers:
        if field.name.lower() in _LIST_HEADERS:
            for word in _NAME_SPLIT.split(field.value):
                domain = _host(word.rsplit("@", 1)[-1].strip(".")) if word else None
                org = org_domain(domain) if domain else None
                if org is None and domain and "." in domain:
                    # List-Id `<list.lists.example.org>` has no address: try its tail.
                    org = org_domain(domain.split(".", 1)[1])
                if org:
                    orgs.add(org)
    return frozenset(orgs)


def _address_domain(address: str | None) -> str | None:
    """The domain of an address, in A-labels, when it looks like a host name."""
    if not address or "@" not in address:
        return None
    return _host(address.rsplit("@", 1)[1], known_suffix=False)


def _host(text: str, *, known_suffix: bool = True) -> str | None:
    """`text` as an A-label host name, else None.

    With `known_suffix`, only names under a real public suffix count: in a display name
    "Mr.Smith" or "Node.js" are words, not domains.
    """
    host = to_ascii_domain(text)
    if host is None or "." not in host:
        return None
    if not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    if not known_suffix:
        return host
    return host if public_suffix(host) not in {None, host} else None


def to_ascii_domain(text: str) -> str | None:
    """Lower-case A-label form of a domain (`例子.广告` → `xn--fsqu00a.xn--4rr70v`).

    DKIM d= and SPF identities are written in A-labels; the From domain may be in
    U-labels (RFC 6532). Comparing both in one form keeps alignment fair. Names IDNA
    refuses are returned lower-cased as written.
    """
    host = text.strip().rstrip(".").lower()
    if not host:
        return None
    if host.isascii():
        return host
    import idna  # noqa: PLC0415 - its tables load only for internationalised names

    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return host


def _fold(address: str) -> str:
    """An address for comparison: domain in A-labels, case folded (most hosts ignore it)."""
    local, _, domain = address.rpartition("@")
    return f"{local.casefold()}@{to_ascii_domain(domain) or domain}"
