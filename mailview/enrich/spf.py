"""SPF (RFC 7208): may this IP send mail for this domain, and which term of the policy says so.

Strategy: a direct transcription of check_host() (§4) that talks DNS only through the
`Resolver` Protocol, so it runs against dnspython online and against a dict zone in tests.
A record is parsed whole before anything is evaluated, because §4.6 makes a syntax error
anywhere a permerror even when an earlier term would have matched. Evaluation walks the
terms left to right; `include` and `redirect` recurse with a depth counter, and every
DNS-querying term (§4.6.4) and void answer is counted in one `_Check` shared by the whole
evaluation, so a loop of includes ends as a permerror at the 11th term instead of
recursing. Errors that end the evaluation (permerror, temperror) unwind as `_Abort`, which
the public function turns into a result; nothing else escapes. Besides the result we keep
the analyst's view: the path of records and terms that decided it, and the problems seen.
"""

from __future__ import annotations

import ipaddress
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from mailview.core.ipscope import parse_ip
from mailview.core.model import SpfEvaluation
from mailview.enrich.dns import ERROR, NODATA, NXDOMAIN, OK, DnsAnswer, Resolver, mx_host

__all__ = [
    "FAIL",
    "NEUTRAL",
    "NONE",
    "PASS",
    "PERMERROR",
    "RESULTS",
    "SOFTFAIL",
    "TEMPERROR",
    "SpfEvaluation",
    "SpfSyntaxError",
    "evaluate_spf",
    "expand_macros",
]

PASS = "pass"
FAIL = "fail"
SOFTFAIL = "softfail"
NEUTRAL = "neutral"
NONE = "none"
TEMPERROR = "temperror"
PERMERROR = "permerror"
RESULTS = (PASS, FAIL, SOFTFAIL, NEUTRAL, NONE, TEMPERROR, PERMERROR)  # RFC 7208 §2.6

# §4.6.2: the qualifier gives the result of a matching mechanism; none means "+".
_QUALIFIER_RESULT = {"+": PASS, "-": FAIL, "~": SOFTFAIL, "?": NEUTRAL}

MAX_DNS_TERMS = 10  # §4.6.4: include, a, mx, ptr, exists and redirect, over the whole check
MAX_VOID_LOOKUPS = 2  # §4.6.4: "SHOULD limit void lookups to two"
MAX_MX_NAMES = 10  # §4.6.4: an mx term may not lead to more than 10 address look-ups
MAX_PTR_NAMES = 10  # §4.6.4: PTR names beyond the first 10 are ignored
DEFAULT_TIME_LIMIT = 20.0  # §4.6.4: "at least 20 seconds" before giving up as temperror
# The lookup limit already ends include/redirect chains after 10 levels; this bound only
# guarantees that no bug or odd resolver can make the recursion itself unbounded.
_MAX_DEPTH = MAX_DNS_TERMS + 2
_MAX_DOMAIN = 253  # §7.3: an expanded name longer than this loses labels from the left
_MAX_LABEL = 63
_UNKNOWN = "unknown"  # §7.3: the value of %{p} (and our %{h}, %{r}) when there is none

# --- grammar (RFC 7208 §4.5, §4.6.1, §5, §6, §7.1) -------------------------------------

# §4.5: 'records that begin with a version section of exactly "v=spf1"… the version
# section is terminated by either an SP character or the end of the record.' ABNF string
# literals are case-insensitive (RFC 5234 §2.3), so "V=SPF1" is a version section too.
_VERSION = re.compile(r"v=spf1(?: |\Z)", re.IGNORECASE)

# §4.6.1  modifier         = redirect / explanation / unknown-modifier
#         unknown-modifier = name "=" macro-string
#         name             = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9\-_.]*)=(.*)", re.DOTALL)

# §4.6.1  directive = [ qualifier ] mechanism
#         qualifier = "+" / "-" / "?" / "~"
# The mechanism name is read up to its first ":" or "/" (what follows is per mechanism).
_DIRECTIVE = re.compile(r"([+\-?~]?)([A-Za-z][A-Za-z0-9]*)(.*)", re.DOTALL)

# §5.6    ip4-cidr-length  = "/" ("0" / %x31-39 0*1DIGIT) ; value range 0-32
#         ip6-cidr-length  = "/" ("0" / %x31-39 0*2DIGIT) ; value range 0-128
#         dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
_DUAL_CIDR = re.compile(r"(?:/(0|[1-9][0-9]?))?(?://(0|[1-9][0-9]{0,2}))?\Z")

# §5.6    ip4       = "ip4" ":" ip4-network [ ip4-cidr-length ]
#         ip4-network = qnum "." qnum "." qnum "." qnum
#         qnum      = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
_IP4 = re.compile(rf":({_QNUM}(?:\.{_QNUM}){{3}})(?:/(0|[1-9][0-9]?))?\Z")

# §5.6    ip6       = "ip6" ":" ip6-network [ ip6-cidr-length ]
#         ip6-network = <as per Section 2.2 of [RFC4291]>
# The shape here only isolates the address (embedded IPv4 allowed); `ipaddress` checks it.
_IP6 = re.compile(r":([0-9A-Fa-f:.]+)(?:/(0|[1-9][0-9]{0,2}))?\Z")

# §7.1    macro-string  = *( macro-expand / macro-literal )
#         macro-expand  = ( "%{" macro-letter transformers *delimiter "}" )
#                         / "%%" / "%_" / "%-"
#         macro-literal = %x21-24 / %x26-7E   ; visible characters except "%"
#         macro-letter  = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
#         transformers  = *DIGIT [ "r" ]
#         delimiter     = "." / "-" / "+" / "," / "/" / "_" / "="
# explain-string = *( macro-string / SP ) (§6.2) adds the space to the literals.
_MACRO_PARTS = r"%\{([slodiphcrtv])([0-9]*)(r?)([.\-+,/_=]*)\}|%([%_\-])"
_MACRO_TOKEN = re.compile(rf"{_MACRO_PARTS}|([\x21-\x24\x26-\x7e]+)", re.IGNORECASE)
_EXPLAIN_TOKEN = re.compile(rf"{_MACRO_PARTS}|([\x20-\x24\x26-\x7e]+)", re.IGNORECASE)
_ESCAPES = {"%": "%", "_": " ", "-": "%20"}  # §7.1: "%%", "%_" and "%-"

# §7.1    domain-spec = macro-string domain-end
#         domain-end  = ( "." toplabel [ "." ] ) / macro-expand
#         toplabel    = ( *alphanum ALPHA *alphanum ) /
#                       ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
# Written without nested stars (the lookahead asks for the ALPHA) so that a long label in a
# hostile record cannot make the match backtrack quadratically; fullmatch on one label.
_TOPLABEL = re.compile(
    r"(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]+|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9]"
)

# §7.3: "c", "r" and "t" are "allowed only in 'exp' text".
_EXP_ONLY_LETTERS = frozenset("crt")

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SpfSyntaxError(ValueError):
    """A macro string (or record term) that RFC 7208's grammar does not allow."""


# --- parsing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mechanism:
    text: str  # the term as written, for the path
    qualifier: str
    kind: str  # all | include | a | mx | ptr | ip4 | ip6 | exists
    domain_spec: str | None = None
    cidr4: int = 32
    cidr6: int = 128
    network: _IPNetwork | None = None


@dataclass(frozen=True)
class _Record:
    text: str
    mechanisms: tuple[_Mechanism, ...]
    redirect: str | None
    exp: str | None


def _parse_record(text: str) -> _Record:
    """The record's terms; SpfSyntaxError for anything §4.6.1 does not allow."""
    # §4.6.1: terms = *( 1*SP ( directive / modifier ) ), so only spaces separate terms.
    terms = [term for term in text.split(" ")[1:] if term]
    mechanisms: list[_Mechanism] = []
    modifiers: dict[str, str] = {}
    for term in terms:
        modifier = _MODIFIER.fullmatch(term)
        if modifier is not None:
            name, value = modifier.group(1).lower(), modifier.group(2)
            if name in ("redirect", "exp"):
                # §6: "These two modifiers MUST NOT appear in a record more than once each."
                if name in modifiers:
                    raise SpfSyntaxError(f"{name}= appears more than once")
                _check_domain_spec(value, term)
                modifiers[name] = value
            else:
                _check_macro_string(value, term)  # §6: unknown modifiers are ignored
            continue
        mechanisms.append(_parse_mechanism(term))
    return _Record(text, tuple(mechanisms), modifiers.get("redirect"), modifiers.get("exp"))


def _parse_mechanism(term: str) -> _Mechanism:
    directive = _DIRECTIVE.fullmatch(term)
    if directive is None:
        raise SpfSyntaxError(f"{term!r} is neither a mechanism nor a modifier")
    qualifier = directive.group(1) or "+"
    kind, rest = directive.group(2).lower(), directive.group(3)
    if kind == "all":
        if rest:
            raise SpfSyntaxError(f"{term!r}: 'all' takes no argument")
        return _Mechanism(term, qualifier, kind)
    if kind in ("include", "exists"):
        # §5.2 include = "include" ":" domain-spec ; §5.7 exists = "exists" ":" domain-spec
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"{term!r}: {kind} needs ':domain'")
        return _Mechanism(term, qualifier, kind, _check_domain_spec(rest[1:], term))
    if kind in ("a", "mx"):
        # §5.3 a = "a" [ ":" domain-spec ] [ dual-cidr-length ] ; §5.4 mx likewise
        cidr = _DUAL_CIDR.search(rest)
        assert cidr is not None  # every group is optional: it matches at the end at least
        head = rest[: cidr.start()]
        cidr4 = _cidr(cidr.group(1), 32, term)
        cidr6 = _cidr(cidr.group(2), 128, term)
        return _Mechanism(term, qualifier, kind, _optional_spec(head, term), cidr4, cidr6)
    if kind == "ptr":
        # §5.5 ptr = "ptr" [ ":" domain-spec ]
        return _Mechanism(term, qualifier, kind, _optional_spec(rest, term))
    if kind in ("ip4", "ip6"):
        return _Mechanism(term, qualifier, kind, network=_network(kind, rest, term))
    raise SpfSyntaxError(f"{term!r}: unknown mechanism {kind!r}")


def _optional_spec(text: str, term: str) -> str | None:
    if not text:
        return None
    if not text.startswith(":"):
        raise SpfSyntaxError(f"{term!r} is not a valid term")
    return _check_domain_spec(text[1:], term)


def _cidr(digits: str | None, maximum: int, term: str) -> int:
    if digits is None:
        return maximum
    value = int(digits)
    if value > maximum:
        raise SpfSyntaxError(f"{term!r}: prefix length /{value} is longer than {maximum}")
    return value


def _network(kind: str, rest: str, term: str) -> _IPNetwork:
    shape = (_IP4 if kind == "ip4" else _IP6).fullmatch(rest)
    if shape is None:
        raise SpfSyntaxError(f"{term!r} is not a valid {kind} network")
    maximum = 32 if kind == "ip4" else 128
    length = _cidr(shape.group(2), maximum, term)
    try:
        address = ipaddress.ip_address(shape.group(1))
    except ValueError:
        raise SpfSyntaxError(f"{term!r}: {shape.group(1)!r} is not an address") from None
    if address.version != (4 if kind == "ip4" else 6):
        raise SpfSyntaxError(f"{term!r}: {shape.group(1)!r} is not an {kind} address")
    # Host bits after the prefix are allowed ("ip4:192.0.2.1/24" means 192.0.2.0/24).
    return ipaddress.ip_network(f"{address}/{length}", strict=False)


def _check_macro_string(text: str, term: str, *, explain: bool = False) -> list[_Token]:
    tokens = _macro_tokens(text, explain)
    for letter, digits, _reverse, _delims, _escape, _literal in tokens:
        if letter and letter.lower() in _EXP_ONLY_LETTERS and not explain:
            raise SpfSyntaxError(f"{term!r}: %{{{letter}}} is allowed only in exp text")
        if digits and _label_count(digits) == 0:
            # §7.3: "If a DIGIT is specified, the value MUST be nonzero."
            raise SpfSyntaxError(f"{term!r}: a macro keeps zero labels")
    return tokens


def _check_domain_spec(text: str, term: str) -> str:
    tokens = _check_macro_string(text, term)
    last = tokens[-1] if tokens else None
    ends_in_macro = last is not None and last[5] is None  # a macro-expand, not a literal
    if not ends_in_macro:
        body = text.removesuffix(".")
        _, dot, label = body.rpartition(".")
        if not dot or "%" in label or _TOPLABEL.fullmatch(label) is None:
            why = f"{text!r} does not end in a top-level label or a macro"
            raise SpfSyntaxError(f"{term!r}: {why}")
    return text


_Token = tuple[str | None, str | None, str | None, str | None, str | None, str | None]


def _macro_tokens(text: str, explain: bool) -> list[_Token]:
    pattern = _EXPLAIN_TOKEN if explain else _MACRO_TOKEN
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        token = pattern.match(text, position)
        if token is None:
            raise SpfSyntaxError(f"bad macro syntax at {text[position : position + 12]!r}")
        tokens.append(cast(_Token, token.groups()))  # six optional groups, always six
        position = token.end()
    return tokens


# --- evaluation state --------------------------------------------------------------------


class _Abort(Exception):
    """Ends the whole evaluation with `result` (temperror or permerror)."""

    def __init__(self, result: str, problem: str) -> None:
        super().__init__(problem)
        self.result = result
        self.problem = problem


@dataclass(frozen=True)
class _Outcome:
    result: str
    matched: str | None = None
    # (domain, exp domain-spec) of the record whose own terms decided the result: §6.2 uses
    # its explanation, and never one from inside an include or before a redirect.
    exp: tuple[str, str] | None = None


@dataclass
class _Check:
    ip: _IPAddress
    sender: str
    local_part: str
    sender_domain: str
    helo: str
    resolver: Resolver
    deadline: float
    lookups: int = 0
    voids: int = 0
    top_record: str | None = None
    path: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def step(self, text: str) -> None:
        self.path.append(text)

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def abort(self, result: str, domain: str, term: str, why: str) -> _Abort:
        self.step(f"{domain}: {term} → {result}: {why}")
        self.problem(f"{domain}: {term}: {why}")
        return _Abort(result, why)

    def count_term(self, domain: str, term: str) -> None:
        self.lookups += 1
        if self.lookups > MAX_DNS_TERMS:
            raise self.abort(
                PERMERROR,
                domain,
                term,
                f"more than {MAX_DNS_TERMS} DNS-querying terms (RFC 7208 §4.6.4)",
            )

    def count_void(self, domain: str, term: str, answer: DnsAnswer) -> None:
        self.voids += 1
        if self.voids > MAX_VOID_LOOKUPS:
            raise self.abort(
                PERMERROR,
                domain,
                term,
                f"more than {MAX_VOID_LOOKUPS} look-ups found nothing "
                f"({answer.rdtype} {answer.name}: {answer.status}; RFC 7208 §4.6.4)",
            )

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        if time.monotonic() > self.deadline:
            raise _Abort(TEMPERROR, "the SPF check ran out of time (RFC 7208 §4.6.4)")
        try:
            return self.resolver.query(name, rdtype)
        except Exception as error:  # a resolver is outside code: its crash is a DNS failure
            return DnsAnswer(name, rdtype, (), ERROR, datetime.now(UTC), str(error))

    def family(self) -> str:
        return "A" if self.ip.version == 4 else "AAAA"


class _NoDns:
    """The resolver of `expand_macros` when none is given: every look-up fails, offline."""

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        return DnsAnswer(name, rdtype, (), ERROR, datetime.now(UTC), "no resolver given")


# --- public entry points -----------------------------------------------------------------


def evaluate_spf(
    ip: str,
    domain: str,
    sender: str,
    helo: str | None,
    resolver: Resolver,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> SpfEvaluation:
    """check_host(ip, domain, sender) of RFC 7208 §4, with the path that decided it.

    `sender` is the envelope sender (MAIL FROM); without a local part it stands for
    "postmaster@domain" (§4.3). `helo` only feeds the %{h} macro. Never raises: an `ip`
    that is not an address or a malformed `domain` gives "none" with the reason, every
    DNS failure a temperror, every policy error a permerror. `time_limit` (seconds) bounds
    the whole evaluation on top of the resolver's own per-query timeout.
    """
    domain = _normalise_domain(domain)
    address = _client_ip(ip)
    if address is None:
        why = f"{ip!r} is not an IP address"
        return SpfEvaluation(
            NONE,
            domain,
            ip,
            None,
            None,
            (f"{why}; no SPF check made",),
            0,
            f"No SPF check was made: {why}.",
            (why,),
        )
    check = _new_check(address, sender, domain, helo, resolver, time_limit)
    reason = ""
    try:
        outcome = _check_host(check, domain, 0)
    except _Abort as abort:
        outcome, reason = _Outcome(abort.result), abort.problem
        if not any(reason in problem for problem in check.problems):
            check.problem(reason)
    exp_text = _explain(check, outcome) if outcome.result == FAIL else None
    if outcome.result == NONE and not reason:
        reason = _domain_problem(domain) or ""
    return SpfEvaluation(
        result=outcome.result,
        domain=domain,
        ip=str(address),
        record=check.top_record,
        matched=outcome.matched,
        path=tuple(check.path),
        dns_lookups=check.lookups,
        explanation=_sentence(outcome, domain, str(address), reason, exp_text),
        problems=tuple(check.problems),
    )


def expand_macros(
    text: str,
    *,
    ip: str,
    sender: str,
    domain: str,
    helo: str | None = None,
    explanation: bool = False,
    resolver: Resolver | None = None,
) -> str:
    """`text` with its RFC 7208 §7 macros expanded, as check_host() would.

    `explanation=True` reads it as exp text (spaces and %{c} %{r} %{t} allowed). %{p}
    needs `resolver`; without one it is "unknown". Raises SpfSyntaxError for text the
    macro grammar does not allow, or an `ip` that is not an address.
    """
    address = _client_ip(ip)
    if address is None:
        raise SpfSyntaxError(f"{ip!r} is not an IP address")
    domain = _normalise_domain(domain)
    check = _new_check(address, sender, domain, helo, resolver or _NoDns(), DEFAULT_TIME_LIMIT)
    _check_macro_string(text, text, explain=explanation)
    try:
        return _expand(check, text, domain, explain=explanation)
    except _Abort:  # only the time limit can end a %{p} look-up; it is then unknown
        return _expand(_new_check(address, sender, domain, helo, _NoDns(), 1.0), text, domain)


def _new_check(
    address: _IPAddress,
    sender: str,
    domain: str,
    helo: str | None,
    resolver: Resolver,
    time_limit: float,
) -> _Check:
    local_part, sender_domain = _split_sender(sender, domain)
    return _Check(
        ip=address,
        sender=f"{local_part}@{sender_domain}",
        local_part=local_part,
        sender_domain=sender_domain,
        helo=(helo or "").strip() or _UNKNOWN,
        resolver=resolver,
        deadline=time.monotonic() + time_limit,
    )


def _split_sender(sender: str, domain: str) -> tuple[str, str]:
    """(local part, domain) of the envelope sender, per §4.3's "postmaster" rule."""
    text = sender.strip().removeprefix("<").removesuffix(">")
    local_part, at, sender_domain = text.rpartition("@")
    if not at:  # no "@": the whole text is a domain (or nothing)
        local_part, sender_domain = "", text
    return local_part or "postmaster", _normalise_domain(sender_domain) or domain


def _normalise_domain(domain: str) -> str:
    name = domain.strip()
    return name[:-1] if name.endswith(".") else name


def _client_ip(text: str) -> _IPAddress | None:
    address = parse_ip(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # An IPv4 client seen through an IPv6 socket is still an IPv4 client: it must be
        # compared with ip4 networks and A records (RFC 7208 §5 asks for A records then).
        return address.ipv4_mapped
    return address


# --- check_host() (§4) -------------------------------------------------------------------


def _check_host(check: _Check, domain: str, depth: int) -> _Outcome:
    if depth > _MAX_DEPTH:
        why = f"includes and redirects nest more than {_MAX_DEPTH} deep"
        raise check.abort(PERMERROR, domain, "check_host", why)
    problem = _domain_problem(domain)
    if problem is not None:
        # §4.3: a malformed or single-label domain gives "none" immediately.
        check.step(f"{domain or '(empty)'}: {problem}; no SPF record can apply (RFC 7208 §4.3)")
        return _Outcome(NONE)
    text = _fetch_record(check, domain)
    if text is None:
        return _Outcome(NONE)
    if depth == 0:
        check.top_record = text
    check.step(f"{domain}: {text}")
    try:
        record = _parse_record(text)
    except SpfSyntaxError as error:
        raise check.abort(PERMERROR, domain, "record", f"syntax error: {error}") from None
    for mechanism in record.mechanisms:
        hit = _matches(check, mechanism, domain, depth)
        if hit is not None:
            check.step(f"{domain}: {mechanism.text} matched")
            exp = None if record.exp is None else (domain, record.exp)
            return _Outcome(_QUALIFIER_RESULT[mechanism.qualifier], hit, exp)
    if record.redirect is not None:
        return _redirect(check, domain, record.redirect, depth)
    check.step(f"{domain}: no mechanism matched → neutral (RFC 7208 §4.7)")
    return _Outcome(NEUTRAL)


def _fetch_record(check: _Check, domain: str) -> str | None:
    """The one SPF record at `domain` (§4.4, §4.5); None when there is none."""
    answer = check.query(domain, "TXT")
    if _is_void(answer):
        check.step(f"{domain}: no SPF record (TXT {answer.status})")
        return None
    if answer.status != OK:
        raise check.abort(TEMPERROR, domain, "TXT look-up", _failure(answer))
    records = [text for text in answer.records if _VERSION.match(text)]
    if not records:
        check.step(f"{domain}: no SPF record among {len(answer.records)} TXT record(s)")
        return None
    if len(records) > 1:
        why = f"{len(records)} SPF records published; RFC 7208 §4.5 allows exactly one"
        raise check.abort(PERMERROR, domain, "TXT look-up", why)
    return records[0]


def _redirect(check: _Check, domain: str, spec: str, depth: int) -> _Outcome:
    """§6.1: the result of the redirect target's policy replaces this one's."""
    term = f"redirect={spec}"
    check.count_term(domain, term)
    target = _expand_target(check, spec, domain)
    check.step(f"{domain}: no mechanism matched; following {term} to {target}")
    inner = _check_host(check, target, depth + 1)
    if inner.result == NONE:
        why = f"the redirect target {target} has no SPF record (RFC 7208 §6.1)"
        raise check.abort(PERMERROR, domain, term, why)
    matched = None if inner.matched is None else f"{term} → {inner.matched}"
    return _Outcome(inner.result, matched, inner.exp)


def _matches(check: _Check, mechanism: _Mechanism, domain: str, depth: int) -> str | None:
    """The matched chain for a matching mechanism (§5), None when it does not match."""
    kind = mechanism.kind
    if kind == "all":
        return mechanism.text
    if mechanism.network is not None:  # ip4, ip6: no DNS
        network = mechanism.network
        return (
            mechanism.text if check.ip.version == network.version and check.ip in network else None
        )
    check.count_term(domain, mechanism.text)
    spec = mechanism.domain_spec
    target = domain if spec is None else _expand_target(check, spec, domain)
    if kind == "include":
        return _include(check, mechanism, domain, target, depth)
    problem = _name_problem(target)
    if problem is not None:
        check.step(f"{domain}: {mechanism.text}: {target!r} {problem}; not a match")
        return None
    matcher = _MATCHERS[kind]
    return mechanism.text if matcher(check, mechanism, domain, target) else None


def _include(
    check: _Check, mechanism: _Mechanism, domain: str, target: str, depth: int
) -> str | None:
    """§5.2: a pass inside matches; fail, softfail, neutral do not; none is a permerror."""
    inner = _check_host(check, target, depth + 1)  # temperror, permerror: raised through
    if inner.result == PASS:
        return f"{mechanism.text} → {inner.matched}"
    if inner.result == NONE:
        why = f"the included domain {target} has no SPF record (RFC 7208 §5.2)"
        raise check.abort(PERMERROR, domain, mechanism.text, why)
    check.step(f"{domain}: {mechanism.text} gave {inner.result}, not a match")
    return None


def _match_a(check: _Check, mechanism: _Mechanism, domain: str, target: str) -> bool:
    """§5.3: an address of `target`, widened to the CIDR length, contains the client."""
    addresses = _addresses(check, target, domain, mechanism.text, count_void=True)
    return _in_any(check, addresses, mechanism)


def _match_mx(check: _Check, mechanism: _Mechanism, domain: str, target: str) -> bool:
    """§5.4: an address of one of `target`'s mail exchangers contains the client."""
    answer = check.query(target, "MX")
    if _is_void(answer):
        check.count_void(domain, mechanism.text, answer)
        return False
    if answer.status != OK:
        raise check.abort(TEMPERROR, domain, mechanism.text, _failure(answer))
    hosts = [host for host in map(mx_host, answer.records) if host]  # "" is a null MX
    if len(hosts) > MAX_MX_NAMES:
        why = f"{target} has {len(hosts)} MX names, over the limit of {MAX_MX_NAMES} (§4.6.4)"
        raise check.abort(PERMERROR, domain, mechanism.text, why)
    for host in hosts:
        if _name_problem(host) is not None:
            continue
        addresses = _addresses(check, host, domain, mechanism.text, count_void=False)
        if _in_any(check, addresses, mechanism):
            return True
    return False


def _match_ptr(check: _Check, mechanism: _Mechanism, domain: str, target: str) -> bool:
    """§5.5: a validated reverse name of the client is `target` or below it."""
    check.problem(f"{domain} uses the ptr mechanism, which RFC 7208 §5.5 says not to use")
    wanted = target.lower()
    names = _validated_names(check, domain, mechanism.text, count_void=True)
    return any(name == wanted or name.endswith("." + wanted) for name in names)


def _match_exists(check: _Check, mechanism: _Mechanism, domain: str, target: str) -> bool:
    """§5.7: `target` has an A record (always A, even for an IPv6 client)."""
    answer = check.query(target, "A")
    if _is_void(answer):
        check.count_void(domain, mechanism.text, answer)
        return False
    if answer.status != OK:
        raise check.abort(TEMPERROR, domain, mechanism.text, _failure(answer))
    return True


_MATCHERS: dict[str, Callable[[_Check, _Mechanism, str, str], bool]] = {
    "a": _match_a,
    "mx": _match_mx,
    "ptr": _match_ptr,
    "exists": _match_exists,
}


def _addresses(
    check: _Check, name: str, domain: str, term: str, *, count_void: bool
) -> list[_IPAddress]:
    """The A (IPv4 client) or AAAA (IPv6 client) records of `name`."""
    answer = check.query(name, check.family())
    if _is_void(answer):
        if count_void:
            check.count_void(domain, term, answer)
        return []
    if answer.status != OK:  # §5: a DNS error in a mechanism's look-up is a temperror
        raise check.abort(TEMPERROR, domain, term, _failure(answer))
    return [address for address in map(_address, answer.records) if address is not None]


def _in_any(check: _Check, addresses: list[_IPAddress], mechanism: _Mechanism) -> bool:
    length = mechanism.cidr4 if check.ip.version == 4 else mechanism.cidr6
    for address in addresses:
        if address.version != check.ip.version:
            continue
        if check.ip in ipaddress.ip_network(f"{address}/{length}", strict=False):
            return True
    return False


def _validated_names(check: _Check, domain: str, term: str, *, count_void: bool) -> list[str]:
    """§5.5: the client's PTR names whose own addresses include the client, lower case."""
    answer = check.query(check.ip.reverse_pointer, "PTR")
    if _is_void(answer):
        if count_void:
            check.count_void(domain, term, answer)
        return []
    if answer.status != OK:
        # §5.5: "If a DNS error occurs while doing the PTR RR lookup, then this mechanism
        # fails to match."
        check.step(f"{domain}: {term}: PTR look-up failed ({_failure(answer)}); not a match")
        return []
    validated: list[str] = []
    names = [_normalise_domain(name).lower() for name in answer.records]
    for name in names[:MAX_PTR_NAMES]:  # §4.6.4: the rest "MUST be ignored"
        if _name_problem(name) is not None:
            continue
        forward = check.query(name, check.family())
        if forward.status != OK:  # §5.5: an error on this look-up skips the name
            continue
        if check.ip in (_address(text) for text in forward.records):
            validated.append(name)
    return validated


def _address(text: str) -> _IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_void(answer: DnsAnswer) -> bool:
    """§4.6.4 "void lookup": NXDOMAIN, or a positive answer with no records."""
    return answer.status in (NXDOMAIN, NODATA) or (answer.status == OK and not answer.records)


def _failure(answer: DnsAnswer) -> str:
    detail = getattr(answer, "detail", "")
    said = f" ({detail})" if detail else ""
    return f"{answer.rdtype} look-up of {answer.name} failed: {answer.status}{said}"


# --- names -------------------------------------------------------------------------------

# One DNS label as this module will ask for it: visible ASCII, no backslash (which a DNS
# library would read as an escape) — RFC 2181 §11 allows any octet, SPF names never need it.
_LABEL = re.compile(r"[\x21-\x5b\x5d-\x7e]{1,63}")


def _name_problem(name: str) -> str | None:
    if not name:
        return "is empty"
    if len(name) > _MAX_DOMAIN:
        return f"is longer than {_MAX_DOMAIN} characters"
    for label in name.split("."):
        if not label:
            return "has an empty label"
        if len(label) > _MAX_LABEL:
            return f"has a label longer than {_MAX_LABEL} characters"
        if _LABEL.fullmatch(label) is None:
            return "holds characters a DNS name cannot (IDNs must be A-labels)"
    return None


def _domain_problem(domain: str) -> str | None:
    """Why §4.3 calls `domain` malformed, or None; multi-label names only."""
    problem = _name_problem(domain)
    if problem is None and "." not in domain:
        problem = "is not a multi-label domain name"
    return None if problem is None else f"{domain!r} {problem}"


def _expand_target(check: _Check, spec: str, domain: str) -> str:
    """A domain-spec expanded into a name to query (§7.3), without the root dot."""
    name = _normalise_domain(_expand(check, spec, domain))
    # §7.3: "if the expanded domain name exceeds 253 characters…, the left side is
    # truncated to fit, by removing successive domain labels (and their following dots)".
    while len(name) > _MAX_DOMAIN and "." in name:
        name = name.split(".", 1)[1]
    return name


# --- macros (§7) -------------------------------------------------------------------------


def _expand(check: _Check, text: str, domain: str, *, explain: bool = False) -> str:
    parts: list[str] = []
    for letter, digits, reverse, delimiters, escape, literal in _macro_tokens(text, explain):
        if literal is not None:
            parts.append(literal)
        elif escape is not None:
            parts.append(_ESCAPES[escape])
        elif letter is not None:
            value = _macro_value(check, letter.lower(), domain)
            value = _transform(value, _label_count(digits or "0"), bool(reverse), delimiters or "")
            if letter.isupper():
                # §7.3: "Uppercase macros expand exactly as their lowercase equivalents,
                # and are then URL escaped" (RFC 3986 unreserved characters are kept).
                value = urllib.parse.quote(value, safe="")
            parts.append(value)
    return "".join(parts)


def _macro_value(check: _Check, letter: str, domain: str) -> str:
    ip = check.ip
    values: dict[str, Callable[[], str]] = {
        "s": lambda: check.sender,
        "l": lambda: check.local_part,
        "o": lambda: check.sender_domain,
        "d": lambda: domain,
        # §7.3: IPv4 in dotted quad, IPv6 as dot-separated nibbles ("dot-format").
        "i": lambda: str(ip) if ip.version == 4 else ".".join(ip.exploded.replace(":", "")),
        "p": lambda: _validated_domain(check, domain),
        "v": lambda: "in-addr" if ip.version == 4 else "ip6",
        "h": lambda: check.helo,
        "c": lambda: str(ip),
        "r": lambda: _UNKNOWN,  # the checking host's name: we are not the receiving MTA
        "t": lambda: str(int(time.time())),
    }
    return values[letter]()


def _label_count(digits: str) -> int:
    """The DIGIT transformer's value; any count past a name's 127 labels keeps them all."""
    # int() refuses strings of more than 4300 digits, and no name has a million labels.
    significant = digits.lstrip("0")
    if not significant:
        return 0
    return int(significant) if len(significant) <= 6 else 1_000_000


def _transform(value: str, keep: int, reverse: bool, delimiters: str) -> str:
    """§7.3: split on the delimiters (default "."), reverse, keep the rightmost `keep`."""
    parts = re.split(f"[{re.escape(delimiters or '.')}]", value)
    if reverse:
        parts.reverse()
    if keep:
        parts = parts[-keep:]
    return ".".join(parts)


def _validated_domain(check: _Check, domain: str) -> str:
    """%{p} (§7.3): a validated reverse name, preferring `domain` and its subdomains."""
    check.problem("the policy uses the %{p} macro, which RFC 7208 §7.3 says not to use")
    names = _validated_names(check, domain, "%{p}", count_void=False)
    wanted = domain.lower()
    for good in (
        lambda name: name == wanted,
        lambda name: name.endswith("." + wanted),
        lambda _name: True,
    ):
        for name in names:
            if good(name):
                return name
    return _UNKNOWN


# --- explanation -------------------------------------------------------------------------


def _explain(check: _Check, outcome: _Outcome) -> str | None:
    """§6.2: the domain's own explanation of a fail; any problem just means none."""
    if outcome.exp is None:
        return None
    domain, spec = outcome.exp
    try:
        name = _expand_target(check, spec, domain)
        if _name_problem(name) is not None:
            return None
        answer = check.query(name, "TXT")  # §4.6.4: not counted against the limits
        if answer.status != OK or len(answer.records) != 1:
            return None
        text = answer.records[0]
        _check_macro_string(text, "exp", explain=True)
        return _expand(check, text, domain, explain=True)
    except (_Abort, SpfSyntaxError):
        return None


def _sentence(outcome: _Outcome, domain: str, ip: str, reason: str, exp_text: str | None) -> str:
    via = "" if outcome.matched is None else f" (matched {outcome.matched})"
    result = outcome.result
    if result == PASS:
        text = f"{domain} authorises {ip} to send its mail{via}."
    elif result == FAIL:
        text = f"{domain} says {ip} is not authorised to send its mail{via}."
    elif result == SOFTFAIL:
        text = f"{domain} says {ip} is probably not authorised to send its mail{via}."
    elif result == NEUTRAL:
        text = f"{domain} makes no assertion about {ip}{via or ' (no mechanism matched)'}."
    elif result == NONE:
        text = (
            f"No SPF check applies: {reason}."
            if reason
            else f"{domain} publishes no SPF record, so nothing is said about {ip}."
        )
    elif result == TEMPERROR:
        text = f"The SPF check of {domain} could not finish (temperror): {reason}."
    else:
        text = f"The SPF policy of {domain} cannot be evaluated (permerror): {reason}."
    if exp_text:
        text += f' {domain} explains: "{exp_text}"'
    return text
