"""Process start to window shown, and to the sample's diagram drawn.

    .venv/bin/python bench/gui_startup.py [--runs N]

Starts `mailview` in a fresh process each run (on Qt's offscreen platform unless a
DISPLAY is set and --real is given) and prints the median and best times from process
start to (a) the main window shown and (b) the bundled sample's hop diagram drawn.
Target: window in at most 1.0 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CHILD = """
import sys
from PySide6.QtCore import QTimer
from mailview.assets import sample_message
from mailview.gui.app import create_application
from mailview.gui.message_tab import READY
from mailview.gui.settings import Settings
from mailview.gui.window import MainWindow

app = create_application()
window = MainWindow(Settings())
window.show()
app.processEvents()
print("shown", flush=True)
tab = window.open_paths([str(sample_message())])[0]

def check():
    if tab.state == READY and tab.diagram.hop_item_count() > 0:
        print("ready", flush=True)
        app.quit()
    else:
        QTimer.singleShot(1, check)

QTimer.singleShot(0, check)
app.exec()
"""


def one_run(env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    marks: dict[str, float] = {}
    for line in child.stdout:
        marks[line.strip()] = time.perf_counter() - start
    _, errors = child.communicate()
    if child.returncode != 0 or {"shown", "ready"} - marks.keys():
        raise SystemExit(f"the app did not start cleanly (exit {child.returncode}):\n{errors}")
    return marks["shown"], marks["ready"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--real", action="store_true", help="use the real display")
    args = parser.parse_args()
    env = dict(os.environ)
    env["MAILVIEW_CONFIG_DIR"] = env.get("MAILVIEW_CONFIG_DIR", "/tmp/mailview-bench-config")
    if not args.real:
        env["QT_QPA_PLATFORM"] = "offscreen"
    one_run(env)  # warm the file cache: we measure start-up, not the disk
    runs = [one_run(env) for _ in range(args.runs)]
    shown, ready = [r[0] for r in runs], [r[1] for r in runs]
    print(f"platform:                 {env.get('QT_QPA_PLATFORM', 'default')}")
    for label, values in (("window shown", shown), ("sample diagram", ready)):
        median, best = statistics.median(values), min(values)
        print(f"start to {label + ':':16} median {median:.3f} s, best {best:.3f} s")
    print("target: window shown in <= 1.0 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
