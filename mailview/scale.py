"""`mailview batch` on Dask: the same JSON Lines, from a cluster when one machine is not enough.

Strategy: the analysis is a pure function of a message's bytes, so a run is a map over
files and one small reduction, and an existing engine schedules it. The driver lists the
files exactly as `batch` does (`listed_inputs`: folders in sorted order, the run's own
output never read back) and a Dask bag cuts the list into partitions. Stage one maps each
partition on a worker: batch's own per-file work (`analyse_file`: mbox files split, files
that are not mail skipped, unreadable ones given their error document), the JSON lines
spooled unstamped to a file of that partition in a folder every worker sees, and only
each message's campaign traits (a few hundred bytes) sent back. The reduction is batch's:
`core.campaigns.group` over the traits of the whole run, in input order, on the driver.
Stage two maps each spool to its stamped part with the slice of the assignment that
belongs to it (`campaign_out.stamp`). The parts, joined in order, are byte for byte what
`mailview batch` writes over the same paths with the same options.

Nothing here is imported by the app or the command line: Dask is an optional extra.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from typing import BinaryIO

# The option names are batch's own list: an option added there reaches these workers too.
from mailview.cli.batch import _OPTION_NAMES, analyse_file, listed_inputs
from mailview.cli.campaign_out import stamp
from mailview.cli.commands import add_analysis_options
from mailview.cli.options import analysis_options
from mailview.core.analyze import AnalysisOptions
from mailview.core.campaigns import Campaign, Traits, group
from mailview.core.record import record
from mailview.core.stream import Listed
from mailview.export.writer import Outputs

NEED_DASK = (
    "The Dask run needs Dask, which mailview does not install by default: "
    "pip install 'mailview[scale]'"
)

try:
    import dask.bag
    from dask.base import compute
    from dask.delayed import delayed
except ModuleNotFoundError as err:  # say how to get it rather than which module is missing
    raise ModuleNotFoundError(NEED_DASK, name=err.name) from err

FILES_PER_PARTITION = 100  # a task of a few seconds: the scheduler's cost per task is small

Settings = Mapping[str, object]


@record
class Partition:
    """What stage one sends back for one partition: each message's traits, in order
    (None for a message that could not be read), and the files skipped as not mail."""

    traits: tuple[Traits | None, ...]
    skipped: int


@record
class ScaleRun:
    files: int
    partitions: int
    messages: int
    unreadable: int
    skipped: int
    campaigns: tuple[Campaign, ...]


def settings_of(args: argparse.Namespace) -> dict[str, object]:
    """The options `add_analysis_options` parsed (`--own-domain`, `--geoip-db`, …) as the
    plain, picklable values every worker builds its own options from, as batch passes
    them; ValueError with a usage sentence for those a batch refuses or a bad value
    (found here, not in every worker)."""
    if args.message is not None:
        raise ValueError("--message picks one message of one file; a batch analyses them all")
    if args.online or args.resolver or args.dnsbl:
        raise ValueError("a batch analyses offline; --online, --resolver and --dnsbl do not apply")
    analysis_options(args)
    return {name: getattr(args, name) for name in _OPTION_NAMES}


def default_settings() -> dict[str, object]:
    """The settings of `mailview batch` without analysis options."""
    parser = argparse.ArgumentParser()
    add_analysis_options(parser)
    return settings_of(parser.parse_args([]))


_local = threading.local()  # geo readers and key stores are opened per worker thread


def _options(settings: Settings) -> AnalysisOptions:
    cache: dict[str, AnalysisOptions] = _local.__dict__.setdefault("options", {})
    key = repr(sorted(settings.items()))
    if key not in cache:
        cache[key] = analysis_options(argparse.Namespace(**settings))
    return cache[key]


def analyse_partition(files: Sequence[Listed], spool: str, settings: Settings) -> Partition:
    """Stage one, on a worker: every message of `files`, its JSON line to `spool`."""
    options = _options(settings)
    traits: list[Traits | None] = []
    skipped = 0
    with open(spool, "wb") as sink:  # a retried task writes it again from the start
        for listed in files:
            for outcome in analyse_file(listed, options):
                if outcome.skipped:
                    skipped += 1
                    continue
                # Encoded as batch spools it: a stray surrogate stays valid JSON (\udcxx).
                sink.write(f"{outcome.line}\n".encode("utf-8", "backslashreplace"))
                traits.append(None if outcome.row is None else outcome.row.traits)
    return Partition(tuple(traits), skipped)


def stamp_partition(spool: str, part: str, campaigns: Sequence[str | None]) -> int:
    """Stage two, on a worker: the spooled lines with their campaigns, to `part`."""
    with open(spool, "rb") as lines, open(part, "wb") as sink:
        for line, campaign in zip(lines, campaigns, strict=True):
            sink.write(stamp(line, campaign))
    return len(campaigns)


def run(
    paths: Sequence[str],
    sink: BinaryIO,
    work: str,
    *,
    scheduler: str | None = None,
    settings: Settings | None = None,
    files_per_partition: int = FILES_PER_PARTITION,
    outputs: Outputs | None = None,
) -> ScaleRun:
    """Analyse everything under `paths` on Dask and write batch's JSON Lines to `sink`.

    `work` is a folder every worker can write and the driver can read (a shared file
    system on a cluster); `scheduler` is one of Dask's local schedulers ("synchronous",
    "threads", "processes"), or None for Dask's default: a `dask.distributed.Client`
    connected before, else the threads.
    """
    files = listed_inputs(paths, outputs or Outputs())
    # Dask's bag and compute are untyped; what they return is typed where it is used.
    bag = dask.bag.from_sequence(files, partition_size=files_per_partition)  # type: ignore[no-untyped-call]
    parts = bag.to_delayed()  # one task per partition: the map runs where Dask puts it
    spools = [os.path.join(work, f"part-{n:06}.spool") for n in range(len(parts))]
    chosen = dict(settings or default_settings())
    stage_one = [
        delayed(analyse_partition)(p, s, chosen) for p, s in zip(parts, spools, strict=True)
    ]
    done: Sequence[Partition] = compute(*stage_one, scheduler=scheduler)  # type: ignore[no-untyped-call]
    # The reduction: the campaigns of the whole run, grouped as batch groups them.
    every = [t for partition in done for t in partition.traits]
    grouping = group([t or Traits(key=f"unread:{n}") for n, t in enumerate(every)])
    bounds = list(itertools.accumulate((len(p.traits) for p in done), initial=0))
    stamped = [spool.removesuffix(".spool") + ".jsonl" for spool in spools]
    stage_two = [
        delayed(stamp_partition)(spool, part, grouping.assignment[start:end])
        for spool, part, start, end in zip(spools, stamped, bounds, bounds[1:], strict=False)
    ]
    compute(*stage_two, scheduler=scheduler)  # type: ignore[no-untyped-call]
    for part in stamped:  # in partition order: the order batch writes
        with open(part, "rb") as lines:
            shutil.copyfileobj(lines, sink)
    sink.flush()
    return ScaleRun(
        files=len(files),
        partitions=len(parts),
        messages=len(every),
        unreadable=every.count(None),
        skipped=sum(p.skipped for p in done),
        campaigns=grouping.campaigns,
    )
