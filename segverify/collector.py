"""The cyclic garbage collector, paused for phases that build a large heap and free little.

Loading a model and checking its policies both keep millions of small objects alive that hold
no cycles worth collecting; the collector would traverse the whole growing heap again and
again to free nothing (docs/bench.md, "Design measurements"). Reference counting frees
everything else as usual, and the collector runs again, as it was, once the phase ends.
`segverify check` keeps it off for the whole command (cli.heap_paused): what it loads and
derives stays alive until the command returns, and turned back on in between, the collector
scanned all of it, generation by generation, to free nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector is off inside; a caller who had it off keeps it off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
