"""Bounce reading over the corpus: recognition, status codes and reason classes.

    .venv/bin/python bench/bounces.py [CORPUS]

Recognition is measured on every file of CORPUS/bounces (arf-* must be feedback reports,
rfc3834-* auto-replies, the rest delivery reports) and on the rest of the corpus (no
ordinary message may be called a bounce). Over the whole set it counts the reason classes
and how many recipients are left without one. Status and reason accuracy are measured on
the held-out bounces labelled by hand in bench/bounce_labels.tsv (see its header for how
far they have been looked at). Also prints the time per bounce.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

from mailview.core.bounce import BounceReport, read_bounce
from mailview.core.errors import InputError
from mailview.core.load import load_bytes

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[1] / "shared" / "corpus"
SAME = {"onhold": "undefined"}  # two names for "the bounce does not say"


def is_held_out(name: str) -> bool:
    return hashlib.sha256(name.encode()).hexdigest()[0] in "012"


def read(path: Path) -> BounceReport | None:
    try:
        messages = load_bytes(path.read_bytes(), path.name)
    except InputError:
        return None
    return read_bounce(messages[0]) if messages else None


def recognition(bounces: Path) -> None:
    seconds = 0.0
    for group in ("development", "held out"):
        files = [
            p
            for p in sorted(bounces.glob("*.eml"))
            if is_held_out(p.name) == (group != "development")
        ]
        right, missed = 0, []
        for path in files:
            started = time.perf_counter()
            report = read(path)
            seconds += time.perf_counter() - started
            expected = {"arf": "feedback", "rfc3834": "autoreply"}.get(path.name.split("-")[0])
            if expected is not None:
                ok = report is not None and report.kind == expected
            else:
                ok = report is not None and report.is_delivery_report
            right += ok
            if not ok:
                missed.append(path.name)
        print(f"recognised ({group}): {right}/{len(files)} = {right / max(len(files), 1):.1%}")
        for name in missed:
            print(f"    missed {name}")
    count = len(list(bounces.glob("*.eml")))
    print(f"time per bounce: {seconds / max(count, 1) * 1000:.1f} ms")


def ordinary(corpus: Path, bounces: Path) -> None:
    files = [
        p
        for p in sorted(corpus.rglob("*"))
        if p.is_file() and bounces not in p.parents and p.name not in ("SOURCES.md", "MANIFEST.tsv")
    ]
    called = [p for p in files if (r := read(p)) is not None and r.is_delivery_report]
    other = [p for p in files if (r := read(p)) is not None and not r.is_delivery_report]
    print(f"other corpus messages: {len(files)}; called delivery reports: {len(called)}")
    for path in called:
        print(f"    {path.relative_to(corpus)}")
    print(f"    recognised as auto-reply or feedback (not bounces): {len(other)}")


def distribution(bounces: Path) -> None:
    """Reason classes over every failed or delayed recipient of the whole set: how much is
    left untold (undefined, onhold) is the figure that needs no labels."""
    counts: Counter[str] = Counter()
    for path in sorted(bounces.glob("*.eml")):
        report = read(path)
        if report is not None and report.is_delivery_report:
            counts.update(SAME.get(r.reason, r.reason) for r in report.failed)
    total = sum(counts.values())
    untold = counts["undefined"]
    print(f"failed or delayed recipients (whole set): {total}; reason untold: {untold}")
    print("    " + ", ".join(f"{name} {count}" for name, count in counts.most_common()))


def accuracy(bounces: Path) -> None:
    rows = [
        line.split("\t")
        for line in (HERE / "bounce_labels.tsv").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    status_right = reason_right = 0
    for name, address, status, reason in rows:
        report = read(bounces / name)
        entries = {} if report is None else {r.address: r for r in report.recipients}
        entry = entries.get(address)
        got_status = None if entry is None else entry.status
        got_reason = None if entry is None else SAME.get(entry.reason, entry.reason)
        status_ok = got_status == (None if status == "-" else status)
        reason_ok = got_reason == SAME.get(reason, reason)
        status_right += status_ok
        reason_right += reason_ok
        if not (status_ok and reason_ok):
            print(f"    {name} {address}: want {status} {reason}, got {got_status} {got_reason}")
    total = len(rows)
    print(f"held-out recipients: {total}")
    print(f"status code right: {status_right}/{total} = {status_right / total:.1%}")
    print(f"reason class right: {reason_right}/{total} = {reason_right / total:.1%}")


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    bounces = corpus / "bounces"
    if not bounces.is_dir():
        sys.exit(f"no bounces at {bounces}")
    recognition(bounces)
    ordinary(corpus, bounces)
    distribution(bounces)
    accuracy(bounces)


if __name__ == "__main__":
    main()
