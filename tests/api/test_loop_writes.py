"""Write units on the event loop (SQLite: core/db.py LoopUnits.write_unit; api/kernel/units.py):
committed when the work succeeds, with their commit callbacks; given up having written nothing
when they meet another writer's lock or overrun their budget (the caller then runs them on a
worker thread); work that would block the loop (require_thread) is sent to a worker thread, and
so are its route's later units; the WAL is checkpointed off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from types import SimpleNamespace

import anyio.to_thread
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from polytask.api.app import create_app
from polytask.api.kernel.units import _Gates, close_gates
from polytask.core.db import DRIVER_INFO, Database, LoopUnits, ReadTooSlow, ThreadNeeded, after_commit, require_thread
from polytask.core.settings import Settings
from polytask.domain.users.service import hash_password
from polytask.models import User
from tests.factories.people import make_person
from tests.factories.work import make_project

Serve = Callable[[FastAPI], AbstractContextManager[str]]
SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


@pytest.fixture
def units(db: Database) -> Iterator[LoopUnits]:
    found = db.loop_units(budget_ms=20)
    if not isinstance(found, LoopUnits):
        pytest.skip("write units on the loop are SQLite's")
    assert found.usable_here()
    try:
        yield found
    finally:
        found.close()


def _names(db: Database) -> list[str]:
    with db.unit_of_work(readonly=True) as session:
        return [str(n) for n in session.execute(select(User.username)).scalars()]


def _add(session: Session, name: str) -> None:
    session.add(User(username=name, email=f"{name}@example.com"))
    session.flush()


def test_a_write_unit_commits_and_runs_its_commit_callbacks(db: Database, units: LoopUnits) -> None:
    ran: list[str] = []
    with units.write_unit() as session:
        _add(session, "loop-one")
        after_commit(session, lambda: ran.append("after"))
        assert ran == []
    assert ran == ["after"]
    assert "loop-one" in _names(db)
    # A unit whose statements ran on the driver alone (the ORM began nothing) commits too.
    with units.write_unit() as session:
        driver = session.info[DRIVER_INFO][0]
        driver.execute(
            "INSERT INTO users (username, email, name, role, is_active, created_at, updated_at)"
            " VALUES ('driver-only', 'driver-only@example.com', '', 'user', 1, ?, ?)",
            ("2026-12-03 12:00:00.000000", "2026-12-03 12:00:00.000000"),
        )
        assert not session.in_transaction()
    assert "driver-only" in _names(db)
    # The loop's connection serves reads again afterwards.
    with units.unit() as session:
        assert session.execute(text("SELECT 42")).scalar() == 42


def test_an_overrunning_write_unit_is_given_up_having_written_nothing(db: Database, units: LoopUnits) -> None:
    ran: list[str] = []

    def overrun() -> None:
        with units.write_unit() as session:
            _add(session, "never-written")
            after_commit(session, lambda: ran.append("after"))
            session.execute(text(SLOW)).all()

    with pytest.raises(ReadTooSlow):
        overrun()
    assert ran == []
    assert "never-written" not in _names(db)
    with units.write_unit() as session:
        _add(session, "written-after")
    assert "written-after" in _names(db)


def test_a_write_interrupted_inside_a_savepoint_is_given_up_having_written_nothing(
    db: Database, units: LoopUnits
) -> None:
    """SQLite rolls the whole transaction back when it interrupts a write: the savepoint is gone
    and what fails next says so, not "interrupted". It is still an overrun, and nothing stays."""

    def interrupted_in_a_savepoint() -> None:
        with units.write_unit() as session:
            _add(session, "before-savepoint")
            with session.begin_nested():
                session.execute(
                    text(
                        "INSERT INTO users (username, email, name, role, is_active, created_at, updated_at)"
                        " SELECT 'many-' || i, 'many-' || i || '@example.com', '', 'user', 1, '', ''"
                        " FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n)"
                    )
                )

    with pytest.raises(ReadTooSlow):
        interrupted_in_a_savepoint()
    names = _names(db)
    assert "before-savepoint" not in names
    assert not any(n.startswith("many-") for n in names)
    with units.write_unit() as session:
        _add(session, "after-savepoint")
    assert "after-savepoint" in _names(db)


def test_a_write_unit_that_meets_another_writers_lock_is_given_up(db: Database, units: LoopUnits) -> None:
    path = db.engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
        with pytest.raises(ReadTooSlow), units.write_unit() as session:
            _add(session, "blocked")
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert "blocked" not in _names(db)
    with units.write_unit() as session:
        _add(session, "unblocked")
    assert "unblocked" in _names(db)


def test_work_that_would_block_the_loop_is_refused_there_only(db: Database, units: LoopUnits) -> None:

    def hashing() -> None:
        with units.write_unit() as session:
            _add(session, "hashed")
            hash_password("correct horse battery staple")

    with pytest.raises(ThreadNeeded):
        hashing()
    assert "hashed" not in _names(db)
    with pytest.raises(ThreadNeeded), units.unit():
        require_thread()
    require_thread()  # on any other thread, or outside a loop unit: nothing to refuse
    assert hash_password("correct horse battery staple").startswith("$argon2")


def test_a_route_whose_work_keeps_blocking_goes_to_threads_for_longer_each_time() -> None:
    """ThreadNeeded counts as an overrun: 8 units on threads, then 16, ... (a login route that
    always hashes costs the loop one early refusal now and then); a unit that finishes on the
    loop starts the count again (a credential verified once is cached)."""
    gates = _Gates(threads=1, loop_units=None)
    gates.overran("route")
    assert [gates.loop_suits("route") for _ in range(9)] == [False] * 8 + [True]
    gates.overran("route")
    assert [gates.loop_suits("route") for _ in range(17)] == [False] * 16 + [True]
    gates.finished("route", False)
    gates.overran("route")
    assert [gates.loop_suits("route") for _ in range(9)] == [False] * 8 + [True]
    assert gates.loop_suits("another route")


def test_writes_over_http_commit_on_the_loop_and_the_wal_is_checkpointed_off_it(
    settings: Settings, db: Database, serve_app: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db.is_sqlite:
        pytest.skip("write units on the loop are SQLite's")
    monkeypatch.setattr(LoopUnits, "CHECKPOINT_EVERY", 3)
    app = create_app(settings, db)
    alice = make_person(db)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        project = make_project(http, alice)
        ids = []
        for n in range(7):
            r = http.post(f"/v1/projects/{project}/tasks", json={"name": f"Task {n}"}, headers=alice.headers)
            assert r.status_code == 201, r.text
            ids.append(r.json()["data"]["id"])
        listed = http.get(f"/v1/projects/{project}/tasks?limit=50", headers=alice.headers).json()["data"]
        assert sorted(t["id"] for t in listed) == sorted(ids)
        gates = app.state.unit_gates
        assert gates.loop_writes
        task = gates.checkpointing
        assert task is not None  # 9 writes on the loop (project, 7 tasks...): checkpoints were asked for
        deadline = time.monotonic() + 30  # a bound, not a timing: the thread's checkpoint takes milliseconds
        while not task.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert task.done()
        assert task.exception() is None


def test_shutdown_waits_for_a_running_checkpoint_before_closing_the_connection(db: Database) -> None:
    """close_gates (the app's shutdown) lets a checkpoint on a worker thread finish before it
    closes the loop's connection and the engine under it. The checkpoint here is held on an
    event, so the order is decided by the test, not by how fast anything runs."""
    if not db.is_sqlite:
        pytest.skip("loop checkpoints are SQLite's")

    async def scenario() -> None:
        state = SimpleNamespace(unit_gates=_Gates(threads=1, loop_units=db.loop_units(50)))
        gates = state.unit_gates
        release = threading.Event()
        ran: list[str] = []

        def checkpoint() -> None:
            release.wait(30)  # a bound: the test sets it below
            db.checkpoint()
            ran.append("checkpointed")

        gates.checkpointing = asyncio.get_running_loop().create_task(anyio.to_thread.run_sync(checkpoint))
        closing = asyncio.get_running_loop().create_task(close_gates(state))
        for _ in range(20):
            await asyncio.sleep(0)
        assert not closing.done()  # still waiting: nothing closed
        assert state.unit_gates is gates
        release.set()
        await closing
        assert ran == ["checkpointed"]
        assert state.unit_gates is None

    asyncio.run(scenario())
