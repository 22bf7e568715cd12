"""How analysis and the exporters scale with hostile input size: should be linear.

    .venv/bin/python bench/scaling.py [--quick] [--only NAME]

Builds messages in memory — 1k/10k/100k Received headers (each hop also a finding or two:
10k and more findings before their budget), a 1/10/50 MB header block (one huge folded
header, and many small ones), one Reply-To repeated 10k times — and
prints, per message, the seconds `analyze_bytes` takes, then the JSON, text, Markdown and
HTML exporters and redaction, with the output sizes, and the time per input megabyte, so
that a stage growing faster than its input stands out. `--quick` stops at the middle size.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable, Iterator

from mailview.core.analyze import analyze_bytes
from mailview.core.model import Report
from mailview.export.html_report import render_html
from mailview.export.json_report import dumps, report_to_dict
from mailview.export.markdown import render_markdown
from mailview.export.redact import Redaction
from mailview.export.text_report import render_text

HEAD = (
    b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: scaling\r\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n"
)


def received(n: int) -> bytes:
    lines = [
        f"Received: from relay{i}.example.net (relay{i}.example.net [198.51.100.{i % 250 + 1}])"
        f"\r\n\tby mx{i}.example.org (Postfix) with ESMTPS id A{i:08X}\r\n\tfor <bob@example.org>;"
        f" Mon, 1 Jan 2024 {9 - i % 9:02d}:{i % 60:02d}:00 +0000\r\n"
        for i in range(n)
    ]
    return "".join(lines).encode() + HEAD + b"\r\nbody\r\n"


def folded_header(megabytes: int) -> bytes:
    """One Subject of `megabytes` MB, folded every 70 characters."""
    line = b"\r\n " + b"x" * 67
    count = megabytes * 1024 * 1024 // len(line)
    return HEAD + b"X-Big: start" + line * count + b"\r\n\r\nbody\r\n"


def many_headers(megabytes: int) -> bytes:
    line = b"X-Filler: " + b"y" * 60 + b"\r\n"
    return HEAD + line * (megabytes * 1024 * 1024 // len(line)) + b"\r\nbody\r\n"


def duplicated(n: int) -> bytes:
    """`n` Reply-To headers: a duplicate-header finding quoting each."""
    return HEAD + b"Reply-To: Evil <evil@attacker.example>\r\n" * n + b"\r\nbody\r\n"


def cases(quick: bool) -> Iterator[tuple[str, Callable[[], bytes]]]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    for n in sizes:
        yield f"received-{n // 1000}k", functools.partial(received, n)
    for mb in (1, 10) if quick else (1, 10, 50):
        yield f"folded-{mb}MB", functools.partial(folded_header, mb)
        yield f"headers-{mb}MB", functools.partial(many_headers, mb)
    yield "reply-to-10k", functools.partial(duplicated, 10_000)


def stages(report: Report) -> Iterator[tuple[str, Callable[[], object]]]:
    yield "json", lambda: dumps(report_to_dict(report), pretty=False)
    yield "text", lambda: render_text(report)
    yield "markdown", lambda: render_markdown(report)
    yield "html", lambda: render_html(report)
    yield "redact", lambda: Redaction.of(report).apply(report)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="run the cases whose name starts with this")
    args = parser.parse_args()
    analyze_bytes(received(3), "warm-up")  # tables (public suffixes) load once, not in case 1
    print(f"{'case':<16}{'input':>10}  {'stage':<9}{'seconds':>9}{'s/MB':>8}{'output':>12}")
    for name, build in cases(args.quick):
        if args.only and not name.startswith(args.only):
            continue
        data = build()
        megabytes = len(data) / 1e6
        seconds, report = timed(functools.partial(analyze_bytes, data, name))
        assert isinstance(report, Report)
        print(
            f"{name:<16}{megabytes:>8.1f}MB  {'analyze':<9}{seconds:>9.2f}"
            f"{seconds / megabytes:>8.2f}{len(report.findings):>8} find."
        )
        for stage, action in stages(report):
            seconds, out = timed(action)
            size = f"{len(out) / 1e6:.1f}MB" if isinstance(out, str) else ""
            print(
                f"{'':<16}{'':>10}  {stage:<9}{seconds:>9.2f}{seconds / megabytes:>8.2f}{size:>12}"
            )


if __name__ == "__main__":
    main()
