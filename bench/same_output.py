"""Record every output over the corpus, to prove a speed change changed no result.

    .venv/bin/python bench/same_output.py OUT_DIR [CORPUS_DIR]
    diff -r BEFORE_DIR AFTER_DIR

For each corpus file: `mailview analyze --json --message all` and the text report, run in
process; and `mailview batch --jobs 1` and `--jobs 2` over the whole corpus (JSON Lines and
summary). Reports carry no timing fields, so two runs on the same day must match byte for
byte (the batch summary's "N messages in S s" line is the one timed line; it is dropped).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

from mailview.cli import main as cli_main

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SKIP = {"SOURCES.md", "MANIFEST.tsv"}
_TIMED = re.compile(r"^mailview batch: .* in [0-9.]+ s .*$", re.M)


def run(argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli_main(argv)
    return f"{out.getvalue()}\n--- stderr\n{_TIMED.sub('', err.getvalue())}\n--- exit {status}\n"


def main() -> None:
    target = Path(sys.argv[1])
    corpus = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_CORPUS
    target.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name not in SKIP)
    with (target / "analyze.txt").open("w", encoding="utf-8") as sink:
        for path in files:
            name = str(path.relative_to(corpus))
            as_json = run(["analyze", "--json", "--message", "all", str(path)])
            sink.write(f"=== {name} json\n{as_json}")
            sink.write(f"=== {name} text\n" + run(["analyze", str(path)]))
    for jobs in ("1", "2"):
        lines = target / f"batch{jobs}.jsonl"
        lines.unlink(missing_ok=True)
        summary = run(["batch", str(corpus), "--jobs", jobs, "--out", str(lines)])
        (target / f"batch{jobs}.summary").write_text(summary, encoding="utf-8")
    print(f"{len(files)} files recorded in {target}")


if __name__ == "__main__":
    main()
