"""Per-message analysis time over the shared corpus, beside the stdlib parsing floor.

    .venv/bin/python bench/analysis.py [CORPUS_DIR] [--repeat N] [--geo]

Prints the median and percentiles of `analyze_bytes` per message, and in the same run the
median time `email.parser.BytesParser(policy=compat32).parsebytes(data, headersonly=True)`
takes merely to parse the same messages' headers — the floor any analysis stands on.
Targets (the speed issue's): median at most 6x that floor, p99 at most 3 ms, no message
over 20 ms. `--geo` adds the offline geo databases (the embedded one and any the machine
has), opened afresh for every pass, as a batch run or the app would.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.auth.addresses import _parse_mailboxes
from mailview.core.auth.alignment import _first_domain_memo
from mailview.core.auth.results import _authserv_id
from mailview.core.bounce.plain import _whole
from mailview.core.bounce.reasons import _classify
from mailview.core.domains import org_domain
from mailview.core.errors import InputError
from mailview.core.findings.content import _mixes_scripts, _script
from mailview.core.findings.identity import _addresses_in
from mailview.core.findings.lookalike import _imitation_alone, imitation
from mailview.core.ipscope import parse_ip, scope_of
from mailview.core.received import _ipv6_text, parse_received
from mailview.core.words import _decode_encoded
from mailview.enrich.geo import GeoDatabases, open_geo

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SKIP = {"SOURCES.md", "MANIFEST.tsv"}


def corpus_files(root: Path) -> list[tuple[str, bytes]]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name not in SKIP)
    return [(str(p.relative_to(root)), p.read_bytes()) for p in files]


def clear_caches(geo: GeoDatabases | None = None) -> None:
    """Forget memoised look-ups so that a pass sees the corpus as a batch run would."""
    if geo is not None:
        geo.close()  # its answers, and the decoded blocks of its files
    parse_ip.cache_clear()
    scope_of.cache_clear()
    org_domain.cache_clear()
    _ipv6_text.cache_clear()
    parse_received.cache_clear()
    _decode_encoded.cache_clear()
    _parse_mailboxes.cache_clear()
    imitation.cache_clear()
    _imitation_alone.cache_clear()
    memos = (_first_domain_memo, _authserv_id, _mixes_scripts, _script, _classify, _whole)
    for memo in (*memos, _addresses_in):
        memo.cache_clear()


def timed(action: Callable[[str, bytes], object], name: str, data: bytes) -> float:
    start = time.perf_counter()
    action(name, data)
    return time.perf_counter() - start


def per_message_best(
    files: list[tuple[str, bytes]],
    action: Callable[[str, bytes], object],
    repeat: int,
    geo: GeoDatabases | None = None,
) -> list[float]:
    """Each message's fastest time over `repeat` passes through the whole corpus in order.

    Caches are cleared before every pass, so a message only profits from what earlier
    messages of the same pass left behind — as in a batch run, never from its own last run.
    """
    best = [float("inf")] * len(files)
    for _ in range(repeat):
        clear_caches(geo)
        for position, (name, data) in enumerate(files):
            best[position] = min(best[position], timed(action, name, data))
    return best


def analyse_or_none(data: bytes, name: str, options: AnalysisOptions) -> object:
    try:
        return analyze_bytes(data, name, options=options)
    except InputError:
        return None


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    args.add_argument("--repeat", type=int, default=7)
    args.add_argument("--geo", action="store_true", help="with the offline geo databases")
    opts = args.parse_args()
    if not opts.corpus.is_dir():
        print(f"no corpus at {opts.corpus}", file=sys.stderr)
        return 1
    files = corpus_files(opts.corpus)
    geo = open_geo() if opts.geo else None
    options = AnalysisOptions(geo=geo)
    parser = BytesParser(policy=compat32)
    analyse_or_none(files[0][1], files[0][0], options)  # load the public suffix list once
    if geo is not None:
        print(f"geo databases:                 {geo.describe()}")
    ours = per_message_best(files, lambda n, d: analyse_or_none(d, n, options), opts.repeat, geo)
    floor = per_message_best(
        files, lambda n, d: parser.parsebytes(d, headersonly=True), opts.repeat
    )
    report(files, ours, floor)
    return 0


def report(files: list[tuple[str, bytes]], ours: list[float], floor: list[float]) -> None:
    def ms(value: float) -> str:
        return f"{value * 1000:.3f} ms"

    quantiles = statistics.quantiles(ours, n=100)
    median_ours, median_floor = statistics.median(ours), statistics.median(floor)
    print(f"messages:                      {len(files)}")
    print(f"analyze_bytes median:          {ms(median_ours)}")
    print(f"analyze_bytes mean:            {ms(statistics.fmean(ours))}")
    tail = f"{ms(quantiles[89])} / {ms(quantiles[98])} / {ms(max(ours))}"
    print(f"analyze_bytes p90 / p99 / max: {tail} (targets p99 <= 3 ms, max <= 20 ms)")
    print(f"stdlib headersonly median:     {ms(median_floor)}")
    print(f"ratio of medians:              {median_ours / median_floor:.2f}x (target <= 6x)")
    slowest = sorted(zip(ours, (n for n, _ in files), strict=True), reverse=True)[:5]
    print("slowest:", ", ".join(f"{n} {ms(t)}" for t, n in slowest))


if __name__ == "__main__":
    sys.exit(main())
