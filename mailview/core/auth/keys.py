"""Where DKIM/ARC public keys come from: a `KeyStore`, never the network by itself.

Strategy: the verifiers (dkim.py, arc.py) ask a `KeyStore` for the TXT record of
`<selector>._domainkey.<domain>` and hand dkimpy a `dnsfunc` built on it, so dkimpy
never queries DNS on its own. Offline analysis uses `OfflineKeys` (a dict, optionally
filled from a folder of `.txt` files); a later online mode plugs a DNS-backed store in
through the same Protocol. No store at all means "no key at hand": signatures are then
reported as unverifiable, never as failing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

_SUFFIX = ".txt"
_MAX_KEY_FILE_BYTES = 64 * 1024  # a DKIM TXT record is a few hundred bytes; 64 KiB is ample


class KeyStore(Protocol):
    """Gives the TXT record content published at a name, or None when it is unknown."""

    def txt(self, name: str) -> bytes | None: ...


def key_name(selector: str, domain: str) -> str:
    """The DNS name a DKIM key lives at (RFC 6376 §3.6.2.1), normalised."""
    return normalise_name(f"{selector}._domainkey.{domain}")


def normalise_name(name: str) -> str:
    """Lower case without the root dot, so `S._DomainKey.Example.COM.` finds the same key."""
    return name.strip().rstrip(".").lower()


class OfflineKeys:
    """A fixed set of TXT records held in memory; never touches the network."""

    __slots__ = ("_records",)

    def __init__(self, records: Mapping[str, bytes | str] | None = None) -> None:
        self._records: dict[str, bytes] = {}
        for name, record in (records or {}).items():
            data = record.encode("utf-8") if isinstance(record, str) else bytes(record)
            self._records[normalise_name(name)] = data

    @classmethod
    def from_directory(cls, path: str | os.PathLike[str]) -> OfflineKeys:
        """Read `<selector>._domainkey.<domain>.txt` files; other files are ignored."""
        records: dict[str, bytes | str] = {}
        folder = Path(path)
        for entry in sorted(folder.iterdir()) if folder.is_dir() else ():
            name = entry.name
            if not name.lower().endswith(_SUFFIX) or "._domainkey." not in name.lower():
                continue
            if not entry.is_file() or entry.stat().st_size > _MAX_KEY_FILE_BYTES:
                continue
            records[name[: -len(_SUFFIX)]] = _record_text(entry.read_bytes())
        return cls(records)

    def txt(self, name: str) -> bytes | None:
        return self._records.get(normalise_name(name))

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._records))


def _record_text(data: bytes) -> bytes:
    """The record from a key file: lines joined, so a record split over lines still reads.

    Files copied from `dig` output often quote the 255-byte chunks of a long TXT record
    (`"v=DKIM1; k=rsa; " "p=MIIB…"`); DNS joins those chunks without a separator
    (RFC 7208 §3.3 describes the same rule for SPF), so the quotes are removed the same way.
    """
    text = b"".join(line.strip() for line in data.splitlines())
    if text.startswith(b'"') and text.endswith(b'"'):
        text = b"".join(text[1:-1].split(b'" "')).replace(b'""', b"")
    return text


DnsFunc = Callable[..., bytes | None]


def dnsfunc_for(keys: KeyStore) -> DnsFunc:
    """A dkimpy `dnsfunc(name, timeout=…)` that answers from `keys` only."""

    def lookup(name: bytes | str, timeout: float = 5.0) -> bytes | None:
        del timeout  # nothing is ever waited for
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        return keys.txt(normalise_name(text))  # dkimpy asks for "….example.com."

    return lookup
