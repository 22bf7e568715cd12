"""Defanging: indicators written so that no client turns them into live links.

Strategy: the usual analyst conventions, applied where a linkifier looks. A URL's scheme
becomes hxxp/hxxps/fxp and the dots of its host (the authority: up to the first / ? #)
become "[.]"; a domain gets "[.]" for every dot; an IPv4 address for its last dot only
(enough to break it, and the network stays readable); IPv6 colons become "[:]"; an
address keeps its local part and defangs its domain. Every function is pure.

`refang_*` undo exactly what `defang_*` did, so `refang_x(defang_x(v)) == v` for every
value that was not already defanged (a URL whose scheme is literally "hxxp" cannot be
told from a defanged one). Only "[.]" and "[:]" are undone: "." and ":" inside the
defanged text only ever stand between brackets we added, so undoing cannot misfire.
"""

from __future__ import annotations

import re

_DOT, _DOT_DEFANGED = ".", "[.]"
_COLON, _COLON_DEFANGED = ":", "[:]"
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
# Schemes a linkifier recognises, with their defanged spelling (case kept letter by letter).
_DEFANG_SCHEMES = {"http": "hxxp", "https": "hxxps", "ftp": "fxp"}
_REFANG_SCHEMES = {v: k for k, v in _DEFANG_SCHEMES.items()}
_AUTHORITY_END = re.compile(r"[/?#]")


def _recase(target: str, like: str) -> str:
    """`target` with the letter case of `like` (same length)."""
    return "".join(t.upper() if c.isupper() else t for t, c in zip(target, like, strict=True))


def _map_scheme(scheme: str, table: dict[str, str]) -> str:
    replacement = table.get(scheme.lower())
    if replacement is None or len(replacement) != len(scheme):
        return scheme
    return _recase(replacement, scheme)


def _split_url(url: str) -> tuple[str, str, str]:
    """(scheme with "://" or "", authority, rest) of `url`."""
    match = _SCHEME.match(url)
    prefix = match.group(0) if match else ""
    remainder = url[len(prefix) :]
    end = _AUTHORITY_END.search(remainder)
    cut = end.start() if end else len(remainder)
    return prefix, remainder[:cut], remainder[cut:]


def defang_url(url: str) -> str:
    """`https://evil.example/x` → `hxxps://evil[.]example/x`."""
    prefix, authority, rest = _split_url(url)
    if prefix:
        prefix = _map_scheme(prefix[:-3], _DEFANG_SCHEMES) + "://"
    return prefix + authority.replace(_DOT, _DOT_DEFANGED) + rest


def refang_url(text: str) -> str:
    """The inverse of `defang_url`."""
    prefix, authority, rest = _split_url(text)
    if prefix:
        prefix = _map_scheme(prefix[:-3], _REFANG_SCHEMES) + "://"
    return prefix + authority.replace(_DOT_DEFANGED, _DOT) + rest


def defang_domain(domain: str) -> str:
    """`mail.evil.example` → `mail[.]evil[.]example`."""
    return domain.replace(_DOT, _DOT_DEFANGED)


def refang_domain(text: str) -> str:
    return text.replace(_DOT_DEFANGED, _DOT)


def defang_ip(ip: str) -> str:
    """`203.0.113.7` → `203.0.113[.]7`; `2001:db8::1` → `2001[:]db8[:][:]1`."""
    if _COLON in ip:
        return ip.replace(_COLON, _COLON_DEFANGED)
    head, dot, last = ip.rpartition(_DOT)
    return f"{head}{_DOT_DEFANGED}{last}" if dot else ip


def refang_ip(text: str) -> str:
    return text.replace(_COLON_DEFANGED, _COLON).replace(_DOT_DEFANGED, _DOT)


def defang_address(address: str) -> str:
    """`a.b@evil.example` → `a.b@evil[.]example`: only the domain is touched."""
    local, at, domain = address.rpartition("@")
    return f"{local}{at}{defang_domain(domain)}" if at else defang_domain(address)


def refang_address(text: str) -> str:
    local, at, domain = text.rpartition("@")
    return f"{local}{at}{refang_domain(domain)}" if at else refang_domain(text)
