"""Running the real command line in a subprocess, for the CLI tests."""

from __future__ import annotations

import subprocess
import sys


def mailview(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m mailview ARGS`, its output as text; no test may see a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "mailview", *args], capture_output=True, text=True, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done
