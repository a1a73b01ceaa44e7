"""Pausing Python's cyclic garbage collector around one large, short-lived batch of work.

A bulk create of 10,000 tasks allocates a few hundred thousand containers (parsed items,
rows, views, the rendered resources) that all stay alive until the response is written.
Each allocation burst triggers collections, and the full ones rescan everything still
alive, the batch's own objects included: measured in-process, about half of a 10,000-task
bulk create went to the collector (docs/performance.md, "Bulk create"). Reference counting
still frees memory as usual while the collector is paused; only cycles wait for the next
collection after the pause.

The pause is process-wide. Overlapping pauses (two bulk requests in different threads) are
counted, and the collector comes back when the last one ends, and only if it was running
when the first one began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (see the module docstring)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
