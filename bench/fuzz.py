"""A long mutation run over the analysis and the exporters: only InputError may escape.

    .venv/bin/python bench/fuzz.py [CORPUS_DIR] [--executions N] [--seconds S] [--out DIR]

Takes the corpus messages as seeds and mutates them (byte flips, hostile tokens — bad
charsets in encoded-words, terminal escapes, bidi controls, NULs — duplicated and deleted
chunks, repeated headers, splices of two seeds), runs `analyze_bytes` on each, and every
`--export-every`-th input also through the indicator extraction, the JSON, text, Markdown
and HTML exporters, the redaction and the XML cleaning. Any other exception is an escape:
its input is saved in `--out` with the traceback (an input slower than a second is saved
too, for a look).
Prints executions, escapes, executions per second and the slowest inputs (with their
size), so that an input over 2 s below 1 MB stands out.
"""

from __future__ import annotations

import argparse
import heapq
import random
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from mailview.core.analyze import AnalysisOptions, analyze_bytes, message_at
from mailview.core.errors import InputError
from mailview.core.indicators import extract_indicators
from mailview.core.model import Report
from mailview.export.html_report import render_html
from mailview.export.json_indicators import indicators_to_dict
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import Redaction
from mailview.export.safe_text import visible, xml_document_safe
from mailview.export.text_report import render_text

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SLOW_S = 1.0  # an input slower than this is saved for a look
MAX_SAVED_SLOW = 20
SEED_BYTES = 64 * 1024  # a seed's first bytes: the headers are where the parsers are
TOKENS = (
    b"=?\xc3\xa9?Q?x?=", b"=?utf-8?B?", b"=?x?q?=FF?=", b"\x1b]0;title\x07", b"\x1b[2J",
    b"\xe2\x80\xae", b"\x00", b"\r", b"\n", b"\r\n", b"\r\n\r\n", b"\n ", b"\t", b";", b":",
    b"<", b">", b"@", b"(", b")", b"\"", b"\\", b"[", b"]", b"%40", b"=", b"?", b"--",
    b"Received: from a (b [10.0.0.1]) by c with ESMTP id x; Mon, 1 Jan 2024 10:00:00 +0000\n",
    b"Content-Type: multipart/mixed; boundary=\"b\"\n", b"--b\n", b"--b--\n",
    b"Content-Type: message/rfc822\n", b"Content-Transfer-Encoding: base64\n",
    b"DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; bh=; b=\n",
    b"Authentication-Results: mx; spf=pass; dkim=fail; dmarc=none\n",
    b"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x; s=y; b=\n",
    b"From: =?utf-8?Q?=E2=80=AE?= <a@b.c>\n", b"Reply-To: a@b.c\n",
    b"filename=\"=?\xc3\xa9?Q?x?=\"", b"X-Originating-IP: [10.1.2.3]\n",
    b"From x@y Mon Jan  1 10:00:00 2024\n", b"\xff\xfe", b"\xd0\xcf\x11\xe0",
)  # fmt: skip


def seeds(root: Path) -> list[bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".md")
    return [p.read_bytes()[:SEED_BYTES] for p in files if p.stat().st_size > 0]


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        size = len(buffer)
        at = rng.randint(0, size)
        kind = rng.randrange(8)
        if kind == 0 and size:
            buffer[rng.randrange(size)] = rng.randrange(256)
        elif kind in (1, 2):
            buffer[at:at] = rng.choice(TOKENS)
        elif kind == 3 and size:
            end = min(size, at + rng.randint(1, 256))
            del buffer[at:end]
        elif kind == 4 and size:
            end = min(size, at + rng.randint(1, 512))
            buffer[at:at] = bytes(buffer[at:end]) * rng.randint(2, 64)
        elif kind == 5:
            line = rng.choice(TOKENS)
            buffer[at:at] = line * rng.randint(10, 400)
        elif kind == 6:
            other = rng.choice(pool)
            cut = rng.randint(0, len(other))
            buffer = buffer[:at] + bytearray(other[cut:])
        else:
            buffer[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(buffer)


def exporters(report: Report, data: bytes) -> list[Callable[[], object]]:
    indicators = extract_indicators(report, message_at(data, report))
    return [
        lambda: dumps(report_to_dict(report), pretty=False),
        lambda: dumps(indicators_to_dict(indicators), pretty=False),
        lambda: visible(render_text(report)),
        lambda: render_markdown(report, indicators=indicators),
        lambda: xml_document_safe(
            render_html(report, indicators=indicators).encode("utf-8", "surrogateescape")
        ),
        lambda: Redaction.of(report, indicators).apply((report, indicators)),
    ]


def main() -> int:  # noqa: PLR0915 - one loop, kept whole so its figures read in one place
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--executions", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=float("inf"))
    parser.add_argument("--export-every", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=Path("fuzz-escapes"))
    parser.add_argument("--report-every", type=int, default=20_000)
    args = parser.parse_args()
    pool = seeds(args.corpus)
    rng = random.Random(args.seed)
    options = AnalysisOptions()
    slowest: list[tuple[float, int, int]] = []  # (seconds, size, execution) min-heap of 10
    escapes: dict[str, int] = {}
    rejected = 0
    saved_slow = 0
    start = time.monotonic()
    executions = 0
    while executions < args.executions and time.monotonic() - start < args.seconds:
        data = mutate(rng.choice(pool), rng, pool)
        executions += 1
        began = time.perf_counter()
        try:
            report = analyze_bytes(data, "fuzz", options=options)
            if executions % args.export_every == 0:
                for export in exporters(report, data):
                    export()
        except InputError:
            rejected += 1
        except Exception as err:  # an escape: what this run exists to find
            key = f"{type(err).__name__}: {str(err)[:80]}"
            if key not in escapes:
                args.out.mkdir(parents=True, exist_ok=True)
                name = f"escape-{len(escapes) + 1}"
                (args.out / f"{name}.eml").write_bytes(data)
                (args.out / f"{name}.txt").write_text(traceback.format_exc())
                print(f"ESCAPE {name}: {key}", flush=True)
            escapes[key] = escapes.get(key, 0) + 1
        seconds = time.perf_counter() - began
        if seconds > SLOW_S and saved_slow < MAX_SAVED_SLOW:
            saved_slow += 1
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"slow-{saved_slow}-{seconds:.1f}s.eml").write_bytes(data)
        entry = (seconds, len(data), executions)
        if len(slowest) < 10:
            heapq.heappush(slowest, entry)
        else:
            heapq.heappushpop(slowest, entry)
        if executions % args.report_every == 0:
            elapsed = time.monotonic() - start
            print(
                f"{executions:,} executions  {executions / elapsed:,.0f}/s  "
                f"{sum(escapes.values())} escapes  {rejected:,} InputError  "
                f"slowest {max(slowest)[0]:.2f} s",
                flush=True,
            )
    elapsed = time.monotonic() - start
    print(f"done: {executions:,} executions in {elapsed:,.0f} s ({executions / elapsed:,.0f}/s)")
    print(f"escapes: {sum(escapes.values())} ({len(escapes)} kinds); InputError: {rejected:,}")
    for key, count in escapes.items():
        print(f"  {count:>6}  {key}")
    print("slowest inputs:")
    for seconds, size, number in sorted(slowest, reverse=True):
        print(f"  {seconds:6.3f} s  {size:>9,} bytes  (execution {number:,})")
    return 1 if escapes else 0


if __name__ == "__main__":
    raise SystemExit(main())
