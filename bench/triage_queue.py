"""The triage queue on a big mbox: first row, full queue, GUI stalls, memory; campaigns at scale.

    .venv/bin/python bench/triage_queue.py [--messages 5000] [--jobs N] [--traits 20000]

Builds an mbox of MESSAGES messages from the corpus (../shared/corpus, bounces left out,
cycled, each copy given its own To/Date/Message-ID so no two are the same bytes), opens
it as a queue tab in the real window on Qt's offscreen platform and prints: time from
opening to the first row shown and to the full queue (campaigns grouped), the longest
gap between two ticks of a 10 ms GUI-thread timer while it fills (a stall the user would
feel), and peak resident memory of the GUI process and of the largest worker. Then it
groups TRAITS campaign traits (the corpus's, repeated with other keys) and prints the
time, to show the grouping stays linear. Targets: first row < 1 s, max gap < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from tests.campaign_families import resend
from tests.corpus import corpus_files

ENVELOPE = b"From sender@example.org Mon Jan  1 10:00:00 2024\n"


def build_mbox(path: Path, count: int) -> int:
    sources = [p.read_bytes() for p in corpus_files() if "bounces" not in p.parts]
    sources = [s for s in sources if not s.startswith((b"\xd0\xcf", b"From "))]
    written = 0
    with path.open("wb") as out:
        for n in range(count):
            data = resend(sources[n % len(sources)], n).replace(b"\r\n", b"\n")
            body = b"\n".join(
                b">" + line if line.startswith(b"From ") else line for line in data.split(b"\n")
            )
            out.write(ENVELOPE + body.rstrip(b"\n") + b"\n\n")
            written += len(body)
    return written


def run_queue(box: Path, jobs: int | None) -> None:
    from PySide6.QtCore import QTimer

    from mailview.gui.app import create_application
    from mailview.gui.settings import Settings
    from mailview.gui.window import MainWindow

    app = create_application([sys.argv[0]])
    config = Path(tempfile.mkdtemp(prefix="mailview-bench-"))
    window = MainWindow(Settings(config / "mailview.ini"))
    window.queue_jobs = jobs
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    marks: dict[str, float] = {}
    start = time.perf_counter()
    timer.start()
    queue = window.open_queue([str(box)])

    def watch() -> None:
        if "first" not in marks and queue.row_count() > 0:
            marks["first"] = time.perf_counter()
        if queue.done:
            marks["full"] = time.perf_counter()
            app.quit()

    poll = QTimer()
    poll.timeout.connect(watch)
    poll.start(5)
    app.exec()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    print(f"worst gap at {ticks[worst] - start:.2f} s")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"rows                {queue.row_count():,} ({len(queue.model.campaigns):,} campaigns)")
    print(f"first row           {marks['first'] - start:.2f} s")
    print(f"full queue          {marks['full'] - start:.2f} s")
    print(
        f"max event-loop gap  {max(gaps) * 1000:.0f} ms (10 ms timer; median "
        f"{sorted(gaps)[len(gaps) // 2] * 1000:.0f} ms)"
    )
    print(f"peak memory         GUI process {own:.0f} MB, largest worker {children:.0f} MB")


def group_at_scale(count: int) -> None:
    import dataclasses

    from mailview.core.analyze import analyze_bytes
    from mailview.core.campaigns import group, traits_of
    from mailview.core.errors import InputError

    base = []
    for path in corpus_files():
        try:
            base.append(traits_of(analyze_bytes(path.read_bytes(), path.name)))
        except InputError:  # unreadable files take no part
            continue
    traits = [dataclasses.replace(base[n % len(base)], key=f"k{n}") for n in range(count)]
    start = time.perf_counter()
    grouping = group(traits)
    took = time.perf_counter() - start
    print(f"campaigns of {count:,} traits: {len(grouping.campaigns):,} groups in {took:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--traits", type=int, default=20000)
    args = parser.parse_args()
    if not corpus_files():
        sys.exit("bench/triage_queue.py needs the corpus at ../shared/corpus")
    with tempfile.TemporaryDirectory() as folder:
        box = Path(folder) / "reports.mbox"
        size = build_mbox(box, args.messages)
        print(f"mbox                {args.messages:,} messages, {size / 1e6:.1f} MB")
        run_queue(box, args.jobs)
    group_at_scale(args.traits)


if __name__ == "__main__":
    main()
