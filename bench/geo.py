"""What the offline geo data costs and covers, on the corpus's public hop addresses.

    .venv/bin/python bench/geo.py [CORPUS_DIR]

Prints, for the databases mailview would use here (the embedded one and any the machine
has): the import and open cost, the first lookup, then the per-address cost of a cold
pass (fresh files: blocks decode as they are reached) and of a warm one (mailview's own
answer cache cleared, the files' decoded blocks kept), and how many of the originating
addresses (the trust-boundary hop of each message) got a country and a network owner.
"""

from __future__ import annotations

import argparse
import ipaddress
import statistics
import subprocess
import sys
import time
from pathlib import Path

from mailview.core.analyze import analyze_bytes
from mailview.core.errors import InputError
from mailview.core.ipscope import EXTERNAL_SCOPES
from mailview.core.model import Report
from mailview.enrich.geo import GeoDatabases, open_geo

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SKIP = {"SOURCES.md", "MANIFEST.tsv"}


def addresses(root: Path) -> tuple[list[str], list[str]]:
    """(originating addresses, every public hop address), each listed once."""
    origins: dict[str, None] = {}
    public: dict[str, None] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name not in SKIP):
        try:
            report = analyze_bytes(path.read_bytes(), path.name)
        except InputError:
            continue
        for ip, is_origin in _hop_addresses(report):
            public[ip] = None
            if is_origin:
                origins[ip] = None
    return list(origins), list(public)


def _hop_addresses(report: Report) -> list[tuple[str, bool]]:
    return [
        (hop.fields.from_ip, hop.index == report.trust_boundary_hop)
        for hop in report.hops
        if hop.fields.from_ip and hop.ip_scope in EXTERNAL_SCOPES
    ]


def import_cost() -> float:
    """Seconds to import the embedded file's reader in a fresh interpreter."""
    code = "import time; t = time.perf_counter(); import plevin; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def per_lookup(geo: GeoDatabases, ips: list[str]) -> list[float]:
    times = []
    for ip in ips:
        start = time.perf_counter()
        geo.lookup(ip)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    opts = args.parse_args()
    if not opts.corpus.is_dir():
        print(f"no corpus at {opts.corpus}", file=sys.stderr)
        return 1
    origins, public = addresses(opts.corpus)
    print(f"import of the plevin reader:   {import_cost() * 1000:.1f} ms (fresh interpreter)")
    geo = open_geo()
    first = next(ip for ip in public if ipaddress.ip_address(ip).is_global)
    start = time.perf_counter()
    geo.lookup(first)
    print(f"import + open + first lookup:  {(time.perf_counter() - start) * 1000:.1f} ms")
    print(f"databases:                     {geo.describe()}")
    geo.close()
    cold = per_lookup(geo, public)
    geo._cache.clear()  # mailview's answers only: the files keep their decoded blocks
    warm = per_lookup(geo, public)
    us = 1e6
    print(f"public hop addresses:          {len(public)}")
    print(
        f"cold lookup median / mean:     {statistics.median(cold) * us:.1f} / "
        f"{statistics.fmean(cold) * us:.1f} µs"
    )
    print(
        f"warm lookup median / mean:     {statistics.median(warm) * us:.1f} / "
        f"{statistics.fmean(warm) * us:.1f} µs"
    )
    answers = [geo.lookup(ip) for ip in origins]
    country = sum(1 for a in answers if a is not None and a.country)
    owner = sum(1 for a in answers if a is not None and (a.asn or a.as_org))
    print(f"originating addresses:         {len(origins)} (documentation ranges included)")
    print(f"  with a country:              {country}")
    print(f"  with a network owner:        {owner}")
    geo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
