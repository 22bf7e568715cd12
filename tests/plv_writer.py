"""A tiny writer of plevin `.plv` network files, so geo tests own their data.

Strategy: plevin's format (format 2, documented in the plevin builder's README) is a
magic, a JSON header with a section table, then sections, each a block table and raw
LZMA1 blocks. This writes the smallest file the reader accepts: one IPv4 spine (range
starts, one block, one group) carrying a link to a network row, a registry country code
and a prefix length; a network table (ASN, handle, link to an operator) and an operator
table (company name); one front-coded string pool. Only what mailview reads, nothing
else: a test that passes on this file proves the adapter reads real plevin answers,
since plevin's own reader decodes it.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import lzma
import struct
from dataclasses import dataclass
from pathlib import Path

_MAGIC = b"PLEVIN\0"
_FORMAT = 2
_TUNING = [3, 0, 0]


@dataclass(frozen=True)
class PlvNetwork:
    """One announced range and who announces it."""

    cidr: str
    asn: int
    handle: str
    company: str
    country: str


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _pack(data: bytes) -> bytes:
    filters = [
        {"id": lzma.FILTER_LZMA1, "dict_size": 1 << 20, "lc": 3, "lp": 0, "pb": 0},
    ]
    return lzma.compress(data, format=lzma.FORMAT_RAW, filters=filters)


def _section(decoded: bytes, key: int = 0, width: int = 0) -> bytes:
    """One block: block count, key width, block offsets, the block's first key, the block."""
    packed = _pack(decoded)
    head = struct.pack("<II", 1, width) + struct.pack("<II", 0, len(packed))
    return head + (key.to_bytes(width, "big") if width else b"") + packed


def _column(values: list[int]) -> bytes:
    return _section(bytes([4]) + b"".join(struct.pack("<I", v) for v in values))


def _strings(pool: list[str]) -> bytes:
    # Front coding with nothing shared: (shared=0, length, bytes) per string.
    body = b"".join(bytes([0, len(s.encode())]) + s.encode() for s in pool)
    return _section(body)


def write_plv(path: Path, networks: list[PlvNetwork], built: str = "2026-10-04") -> Path:
    """A network-selection `.plv` answering `networks` (IPv4 only, at most 60 of them)."""
    spine: list[tuple[int, int, int, int]] = []  # (start, network row + 1, country, prefix)
    countries = ["", *sorted({n.country for n in networks})]
    ordered = sorted(networks, key=lambda n: ipaddress.ip_network(n.cidr).network_address)
    at = 0
    for row, net in enumerate(ordered):
        block = ipaddress.ip_network(net.cidr)
        start, end = int(block.network_address), int(block.broadcast_address) + 1
        if start > at:
            spine.append((at, 0, 0, 0))  # a gap: no network
        spine.append((start, row + 1, countries.index(net.country), block.prefixlen))
        at = end
    if at < 2**32:
        spine.append((at, 0, 0, 0))
    pool = sorted({n.handle for n in networks} | {n.company for n in networks})
    starts = [s[0] for s in spine]
    index_body = _varint(len(starts)) + b"".join(
        _varint(b - a) for a, b in itertools.pairwise(starts)
    )
    sections = {
        "spine.v4": (_section(index_body, starts[0], 4), len(starts), "index", "", 32768, 128),
        "spine.v4.network": (_column([s[1] for s in spine]), len(spine), "fixed", "", 16384, 16384),
        "spine.v4.country": (_column([s[2] for s in spine]), len(spine), "fixed", "", 16384, 16384),
        "spine.v4.prefix": (_column([s[3] for s in spine]), len(spine), "fixed", "", 16384, 16384),
        "col.network.asn": (
            _column([n.asn for n in ordered]),
            len(ordered),
            "fixed",
            "",
            16384,
            16384,
        ),
        "col.network.handle": (
            _column([pool.index(n.handle) + 1 for n in ordered]),
            len(ordered),
            "fixed",
            "text",
            16384,
            16384,
        ),
        "link.network.operator": (
            _column(list(range(1, len(ordered) + 1))),
            len(ordered),
            "fixed",
            "",
            16384,
            16384,
        ),
        "col.operator.company": (
            _column([pool.index(n.company) + 1 for n in ordered]),
            len(ordered),
            "fixed",
            "text",
            16384,
            16384,
        ),
        "strings": (_strings(pool), len(pool), "front", "", 4096, 64),
    }
    table: dict[str, dict[str, object]] = {}
    body = b""
    for name, (data, count, encoding, read, per_block, group) in sections.items():
        table[name] = {
            "offset": len(body),
            "bytes": len(data),
            "count": count,
            "encoding": encoding,
            "read": read,
            "block": per_block,
            "group": group,
            "lzma": _TUNING,
        }
        body += data
    header = json.dumps(
        {
            "built": built,
            "selection": "network",
            "fields": [
                "network.asn",
                "network.country",
                "network.handle",
                "network.operator.company",
            ],
            "vocabularies": {"countries": countries},
            "sections": table,
        }
    ).encode()
    path.write_bytes(_MAGIC + bytes([_FORMAT]) + struct.pack("<I", len(header)) + header + body)
    return path
