"""What reading the body costs on hostile sizes: time and peak memory of one analysis.

    .venv/bin/python bench/content.py

Cases: a 50 MB message (a large base64 attachment beside an HTML part), an HTML part with
10,000 links, a Content-Type folded over 16,000 lines (which the stdlib parser, used for
indicators before, took 20 s on), and 1,000 nested multiparts. Each is analysed once
cold; the figures are printed, nothing is asserted.
"""

from __future__ import annotations

import base64
import time
import tracemalloc
from collections.abc import Callable

from mailview.core.analyze import analyze_bytes


def fifty_megabytes() -> bytes:
    blob = base64.encodebytes(bytes(range(256)) * (37 * 1024 * 4)).replace(b"\n", b"\r\n")
    html = b"<p>Invoice attached. <a href='https://evil.example/x'>https://paypal.com</a></p>"
    return (
        b"From: a@b.example\r\nTo: c@d.example\r\nSubject: big\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/html\r\n\r\n" + html + b"\r\n"
        b'--B\r\nContent-Type: application/octet-stream; name="a.bin"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"\r\n--B--\r\n"
    )


def ten_thousand_links() -> bytes:
    links = "".join(f'<a href="https://l{i}.example/p?u={i}">link {i}</a> ' for i in range(10_000))
    return (
        "From: a@b.example\r\nTo: c@d.example\r\nSubject: links\r\n"
        f"Content-Type: text/html\r\n\r\n<html><body>{links}</body></html>\r\n"
    ).encode()


def folded_lines() -> bytes:
    """A Content-Type folded over 16,000 lines of parameters: the stdlib parser took
    20 s over it when indicators were read with it."""
    params = ";\r\n".join(f" p{i}=v{i}" for i in range(16_000))
    return (
        "From: a@b.example\r\nTo: c@d.example\r\nSubject: s\r\n"
        f"Content-Type: text/plain;\r\n{params}\r\n\r\nhttps://x.example/\r\n"
    ).encode()


def nested() -> bytes:
    opens = "".join(
        f'--B{i}\r\nContent-Type: multipart/mixed; boundary="B{i + 1}"\r\n\r\n' for i in range(1000)
    )
    return (
        'From: a@b.example\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary="B0"'
        f"\r\n\r\n{opens}https://deep.example/x\r\n"
    ).encode()


def measure(name: str, make: Callable[[], bytes]) -> None:
    """Time without tracing (tracemalloc slows Python down), then memory in a second run."""
    data = make()
    start = time.perf_counter()
    report = analyze_bytes(data, name)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    analyze_bytes(data, name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    urls = len(report.indicators.urls) if report.indicators else 0
    print(
        f"{name:<22} input {len(data) / 1e6:7.2f} MB  time {elapsed:6.2f} s  "
        f"peak memory {peak / 1e6:7.1f} MB  urls {urls}  findings {len(report.findings)}"
    )


def main() -> None:
    for name, make in (
        ("50 MB message", fifty_megabytes),
        ("10,000 links", ten_thousand_links),
        ("16,000 folded lines", folded_lines),
        ("1,000 nested parts", nested),
    ):
        measure(name, make)


if __name__ == "__main__":
    main()
