"""What reading the body adds to the analysis of each corpus message, measured in one
process: every message is analysed alternately with the content stage on and off.

    .venv/bin/python bench/content_cost.py [CORPUS_DIR] [--repeat N]

"Off" replaces the body reading (`indicators.read_content`) with an empty result and
leaves out the rules that read it (links, credentials), so the difference is exactly
what content reading costs. Alternating per message keeps a busy machine's noise out of
the comparison. Prints the medians and the median of the per-message differences.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import mailview.core.analyze as analyze_module
from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.errors import InputError
from mailview.core.findings import credentials, links, registry
from mailview.core.findings.registry import RuleContext, run_rules
from mailview.core.indicators import Content, Indicators, read_content
from mailview.core.model import Finding

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SKIP = {"SOURCES.md", "MANIFEST.tsv"}
EMPTY = Content(Indicators((), (), (), (), (), ()))
WITHOUT = tuple(r for r in registry.RULES if r not in (*links.RULES, *credentials.RULES))


def analyse(data: bytes, name: str, content: bool) -> float:
    # The analysis module's own names are swapped (a benchmark may; the product never does).
    names = vars(analyze_module)
    names["read_content"] = read_content if content else _nothing
    names["run_rules"] = _all_rules if content else _without_content_rules
    start = time.perf_counter()
    analyze_bytes(data, name, options=AnalysisOptions())
    return time.perf_counter() - start


def _nothing(*_: object) -> Content:
    return EMPTY


def _all_rules(ctx: RuleContext, strict: bool = False) -> tuple[Finding, ...]:
    return run_rules(ctx, registry.RULES, strict=strict)


def _without_content_rules(ctx: RuleContext, strict: bool = False) -> tuple[Finding, ...]:
    return run_rules(ctx, WITHOUT, strict=strict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=9)
    opts = parser.parse_args()
    files = sorted(p for p in opts.corpus.rglob("*") if p.is_file() and p.name not in SKIP)
    on, off = [], []
    for path in files:
        data = path.read_bytes()
        try:
            analyse(data, path.name, True)
        except InputError:
            continue
        best_on = best_off = float("inf")
        for _ in range(opts.repeat):
            best_on = min(best_on, analyse(data, path.name, True))
            best_off = min(best_off, analyse(data, path.name, False))
        on.append(best_on)
        off.append(best_off)
    added = [a - b for a, b in zip(on, off, strict=True)]
    print(f"messages:                         {len(on)}")
    print(f"median analysis, content off:     {statistics.median(off) * 1000:.3f} ms")
    print(f"median analysis, content on:      {statistics.median(on) * 1000:.3f} ms")
    difference = statistics.median(on) - statistics.median(off)
    print(f"difference of the medians:        {difference * 1000:.3f} ms")
    print(f"median of per-message additions:  {statistics.median(added) * 1000:.3f} ms")
    print(f"p90 of per-message additions:     {statistics.quantiles(added, n=10)[8] * 1000:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
