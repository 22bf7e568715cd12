"""Analysis off the GUI thread: jobs run in the global QThreadPool, results come back queued.

Strategy (after Anki's `aqt/operations`): the GUI thread only submits a plain-Python
`Source` and later builds widgets from the result; reading the file, the analysis and
decoding the source text for display all happen in a pool thread. A task reports
through a private relay object whose signals are connected *queued* to the Worker, and
the Worker re-emits them on the GUI thread — so whoever listens (a lambda included) is
always called on the GUI thread. Every job gets an id; callers keep the id of their
latest job and drop any other result (a slow first drop must not overwrite a second).

The analysis core is imported by the first job, in its pool thread, not when this module
is: the window is shown before the core has loaded.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, SignalInstance, Slot

from mailview.core.errors import InputError
from mailview.gui.inputs import PathSource, Source, TextSource

if TYPE_CHECKING:
    from mailview.core.analyze import AnalysisOptions
    from mailview.core.enrichment import GeoSource
    from mailview.core.model import Report
    from mailview.enrich.pipeline import OnlineSettings

log = logging.getLogger(__name__)

# The source view shows at most this many characters: a 50 MB message is mostly base64
# attachments, and a QPlainTextEdit holding all of it costs seconds and hundreds of MB.
SOURCE_VIEW_LIMIT = 2_000_000  # characters of text, or bytes of a file

# Where the latest job of a message tab stands: its state, shown by the tab and the window.
LOADING, READY, FAILED = "loading", "ready", "failed"


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything a message tab shows, prepared off the GUI thread."""

    report: Report
    source_text: str  # the input decoded as UTF-8 with replacement, maybe cut short
    source_note: str | None = None  # why the source view is incomplete, in words
    returned: Report | None = None  # a bounce's returned original, analysed: its route failed


Analyze = Callable[[Source], Analysis]


def analyze_source(
    source: Source,
    options: AnalysisOptions | None = None,
    online: OnlineSettings | None = None,
) -> Analysis:
    """Read and analyse `source` — offline unless `online` is given (the user's choice);
    raises InputError with a sentence for the user."""
    from mailview.core.analyze import analyze_bytes, analyze_returned, analyze_text  # noqa: PLC0415
    from mailview.core.load import read_path  # noqa: PLC0415

    if isinstance(source, TextSource):
        text, name = source.text, source.name
        report = _run(lambda o: analyze_text(text, name, o), options, online)
        shown = source.text[:SOURCE_VIEW_LIMIT]
        returned = analyze_returned(text.encode("utf-8", "surrogateescape"), report, options)
        return Analysis(report, shown, _cut_note(len(source.text), "characters"), returned)
    if isinstance(source, PathSource):
        data = read_path(source.path)
        name = source.title
    else:
        data, name = source.data, source.name
    report = _run(lambda o: analyze_bytes(data, name, None, o), options, online)
    # Only the head is decoded: decoding 50 MB to throw most of it away is waste. A
    # character cut in half at the end becomes one replacement mark, which is honest.
    shown = data[:SOURCE_VIEW_LIMIT].decode("utf-8", "replace")
    # The original is analysed offline: its route is drawn, nothing about it is looked up.
    returned = analyze_returned(data, report, options)
    return Analysis(report, shown, _cut_note(len(data), "bytes"), returned)


def _run(
    analyse: Callable[[AnalysisOptions], Report],
    options: AnalysisOptions | None,
    online: OnlineSettings | None,
) -> Report:
    from mailview.core.analyze import AnalysisOptions  # noqa: PLC0415
    from mailview.enrich.pipeline import analyze_online  # noqa: PLC0415

    options = options or AnalysisOptions()
    return analyse(options) if online is None else analyze_online(analyse, options, online)


def options_for(key_folder: Path, geo: GeoSource | None = None) -> AnalysisOptions:
    """The analysis options of the app: DKIM/ARC keys kept in `key_folder`, if it exists,
    and the geo databases.

    Old mail's keys are often rotated out of DNS; an analyst keeps the records they
    collected there (SELECTOR._domainkey.DOMAIN.txt) and signatures verify offline.
    """
    from mailview.core.analyze import AnalysisOptions  # noqa: PLC0415
    from mailview.core.auth.keys import OfflineKeys  # noqa: PLC0415

    keys = OfflineKeys.from_directory(key_folder) if key_folder.is_dir() else None
    return AnalysisOptions(keys=keys, geo=geo)


def _cut_note(size: int, unit: str) -> str | None:
    if size <= SOURCE_VIEW_LIMIT:
        return None
    return (
        f"The source view shows the first {SOURCE_VIEW_LIMIT / 1e6:.0f} million {unit} of "
        f"{size / 1e6:.1f} million; the analysis read all of it."
    )


class _Relay(QObject):
    """Lives on the GUI thread; tasks emit on it from pool threads."""

    succeeded = Signal(int, object)
    failed = Signal(int, str)


class _AnalysisTask(QRunnable):
    def __init__(self, job_id: int, source: Source, analyze: Analyze, relay: _Relay) -> None:
        super().__init__()
        self._job_id = job_id
        self._source = source
        self._analyze = analyze
        self._relay = relay

    def run(self) -> None:
        try:
            analysis = self._analyze(self._source)
        except InputError as err:
            self._emit(self._relay.failed, err.sentence)
        except Exception as err:  # a bug must end as a message in the tab, not a dead job
            log.exception("analysis of %r failed", self._source.title)
            self._emit(
                self._relay.failed,
                f"mailview could not analyse this input because of an internal error "
                f"({type(err).__name__}: {err}). Please report it with the input if you can.",
            )
        else:
            self._emit(self._relay.succeeded, analysis)

    def _emit(self, signal: SignalInstance, payload: object) -> None:
        try:
            signal.emit(self._job_id, payload)
        except RuntimeError:
            # The window (and the relay with it) was closed while the job ran: the
            # result has nobody to go to.
            log.debug("job %d finished after its worker was deleted", self._job_id)


class Worker(QObject):
    """Runs analyses in a thread pool; `succeeded`/`failed` arrive on the GUI thread."""

    succeeded = Signal(int, object)  # job id, Analysis
    failed = Signal(int, str)  # job id, one sentence for the user

    def __init__(
        self,
        analyze: Analyze = analyze_source,
        pool: QThreadPool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._analyze = analyze
        self._pool = pool or QThreadPool.globalInstance()
        self._relay = _Relay(self)
        queued = Qt.ConnectionType.QueuedConnection
        self._relay.succeeded.connect(self._deliver_success, queued)
        self._relay.failed.connect(self._deliver_failure, queued)
        self._pending: set[int] = set()

    # Ids are unique across workers, so a result can never be mistaken for another's.
    _ids = itertools.count(1)

    def set_default_analyze(self, analyze: Analyze) -> None:
        """What later jobs run when none is given (new settings); running ones keep theirs."""
        self._analyze = analyze

    def submit(self, source: Source, analyze: Analyze | None = None) -> int:
        """Start analysing `source` (with `analyze` instead of the worker's own, if given);
        returns the job's id."""
        job_id = next(Worker._ids)
        self._pending.add(job_id)
        task = _AnalysisTask(job_id, source, analyze or self._analyze, self._relay)
        self._pool.start(task)
        return job_id

    def pending(self) -> int:
        """How many submitted jobs have not reported yet."""
        return len(self._pending)

    @Slot(int, object)
    def _deliver_success(self, job_id: int, analysis: object) -> None:
        self._pending.discard(job_id)
        self.succeeded.emit(job_id, analysis)

    @Slot(int, str)
    def _deliver_failure(self, job_id: int, sentence: str) -> None:
        self._pending.discard(job_id)
        self.failed.emit(job_id, sentence)
