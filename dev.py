#!/usr/bin/env python3
"""Set up mailview in a local virtual environment and run it or its checks.

    python3 dev.py run     # install into .venv (first time) and open the app on the sample
    python3 dev.py test    # install with the test tools and run every check

Only the standard library is used here, so this works on a fresh Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
SAMPLE = ROOT / "resources" / "samples" / "sample-phish.eml"


def ensure_venv(extras: str) -> None:
    """Create .venv and (re)install mailview when pyproject.toml or the extras change."""
    if not PYTHON.exists():
        print("dev: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    target = f".[{extras}]" if extras else "."
    print(f"dev: installing mailview{f'[{extras}]' if extras else ''} into .venv", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-e", target], cwd=ROOT, check=True)
    stamp.write_text(wanted)


def run(*command: str) -> int:
    print("dev: " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def tool(name: str) -> str:
    return str(BIN / name)


def test(pytest_args: list[str]) -> int:
    ensure_venv("test")
    checks = [
        (tool("ruff"), "check", "."),
        (tool("ruff"), "format", "--check", "."),
        (tool("mypy"),),
        (tool("lint-imports"),),
    ]
    failed = [c[0] for c in checks if run(*c) != 0]
    status = run(tool("pytest"), *pytest_args)
    if failed:
        print(f"dev: failed: {', '.join(Path(f).name for f in failed)}", flush=True)
        return 1
    return status


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "test":
        return test(argv[1:])
    ensure_venv("")
    return run(tool("mailview"), str(SAMPLE), *argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
