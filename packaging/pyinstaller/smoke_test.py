"""Smoke test of a built mailview: the frozen folder, or any installed `mailview` command.

    python packaging/pyinstaller/smoke_test.py /tmp/mvdist/mailview/mailview
    python packaging/pyinstaller/smoke_test.py path/to/venv/bin/mailview --no-gui

It runs the program as a user would, from a scratch folder (so nothing is found by
accident in the checkout) with a scratch settings folder, and checks:

1. `mailview --version` names the version;
2. `mailview analyze --sample --json` finds the bundled sample, and the embedded GeoLite2
   database answers (a hop has a country): both are data files a frozen build can lose;
3. `mailview SAMPLE` opens the window on Qt's offscreen platform and quits by itself with
   exit 0 (`MAILVIEW_SMOKE_TEST=1`: `mailview/gui/app.py` quits 1.5 s after the window
   shows; without that hook the program times out and the check fails), with nothing on
   stderr beyond known harmless lines and no warning or error in the app's log file.

Exit status 0 when every check passed, 1 otherwise (each failure is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "resources" / "samples" / "sample-phish.eml"
SAMPLE_NAME = SAMPLE.name
SMOKE_ENV = "MAILVIEW_SMOKE_TEST"
# The hook quits 1.5 s after the window shows: a quicker exit 0 means it never got there.
MIN_WINDOW_SECONDS = 1.0
# Seconds: a cold start of the frozen folder takes about one; a machine under load more.
TIMEOUT = 60
# stderr lines that tell nothing about the build: the offscreen platform has no window
# manager to pass size hints to, and Qt says so.
HARMLESS_STDERR = (re.compile(r"propagateSizeHints"),)
PROBLEM_LOG_LINE = re.compile(r" (WARNING|ERROR|CRITICAL) ")


class SmokeFailure(Exception):
    """One check failed; the message says which and why."""


def run(
    command: Sequence[str], workdir: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            list(command),
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SmokeFailure(
            f"{' '.join(command)} did not finish within {TIMEOUT} s "
            f"(is the {SMOKE_ENV} hook in mailview/gui/app.py?)"
        ) from error


def scratch_env(scratch: Path) -> dict[str, str]:
    """The environment for the program: offscreen Qt, settings and runtime in `scratch`."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        MAILVIEW_CONFIG_DIR=str(scratch / "config"),
        # Qt warns on stderr when XDG_RUNTIME_DIR is missing or has loose permissions.
        XDG_RUNTIME_DIR=str(scratch / "runtime"),
    )
    (scratch / "runtime").mkdir(mode=0o700, exist_ok=True)
    env.pop(SMOKE_ENV, None)
    return env


def check_version(program: str, workdir: Path, env: dict[str, str]) -> str:
    done = run([program, "--version"], workdir, env)
    if done.returncode != 0 or not done.stdout.startswith("mailview "):
        raise SmokeFailure(
            f"--version: exit {done.returncode}, output {done.stdout!r} {done.stderr!r}"
        )
    return done.stdout.strip()


def check_analyze(program: str, workdir: Path, env: dict[str, str]) -> None:
    done = run([program, "analyze", "--sample", "--json"], workdir, env)
    if done.returncode != 0:
        raise SmokeFailure(f"analyze --sample: exit {done.returncode}: {done.stderr.strip()}")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise SmokeFailure(f"analyze --sample --json: not JSON ({error})") from error
    name = report.get("input", {}).get("name")
    if name != SAMPLE_NAME:
        raise SmokeFailure(f"analyze --sample: the report names {name!r}, not {SAMPLE_NAME!r}")
    if not any(hop.get("geo") for hop in report.get("hops", [])):
        raise SmokeFailure("analyze --sample: no hop has a location (GeoLite2 database missing?)")
    if done.stderr.strip():
        raise SmokeFailure(f"analyze --sample wrote to stderr: {done.stderr.strip()}")


def unexpected_stderr(stderr: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return [line for line in lines if not any(p.search(line) for p in HARMLESS_STDERR)]


def check_window(program: str, workdir: Path, env: dict[str, str]) -> float:
    """Open the app on the sample; returns the seconds from start to exit."""
    started = time.monotonic()
    done = run([program, str(SAMPLE)], workdir, {**env, SMOKE_ENV: "1"})
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SmokeFailure(f"window: exit {done.returncode}: {done.stderr.strip()}")
    if elapsed < MIN_WINDOW_SECONDS:
        raise SmokeFailure(f"window: exit 0 after {elapsed:.2f} s, before the window could show")
    extra = unexpected_stderr(done.stderr)
    if extra:
        raise SmokeFailure("window: unexpected stderr:\n  " + "\n  ".join(extra))
    logged = logged_problems(Path(env["MAILVIEW_CONFIG_DIR"]))
    if logged:
        raise SmokeFailure("window: the log has problems:\n  " + "\n  ".join(logged))
    return elapsed


def logged_problems(config_dir: Path) -> list[str]:
    """WARNING and worse lines of the app's log (mailview/gui/logs.py), if it keeps one."""
    lines: list[str] = []
    for log in sorted(config_dir.glob("logs/*.log*")):
        text = log.read_text(encoding="utf-8", errors="replace")
        lines += [line for line in text.splitlines() if PROBLEM_LOG_LINE.search(line)]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("program", help="the mailview executable to test")
    parser.add_argument("--no-gui", action="store_true", help="skip the window check")
    args = parser.parse_args(argv)
    program = str(Path(args.program).resolve())
    failures = 0
    with tempfile.TemporaryDirectory(prefix="mailview-smoke-") as folder:
        scratch = Path(folder)
        env = scratch_env(scratch)
        checks = [("version", check_version), ("analyze", check_analyze)]
        if not args.no_gui:
            checks.append(("window", check_window))
        for label, check in checks:
            try:
                result = check(program, scratch, env)
            except SmokeFailure as failure:
                failures += 1
                print(f"FAIL {label}: {failure}")
            else:
                detail = f" ({result:.1f} s)" if isinstance(result, float) else ""
                detail = f" ({result})" if isinstance(result, str) else detail
                print(f"ok   {label}{detail}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
