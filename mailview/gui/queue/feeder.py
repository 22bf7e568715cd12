"""Filling a queue off the GUI thread: list the inputs, analyse them in a pool, hand rows over.

Strategy: a feeder thread walks the inputs (folders in sorted order, mbox files a message
at a time, as `mailview batch` does) and keeps a bounded number of tasks in flight in a
process pool (the analysis is pure Python: threads would share one core and the GUI
thread's time with it). Each finished task's compact rows are gathered and handed to the
GUI thread in batches at most every `FLUSH_SECONDS` through a queued signal, so the GUI
thread only inserts rows. When all are in, the campaigns are grouped on the feeder thread
too. Cancel stops feeding and drops what has not started; closing the tab cancels.
`jobs=0` analyses on the feeder thread itself (no processes: tests, tiny inputs).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.campaigns import Traits, group
from mailview.core.errors import InputError
from mailview.core.stream import count_messages, iter_files, iter_messages
from mailview.enrich.geo import open_geo
from mailview.gui.worker import options_for
from mailview.long_lived import freeze_start_up, settle_once
from mailview.present.triage import QueueRow, failed_row, row_of

logger = logging.getLogger(__name__)
TASK_MESSAGES = 8  # messages per pool task: small, so the first rows come back quickly
IN_FLIGHT_PER_JOB = 3
FLUSH_SECONDS = 0.05  # the GUI thread inserts rows at most ~20 times a second
MAX_JOBS = 4


@dataclass(frozen=True, slots=True)
class Setup:
    """What every queue worker analyses with, as plain values a spawned process can take:
    the geo databases the user named and the folder of DKIM keys (the app's own settings)."""

    geo_paths: tuple[str, ...] = ()
    app_dir: str | None = None
    key_folder: str | None = None

    def options(self) -> AnalysisOptions:
        geo = open_geo(
            explicit=[Path(p) for p in self.geo_paths],
            app_data_dir=None if self.app_dir is None else Path(self.app_dir),
        )
        keys = Path(self.key_folder) if self.key_folder else Path(os.devnull)
        return options_for(keys, geo)


_worker_options: AnalysisOptions | None = None  # per worker process, set by _start_worker


def _start_worker(setup: Setup) -> None:
    global _worker_options  # noqa: PLW0603 - one per worker process, set once at its start
    _worker_options = setup.options()
    freeze_start_up()


def analyse_rows(
    task: list[tuple[str, bytes]], options: AnalysisOptions | None = None
) -> list[QueueRow]:
    """The queue rows of a task's messages; an unreadable one is a row saying why."""
    options = options or _worker_options
    rows = []
    for label, data in task:
        try:
            report = analyze_bytes(data, os.path.basename(label), options=options)
        except InputError as err:
            rows.append(failed_row(label, hashlib.sha256(data).hexdigest(), err.sentence))
            continue
        rows.append(row_of(label, report))
    return rows


def _worker_rows(task: list[tuple[str, bytes]]) -> list[QueueRow]:
    """`analyse_rows` in a worker process, which then keeps what its first task loaded
    out of the collector's sight."""
    rows = analyse_rows(task)
    settle_once()
    return rows


def default_jobs() -> int:
    return max(1, min(MAX_JOBS, (os.cpu_count() or 2) - 1))


class QueueFeeder(QObject):
    """Signals arrive on the thread that owns the feeder (the GUI thread)."""

    rowsReady = Signal(list)  # list[QueueRow]
    totalKnown = Signal(int)  # about how many messages there are
    campaignsReady = Signal(object)  # Grouping, aligned with the rows in arrival order
    finished = Signal(bool)  # True when cancelled
    failed = Signal(str)  # what went wrong, in words

    def __init__(
        self,
        paths: Sequence[str],
        jobs: int | None = None,
        parent: QObject | None = None,
        setup: Setup | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = list(paths)
        self.setup = setup or Setup()
        self._options: AnalysisOptions | None = None  # this process's, made on first use
        self.jobs = default_jobs() if jobs is None else jobs
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="queue-feeder", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # --- the feeder thread ----------------------------------------------------------

    def _emit(self, name: str, *args: object) -> None:
        """Emit from the feeder thread; when the tab (and so this object) is already gone,
        nobody listens: stop feeding instead of failing in the thread."""
        try:
            getattr(self, name).emit(*args)
        except RuntimeError:  # "Signal source has been deleted"
            self._cancel.set()

    def _run(self) -> None:
        try:
            traits: list[Traits] = []
            listed = list(iter_files(self.paths))
            self._emit("totalKnown", sum(count_messages(f.path) for f in listed if f.error is None))
            self._pump(self._tasks(listed), traits)
            if not self.cancelled:
                self._emit("campaignsReady", group(traits))
        except Exception:  # the queue must end either way; the log keeps the traceback
            logger.exception("the queue could not be filled")
            self._emit(
                "failed",
                "Some messages could not be analysed: an internal error stopped the queue.",
            )
        finally:
            self._emit("finished", self.cancelled)

    def _pool(self) -> Executor | None:
        if self.jobs <= 0:
            return None
        # spawn: a forked child of a Qt process inherits its threads' locks half-held.
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(
            self.jobs, mp_context=context, initializer=_start_worker, initargs=(self.setup,)
        )

    def _here(self, task: list[tuple[str, bytes]]) -> list[QueueRow]:
        """A task analysed on the feeder's own thread, with the same options as a worker."""
        if self._options is None:
            self._options = self.setup.options()
        return analyse_rows(task, self._options)

    def _tasks(self, listed: list) -> Iterator[list[tuple[str, bytes]] | list[QueueRow]]:  # type: ignore[type-arg]
        task: list[tuple[str, bytes]] = []
        for entry in listed:
            if entry.error is not None:
                yield [failed_row(entry.path, "", entry.error.sentence)]
                continue
            try:
                for item in iter_messages(entry.path):
                    task.append(item)
                    if len(task) >= TASK_MESSAGES:
                        yield task
                        task = []
            except InputError as err:
                yield [failed_row(entry.path, "", err.sentence)]
            if self.cancelled:
                return
        if task:
            yield task

    def _pump(self, tasks: Iterator[list], traits: list[Traits]) -> None:  # type: ignore[type-arg]
        pool = self._pool()
        try:
            self._feed(tasks, pool, traits)
        finally:
            if pool is not None:
                pool.shutdown(wait=not self.cancelled, cancel_futures=True)

    def _feed(self, tasks: Iterator[list], pool: Executor | None, traits: list[Traits]) -> None:  # type: ignore[type-arg]
        pending: deque[Future[list[QueueRow]]] = deque()
        batch: list[QueueRow] = []
        last = time.monotonic()
        limit = max(1, self.jobs) * IN_FLIGHT_PER_JOB

        def take(rows: list[QueueRow]) -> None:
            nonlocal batch, last
            batch += rows
            traits.extend(r.traits or Traits(key=f"unread:{len(traits)}") for r in rows)
            if time.monotonic() - last >= FLUSH_SECONDS:
                self._emit("rowsReady", batch)
                batch, last = [], time.monotonic()

        for position, task in enumerate(tasks):
            if self.cancelled:
                break
            if task and isinstance(task[0], QueueRow):
                take(task)
            elif pool is None or position == 0:
                # The first task here: its rows show while the pool's processes start.
                take(self._here(task))
            else:
                try:
                    pending.append(pool.submit(_worker_rows, task))
                except (RuntimeError, OSError):  # no processes to be had: do it here
                    logger.warning("queue workers could not start; analysing in one thread")
                    pool = None
                    take(self._here(task))
            while pending and (len(pending) >= limit or pending[0].done()):
                take(pending.popleft().result())
        while pending and not self.cancelled:
            take(pending.popleft().result())
        if batch:
            self._emit("rowsReady", batch)
