"""A module imported on first need, with the cyclic garbage collector paused meanwhile.

Loading a package creates tens of thousands of objects (classes, functions, compiled
patterns) that live as long as the process. The collector, triggered every few hundred
new objects, ran some fifty times while `mailview analyze` loaded its modules, to free
nothing: a tenth of the start-up. `import_for_good` pauses it for the import and then
moves what exists out of its sight (`gc.freeze`), so that its later passes look at the
analysis's own garbage only.
"""

from __future__ import annotations

import gc
import sys
from types import ModuleType


def import_for_good(module: str) -> ModuleType:
    """`importlib.import_module(module)`, the collector paused while it first loads."""
    if module in sys.modules or not gc.isenabled():  # loaded, or paused by the caller
        return _imported(module)
    gc.disable()
    try:
        return _imported(module)
    finally:
        gc.freeze()
        gc.enable()


def _imported(module: str) -> ModuleType:
    # The import statement's own machinery rather than `importlib.import_module`, which
    # `python -X importtime` does not report: start-up is measured with it.
    __import__(module)
    return sys.modules[module]
