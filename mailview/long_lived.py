"""What a worker process keeps for its whole life, moved out of the collector's sight.

A worker analysing message after message holds some 30,000 container objects that never
die: its modules, compiled patterns, the suffix and brand tables, the memo caches. The
cyclic collector's full pass traverses every one of them to free nothing, a pause of
tens of milliseconds on whichever message happens to trigger it, and in a forked worker
it writes to every page the parent shared. `gc.freeze()` puts them in the permanent
generation: the collector's passes then look at the analysis's own objects only.

It is done twice: when the worker starts (what it inherited or imported to start; no
collection first, so a forked worker's shared pages stay untouched) and once more after
its first messages, when what the analysis loads on first need (the tables, the parsers
of rarer formats) is there too. A collection runs first then, so that no garbage is
frozen with them. Frozen objects are still freed when their last reference goes.
"""

from __future__ import annotations

import gc

_settled = False


def freeze_start_up() -> None:
    """Freeze what exists as a worker starts."""
    gc.freeze()


def settle_once() -> None:
    """After a worker's first task: collect, then freeze what survived; later calls do
    nothing."""
    global _settled  # noqa: PLW0603 - once per process
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
