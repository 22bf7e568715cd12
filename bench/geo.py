"""Geo cost per hop: opening the databases, and uncached / cached look-ups.

    .venv/bin/python bench/geo.py [CORPUS_DIR]

Looks up the sending address of every public hop in the corpus with the databases
mailview would use (the embedded GeoLite2-City unless newer ones are found).
Target: at most 50 µs per hop; opening costs nothing noticeable (memory-mapped, lazy).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from mailview.core.analyze import analyze_bytes
from mailview.core.errors import InputError
from mailview.core.model import Scope
from mailview.enrich.geo import open_geo

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def public_ips(corpus: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        try:
            report = analyze_bytes(path.read_bytes(), path.name)
        except InputError:
            continue
        found += [
            h.fields.from_ip for h in report.hops if h.ip_scope is Scope.PUBLIC and h.fields.from_ip
        ]
    return list(dict.fromkeys(found))


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    ips = public_ips(corpus)
    if not ips:
        print(f"no public hop addresses under {corpus}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    geo = open_geo()
    opened = time.perf_counter() - start
    first = time.perf_counter()
    geo.lookup(ips[0])
    first_lookup = time.perf_counter() - first
    uncached = []
    for ip in ips:
        t = time.perf_counter()
        geo.lookup(ip)
        uncached.append(time.perf_counter() - t)
    cached = []
    for ip in ips:
        t = time.perf_counter()
        geo.lookup(ip)
        cached.append(time.perf_counter() - t)
    print(f"databases:           {geo.describe()}")
    print(f"open_geo():          {opened * 1e6:.0f} µs (lazy: nothing opened yet)")
    print(f"first look-up:       {first_lookup * 1e3:.2f} ms (opens the memory map)")
    print(f"public hop addresses: {len(ips)}")
    print(
        f"uncached median/p95: {statistics.median(uncached[1:]) * 1e6:.1f} / "
        f"{statistics.quantiles(uncached[1:], n=20)[18] * 1e6:.1f} µs (target <= 50 µs)"
    )
    print(f"cached median:       {statistics.median(cached) * 1e6:.2f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
