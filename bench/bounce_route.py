"""What a bounce's picture costs and shows: the route that failed, ending in the failure.

    .venv/bin/python bench/bounce_route.py [CORPUS]

Over CORPUS/bounces: how many pictures draw the returned original's route and how many the
bounce's own (its original's headers did not come back), how many failure cards, and the
time of the second analysis (the returned original) and of the layout. Then two hostile
reports: a 20 MB original and 10,000 recipients.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from mailview.core.analyze import analyze_bytes, analyze_returned
from mailview.layout import layout_report
from mailview.layout.failure import failure_plan
from tests.bounce_samples import dsn

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[1] / "shared" / "corpus"
ORIGINAL = (
    b"Received: from a.sender.example (a.sender.example [198.51.100.7])\n"
    b"\tby mx.sender.example with ESMTP; Mon, 2 Mar 2026 09:59:30 +0000\n"
    b"From: alice@sender.example\nTo: bob@receiver.example\nSubject: figures\n\n"
)


def corpus(bounces: Path) -> None:
    counts: Counter[str] = Counter()
    analysis = returned_s = layout_s = 0.0
    for path in sorted(bounces.glob("*.eml")):
        data = path.read_bytes()
        started = time.perf_counter()
        report = analyze_bytes(data, path.name)
        middle = time.perf_counter()
        returned = analyze_returned(data, report)
        done = time.perf_counter()
        diagram = layout_report(report, returned=returned)
        layout_s += time.perf_counter() - done
        analysis += middle - started
        returned_s += done - middle
        plan = failure_plan(report, returned)
        if plan is None:
            counts["no failure to draw"] += 1
            continue
        counts["returned original's route" if plan.returned else "bounce's own route"] += 1
        cards = sum(card.key.startswith("failure-") for card in diagram.cards)
        counts[f"{cards} failure card(s)"] += 1
    for key, value in sorted(counts.items()):
        print(f"{key}: {value}")
    print(
        f"time: analysis {analysis:.2f} s, returned originals {returned_s:.2f} s, "
        f"layouts {layout_s:.2f} s"
    )


def hostile() -> None:
    hard = ("bob@receiver.example", "failed", "5.1.1", "550 5.1.1 unknown")
    many = [(f"u{i}@d{i}.example", "failed", "5.1.1", "550 unknown") for i in range(10_000)]
    cases = (
        ("20 MB original", dsn([hard], original=ORIGINAL + b"x" * 20_000_000)),
        ("10,000 recipients", dsn(many, original=ORIGINAL)),
    )
    for name, data in cases:
        started = time.perf_counter()
        report = analyze_bytes(data, "bounce.eml")
        middle = time.perf_counter()
        returned = analyze_returned(data, report)
        done = time.perf_counter()
        diagram = layout_report(report, returned=returned)
        end = time.perf_counter()
        print(
            f"{name}: analysis {middle - started:.2f} s, returned original "
            f"{done - middle:.2f} s, layout {end - done:.3f} s, {len(diagram.cards)} cards"
        )


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    bounces = root / "bounces"
    if bounces.is_dir():
        corpus(bounces)
    else:
        print(f"no corpus at {bounces}")
    hostile()


if __name__ == "__main__":
    main()
