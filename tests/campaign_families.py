"""Campaign families built from real corpus messages: one lure re-sent many ways."""

from __future__ import annotations

import re
from pathlib import Path

from mailview.core.analyze import analyze_bytes
from mailview.core.campaigns import traits_of
from mailview.core.errors import InputError
from tests.corpus import corpus_files

_FIELD = r"(?im)^{name}:[^\r\n]*(\r?\n[ \t][^\r\n]*)*"


def _set(head: str, name: str, value: str) -> str:
    pattern = re.compile(_FIELD.format(name=re.escape(name)))
    if pattern.search(head):
        return pattern.sub(lambda _m: f"{name}: {value}", head, count=1)
    return f"{name}: {value}\n{head}"


def resend(data: bytes, n: int) -> bytes:
    """`data` as the n-th copy of a run: another recipient, date, Message-ID and relay."""
    head, sep, body = data.partition(b"\n\n")
    if not sep:
        head, sep, body = data.partition(b"\r\n\r\n")
    text = head.decode("utf-8", "surrogateescape")
    text = _set(text, "To", f"Person {n} <victim{n}@target{n}.example>")
    text = _set(text, "Date", f"Mon, {n % 27 + 1} Jun 2025 10:{n % 60:02d}:00 +0000")
    text = _set(text, "Message-ID", f"<{n}.copy-{n * 7919}@relay{n}.example>")
    relay = (
        f"Received: from relay{n}.example (relay{n}.example [198.51.100.{n % 250 + 1}])\n"
        f"\tby mx{n}.target{n}.example with ESMTP id R{n}; "
        f"Mon, {n % 27 + 1} Jun 2025 10:{n % 60:02d}:05 +0000\n"
    )
    return (relay + text).encode("utf-8", "surrogateescape") + sep + body


def lure_bases(count: int) -> list[Path]:
    """Corpus messages with a telling subject and a From domain, no two of one lure."""
    chosen: list[Path] = []
    seen: set[str] = set()
    for path in corpus_files():
        if "bounces" in path.parts or path.suffix == ".msg":
            continue
        try:
            traits = traits_of(analyze_bytes(path.read_bytes(), path.name))
        except InputError:  # an unreadable file is simply not a base
            continue
        if not traits.subject or not traits.from_domain or traits.subject in seen:
            continue
        seen.add(traits.subject)
        chosen.append(path)
        if len(chosen) == count:
            break
    return chosen
