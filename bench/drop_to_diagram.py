"""Drop to diagram drawn, over the shared corpus: a real drop event per message.

    .venv/bin/python bench/drop_to_diagram.py [CORPUS_DIR]

For each message a QDropEvent carrying its file URL is sent to the main window (Qt's
offscreen platform); the clock runs until its tab has the analysis and the diagram is
drawn (or the error sentence is shown). Prints the median and p95.
Targets: median <= 50 ms, p95 <= 150 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MAILVIEW_CONFIG_DIR", "/tmp/mailview-bench-config")

from PySide6.QtCore import (
    QEventLoop,
    QMimeData,
    QPoint,
    QPointF,
    Qt,
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


def drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPoint(window.width() // 2, window.height() // 2)
    actions = Qt.DropAction.CopyAction
    button, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(window, QDragEnterEvent(point, actions, mime, button, modifiers))
    QApplication.sendEvent(window, QDropEvent(QPointF(point), actions, mime, button, modifiers))


def time_one(app: QApplication, window: MainWindow, path: Path) -> float | None:
    """From the drop to the tab painted with its result. The wait is a real event loop
    (not a busy processEvents() spin, which would fight the worker thread for the GIL).
    None for an mbox of several messages, which opens a queue, not a diagram."""
    start = time.perf_counter()
    drop(window, path)
    last = window.tab_count() - 1
    if not isinstance(window.tabs.widget(last), MessageTab):
        window.close_tab(last)
        return None
    tab = window.tab(last)
    if tab.state == LOADING:
        loop = QEventLoop()

        def settled() -> None:
            if tab.state != LOADING:
                loop.quit()

        tab.stateChanged.connect(settled)
        loop.exec()
    tab.repaint()  # paint what it built, as the next frame would
    elapsed = time.perf_counter() - start
    window.close_tab(window.tab_count() - 1)
    return elapsed


def quiet_size_hint_warning(kind: QtMsgType, context: object, message: str) -> None:
    """The offscreen platform warns on every new tab that it has no window manager."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name not in SKIP)
    if not files:
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 1
    qInstallMessageHandler(quiet_size_hint_warning)
    app = create_application()
    window = MainWindow(Settings())
    window.resize(1400, 900)
    window.show()
    time_one(app, window, files[0])  # first use loads fonts and the suffix list
    times = sorted(t for path in files if (t := time_one(app, window, path)) is not None)
    p95 = statistics.quantiles(times, n=100)[94]
    print(f"messages:               {len(times)}")
    print(f"drop to diagram median: {statistics.median(times) * 1000:.1f} ms")
    print(f"drop to diagram p95:    {p95 * 1000:.1f} ms   (max {times[-1] * 1000:.1f} ms)")
    print("targets: median <= 50 ms, p95 <= 150 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
