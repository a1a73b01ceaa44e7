"""Read units on the event loop (SQLite; core/db.py LoopUnits, api/kernel/units.py): a read
that overruns its budget is interrupted and answered from a worker thread, with the same
answer; the loop's connection stays usable; writes never run there."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from polytask.api.app import create_app
from polytask.core.db import Database, ReadTooSlow
from polytask.core.settings import Settings
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task

Serve = Callable[[FastAPI], AbstractContextManager[str]]
SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


def test_an_overrun_is_interrupted_and_the_connection_reused(db: Database) -> None:
    units = db.loop_units(budget_ms=20)
    if units is None:
        pytest.skip("read units run on the loop on SQLite only")
    try:
        assert units.usable_here()
        with pytest.raises(ReadTooSlow), units.unit() as session:
            session.execute(text(SLOW)).all()
        with units.unit() as session:
            assert session.execute(text("SELECT 42")).scalar() == 42
    finally:
        units.close()


BOUNDED = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) SELECT count(*) FROM n"


def test_time_the_thread_did_not_spend_is_not_held_against_a_read(db: Database) -> None:
    """The budget is the loop thread's CPU time: a unit the OS (or the GIL) kept waiting past
    the budget by the clock, that has itself spent little, runs to the end on the loop."""
    units = db.loop_units(budget_ms=20)
    if units is None:
        pytest.skip("read units run on the loop on SQLite only")
    units.WALL_CAP = 10_000  # the clock's cap far away: only the CPU budget is in play
    try:
        assert units.usable_here()
        with units.unit() as session:
            time.sleep(0.05)  # 50 ms by the clock, next to no CPU
            assert session.execute(text(BOUNDED)).scalar() == 5000
    finally:
        units.close()


def test_the_clock_still_caps_a_read(db: Database) -> None:
    """Past WALL_CAP budgets by the clock a unit is interrupted whatever CPU it spent (a read
    waiting on the disk spends none)."""
    units = db.loop_units(budget_ms=20)
    if units is None:
        pytest.skip("read units run on the loop on SQLite only")
    units.WALL_CAP = 3  # 60 ms
    try:
        assert units.usable_here()

        def late_read() -> None:
            with units.unit() as session:
                time.sleep(0.1)  # 100 ms by the clock, past the 60 ms cap
                session.execute(text(BOUNDED)).all()

        with pytest.raises(ReadTooSlow):
            late_read()
        with units.unit() as session:
            assert session.execute(text(BOUNDED)).scalar() == 5000
    finally:
        units.close()


def test_no_loop_units_where_they_cannot_help(db: Database) -> None:
    assert db.loop_units(budget_ms=0) is None
    if not db.is_sqlite:
        assert db.loop_units(budget_ms=5) is None


def test_a_read_past_any_budget_answers_from_a_thread(
    serve_app: Serve, settings: Settings, db: Database, client: httpx.Client
) -> None:
    """With a budget no statement can meet, every read overruns on the loop and is run again
    on a worker thread: the answers are complete and the same as with the default."""
    alice = make_person(db, name="Alice")
    project = make_project(client, alice)
    made = [make_task(client, alice, project, name=f"Task {n}") for n in range(2)]
    # Enough rows that sorting them by name (no index) takes SQLite thousands of steps.
    items = [{"name": f"Bulk {n:03d}"} for n in range(300)]
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": items}, headers=alice.headers)
    assert r.status_code == 201, r.text
    page_url = f"/v1/projects/{project}/tasks?sort=name&limit=5&offset=200"
    expected_page = client.get(page_url, headers=alice.headers).json()["data"]
    assert [t["attributes"]["name"] for t in expected_page] == [f"Bulk {n:03d}" for n in range(200, 205)]
    expected_task = client.get(f"/v1/tasks/{made[0]['id']}", headers=alice.headers).json()["data"]
    app = create_app(settings.model_copy(update={"loop_read_budget_ms": 0.000001}), db)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as c:
        for _ in range(3):
            page = c.get(page_url, headers=alice.headers)
            assert page.status_code == 200, page.text
            assert page.json()["data"] == expected_page
            one = c.get(f"/v1/tasks/{made[0]['id']}", headers=alice.headers)
            assert one.status_code == 200, one.text
            assert one.json()["data"] == expected_task
        # A write in between is a write unit (never on the loop) and is seen by the next read.
        r = c.patch(f"/v1/tasks/{made[0]['id']}", json={"name": "Renamed"}, headers=alice.headers)
        assert r.status_code == 200, r.text
        again = c.get(f"/v1/tasks/{made[0]['id']}", headers=alice.headers)
        assert again.json()["data"]["attributes"]["name"] == "Renamed"
        gates = app.state.unit_gates
        if db.is_sqlite:
            assert gates.loop_units is not None
            assert gates._threaded  # the page overran: its route goes straight to a thread for a while
        else:
            assert gates.loop_units is None
