"""Benchmark `mailview batch`: throughput with 1 and 2 jobs, and peak memory against size.

The issue's measure comes first: ten copies of the corpus folder (files, as a mail export
would hold them) with `--jobs 2`, start-up included, and whether `--jobs 1` wrote the same
lines. Target: 3,000 messages a second on two cores.

Strategy: each run is a fresh `python -m mailview batch` subprocess started from a small
wrapper process, so that the wrapper's `getrusage(RUSAGE_CHILDREN).ru_maxrss` is the peak
RSS of that run alone (the batch's main process or its largest worker). Throughput is
measured twice: over the corpus folder as it is (a few hundred files, so process start-up
weighs in), and over an mbox made of the corpus's messages repeated (steady state). Peak
RSS is measured on mboxes of 5,000 and 20,000 messages: flat memory means the two agree.
A first, untimed run writes the bytecode, as installing the package does.

    .venv/bin/python bench/batch.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mailview.core.analyze import analyze_bytes
from mailview.core.errors import InputError
from mailview.core.load import read_path
from mailview.core.sniff import OLE_MAGIC

CORPUS = Path("/work/shared/corpus")
_FROM_LINE = re.compile(rb"^(>*From )", re.M)  # mboxrd: escape every level once more
_MAX_MESSAGE = 256 * 1024  # keep the generated mboxes typical: skip the few huge samples
# An installed package has its bytecode: runs here write it too (the environment may say
# not to, and then every worker would compile every module it loads, every run).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

# Runs `mailview batch ...` and reports its wall time and peak RSS (KiB). The command is
# built from `mailview.cli.batch` directly, so the bench runs whether or not the top-level
# parser lists `batch` yet; the work done is the same.
_DRIVER = """
import argparse, sys
from mailview.cli import batch
parser = argparse.ArgumentParser(prog="mailview")
batch.add_parser(parser.add_subparsers())
args = parser.parse_args(sys.argv[1:])
sys.exit(args.run(args, parser))
"""
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-c", sys.argv[1], "batch", *sys.argv[2:]],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"status": done.returncode, "seconds": seconds, "peak_kib": peak}))
"""


def corpus_messages(folder: Path) -> list[bytes]:
    """The corpus files that analyse as one message, as bytes."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            data = read_path(path)
            analyze_bytes(data, path.name)
        except InputError:
            continue
        # Text messages only: an mbox of binary .msg files or nested mboxes is no test.
        if len(data) <= _MAX_MESSAGE and not data.startswith((b"From ", OLE_MAGIC)):
            found.append(data)
    return found


def write_mbox(path: Path, messages: list[bytes], count: int) -> int:
    """An mbox of `count` messages cycling through `messages`; its size in bytes."""
    with path.open("wb") as out:
        for data in _cycle(messages, count):
            out.write(b"From bench@example.com Mon Jan  1 10:00:00 2024\n")
            out.write(_FROM_LINE.sub(rb">\1", data.replace(b"\r\n", b"\n")).rstrip(b"\n"))
            out.write(b"\n\n")
    return path.stat().st_size


def _cycle(messages: list[bytes], count: int) -> Iterator[bytes]:
    for i in range(count):
        yield messages[i % len(messages)]


def measure(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, _DRIVER, *args],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def ten_copies(corpus: Path, folder: Path) -> None:
    """Throughput over ten copies of the corpus folder, and --jobs 1 against --jobs 2."""
    copies = folder / "copies"
    for n in range(10):
        shutil.copytree(corpus, copies / f"copy{n}")
    written = {}
    for jobs in (2, 1):
        out = folder / f"copies-{jobs}.jsonl"
        run = measure(str(copies), "--jobs", str(jobs), "--out", str(out))
        n = _lines(out)
        written[jobs] = out.read_bytes()
        print(
            f"corpus x10 as files, --jobs {jobs}: {n:,} messages in {run['seconds']:.2f} s "
            f"= {n / run['seconds']:,.0f}/s (start-up included; target 3,000/s on 2 jobs)"
        )
    print(f"--jobs 1 and --jobs 2 wrote the same lines: {written[1] == written[2]}")
    shutil.rmtree(copies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    messages = corpus_messages(args.corpus)
    print(f"corpus: {len(messages)} messages usable for the generated mboxes")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.jsonl"
        measure(str(args.corpus), "--jobs", "1", "--out", str(out))  # writes the bytecode
        ten_copies(args.corpus, Path(folder))
        for jobs in (1, 2):
            run = measure(str(args.corpus), "--jobs", str(jobs), "--out", str(out))
            n = _lines(out)
            print(
                f"corpus folder, --jobs {jobs}: {n} messages in {run['seconds']:.2f} s "
                f"= {n / run['seconds']:,.0f}/s (start-up included)"
            )
        box = Path(folder) / "steady.mbox"
        write_mbox(box, messages, 5_000)
        for jobs in (1, 2):
            run = measure(str(box), "--jobs", str(jobs), "--out", str(out))
            n = _lines(out)
            print(
                f"corpus ×{5_000 // len(messages)} as one mbox, --jobs {jobs}: {n} messages in "
                f"{run['seconds']:.2f} s = {n / run['seconds']:,.0f}/s, "
                f"{n / run['seconds'] / jobs:,.0f}/s per job"
            )
        for count in (5_000, 20_000):
            box = Path(folder) / f"{count}.mbox"
            size = write_mbox(box, messages, count)
            run = measure(str(box), "--jobs", "2", "--out", str(out))
            print(
                f"mbox of {count:,} messages ({size / 1e6:.0f} MB), --jobs 2: peak RSS "
                f"{run['peak_kib'] / 1024:.0f} MiB, {run['seconds']:.1f} s, "
                f"{_lines(out):,} lines, exit {run['status']:.0f}"
            )
            box.unlink()


if __name__ == "__main__":
    main()
