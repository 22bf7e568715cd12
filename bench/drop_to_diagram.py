"""Drop to diagram drawn, over the shared corpus: a real drop event per message.

    .venv/bin/python bench/drop_to_diagram.py [CORPUS_DIR]

For each message a QDropEvent carrying its file URL is sent to the main window (Qt's
offscreen platform); the clock runs until its tab has the analysis and the diagram is
painted (or the error sentence is), by the app's own next frame. Prints the median and p95.

Between drops the tab is closed and the window left idle for a moment, as it is between
a user's drops: the closed tab is deleted then, and the window prepares its next tab
(`--back-to-back` drops at once instead, so that work lands in the next drop's time).
Target: median <= 30 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MAILVIEW_CONFIG_DIR", "/tmp/mailview-bench-config")

from PySide6.QtCore import (
    QEvent,
    QEventLoop,
    QMimeData,
    QObject,
    QPoint,
    QPointF,
    Qt,
    QTimer,
    QtMsgType,
    QUrl,
    qInstallMessageHandler,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from mailview.gui.app import create_application
from mailview.gui.message_tab import LOADING, MessageTab
from mailview.gui.settings import Settings
from mailview.gui.window import MainWindow

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SKIP = {"SOURCES.md", "MANIFEST.tsv"}
IDLE_MS = 100  # the window's idle time between two drops
PAINT_TIMEOUT_MS = 20_000


def drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPoint(window.width() // 2, window.height() // 2)
    actions = Qt.DropAction.CopyAction
    button, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(window, QDragEnterEvent(point, actions, mime, button, modifiers))
    QApplication.sendEvent(window, QDropEvent(QPointF(point), actions, mime, button, modifiers))


def idle(ms: int) -> None:
    """Run the event loop for `ms` milliseconds, as the app does between user actions."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class FirstPaint(QObject):
    """Quits `loop` once a watched widget has been painted with the tab's result (not its
    "Analysing…" page): the quit is posted from the paint, so it runs once the frame is
    drawn. That frame is the one the user sees, painted by the app's own update."""

    def __init__(self, tab: MessageTab, loop: QEventLoop) -> None:
        super().__init__()
        self.tab, self.loop, self.painted = tab, loop, False
        for widget in (tab.diagram.viewport(), tab.status):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.tab.state != LOADING and not self.painted:
            self.painted = True
            QTimer.singleShot(0, self.loop.quit)
        return False


def time_one(
    app: QApplication, window: MainWindow, path: Path, settle: bool = True
) -> float | None:
    """From the drop to the tab painted with its result. The wait is a real event loop
    (not a busy processEvents() spin, which would fight the worker thread for the GIL).
    None for an mbox of several messages, which opens a queue, not a diagram."""
    start = time.perf_counter()
    drop(window, path)
    last = window.tab_count() - 1
    if not isinstance(window.tabs.widget(last), MessageTab):
        window.close_tab(last)
        if settle:
            idle(IDLE_MS)
        return None
    tab = window.tab(last)
    loop = QEventLoop()
    watch = FirstPaint(tab, loop)
    QTimer.singleShot(PAINT_TIMEOUT_MS, loop.quit)
    loop.exec()
    elapsed = time.perf_counter() - start
    if not watch.painted:
        raise SystemExit(f"{path}: no result painted within {PAINT_TIMEOUT_MS} ms")
    window.close_tab(window.tab_count() - 1)
    if settle:
        idle(IDLE_MS)
    return elapsed


def quiet_size_hint_warning(kind: QtMsgType, context: object, message: str) -> None:
    """The offscreen platform warns on every new tab that it has no window manager."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--back-to-back", action="store_true", help="no idle time between drops")
    args = parser.parse_args()
    corpus, settle = args.corpus, not args.back_to_back
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name not in SKIP)
    if not files:
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 1
    qInstallMessageHandler(quiet_size_hint_warning)
    app = create_application()
    window = MainWindow(Settings())
    window.resize(1400, 900)
    window.show()
    time_one(app, window, files[0], settle)  # first use loads fonts and the suffix list
    runs = (time_one(app, window, path, settle) for path in files)
    times = sorted(t for t in runs if t is not None)
    p95 = statistics.quantiles(times, n=100)[94]
    print(f"messages:               {len(times)}{' (back to back)' if not settle else ''}")
    print(f"drop to diagram median: {statistics.median(times) * 1000:.1f} ms")
    print(f"drop to diagram p95:    {p95 * 1000:.1f} ms   (max {times[-1] * 1000:.1f} ms)")
    print("target: median <= 30 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
