"""Units of work on the request's threads and gates: one transaction, one thread hop.

- no thread is ever held waiting for another thread, so SQLite writers cannot starve the
  pool while one of them holds the write lock;
- on SQLite, writers of this process queue on an asyncio lock before taking a thread, so
  waiting writers cost no thread at all (other processes still wait on the busy timeout);
- an atomic /v1/batch shares ONE unit between its operations (SharedUnit);
- read units run on the event loop's thread first, on a connection of its own, within a
  time budget, and on a worker thread only when they overrun it (core/db.py LoopUnits on
  SQLite, PostgresLoopUnits on PostgreSQL).

Authenticated units are api/deps.py's `run_unit`; this module knows no credentials.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager, asynccontextmanager, nullcontext
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy.orm import Session
from starlette.requests import Request

from polytask.core.db import Database, HeldUnit, LoopUnits, PostgresLoopUnits, ReadTooSlow, ThreadNeeded

R = TypeVar("R")
log = logging.getLogger("polytask.units")

# After a read overruns the loop's budget, its route's next reads skip the loop (each try
# that overruns costs the work done until then): _THREADED_FIRST of them after an overrun,
# twice as many after each overrun of the next try on the loop, up to _THREADED_MOST. A route
# that overran once (its first request, compiling its statements; one read slowed by a busy
# machine) loses the loop for a few reads, not hundreds: on a worker thread the same list
# costs 20-40% more CPU (docs/performance.md, session 27). The tables are bounded by the routes.
_THREADED_FIRST = 8
_THREADED_MOST = 256
_MAX_THREADED_ROUTES = 1024
# PostgreSQL: a read that finished but kept the loop waiting too long sends its route to
# threads only when the route's reads did so this many times in a row (a statement's first
# run, planned and prepared, or one slow moment of the database, is no pattern).
_LATE_IN_A_ROW = 3


class _Gates:
    """Per-app concurrency controls, created lazily inside the running event loop."""

    def __init__(
        self, threads: int, loop_units: LoopUnits | PostgresLoopUnits | None, *, loop_writes: bool = True
    ) -> None:
        self.threads = anyio.CapacityLimiter(threads)
        # SQLite: short write units run on the loop too (under the writer gate), else on threads.
        self.loop_writes = loop_writes
        self.sqlite_writer = anyio.Lock()
        # Read units run on the event loop first (core/db.py LoopUnits, PostgresLoopUnits).
        self.loop_units = loop_units
        # Routes whose reads overran the loop's budget: how many more go straight to a thread,
        # and how many of the route's tries on the loop overran in a row.
        self._threaded: dict[Any, int] = {}
        self._overruns: dict[Any, int] = {}
        # PostgreSQL: routes whose last reads finished late, and how many in a row.
        self._late: dict[Any, int] = {}
        # SQLite: a passive WAL checkpoint running on a worker thread (LoopUnits.checkpoint_due).
        self.checkpointing: asyncio.Task[None] | None = None

    def loop_suits(self, route: Any) -> bool:
        left = self._threaded.get(route)
        if left is None:
            return True
        if left <= 1:
            del self._threaded[route]
        else:
            self._threaded[route] = left - 1
        return False

    def overran(self, route: Any) -> None:
        if len(self._threaded) >= _MAX_THREADED_ROUTES:
            return
        streak = self._overruns.get(route, 0)
        self._threaded[route] = min(_THREADED_MOST, _THREADED_FIRST << streak)
        if streak or len(self._overruns) < _MAX_THREADED_ROUTES:
            self._overruns[route] = streak + 1

    def finished(self, route: Any, late: bool) -> None:
        """A loop read of `route` finished; `late`: it waited on the database past its budget."""
        if not late:
            if self._overruns:
                self._overruns.pop(route, None)
            if self._late:
                self._late.pop(route, None)
            return
        count = self._late.get(route, 0) + 1
        if count >= _LATE_IN_A_ROW:
            self._late.pop(route, None)
            self.overran(route)
        elif len(self._late) < _MAX_THREADED_ROUTES:
            self._late[route] = count


def _gates(request: Request) -> _Gates:
    state = request.app.state
    gates: _Gates | None = getattr(state, "unit_gates", None)
    if gates is None:
        db: Database = state.db
        settings = state.settings
        gates = _Gates(
            settings.effective_db_threads,
            db.loop_units(settings.loop_read_budget_ms),
            loop_writes=settings.loop_writes,
        )
        state.unit_gates = gates
    return gates


async def close_gates(state: Any) -> None:
    """At the app's shutdown: wait for a WAL checkpoint still running on a worker thread (a
    passive checkpoint is not interrupted; it ends at its own pace), then release_gates."""
    gates: _Gates | None = getattr(state, "unit_gates", None)
    if gates is not None and gates.checkpointing is not None:
        await asyncio.wait([gates.checkpointing])
    release_gates(state)


def release_gates(state: Any) -> None:
    """Release what the gates hold (the loop's database connection); close_gates without the
    wait, for a caller whose event loop has already stopped."""
    gates: _Gates | None = getattr(state, "unit_gates", None)
    state.unit_gates = None
    if gates is not None and gates.loop_units is not None:
        gates.loop_units.close()


def thread_limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's limit on worker threads doing database work (the read lane shares it)."""
    return _gates(request).threads


async def run_anonymous(request: Request, work: Callable[[Session], R]) -> R:
    """A write unit of work without credentials (e.g. sign-up), on the same threads and gates."""
    return await in_unit(request, work, readonly=False)


async def in_unit(request: Request, work: Callable[[Session], R], *, readonly: bool) -> R:
    shared: SharedUnit | None = request.scope.get(SHARED_UNIT)
    if shared is not None:
        return await shared.run(work)
    db: Database = request.app.state.db
    gates = _gates(request)
    loop = gates.loop_units
    if readonly and loop is not None and loop.usable_here():
        done = _on_loop(request, gates, loop.unit, work, lambda: loop.overran)
        if done is not None:
            return done[0]

    def in_thread() -> R:
        with db.unit_of_work(readonly=readonly) as session:
            return work(session)

    if not (db.is_sqlite and not readonly):
        return await anyio.to_thread.run_sync(in_thread, limiter=gates.threads)
    async with gates.sqlite_writer:
        if isinstance(loop, LoopUnits) and gates.loop_writes and loop.usable_here():
            done = _on_loop(request, gates, loop.write_unit, work, lambda: False)
            if done is not None:
                if loop.checkpoint_due():
                    _checkpoint_soon(db, gates)
                return done[0]
        return await anyio.to_thread.run_sync(in_thread, limiter=gates.threads)


def _on_loop(
    request: Request,
    gates: _Gates,
    open_unit: Callable[[], AbstractContextManager[Session]],
    work: Callable[[Session], R],
    overran: Callable[[], bool],
) -> tuple[R] | None:
    """Run `work` in a unit on the event loop's own connection, unless its route has been
    sent to worker threads for a while: `(result,)`, or None when the caller must run it on a
    worker thread. That happens when the unit was interrupted past its budget or met another
    process's write lock (ReadTooSlow: rolled back, nothing written), or when the work would
    block the loop (ThreadNeeded: a password to verify, a host to look up). Either way the
    route's next units go to threads directly for a while (a credential verified once is
    cached, so the route comes back). `overran` says whether a unit that finished kept the
    loop waiting too long (PostgreSQL's server time)."""
    route = _route_of(request)
    if not gates.loop_suits(route):
        return None
    try:
        with open_unit() as session:
            result = work(session)
    except (ReadTooSlow, ThreadNeeded):
        gates.overran(route)
        return None
    gates.finished(route, overran())
    return (result,)


def _route_of(request: Request) -> Any:
    found = request.scope.get("route")
    return id(found) if found is not None else request.url.path


def _checkpoint_soon(db: Database, gates: _Gates) -> None:
    """A passive WAL checkpoint on a worker thread, unless one is running: writes committed on
    the loop leave the WAL to grow (core/db.py LoopUnits.write_unit)."""
    if gates.checkpointing is not None and not gates.checkpointing.done():
        return

    async def checkpoint() -> None:
        try:
            await anyio.to_thread.run_sync(db.checkpoint, limiter=gates.threads)
        except Exception:
            log.warning("a WAL checkpoint failed; the next one is tried after more writes", exc_info=True)

    gates.checkpointing = asyncio.get_running_loop().create_task(checkpoint())


# --- one unit of work shared by several requests (atomic /v1/batch) ----------------------------
#
# An atomic batch dispatches each operation through the app as its own in-process request
# (so routing, validation, authentication, scope and permission checks are exactly those of
# a lone call). The batch opens ONE write session and puts it on each operation's ASGI scope
# under SHARED_UNIT; run_unit then runs the operation's work in that session instead of
# opening, committing and closing its own. The batch alone decides to commit or roll back.

SHARED_UNIT = "polytask.shared_unit"


class SharedUnit:
    """An open write transaction that operations run in one after another, never concurrently."""

    def __init__(self, held: HeldUnit, gates: _Gates) -> None:
        self._held = held
        self._gates = gates

    async def run(self, work: Callable[[Session], R]) -> R:
        return await anyio.to_thread.run_sync(work, self._held.session, limiter=self._gates.threads)

    async def complete(self) -> None:
        """Make every step durable (core/db.py commits)."""
        await anyio.to_thread.run_sync(self._held.commit, limiter=self._gates.threads)


@asynccontextmanager
async def shared_unit(request: Request) -> AsyncIterator[SharedUnit]:
    """A write session for a whole batch; it holds this process's SQLite writer gate until closed.

    Nothing is committed unless the caller calls `complete()`; leaving the block rolls back
    whatever is left and closes the session.
    """
    db: Database = request.app.state.db
    gates = _gates(request)
    gate: AbstractAsyncContextManager[Any] = gates.sqlite_writer if db.is_sqlite else nullcontext()
    async with gate:
        held = db.held_unit()
        try:
            yield SharedUnit(held, gates)
        finally:
            await anyio.to_thread.run_sync(held.close, limiter=gates.threads)
