"""Python's cyclic garbage collector, set up for a long-running server.

Out of the box the collector runs a young collection every 700 net container allocations,
and a full one every hundred of those. A list request allocates thousands of short-lived
containers (rows, ORM state, rendered dictionaries), so it triggered about two collections
per request, and every full collection walked all of the few hundred thousand objects the
server keeps for its whole life (modules, routes, SQLAlchemy's compiled statements, pydantic
models): about a quarter of a list request's CPU (docs/performance.md, "Garbage collection").

At start-up `tune_for_server` collects once, then freezes what is alive (`gc.freeze()`: those
objects are never scanned again) and raises the young threshold. Reference counting still frees
almost everything a request allocates the moment it is done with it; the collector only
exists for reference cycles, which a request creates few of, so collecting them less often
costs a little memory, not correctness. `core/gcpause.py` still pauses the collector around
bulk requests.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("polytask.gc")


def tune_for_server(threshold: int) -> None:
    """Freeze the start-up heap and collect young objects every `threshold` allocations (0: leave as is)."""
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(threshold, middle, old)
    log.debug("gc: %d objects frozen; thresholds %s", gc.get_freeze_count(), gc.get_threshold())
