"""Read units on the event loop (core/db.py LoopUnits on SQLite, PostgresLoopUnits on
PostgreSQL; api/kernel/units.py): a read that overruns its budget is interrupted and answered
from a worker thread, with the same answer; the loop's connection stays usable (on PostgreSQL
a lost one is replaced); a read that must write runs again as a write; writes never run there."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, table, text

from polytask.api.app import create_app
from polytask.api.kernel.units import _Gates
from polytask.core.db import Database, LoopUnits, PostgresLoopUnits, ReadTooSlow, WriteNeeded
from polytask.core.settings import Settings
from polytask.core.statements import Prepared
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task

Serve = Callable[[FastAPI], AbstractContextManager[str]]
SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


def test_an_overrun_is_interrupted_and_the_connection_reused(db: Database) -> None:
    units = db.loop_units(budget_ms=20)
    assert units is not None
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
    if not isinstance(units, LoopUnits):
        pytest.skip("SQLite's budget is CPU time; PostgreSQL's loop waits on the database by the clock")
    units.WALL_CAP = 10_000  # the clock's cap far away: only the CPU budget is in play
    try:
        assert units.usable_here()
        with units.unit() as session:
            time.sleep(0.05)  # 50 ms by the clock, next to no CPU
            assert session.execute(text(BOUNDED)).scalar() == 5000
    finally:
        units.close()


def test_the_cpu_clock_is_read_only_for_a_long_statement(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit's CPU time counts from SQLite's first look at a long statement: a unit of short
    statements never reads the thread's CPU clock (a system call), a long one does and is
    still held to the budget."""
    units = db.loop_units(budget_ms=20)
    if not isinstance(units, LoopUnits):
        pytest.skip("SQLite's progress handler")
    reads: list[float] = []
    real = time.thread_time

    def counted() -> float:
        reads.append(real())
        return reads[-1]

    monkeypatch.setattr(time, "thread_time", counted)
    try:
        assert units.usable_here()
        with units.unit() as session:
            assert session.execute(text("SELECT 42")).scalar() == 42
        assert reads == []
        with units.unit() as session:
            assert session.execute(text(BOUNDED)).scalar() == 5000
        assert reads
        with pytest.raises(ReadTooSlow), units.unit() as session:
            session.execute(text(SLOW)).all()
    finally:
        units.close()


def test_the_clock_still_caps_a_read(db: Database) -> None:
    """Past WALL_CAP budgets by the clock a unit is interrupted whatever CPU it spent (a read
    waiting on the disk spends none)."""
    units = db.loop_units(budget_ms=20)
    if not isinstance(units, LoopUnits):
        pytest.skip("SQLite's progress handler; PostgreSQL's statement_timeout is tested below")
    units.WALL_CAP = 3  # 60 ms
    try:
        assert units.usable_here()

        def late_read() -> None:
            with units.unit() as session:
                time.sleep(0.1)  # 100 ms by the clock, past the 60 ms cap
                session.execute(text(BOUNDED)).all()

        with pytest.raises(ReadTooSlow):
            late_read()
        # The units still serve reads afterwards. The cap moved far away for this one: a loaded
        # machine may take longer than 60 ms by the clock over it, and that is not what is tested.
        units.WALL_CAP = 10_000
        with units.unit() as session:
            assert session.execute(text(BOUNDED)).scalar() == 5000
    finally:
        units.close()


def test_a_read_begins_its_transaction_at_its_second_statement(db: Database) -> None:
    """A SQLite read unit of one statement runs no BEGIN or ROLLBACK (the statement reads in
    SQLite's implicit transaction); in a longer one the second statement begins the
    transaction, so from there on the statements read one snapshot: a write committed
    between the first and the second is seen, one committed after the second is not."""
    units = db.loop_units(budget_ms=1000)
    if not isinstance(units, LoopUnits):
        pytest.skip("PostgreSQL's loop connection is in autocommit: every statement reads its own snapshot")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch (n INTEGER)"))
    count = Prepared(select(func.count()).select_from(table("scratch")))

    def write() -> None:
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO scratch (n) VALUES (1)"))

    try:
        assert units.usable_here()
        with units.unit() as session:
            count.rows(session, {})
        assert units._direct is not None
        ran: list[str] = []
        units._direct[0].set_trace_callback(ran.append)

        with units.unit() as session:
            assert count.rows(session, {}) == [[0]]
        assert [s.split()[0] for s in ran] == ["SELECT"]

        ran.clear()
        with units.unit() as session:
            seen = [count.rows(session, {})[0][0]]
            write()  # between the first and the second: seen
            seen.append(count.rows(session, {})[0][0])
            write()  # after the second: the unit's snapshot is older
            seen.append(count.rows(session, {})[0][0])
        assert seen == [0, 1, 1]
        assert [s.split()[0] for s in ran] == ["SELECT", "BEGIN", "SELECT", "SELECT", "ROLLBACK"]
    finally:
        units.close()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE scratch"))


def test_no_loop_units_when_the_budget_is_zero(db: Database) -> None:
    assert db.loop_units(budget_ms=0) is None
    units = db.loop_units(budget_ms=5)
    assert isinstance(units, LoopUnits if db.is_sqlite else PostgresLoopUnits)
    units.close()


def _postgres_units(db: Database, budget_ms: float = 20) -> PostgresLoopUnits:
    units = db.loop_units(budget_ms=budget_ms)
    if not isinstance(units, PostgresLoopUnits):
        pytest.skip("PostgreSQL's loop units")
    assert units.usable_here()
    return units


def _backend_pid(units: PostgresLoopUnits) -> int:
    with units.unit() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
    assert isinstance(pid, int)
    return pid


def test_postgres_a_statement_past_the_cap_is_cancelled_and_the_connection_reused(db: Database) -> None:
    units = _postgres_units(db)  # statement_timeout: 10 budgets, 200 ms
    try:
        pid = _backend_pid(units)
        with pytest.raises(ReadTooSlow), units.unit() as session:
            session.execute(text("SELECT pg_sleep(5)")).all()
        assert _backend_pid(units) == pid  # the same connection, still usable
    finally:
        units.close()


def test_postgres_a_unit_that_waited_past_its_budget_says_so(db: Database) -> None:
    """A unit that finished, but kept the loop waiting on the database past its budget, sets
    `overran` (its route's next reads go to worker threads)."""
    units = _postgres_units(db)
    try:
        with units.unit() as session:
            # 50 ms asleep in the database (under the 200 ms cap): this thread spends almost
            # no CPU time meanwhile, however loaded the machine.
            session.execute(text("SELECT pg_sleep(0.05)")).all()
        assert units.overran
    finally:
        units.close()


class _Clocks:
    """The two clocks a unit reads, moved by hand: the wall clock and the thread's CPU time."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0


def test_postgres_only_the_wait_counts_against_the_budget(db: Database) -> None:
    """The clock less this thread's CPU time is what a unit waited: CPU time spent on the loop
    would hold the GIL on a worker thread just the same, so it sends nothing to threads."""
    units = _postgres_units(db)
    clocks = _Clocks()
    units.clock = lambda: clocks.wall  # type: ignore[method-assign]
    units.cpu_clock = lambda: clocks.cpu  # type: ignore[method-assign]
    try:
        with units.unit() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1
            clocks.wall += 0.050  # 50 ms by the clock ...
            clocks.cpu += 0.045  # ... 45 of them this thread's own work: 5 ms waited
        assert not units.overran
        with units.unit() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1
            clocks.wall += 0.050  # 50 ms by the clock, 25 of them waiting
            clocks.cpu += 0.025
        assert units.overran
        with units.unit() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1
        assert not units.overran  # each unit is judged on its own
    finally:
        units.close()


def test_postgres_a_write_asks_for_a_write_unit_and_writes_nothing(db: Database) -> None:
    units = _postgres_units(db)
    try:
        with pytest.raises(WriteNeeded), units.unit() as session:
            session.execute(text("CREATE TABLE loop_write_probe (id integer)"))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('loop_write_probe')")).scalar() is None
        with units.unit() as session:
            assert session.execute(text("SELECT 42")).scalar() == 42
    finally:
        units.close()


def test_postgres_a_lost_connection_is_replaced(db: Database) -> None:
    units = _postgres_units(db)
    try:
        pid = _backend_pid(units)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True
        with pytest.raises(ReadTooSlow), units.unit() as session:
            session.execute(text("SELECT 1")).all()
        assert _backend_pid(units) != pid  # connected afresh
    finally:
        units.close()


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
        assert gates.loop_units is not None
        assert gates._threaded  # the page overran: its route goes straight to a thread for a while


def test_postgres_reads_survive_the_loss_of_the_loops_connection(
    serve_app: Serve, settings: Settings, db: Database, client: httpx.Client
) -> None:
    """The loop's connection is killed between two requests: the reads after it are answered
    as before (the one that met the dead connection from a worker thread)."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL's loop connection")
    alice = make_person(db, name="Alice")
    project = make_project(client, alice)
    task = make_task(client, alice, project, name="Kept")
    app = create_app(settings, db)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as c:
        first = c.get(f"/v1/tasks/{task['id']}", headers=alice.headers)
        assert first.status_code == 200, first.text
        units = app.state.unit_gates.loop_units
        assert isinstance(units, PostgresLoopUnits)
        with db.engine.connect() as conn:
            killed = conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": units._direct[0].info.backend_pid if units._direct else -1},
            ).scalar()
        assert killed is True
        for _ in range(3):
            again = c.get(f"/v1/tasks/{task['id']}", headers=alice.headers)
            assert again.status_code == 200, again.text
            assert again.json()["data"] == first.json()["data"]


def test_a_route_goes_to_threads_after_reads_late_in_a_row() -> None:
    """A read that finished late (PostgreSQL: it kept the loop waiting on the database) is no
    pattern on its own: its route goes to worker threads after three in a row."""
    gates = _Gates(threads=1, loop_units=None)
    gates.finished("show", late=True)
    gates.finished("show", late=True)
    gates.finished("show", late=False)  # a read in time starts the count again
    gates.finished("show", late=True)
    gates.finished("show", late=True)
    gates.finished("list", late=True)  # another route's count is its own
    assert gates.loop_suits("show")
    assert gates.loop_suits("list")
    gates.finished("show", late=True)  # the third in a row
    assert not gates.loop_suits("show")
    assert gates.loop_suits("list")


def _skipped(gates: _Gates, route: str) -> int:
    """How many of `route`'s next reads go straight to a worker thread."""
    skipped = 0
    while not gates.loop_suits(route):
        skipped += 1
        assert skipped <= 10_000
    return skipped


def test_an_overrun_costs_a_route_a_few_loop_reads_and_more_when_it_overruns_again() -> None:
    """One overrun (a route's first read compiling its statements, a read slowed by a busy
    machine) sends the route's next 8 reads to worker threads; each overrun of the next try
    on the loop doubles that, up to 256; a try that finishes in time starts again at 8."""
    gates = _Gates(threads=1, loop_units=None)
    gates.overran("list")
    assert _skipped(gates, "list") == 8
    assert gates.loop_suits("show")  # other routes keep the loop
    gates.overran("list")  # the next try overran too
    assert _skipped(gates, "list") == 16
    gates.overran("list")
    assert _skipped(gates, "list") == 32
    gates.finished("list", late=False)  # a try in time
    gates.overran("list")
    assert _skipped(gates, "list") == 8
    for _ in range(12):
        gates.overran("slow")
    assert _skipped(gates, "slow") == 256
