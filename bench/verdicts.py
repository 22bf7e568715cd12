"""The triage judgement over the shared corpus: counts per assessment, per folder, and
every message whose judgement differs from what its folder says it is.

    .venv/bin/python bench/verdicts.py [CORPUS_DIR] [--all]

Folders of known kind (see EXPECTED): ham, list and newsletter mail and DMARC reports
should be judged `no-concerns` or `unwanted`; phishing `suspicious` or worse; spam
`unwanted` or worse. `--all` lists every message with its judgement and reasons.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mailview.core.analyze import analyze_bytes
from mailview.core.errors import InputError
from mailview.core.verdict import Assessment

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SKIP = {"SOURCES.md", "MANIFEST.tsv"}
ORDER = [a.value for a in Assessment]
HAM = frozenset({Assessment.NO_CONCERNS, Assessment.UNWANTED})
PHISH = frozenset({Assessment.SUSPICIOUS, Assessment.LIKELY_MALICIOUS})
SPAM = frozenset({Assessment.UNWANTED, *PHISH})
# Path prefixes (relative to the corpus) and what their messages are known to be.
EXPECTED: tuple[tuple[str, str, frozenset[Assessment]], ...] = (
    ("spamassassin/spam/phishing", "phishing", PHISH),
    ("rspamd/phish", "phishing", PHISH),
    ("spamassassin/spam", "spam", SPAM),
    ("mailgun-flanker/spam", "spam", SPAM),
    ("rspamd/spam", "spam", SPAM),
    ("spamassassin/nice", "ham", HAM),
    ("spamassassin/welcomelists", "ham", HAM),
    ("patchwork/mail", "list", HAM),
    ("parsedmarc", "DMARC report", HAM),
    ("rspamd/ham", "ham", HAM),
)


def kind_of(name: str) -> tuple[str, frozenset[Assessment]] | None:
    for prefix, kind, allowed in EXPECTED:
        if name.startswith(prefix):
            return kind, allowed
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--all", action="store_true")
    opts = parser.parse_args()
    if not opts.corpus.is_dir():
        print(f"no corpus at {opts.corpus}", file=sys.stderr)
        return 1
    totals: Counter[str] = Counter()
    folders: dict[str, Counter[str]] = defaultdict(Counter)
    exceptions: list[str] = []
    for path in sorted(p for p in opts.corpus.rglob("*") if p.is_file() and p.name not in SKIP):
        name = str(path.relative_to(opts.corpus))
        try:
            found = analyze_bytes(path.read_bytes(), path.name).verdict
        except InputError:
            totals["not a message"] += 1
            continue
        assert found is not None
        assessment = found.assessment
        totals[assessment.value] += 1
        folders[str(Path(name).parent)][assessment.value] += 1
        line = f"{name}: {assessment.value} — {found.sentence}"
        if opts.all:
            print(line)
        expected = kind_of(name)
        if expected is not None and assessment not in expected[1]:
            exceptions.append(f"{expected[0]:>12} {line}")
    print("assessment counts:", ", ".join(f"{k} {totals[k]}" for k in [*ORDER, "not a message"]))
    print("\nper folder:")
    for folder in sorted(folders):
        counts = folders[folder]
        print(f"  {folder:<42} " + ", ".join(f"{k} {counts[k]}" for k in ORDER if counts[k]))
    print(f"\nexceptions ({len(exceptions)}):")
    for line in exceptions:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
