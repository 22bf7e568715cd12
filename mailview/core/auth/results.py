"""Reading what other systems said about the message: Authentication-Results and Received-SPF.

Strategy: one small tokenizer for the RFC 5322 pieces both headers are built from (words,
quoted strings, nested comments, `=` and `;`), then a reader that turns the tokens into
`key=value` items, then grammar-specific interpretation on top:

* Authentication-Results (RFC 8601 §2.2) and its relatives (ARC-Authentication-Results,
  RFC 8617 §4.1.1; X-MS-Exchange-Authentication-Results): the part before the first `;`
  is the authserv-id (and an optional version), each later `;`-separated part is one
  `resinfo`. Microsoft 365 writes the header without an authserv-id (`spf=pass …;
  dkim=…`) and puts bare domain names between results; both are recognised.
* Received-SPF (RFC 7208 §9.1): a result word, a comment, then `key=value` pairs.

Nothing here raises on message content: what does not fit the grammar becomes a problem
in words and the reader carries on with the next piece. Every step is a single pass over
the header text, so time stays linear in its length. Trust is decided elsewhere
(`auth.trust`); everything read here starts as `trusted=False`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import field
from typing import NamedTuple

from mailview.core.auth.compauth import explain_compauth
from mailview.core.auth.model import AuthResult, ReceivedSpf
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField
from mailview.core.record import mutable_record

# Headers in the Authentication-Results format. The "original" ones are copies a system
# made of an earlier system's header when it renamed it; they are read but never trusted.
AUTH_RESULTS_NAMES = frozenset(
    {
        "authentication-results",
        "arc-authentication-results",
        "x-ms-exchange-authentication-results",
    }
)
COPY_NAMES = frozenset({"x-original-authentication-results", "authentication-results-original"})
STATEMENT_NAMES = AUTH_RESULTS_NAMES | COPY_NAMES
ARC_NAME = "arc-authentication-results"
SPF_NAME = "received-spf"

# Method names seen in the wild (IANA "Email Authentication Methods" plus vendors'). Used
# only to recognise a result whose leading `;` the writer forgot.
KNOWN_METHODS = frozenset(
    {
        "arc",
        "auth",
        "bimi",
        "compauth",
        "dkim",
        "dkim-adsp",
        "dkim-atps",
        "dmarc",
        "domainkeys",
        "iprev",
        "rrvs",
        "sender-id",
        "smime",
        "spf",
        "tls",
        "vbr",
        "x-ptr",
    }
)

# RFC 7208 §9.1: result = "pass" / "fail" / "softfail" / "neutral" / "none" / "temperror"
# / "permerror"; "error" and "unknown" are RFC 4408-era spellings still written by old MTAs.
SPF_RESULTS = frozenset(
    {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "error", "unknown"}
)

# RFC 8601 §2.2: method = Keyword [ [CFWS] "/" [CFWS] method-version ];
# RFC 5321 Keyword = Let-dig [Ldh-str]. Underscores are tolerated (some vendors use them).
_METHOD = LazyPattern(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# RFC 5322 atext-ish run: anything that is not white space or one of the specials the two
# grammars use as delimiters (";" "=" comment and quote marks).
_WORD = LazyPattern(r'[^\s;=()"]+')
# RFC 8617 §4.1.1: instance = [CFWS] %s"i" [CFWS] "=" [CFWS] i-value; i-value = 1*2DIGIT
_INSTANCE = re.compile(r"[0-9]{1,2}")


class Token(NamedTuple):
    kind: str  # word | quoted | comment | eq | semi
    text: str  # words as written; quoted strings and comments without their delimiters
    start: int
    end: int


@mutable_record
class _Item:
    """`key=value` (value None: a lone word), with the comments that followed it."""

    key: str
    value: str | None
    comments: list[str] = field(default_factory=list)


@mutable_record
class _Draft:
    """One result being assembled while its resinfo is read."""

    method: str
    result: str
    reason: str | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


class _Context(NamedTuple):
    header: HeaderField
    authserv_id: str | None
    instance: int | None


# --- tokens -------------------------------------------------------------------------


def tokenize(text: str) -> tuple[list[Token], list[str]]:
    """Split a header value into tokens (RFC 5322 §3.2: CFWS, quoted-string, atoms)."""
    tokens: list[Token] = []
    problems: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in ";=":
            tokens.append(Token("semi" if char == ";" else "eq", char, i, i + 1))
            i += 1
        elif char == "(":
            end, inner, closed = _read_comment(text, i)
            if not closed:
                problems.append("A comment is never closed; the rest of the header was skipped.")
            tokens.append(Token("comment", " ".join(inner.split()), i, end))
            i = end
        elif char == '"':
            end, inner, closed = _read_quoted(text, i)
            if not closed:
                problems.append("A quoted string is never closed; it runs to the end.")
            tokens.append(Token("quoted", inner, i, end))
            i = end
        elif char == ")":
            problems.append("A stray ')' was ignored.")
            i += 1
        else:
            match = _WORD.match(text, i)
            end = match.end() if match else i + 1
            tokens.append(Token("word", text[i:end], i, end))
            i = end
    return tokens, problems


def _read_comment(text: str, start: int) -> tuple[int, str, bool]:
    """RFC 5322 §3.2.2: comment = "(" *([FWS] ccontent) [FWS] ")", comments nest and
    quoted-pair escapes. Returns (end, inner text, closed)."""
    depth = 0
    parts: list[str] = []
    i, n = start, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n:
            parts.append(text[i + 1])
            i += 2
            continue
        if char == "(":
            depth += 1
            if depth > 1:
                parts.append(char)
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1, "".join(parts), True
            parts.append(char)
        else:
            parts.append(char)
        i += 1
    return n, "".join(parts), False


def _read_quoted(text: str, start: int) -> tuple[int, str, bool]:
    """RFC 5322 §3.2.4: quoted-string = DQUOTE *([FWS] qcontent) [FWS] DQUOTE."""
    parts: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n:
            parts.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return i + 1, "".join(parts), True
        parts.append(char)
        i += 1
    return n, "".join(parts), False


# --- items --------------------------------------------------------------------------


def read_items(tokens: Sequence[Token], problems: list[str]) -> tuple[list[_Item], list[str]]:
    """`key [CFWS] "=" [CFWS] value` items and lone words, in order, plus the comments
    that came before the first item. `;` is skipped: callers split on it first."""
    items: list[_Item] = []
    leading: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        if token.kind == "comment":
            (items[-1].comments if items else leading).append(token.text)
            i += 1
        elif token.kind == "semi":
            i += 1
        elif token.kind == "eq":
            problems.append("An '=' with no name before it was ignored.")
            i += 1
        elif token.kind == "quoted":
            items.append(_Item(token.text, None))
            i += 1
        else:
            i = _read_item(tokens, i, items)
    return items, leading


def _read_item(tokens: Sequence[Token], i: int, items: list[_Item]) -> int:
    key, i = _read_key(tokens, i)
    after = _skip_comments(tokens, i)
    if after >= len(tokens) or tokens[after].kind != "eq":
        items.append(_Item(key, None))
        return i
    # RFC 8601 §2.2 allows CFWS on both sides of "=": comments there are not kept.
    start = _skip_comments(tokens, after + 1)
    value, end = _read_value(tokens, start)
    items.append(_Item(key, value))
    return end


def _read_key(tokens: Sequence[Token], i: int) -> tuple[str, int]:
    """A word, joined across the CFWS RFC 8601 allows around "." (ptype "." property) and
    "/" (method "/" version): `header . d` and `dkim / 1` read as `header.d`, `dkim/1`."""
    parts = [tokens[i].text]
    i += 1
    while True:
        nxt = _skip_comments(tokens, i)
        if nxt >= len(tokens) or tokens[nxt].kind != "word":
            return "".join(parts), i
        word = tokens[nxt].text
        if not (parts[-1].endswith((".", "/")) or word.startswith((".", "/"))):
            return "".join(parts), i
        parts.append(word)
        i = nxt + 1


def _read_value(tokens: Sequence[Token], i: int) -> tuple[str, int]:
    """A value: a word or quoted string, plus whatever touches it without white space.

    Addresses and base64 carry "=" of their own (`SRS0=ab=cd@x`, `header.b=ab+c==`), and
    RFC 8601 pvalue allows a quoted local-part before "@", so adjacent tokens are one value.
    """
    if i >= len(tokens) or tokens[i].kind not in {"word", "quoted"}:
        return "", i
    parts = [tokens[i].text]
    end = tokens[i].end
    i += 1
    while i < len(tokens) and tokens[i].start == end and tokens[i].kind in {"word", "quoted", "eq"}:
        parts.append(tokens[i].text)
        end = tokens[i].end
        i += 1
    return "".join(parts), i


def _skip_comments(tokens: Sequence[Token], i: int) -> int:
    while i < len(tokens) and tokens[i].kind == "comment":
        i += 1
    return i


def _split_semicolons(tokens: Sequence[Token]) -> list[list[Token]]:
    segments: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "semi":
            segments.append([])
        else:
            segments[-1].append(token)
    return segments


# --- Authentication-Results -----------------------------------------------------------


def parse_auth_results(header: HeaderField) -> tuple[list[AuthResult], list[str]]:
    """The results one Authentication-Results-like header states, and what did not parse.

    RFC 8601 §2.2:
      authres-header-field = authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo )
      no-result = [CFWS] ";" [CFWS] "none"
      resinfo   = [CFWS] ";" methodspec [ CFWS reasonspec ] [ 1*( CFWS propspec ) ]
    """
    results, _authserv_id, problems = _parse(header)
    return results, problems


def authserv_id_of(header: HeaderField) -> str | None:
    """The authserv-id an Authentication-Results-like header names (None: none written)."""
    if len(header.value) > _MEMO_CHARS:
        return _parse(header)[1]
    return _authserv_id(header.name.lower() == ARC_NAME, header.value)


# The trust rules ask each header's authserv-id several times per message; remembered
# for values of ordinary size (the key holds the value) so memory stays bounded.
_MEMO_CHARS = 4096


@functools.lru_cache(maxsize=512)
def _authserv_id(arc: bool, value: str) -> str | None:
    name = ARC_NAME if arc else "authentication-results"
    return _parse(HeaderField(0, name, value, value, 1))[1]


def _parse(header: HeaderField) -> tuple[list[AuthResult], str | None, list[str]]:
    tokens, problems = tokenize(header.value)
    segments = _split_semicolons(tokens)
    instance = None
    if header.name.lower() == ARC_NAME:
        instance = _read_instance(segments, problems)
    if not segments:
        segments = [[]]  # "i=1" and nothing else
    head, _ = read_items(segments[0], problems)
    if not head:
        problems.append("No authserv-id (the name of the checking server) is given.")
        context = _Context(header, None, instance)
        return _read_results(segments[1:], context, problems), None, problems
    if head[0].value is not None:
        # Microsoft 365 form: no authserv-id at all, the first result comes first.
        context = _Context(header, None, instance)
        return _read_results(segments, context, problems, microsoft=True), None, problems
    authserv_id = head[0].key
    context = _Context(header, authserv_id, instance)
    results = _read_head_rest(head[1:], context, problems)
    results += _read_results(segments[1:], context, problems)
    return results, authserv_id, problems


def _read_instance(segments: list[list[Token]], problems: list[str]) -> int | None:
    """RFC 8617 §4.1.1: arc-info = instance [CFWS] ";" authres-payload."""
    items, _ = read_items(segments[0], problems)
    if len(items) == 1 and items[0].key.lower() == "i" and items[0].value is not None:
        value = items[0].value
        segments.pop(0)
        if _INSTANCE.fullmatch(value):
            return int(value)
        problems.append(f"The ARC instance 'i={value}' is not a number from 1 to 50.")
        return None
    problems.append("The ARC instance (i=) that must come first is missing.")
    return None


def _read_head_rest(rest: list[_Item], context: _Context, problems: list[str]) -> list[AuthResult]:
    """What follows the authserv-id before the first ";": a version, or a writer's mistake."""
    if rest and rest[0].value is None and rest[0].key.isascii() and rest[0].key.isdigit():
        rest = rest[1:]  # authres-version = 1*DIGIT [CFWS]
    if not rest:
        return []
    first = rest[0]
    if first.value is not None and first.key.lower().partition("/")[0] in KNOWN_METHODS:
        problems.append("The ';' between the authserv-id and the first result is missing.")
        return _interpret(rest, context, problems)
    problems.append(
        f"'{_shorten(first.key)}' after the authserv-id is not a result and was ignored."
    )
    return []


def _read_results(
    segments: Sequence[list[Token]],
    context: _Context,
    problems: list[str],
    *,
    microsoft: bool = False,
) -> list[AuthResult]:
    results: list[AuthResult] = []
    for segment in segments:
        items, _ = read_items(segment, problems)
        if not items:
            continue  # ";;" or a trailing ";": harmless
        if len(items) == 1 and items[0].value is None:
            _lone_word(items[0].key, problems, microsoft=microsoft)
            continue
        results += _interpret(items, context, problems)
    return results


def _lone_word(word: str, problems: list[str], *, microsoft: bool) -> None:
    if word.lower() == "none":
        return  # no-result: the server performed no authentication
    if microsoft:
        # Microsoft 365 writes the recipient's domain between results
        # (`smtp.mailfrom=a.example; b.example; dkim=…`): not a result, not an error.
        return
    problems.append(f"'{_shorten(word)}' is not a result (method=result) and was ignored.")


def _interpret(items: Sequence[_Item], context: _Context, problems: list[str]) -> list[AuthResult]:
    """One resinfo's items: methodspec, then reasonspec and propspecs (RFC 8601 §2.2)."""
    drafts: list[_Draft] = []
    for item in items:
        key = item.key.lower()
        if item.value is None:
            problems.append(f"'{_shorten(item.key)}' has no value and was ignored.")
        elif not drafts or ("." not in key and key.partition("/")[0] in KNOWN_METHODS):
            if drafts:
                problems.append(f"The ';' before '{_shorten(key)}=' is missing.")
            draft = _start_draft(item, problems)
            if draft is not None:
                drafts.append(draft)
            continue
        elif key == "reason":
            # reasonspec = "reason" [CFWS] "=" [CFWS] value
            drafts[-1].reason = item.value
        else:
            # propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue; Microsoft adds
            # bare `action=` (DMARC) and others write bare `d=`: kept under their own name.
            drafts[-1].properties.append((key, item.value))
        if drafts:
            drafts[-1].comments += item.comments
    return [_finish(d, context) for d in drafts]


def _start_draft(item: _Item, problems: list[str]) -> _Draft | None:
    """methodspec = [CFWS] method [CFWS] "=" [CFWS] result"""
    method = item.key.lower().partition("/")[0].strip()
    if "." in item.key:
        problems.append(
            f"The property '{_shorten(item.key)}' comes before any method and was ignored."
        )
        return None
    if not _METHOD.fullmatch(method):
        problems.append(f"'{_shorten(item.key)}' is not a method name; ignored.")
        return None
    result = (item.value or "").strip().lower()
    if not result:
        problems.append(f"The method '{method}' has no result; ignored.")
        return None
    return _Draft(method, result, comments=list(item.comments))


def _finish(draft: _Draft, context: _Context) -> AuthResult:
    comment = "; ".join(c for c in draft.comments if c) or None
    if draft.method == "compauth":
        comment = explain_compauth(draft.result, draft.reason)
    return AuthResult(
        method=draft.method,
        result=draft.result,
        reason=draft.reason,
        authserv_id=context.authserv_id,
        trusted=False,
        properties=tuple(draft.properties),
        header_index=context.header.index,
        header_name=context.header.name,
        instance=context.instance,
        comment=comment,
    )


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Received-SPF ---------------------------------------------------------------------


def parse_received_spf(header: HeaderField) -> ReceivedSpf | None:
    """One Received-SPF header; None when it does not start with an SPF result."""
    return _parse_spf(header, [])


def _parse_spf(header: HeaderField, problems: list[str]) -> ReceivedSpf | None:
    """RFC 7208 §9.1:
      header-field   = "Received-SPF:" [CFWS] result FWS [comment FWS] [ key-value-list ]
      key-value-list = key-value-pair *( ";" [CFWS] key-value-pair ) [";"]
      key-value-pair = key [CFWS] "=" ( dot-atom / quoted-string )
    Pairs separated by white space instead of ";" are read too (some MTAs forget it)."""
    tokens, token_problems = tokenize(header.value)
    problems += token_problems
    items, _ = read_items(tokens, problems)
    if not items or items[0].value is not None or items[0].key.lower() not in SPF_RESULTS:
        first = items[0].key if items else ""
        problems.append(f"'{_shorten(first)}' is not an SPF result; the header was ignored.")
        return None
    pairs: dict[str, str] = {}
    comments = list(items[0].comments)
    for item in items[1:]:
        comments += item.comments
        if item.value is None:
            problems.append(f"'{_shorten(item.key)}' is not key=value and was ignored.")
        else:
            pairs.setdefault(item.key.lower(), item.value)
    if "problem" in pairs:
        comments.append("problem: " + pairs["problem"])
    return ReceivedSpf(
        result=items[0].key.lower(),
        client_ip=pairs.get("client-ip"),
        envelope_from=pairs.get("envelope-from"),
        helo=pairs.get("helo"),
        receiver=pairs.get("receiver"),
        identity=pairs.get("identity"),
        mechanism=pairs.get("mechanism"),
        comment="; ".join(c for c in comments if c) or None,
        header_index=header.index,
        trusted=False,
    )


# --- all statements -------------------------------------------------------------------


def read_statements(
    headers: Sequence[HeaderField],
) -> tuple[list[AuthResult], list[ReceivedSpf], list[str]]:
    """Every authentication statement in the header block, in header order.

    Vendor headers that look related but are not statements (X-Forefront-Antispam-Report,
    X-MS-Exchange-Organization-AuthAs, X-Authentication-Warning, …) are left alone.
    """
    results: list[AuthResult] = []
    spf: list[ReceivedSpf] = []
    problems: list[str] = []
    for header in headers:
        name = header.name.lower()
        found: list[str] = []
        if name in STATEMENT_NAMES:
            parsed, found = parse_auth_results(header)
            results += parsed
        elif name == SPF_NAME:
            record = _parse_spf(header, found)
            if record is not None:
                spf.append(record)
        problems += [f"{header.name} (line {header.line}): {p}" for p in found]
    return results, spf, problems
