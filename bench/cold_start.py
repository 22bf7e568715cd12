"""Cold start: one `mailview analyze --json FILE` beside a bare `import email.parser`.

    .venv/bin/python bench/cold_start.py [FILE ...] [--runs N]

Each command is a fresh process, run N times in alternation (so a busy moment weighs on both
alike); the median wall time of each and their ratio are printed, and the same for the CPU
time each process used (user + system), which a busy machine disturbs less. Target: the
analysis at most 4x the bare parser import. With no FILE, the bundled sample, and from the shared
corpus when it is there a DKIM-signed message and an Outlook .msg.

Both run as an installed mailview does: with compiled bytecode (pip writes it at install).
PYTHONDONTWRITEBYTECODE is dropped from their environment and each command runs once
before timing, or every run would compile mailview's sources again and time the compiler.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample-phish.eml"
CORPUS = ROOT.parent / "shared" / "corpus"
SIGNED = CORPUS / "mailgun-flanker" / "russian-attachment-yahoo.eml"
OUTLOOK = CORPUS / "ninoseki-eml_analyzer" / "other.msg"
FLOOR = [sys.executable, "-c", "import email.parser"]
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    files = args.files or [SAMPLE, *(p for p in (SIGNED, OUTLOOK) if p.is_file())]
    for path in files:
        command = [sys.executable, "-m", "mailview", "analyze", "--json", str(path)]
        wall(FLOOR), wall(command)  # bytecode written, files in the page cache
        floor: list[tuple[float, float]] = []
        ours: list[tuple[float, float]] = []
        for _ in range(args.runs):
            floor.append(wall(FLOOR))
            ours.append(wall(command))
        print(f"{path.name}:")
        for kind, index in (("wall", 0), ("cpu", 1)):
            f = statistics.median(run[index] for run in floor)
            o = statistics.median(run[index] for run in ours)
            print(
                f"  {kind:4} analyze --json {o * 1000:.0f} ms, bare `import email.parser` "
                f"{f * 1000:.0f} ms: {o / f:.1f}x (target 4x)"
            )


if __name__ == "__main__":
    main()
