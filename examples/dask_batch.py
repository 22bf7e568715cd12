"""`mailview batch` on Dask: the same JSON Lines, from your laptop's cores or a cluster.

    pip install 'mailview[scale]'
    python examples/dask_batch.py PATH... [--out FILE] [--scheduler processes]
    python examples/dask_batch.py /srv/journal --out /srv/out/2025.jsonl \\
        --scheduler tcp://dask-scheduler:8786 --work /srv/shared/tmp

PATHs are files, folders (searched recursively, in sorted order) and mbox files, read by
every worker at the same path. --scheduler is one of Dask's local schedulers or the
address of a dask.distributed cluster (pip install distributed); --work is a folder on a
file system every worker and this process share (default: a temporary folder here, which
is enough for the local schedulers). The analysis options of `mailview batch`
(--own-domain, --own-network, --geoip-db, --dkim-keys, --wrapper) apply as they do there.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from mailview.cli.campaign_out import campaign_lines
from mailview.cli.commands import add_analysis_options
from mailview.export.writer import Outputs, WriteRefused, open_atomic

LOCAL = ("synchronous", "threads", "processes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--out", type=Path, metavar="FILE", help="JSON Lines here, not stdout")
    parser.add_argument("--scheduler", default="processes", metavar="NAME|ADDRESS")
    parser.add_argument("--work", metavar="DIR", help="a folder every worker shares")
    parser.add_argument("--files-per-partition", type=int, default=100, metavar="N")
    add_analysis_options(parser)
    args = parser.parse_args(argv)
    if args.files_per_partition < 1:
        parser.error("--files-per-partition: at least 1")
    try:
        from mailview import scale  # noqa: PLC0415 - without dask: a sentence, no traceback
    except ModuleNotFoundError as err:
        print(f"dask_batch: {err}", file=sys.stderr)  # says how to install the extra
        return 2
    try:
        settings = scale.settings_of(args)
    except ValueError as err:
        parser.error(str(err))
    try:
        client = _connect(args.scheduler)
    except (ModuleNotFoundError, ValueError) as err:
        print(f"dask_batch: {err}", file=sys.stderr)
        return 2
    outputs = Outputs()
    try:
        for path in args.paths:
            outputs.add_input(path)
        if args.out is not None:
            outputs.claim(args.out)
    except WriteRefused as err:
        print(f"dask_batch: {err}", file=sys.stderr)
        return 1
    options = {
        # A cluster's client is Dask's default scheduler once connected.
        "scheduler": None if client is not None else args.scheduler,
        "settings": settings,
        "files_per_partition": args.files_per_partition,
        "outputs": outputs,
    }
    start = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(dir=args.work, prefix="mailview-dask-") as work:
            if args.out is None:
                done = scale.run(args.paths, sys.stdout.buffer, work, **options)
            else:
                # Written beside and renamed over at the end, as batch writes --out.
                with open_atomic(args.out) as sink:
                    done = scale.run(args.paths, sink, work, **options)
    except OSError as err:  # the work folder or the output could not be written
        print(f"dask_batch: {err}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - start
    print(
        f"mailview on Dask ({args.scheduler}): {done.messages:,} messages from "
        f"{done.files:,} files in {done.partitions:,} partitions in {seconds:.1f} s; "
        f"{done.unreadable:,} could not be read, {done.skipped:,} files skipped as not mail",
        file=sys.stderr,
    )
    for line in campaign_lines(done.campaigns):
        print(line, file=sys.stderr)
    return 1 if done.unreadable else 0


def _connect(scheduler: str) -> object | None:
    """A client of the dask.distributed cluster at `scheduler`; None for a local one."""
    if scheduler in LOCAL:
        return None
    if "://" not in scheduler:
        raise ValueError(f"--scheduler: one of {', '.join(LOCAL)} or an address tcp://HOST:PORT")
    try:
        from dask.distributed import Client  # noqa: PLC0415 - only for a cluster
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "A Dask cluster needs dask.distributed: pip install distributed"
        ) from None
    client: object = Client(scheduler)
    return client


if __name__ == "__main__":
    sys.exit(main())
