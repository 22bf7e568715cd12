"""Process start to window shown, and to the sample's diagram drawn.

    .venv/bin/python bench/gui_startup.py [--runs N] [--entry cli|app]

Starts `mailview SAMPLE` in a fresh process each run (on Qt's offscreen platform unless
a DISPLAY is set and --real is given) and prints the median and best times from process
start to (a) the main window's first frame painted, showing the sample opening, and
(b) the sample's hop diagram drawn. `--entry app` skips the command line's own start.
Target: window shown in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from mailview.assets import sample_message

CHILD = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from mailview.gui.app import create_application

app = create_application()


class FirstFrame(QObject):
    # "shown": the main window's first Expose has been handled, which is when Qt paints
    # it; the mark is printed from a call posted there, so after that painting. The page
    # painted must be the welcome or "Opening…" page (or a tab): never a blank frame.
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Expose and isinstance(watched, QWindow):
            if watched.isExposed() and "mailview" in watched.title():
                app.removeEventFilter(self)
                QTimer.singleShot(0, shown)
        return False


def main_window():
    return next(w for w in app.topLevelWidgets() if w.objectName() == "mainWindow")


def shown():
    window = main_window()
    page = window.stack.currentWidget()
    assert window.isVisible() and page.isVisible(), "the window shows nothing yet"
    print("shown", page.objectName(), flush=True)
    QTimer.singleShot(1, check)


def check():
    tab = main_window().current_tab()
    if tab is not None and tab.state == "ready" and tab.diagram.hop_item_count() > 0:
        print("ready", flush=True)
        app.quit()
    else:
        QTimer.singleShot(1, check)


watch = FirstFrame()
app.installEventFilter(watch)
if sys.argv[1] == "cli":
    from mailview.cli import main
    sys.exit(main(sys.argv[2:]))
from mailview.gui.app import run
sys.exit(run(sys.argv[2:]))
"""


def one_run(env: dict[str, str], entry: str) -> tuple[float, float]:
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, entry, str(sample_message())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    marks: dict[str, float] = {}
    for line in child.stdout:
        marks[line.split()[0]] = time.perf_counter() - start
    _, errors = child.communicate()
    if child.returncode != 0 or {"shown", "ready"} - marks.keys():
        raise SystemExit(f"the app did not start cleanly (exit {child.returncode}):\n{errors}")
    return marks["shown"], marks["ready"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--real", action="store_true", help="use the real display")
    parser.add_argument(
        "--entry",
        choices=("cli", "app"),
        default="cli",
        help="start through the `mailview FILE` command (default) or the app's own run()",
    )
    args = parser.parse_args()
    env = dict(os.environ)
    env["MAILVIEW_CONFIG_DIR"] = env.get("MAILVIEW_CONFIG_DIR", "/tmp/mailview-bench-config")
    if not args.real:
        env["QT_QPA_PLATFORM"] = "offscreen"
    one_run(env, args.entry)  # warm the file cache: we measure start-up, not the disk
    runs = [one_run(env, args.entry) for _ in range(args.runs)]
    shown, ready = [r[0] for r in runs], [r[1] for r in runs]
    print(f"platform:                 {env.get('QT_QPA_PLATFORM', 'default')}, entry {args.entry}")
    for label, values in (("window shown", shown), ("sample diagram", ready)):
        median, best = statistics.median(values), min(values)
        print(f"start to {label + ':':16} median {median:.3f} s, best {best:.3f} s")
    print("target: window (with the sample opening) shown in <= 0.5 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
