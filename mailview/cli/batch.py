"""`mailview batch PATH... [--out FILE] [--jobs N] [--quiet]`: many messages, JSON Lines out.

Strategy: the main process lists the inputs (`core.stream`: folders walked in sorted
order, mbox files streamed a message at a time) and hands each message's bytes to a pool
of worker processes, which analyse it and return the JSON line already serialised plus
the few plain facts the summary needs, so the main process only reads, writes and
counts. At most `jobs × 4` messages are in flight and results are written in input order
(a finished message waits only for the ones before it), so memory stays flat however big
the input and the output is the same whatever `--jobs` is. Ctrl+C sets a flag: feeding
stops, the messages in flight finish and are written, the summary is printed, exit 130;
a second Ctrl+C stops at once. Workers ignore SIGINT (a terminal sends it to the whole
process group) so that they finish what they were given; they never import Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import ipaddress
import os
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import field
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO, NoReturn, TextIO, cast

from mailview.cli.campaign_out import campaign_lines, finish_output
from mailview.cli.commands import add_batch
from mailview.cli.options import analysis_options
from mailview.cli.status import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from mailview.cli.terminal import say, visible
from mailview.core.analyze import AnalysisOptions, analyze_bytes
from mailview.core.campaigns import Campaign
from mailview.core.errors import InputError
from mailview.core.model import GeoInfo, Report
from mailview.core.record import mutable_record, record
from mailview.core.stream import Listed, count_messages, iter_files, iter_messages
from mailview.core.verdict import verdict_of
from mailview.export.json_report import dumps, error_to_dict, report_to_dict
from mailview.export.writer import Outputs, WriteRefused, open_atomic, partial_name_of
from mailview.long_lived import freeze_start_up, settle_once
from mailview.present.place import network_text
from mailview.present.triage import QueueRow, failed_row, row_of

EXIT_SOME_UNREADABLE = EXIT_FAILED  # 1: the batch ran, but not every input was a message
IN_FLIGHT_PER_JOB = 4  # tasks: enough to keep every worker busy while the oldest is written
# Messages go to the workers in tasks of a few: the pool's own cost per task (futures,
# pickling, queue hand-offs) is then paid once per task rather than once per message.
TASK_MESSAGES = 16
TASK_BYTES = 1024 * 1024
PROGRESS_INTERVAL = 0.1  # seconds between progress redraws: at most ~10 a second
TOP = 5  # rows in each "top" list of the summary
LEVELS = ("high", "medium", "low", "info", "none")

# The analysis options as plain, picklable values; each worker builds its own
# AnalysisOptions from them (the geo databases and key store open per process).
_OPTION_NAMES = ("own_domain", "own_network", "wrapper", "strict", "dkim_keys", "geoip_db")


# The parser is built where the commands are listed; it is named here too.
add_parser = add_batch


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.message is not None:
        parser.error("--message picks one message of one file; batch analyses them all")
    if args.online or args.resolver or args.dnsbl:
        parser.error("batch analyses offline; --online, --resolver and --dnsbl do not apply")
    try:
        analysis_options(args)  # usage errors here, before any worker starts
    except ValueError as err:
        parser.error(str(err))
    settings = {name: getattr(args, name) for name in _OPTION_NAMES}
    outputs = Outputs()
    try:
        _claim_output(outputs, args.paths, args.out)
        if args.csv is not None:
            outputs.claim(args.csv, what="the queue as CSV")
    except WriteRefused as err:
        say(str(err))
        return EXIT_FAILED
    show_progress = not args.quiet and sys.stderr.isatty()
    # The campaigns are known only once every message is in: the lines wait in a spool.
    spool = _spool_for(args.out)
    try:
        tally = run_batch(
            args.paths,
            spool,
            settings,
            args.jobs,
            progress=show_progress,
            echo=args.quiet,
            outputs=outputs,
        )
        if args.out is None:
            finish_output(tally, spool, sys.stdout.buffer, args)
        else:
            # Written beside and renamed over at the end: an input is read before any
            # file is replaced, and a failed run leaves the old file as it was.
            with open_atomic(args.out) as sink:
                finish_output(tally, spool, sink, args)
    except OSError as err:
        say(str(err))
        return EXIT_FAILED
    finally:
        spool.close()
    if not args.quiet:
        print_summary(tally, sys.stderr)
    if tally.workers_ended:
        _leave_now(tally.exit_status())
    return tally.exit_status()


def _leave_now(status: int) -> NoReturn:
    """Exit without Python's exit-time join of the pool's manager thread: it can wait
    forever on a worker ended in the middle of its answer. Everything is written by now."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def _spool_for(out: Path | None) -> BinaryIO:
    """Where the lines wait for their campaigns: hidden beside `--out` (so the space it
    takes is on the output's disk, and a folder listing of this run skips it as one of
    its own temporary files), removed when closed; anonymous for standard output."""
    if out is None or not out.parent.is_dir():
        return cast(BinaryIO, tempfile.TemporaryFile())
    spool = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the caller closes it
        dir=out.parent, prefix=f".{out.name}.", suffix=".spool.partial"
    )
    return cast(BinaryIO, spool)


def _claim_output(outputs: Outputs, paths: Sequence[str], out: Path | None) -> None:
    """Register the inputs and claim `--out`: never one of the inputs, and never a file the
    run would read (inside a folder it walks) unless it is a former output (JSON Lines)."""
    for path in paths:
        outputs.add_input(path)
    if out is None:
        return
    outputs.claim(out)
    if out.is_file() and not _former_output(out):
        inside = [p for p in paths if os.path.isdir(p) and _is_within(out, Path(p))]
        if inside:
            raise WriteRefused(
                f"{out} is a file inside the folder {inside[0]} this run reads; "
                "it is never written to."
            )


def _former_output(path: Path) -> bool:
    """JSON Lines start with '{'; no message does."""
    try:
        with open(path, "rb") as handle:
            return handle.read(1) in (b"{", b"")
    except OSError:
        return False


def _is_within(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _reason(err: OSError) -> str:
    return (err.strerror or str(err)).lower()


# --- the work a worker does -------------------------------------------------------------


@record
class Outcome:
    """One message's JSON line and the facts the summary counts; plain data, picklable."""

    label: str
    line: str
    error: str | None = None  # the InputError sentence when it could not be read
    skipped: bool = False  # a file found in a folder that holds no mail (a README): not counted
    level: str | None = None
    origin_ip: str | None = None
    country: str | None = None
    findings: tuple[tuple[str, str], ...] = ()  # (code, title)
    owner: str | None = None  # the origin's network owner: "AS8075 Microsoft"
    bounce: tuple[str, ...] | None = None  # a delivery report: "reason@domain" per failure
    row: QueueRow | None = None  # the queue's compact row: campaign traits, CSV cells


_options: AnalysisOptions | None = None  # per worker process, set by _start_worker


def _start_worker(settings: dict[str, object]) -> None:
    global _options  # noqa: PLW0603 - one AnalysisOptions per process, built once
    # The terminal sends Ctrl+C to every process of the group; the main process decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _options = analysis_options(argparse.Namespace(**settings))
    freeze_start_up()


def analyse(
    label: str, data: bytes, options: AnalysisOptions | None = None, *, found: bool = False
) -> Outcome:
    """Analyse one message; an unreadable one becomes its error document, never an exception
    (unless `strict` asks for failing rules to raise). A file `found` in a folder that is
    not mail at all is skipped rather than reported."""
    chosen = options or _options or AnalysisOptions()
    try:
        report = analyze_bytes(data, label, options=chosen)
        return _outcome(label, report)
    except InputError as err:
        if found and err.not_mail:
            return Outcome(label, "", error=err.sentence, skipped=True)
        return failure(label, err.sentence, hashlib.sha256(data).hexdigest())
    except Exception as err:
        # A bug met on one message must not end a run of ten thousand: that message gets
        # its error document, the others are analysed (--strict shows the traceback).
        if chosen.strict:
            raise
        sentence = f"mailview could not analyse this message ({type(err).__name__}: {err})."
        return failure(label, sentence, hashlib.sha256(data).hexdigest())


_Item = tuple[str, bytes, bool]  # (label, message bytes, found in a folder)


def _analyse_task(task: list[_Item]) -> list[Outcome]:
    outcomes = [analyse(label, data, found=found) for label, data, found in task]
    settle_once()  # what the first messages loaded lives as long as the worker
    return outcomes


def failure(label: str, sentence: str, sha256: str | None) -> Outcome:
    line = dumps(error_to_dict(label, sha256, sentence), pretty=False)
    return Outcome(label, line, error=sentence, row=failed_row(label, sha256 or "", sentence))


def _outcome(label: str, report: Report) -> Outcome:
    origin_ip, geo = _origin(report)
    return Outcome(
        label,
        dumps(report_to_dict(report), pretty=False),
        level=verdict_of(report).level,  # judged once, by the analysis
        origin_ip=origin_ip,
        country=None if geo is None else geo.country,
        owner=None if geo is None else network_text(geo.asn, geo.as_org),
        findings=tuple((f.code, f.title) for f in report.findings),
        bounce=bounce_facts(report),
        row=row_of(label, report),
    )


def bounce_facts(report: Report) -> tuple[str, ...] | None:
    """ "reason@domain" for each failed recipient of a delivery report; None for other mail."""
    bounce = report.bounce
    if bounce is None or not bounce.is_delivery_report:
        return None
    return tuple(
        f"{r.reason}@{(r.address or '').rpartition('@')[2].lower()}" for r in bounce.failed
    )


def _origin(report: Report) -> tuple[str | None, GeoInfo | None]:
    """The sending address of the trust-boundary hop, and what geo knows of it."""
    for position, hop in enumerate(report.hops):
        if hop.index == report.trust_boundary_hop:
            geo = report.hop_geo[position] if position < len(report.hop_geo) else None
            return hop.fields.from_ip, geo
    return None, None


# --- feeding, writing, counting ---------------------------------------------------------


@mutable_record
class Tally:
    """What the summary reports."""

    analysed: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (label, sentence)
    skipped: int = 0  # files in the folders that are not mail
    levels: Counter[str] = field(default_factory=Counter)
    ips: Counter[str] = field(default_factory=Counter)
    networks: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    owners: Counter[str] = field(default_factory=Counter)
    findings: Counter[tuple[str, str]] = field(default_factory=Counter)
    bounces: int = 0  # delivery reports among the messages
    bounce_reasons: Counter[str] = field(default_factory=Counter)
    bounce_domains: Counter[str] = field(default_factory=Counter)
    rows: list[QueueRow] = field(default_factory=list)  # in output order
    campaigns: tuple[Campaign, ...] = ()
    interrupted: bool = False
    workers_ended: bool = False  # a second Ctrl+C ended the workers mid-task
    write_error: str | None = None
    seconds: float = 0.0

    @property
    def done(self) -> int:
        return self.analysed + len(self.unreadable)

    def add(self, outcome: Outcome) -> None:
        if outcome.skipped:
            self.skipped += 1
            return
        if outcome.row is not None:
            self.rows.append(outcome.row)
        if outcome.error is not None:
            self.unreadable.append((outcome.label, outcome.error))
            return
        self.analysed += 1
        self.levels[outcome.level or "none"] += 1
        if outcome.origin_ip:
            self.ips[outcome.origin_ip] += 1
            self.networks[network_of(outcome.origin_ip)] += 1
        if outcome.country:
            self.countries[outcome.country] += 1
        if outcome.owner:
            self.owners[outcome.owner] += 1
        self.findings.update(outcome.findings)
        if outcome.bounce is not None:
            self.bounces += 1
            for fact in outcome.bounce:
                reason, _, domain = fact.partition("@")
                self.bounce_reasons[reason] += 1
                if domain:
                    self.bounce_domains[domain] += 1

    def exit_status(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.write_error is not None or self.unreadable:
            return EXIT_SOME_UNREADABLE
        return EXIT_OK


def network_of(ip: str) -> str:
    """The /24 of an IPv4 address, the /48 of an IPv6 one: who runs it, roughly."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


class _Stop:
    """Ctrl+C asks to stop feeding; a second one stops at once (KeyboardInterrupt, and the
    workers are ended)."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        del signum, frame
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)


def run_batch(
    paths: Sequence[str],
    sink: BinaryIO,
    settings: dict[str, object],
    jobs: int,
    *,
    progress: bool = False,
    echo: bool = False,
    outputs: Outputs | None = None,
) -> Tally:
    """Analyse everything under `paths` with `jobs` workers, writing JSON Lines to `sink`.

    `echo` prints each input that could not be read as it happens (when no summary will
    list them); `progress` draws the progress line on standard error.
    """
    tally = Tally()
    files = listed_inputs(paths, outputs)  # paths only: cheap, and it gives the ETA its total
    # Counting mbox messages reads each file once more: only worth it for a progress line.
    total = sum(count_messages(f.path) for f in files if f.error is None) if progress else None
    meter = Progress(total, sys.stderr, echo=echo) if progress or echo else None
    stop = _Stop()
    previous = signal.signal(signal.SIGINT, stop)
    start = time.monotonic()
    pool = ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(settings,))
    try:
        _pump(_tasks(_items(files)), pool, jobs * IN_FLIGHT_PER_JOB, sink, tally, meter, stop)
        pool.shutdown(wait=True)
    except KeyboardInterrupt:
        _end_workers(pool)
        tally.interrupted = tally.workers_ended = True
    finally:
        signal.signal(signal.SIGINT, previous)
        if meter is not None:
            meter.clear()
    tally.interrupted = tally.interrupted or stop.requested
    tally.seconds = time.monotonic() - start
    return tally


# A file with one of these names is meant to be mail: when it is not, that is news.
MAIL_SUFFIXES = (".eml", ".msg", ".mbox", ".mbx", ".mail", ".emlx")


def _found_non_mail_candidate(listed: Listed, label: str) -> bool:
    """A whole file found in a folder, not named like mail: skipped if it is not mail."""
    return not listed.named and label == listed.path and not label.lower().endswith(MAIL_SUFFIXES)


def _own_output(path: str, outputs: Outputs | None) -> bool:
    if outputs is None:
        return False
    return partial_name_of(os.path.basename(path)) or outputs.is_output(path)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop now: the workers ignore SIGINT, and the pool would wait for their tasks."""
    # No public way to end a pool's processes before Python 3.14's terminate_workers().
    processes = dict(getattr(pool, "_processes", None) or {})
    for process in processes.values():
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _items(files: list[Listed]) -> Iterator[_Item | Outcome]:
    """Each message to analyse, or the failure of a file that could not be read at all."""
    for listed in files:
        if listed.error is not None:
            yield failure(listed.path, listed.error.sentence, None)
            continue
        try:
            for label, data in iter_messages(listed.path):
                yield label, data, _found_non_mail_candidate(listed, label)
        except InputError as err:
            yield failure(listed.path, err.sentence, None)


def listed_inputs(paths: Sequence[str], outputs: Outputs | None = None) -> list[Listed]:
    """The files a run reads, in its order. The run's own output (and its temporary
    file) may lie in a folder it walks: never read back."""
    return [f for f in iter_files(paths) if not _own_output(f.path, outputs)]


def analyse_file(listed: Listed, options: AnalysisOptions) -> Iterator[Outcome]:
    """The outcome of each message of one listed file, in output order, analysed here:
    a run's work without its pool, for an engine that maps it over files (`mailview.scale`)."""
    for item in _items([listed]):
        if isinstance(item, Outcome):
            yield item
        else:
            label, data, found = item
            yield analyse(label, data, options, found=found)


def _tasks(items: Iterator[_Item | Outcome]) -> Iterator[list[Any]]:
    """Group the messages into tasks for the pool; a failure found here is a task of its own
    (an `Outcome` list), so that it keeps its place in the output order."""
    task: list[_Item] = []
    size = 0
    for item in items:
        if isinstance(item, Outcome):
            if task:
                yield task
                task, size = [], 0
            yield [item]
            continue
        task.append(item)
        size += len(item[1])
        if len(task) >= TASK_MESSAGES or size >= TASK_BYTES:
            yield task
            task, size = [], 0
    if task:
        yield task


def _pump(
    tasks: Iterator[list[Any]],
    pool: ProcessPoolExecutor,
    limit: int,
    sink: BinaryIO,
    tally: Tally,
    meter: Progress | None,
    stop: _Stop,
) -> None:
    """Feed the pool lazily and write the results in input order."""
    pending: deque[Future[list[Outcome]]] = deque()
    for task in tasks:
        if stop.requested or tally.write_error is not None:
            break
        pending.append(_submit(pool, task))
        # Write what is finished at the head; block only when the window is full.
        while pending and (len(pending) >= limit or pending[0].done()):
            _record(pending.popleft().result(), sink, tally, meter)
    while pending:  # the messages in flight finish and are written, even after Ctrl+C
        _record(pending.popleft().result(), sink, tally, meter)


def _submit(pool: ProcessPoolExecutor, task: list[Any]) -> Future[list[Outcome]]:
    if isinstance(task[0], Outcome):
        done: Future[list[Outcome]] = Future()
        done.set_result(task)
        return done
    return pool.submit(_analyse_task, task)


def _record(outcomes: list[Outcome], sink: BinaryIO, tally: Tally, meter: Progress | None) -> None:
    if tally.write_error is None:
        # Whole lines in one write, flushed: a reader (or an interrupted run) never sees
        # half a line. backslashreplace keeps a stray surrogate valid JSON (\udcxx).
        text = "".join(f"{o.line}\n" for o in outcomes if not o.skipped)
        try:
            sink.write(text.encode("utf-8", "backslashreplace"))
            sink.flush()
        except OSError as err:
            tally.write_error = _reason(err)
    for outcome in outcomes:
        tally.add(outcome)
        if meter is not None:
            meter.update(tally.done, outcome)


# --- progress and summary ---------------------------------------------------------------


class Progress:
    """What standard error shows while the batch runs: the inputs that could not be read
    (`echo`) and, with a total, `1,234/20,000 messages  1,480/s  ETA 0:11` on one line
    redrawn at most ~10 times a second."""

    def __init__(self, total: int | None, stream: TextIO, *, echo: bool = False) -> None:
        self.total = total
        self.stream = stream
        self.echo = echo
        self.draw = total is not None
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def update(self, count: int, outcome: Outcome) -> None:
        if self.echo and outcome.error is not None and not outcome.skipped:
            self.clear()
            print(visible(f"mailview: {outcome.label}: {outcome.error}"), file=self.stream)
        now = time.monotonic()
        if not self.draw or now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        self.stream.write("\r\x1b[K" + progress_text(count, self.total, now - self.start))
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def progress_text(count: int, total: int | None, seconds: float) -> str:
    rate = count / seconds if seconds > 0 else 0.0
    text = f"{count:,} messages  {rate:,.0f}/s"
    if total:
        text = f"{count:,}/{total:,} messages  {rate:,.0f}/s"
        # The first second's rate is mostly process start-up: no ETA from it.
        if rate > 0 and count < total and seconds >= 1:
            text += f"  ETA {_clock((total - count) / rate)}"
    return text


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def print_summary(tally: Tally, stream: TextIO) -> None:
    for line in summary_lines(tally):
        print(line, file=stream)


def summary_lines(tally: Tally) -> list[str]:
    rate = tally.done / tally.seconds if tally.seconds > 0 else 0.0
    state = " (interrupted by Ctrl+C)" if tally.interrupted else ""
    lines = [
        f"mailview batch: {tally.done:,} messages in {tally.seconds:.1f} s ({rate:,.0f}/s){state}",
        f"  analysed           {tally.analysed:,}",
        f"  could not be read  {len(tally.unreadable):,}",
    ]
    lines += [visible(f"    {label}: {sentence}") for label, sentence in tally.unreadable]
    if tally.write_error is not None:
        lines.append(f"  output stopped: it could not be written: {tally.write_error}")
    if tally.skipped:
        lines.append(f"  skipped, not mail  {tally.skipped:,} (files in the folders)")
    levels = "  ".join(f"{level} {tally.levels[level]:,}" for level in LEVELS)
    lines.append(f"  verdicts           {levels}")
    lines += _top("origin owners", tally.owners)
    lines += _top("originating IPs", tally.ips)
    lines += _top("networks", tally.networks)
    lines += _top("countries", tally.countries)
    lines += _top("findings", Counter({f"{c}: {t}": n for (c, t), n in tally.findings.items()}))
    if tally.bounces:
        failed = sum(tally.bounce_reasons.values())
        lines.append(
            f"  delivery reports   {tally.bounces:,} ({failed:,} failed or delayed recipients)"
        )
        lines += _top("bounce reasons", tally.bounce_reasons)
        lines += _top("failing domains", tally.bounce_domains)
    lines += campaign_lines(tally.campaigns)
    return lines


def _top(title: str, counts: Counter[str]) -> list[str]:
    if not counts:
        return [f"  top {title:<15}(none)"]
    rows = counts.most_common(TOP)
    width = len(f"{rows[0][1]:,}")
    return [f"  top {title}"] + [f"    {n:>{width},}  {name}" for name, n in rows]
