"""Host names: normalising them and finding their organisational domain.

The organisational domain (the registrable name one level below a public suffix, as
DMARC defines it in RFC 7489 §3.2) comes from the Public Suffix List shipped with
`publicsuffixlist`; the list is loaded once, on first use, because loading costs
milliseconds.

Loading it whole also IDNA-encodes each of its few hundred internationalised rules
(`xn--` forms, so that punycoded names are found), and Python's IDNA codec makes that
most of the cost. Only a name with an `xn--` label can meet such a form, so the list is
loaded twice over: without the encoded forms for every other name, and whole, on first
need, for names with an `xn--` label. The plain list is built per top-level label, from
the rules under it alone, found in the list's text at C speed (see `_lines_under`) rather
than by reading its ten thousand lines one by one. The answers are the library's own
either way.
The whole list is the plain one plus the encoded forms of the non-ASCII rules alone: an
ASCII rule's encoded form is itself, and encoding the ten thousand of them cost most of
the whole list's loading.
"""

from __future__ import annotations

from functools import cache, lru_cache

from publicsuffixlist import PSLFILE, PublicSuffixList

_ACE_PREFIX = "xn--"  # RFC 3490 §5: every IDNA-encoded label starts with it


# The bytes a rule line of the list is written in (RFC 1035 letters, digits and hyphens,
# the dots between labels, a wildcard `*` and an exception `!`), and those of other
# scripts (UTF-8, every byte at or above 0x80).
_PLAIN_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789.-*!"
_HIGH_BYTES = bytes(range(0x80, 0x100))


@cache
def _rule_lines() -> tuple[bytes, ...]:
    # The library's own file, its comment and blank lines (a third of it, which the
    # library would skip one by one) left out; split at "\n" as iterating the file does.
    with open(PSLFILE, "rb") as source:
        return tuple([line for line in source.read().split(b"\n") if line[:2] != b"//" and line])


@cache
def _lines_by_top_label() -> dict[bytes, tuple[bytes, ...]]:
    """Each rule's line under the top label the rule ends in (UTF-8), the rule read as the
    library reads it (lower-cased, up to the first space, an exception's `!` aside)."""
    # When every ASCII line is written in lower-case rule characters alone (as the list
    # is), such a line is its own rule and its label is found on the bytes; a line in
    # another script is read as the library reads it.
    plain = _ascii_lines_plain()
    index: dict[bytes, list[bytes]] = {}
    for line in _rule_lines():
        label = _written_label(line) if plain and line.isascii() else _read_label(line)
        index.setdefault(label, []).append(line)
    return {label: tuple(held) for label, held in index.items()}


@cache
def _ascii_lines_plain() -> bool:
    """Whether every ASCII rule line holds lower-case rule characters alone (other lines
    hold bytes at or above 0x80 besides)."""
    written = b"\n".join(_rule_lines()).translate(None, _PLAIN_BYTES + b"\n")
    return not written.translate(None, _HIGH_BYTES)


def _read_label(line: bytes) -> bytes:
    rule = line.decode("utf8", "surrogateescape").lower().split(" ")[0].rstrip()
    return rule.lstrip("!").rpartition(".")[2].encode("utf8", "surrogateescape")


def _written_label(line: bytes) -> bytes:
    return line.lstrip(b"!").rpartition(b".")[2]


@cache
def _rule_text() -> bytes | None:
    """The rule lines, each between line feeds, when every line's top label is the one
    written at its end (`_written_label`); None for a list written otherwise.

    So it is when the ASCII lines hold lower-case rule characters alone and the library
    reads each other line's label as written (as the list is): a rule under label L is
    then a line ending in `.L`, or L itself after any `!`, and is found by searching.
    """
    lines = _rule_lines()
    if not _ascii_lines_plain():
        return None
    foreign = [line for line in lines if not line.isascii()]
    if any(_read_label(line) != _written_label(line) for line in foreign):
        return None
    return b"\n" + b"\n".join(lines) + b"\n"


# A label that could end a written line in more than one way (empty, or holding the
# characters the search relies on), or no label at all, is looked up in the full index.
_UNSEARCHABLE = (b"\n", b"!", b".")


def _searchable(top_label: bytes) -> bool:
    return bool(top_label) and not any(c in top_label for c in _UNSEARCHABLE)


@lru_cache(maxsize=4096)  # made-up labels too: bounded
def _holds(top_label: bytes) -> bool:
    """Whether some rule of the list ends in `top_label`."""
    text = _rule_text()
    if text is None or not _searchable(top_label):
        return top_label in _lines_by_top_label()
    # ".L" ends a line, or a line is L (after any "!"); "x!L" is a line too, and makes
    # `_label_psl` build an empty table, bounded by the list and answering as the shared one
    return any(mark + top_label + b"\n" in text for mark in (b".", b"\n", b"!"))


def _lines_under(top_label: bytes) -> tuple[bytes, ...]:
    """The rule lines whose top label is `top_label`, in the list's order."""
    text = _rule_text()
    if text is None or not _searchable(top_label):
        return _lines_by_top_label().get(top_label, ())
    found = []
    end = top_label + b"\n"
    at = text.find(end)
    while at != -1:
        before = at - 1
        while text[before] == 0x21:  # "!": an exception's mark, and the line starts before it
            before -= 1
        if text[before] in b".\n":
            start = text.rfind(b"\n", 0, at) + 1
            found.append(text[start : at + len(top_label)])
        at = text.find(end, at + 1)
    return tuple(found)


def _plain_psl(top_label: str) -> PublicSuffixList:
    """The list made of the rules ending in `top_label` alone.

    The library matches a name label by label from the right, so a rule under another
    top label can never match it; building its table of all ten thousand rules was most
    of the cost of a message's first look-up. A label the list does not hold shares one
    empty table, so made-up names cost no more than known ones and are not remembered.
    """
    try:
        label = top_label.encode("utf8", "surrogateescape")
    except UnicodeEncodeError:  # no rule's label: each was read from UTF-8 bytes
        return _empty_psl()
    if not _holds(label):
        return _empty_psl()
    return _label_psl(label)


@cache  # one per top label of the list: bounded by the list itself
def _label_psl(top_label: bytes) -> PublicSuffixList:
    return PublicSuffixList(_lines_under(top_label), accept_encoded_idn=False)


@cache
def _empty_psl() -> PublicSuffixList:
    return PublicSuffixList((), accept_encoded_idn=False)


@cache
def _whole_psl() -> PublicSuffixList:
    return PublicSuffixList([*_rule_lines(), *_encoded_forms()], accept_encoded_idn=False)


def _encoded_forms() -> list[str]:
    """The IDNA-encoded form of each non-ASCII rule, read and encoded as the library does
    when it loads its list whole (an exception `!` kept in front)."""
    forms = []
    for line in _rule_lines():
        if line.isascii():
            continue
        rule = line.decode("utf8", "surrogateescape").lower().split(" ")[0].rstrip()
        bare = rule.lstrip("!")
        encoded = bare.encode("idna").decode("ascii")
        forms.append(encoded if bare == rule else f"!{encoded}")
    return forms


def _psl(host: str) -> PublicSuffixList:
    """The list to ask about `host`: whole only when `host` has a punycoded label."""
    lowered = host.lower()
    if _ACE_PREFIX in lowered:
        return _whole_psl()
    # the top label as the library finds it: one trailing dot dropped, split at dots
    return _plain_psl(lowered.removesuffix(".").rpartition(".")[2])


def normalise_host(name: str | None) -> str | None:
    """Lower-case `name` without a trailing dot; None for empty names."""
    if not name:
        return None
    host = name.strip().rstrip(".").lower()
    return host or None


@lru_cache(maxsize=4096)
def org_domain(name: str | None) -> str | None:
    """The organisational domain of `name` (`mx1.mail.example.co.uk` → `example.co.uk`).

    None for bare labels (`localhost`, `mail`) and for public suffixes themselves.
    """
    host = normalise_host(name)
    if host is None or "." not in host:
        return None
    result = _psl(host).privatesuffix(host)
    return result if isinstance(result, str) else None


def is_localhost(name: str | None) -> bool:
    host = normalise_host(name)
    return host in {"localhost", "localhost.localdomain", "127.0.0.1", "::1"}


def same_org(a: str | None, b: str | None) -> bool:
    """Whether two host names share an organisational domain.

    An organisational domain has at least two labels, so names whose last two labels
    differ cannot share one; that check is cheap and settles most pairs without a Public
    Suffix List look-up.
    """
    host_a, host_b = normalise_host(a), normalise_host(b)
    if host_a is None or host_b is None or _last_two(host_a) != _last_two(host_b):
        return False
    org = org_domain(host_a)
    return org is not None and org == org_domain(host_b)


def _last_two(host: str) -> str:
    return ".".join(host.rsplit(".", 2)[-2:])


def public_suffix(host: str) -> str | None:
    """The public suffix of `host` when the Public Suffix List knows it, else None.

    Unlike `org_domain`, unknown top-level labels are not assumed to be suffixes: this
    answers "does this look like a real domain name?".
    """
    result = _psl(host).publicsuffix(host, accept_unknown=False)
    return result if isinstance(result, str) else None
