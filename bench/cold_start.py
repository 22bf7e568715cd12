"""Cold start: one `mailview analyze --json FILE` beside a bare `import email.parser`.

    .venv/bin/python bench/cold_start.py [FILE ...] [--runs N]

Each command is a fresh process, run N times in alternation (so a busy moment weighs on both
alike); the median wall time of each and their ratio are printed. Target: the analysis at
most 4x the bare parser import. With no FILE, the bundled sample and a signed corpus message.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample-phish.eml"
FLOOR = [sys.executable, "-c", "import email.parser"]


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    files = args.files or [SAMPLE]
    for path in files:
        command = [sys.executable, "-m", "mailview", "analyze", "--json", str(path)]
        floor: list[float] = []
        ours: list[float] = []
        for _ in range(args.runs):
            floor.append(wall(FLOOR))
            ours.append(wall(command))
        f, o = statistics.median(floor), statistics.median(ours)
        print(
            f"{path.name}: analyze --json {o * 1000:.0f} ms, bare `import email.parser` "
            f"{f * 1000:.0f} ms: {o / f:.1f}x (target 4x)"
        )


if __name__ == "__main__":
    main()
