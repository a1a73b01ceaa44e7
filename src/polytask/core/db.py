"""Engines, sessions and the unit of work.

SQLite is configured for concurrent use: WAL journal, foreign keys on, a busy timeout,
and write transactions that start with BEGIN IMMEDIATE so that two writers queue on the
lock instead of failing later with "database is locked". Read-only sessions start a
deferred transaction so readers never wait for the write lock.

`session.info` is the unit's scratch space (before/after-commit callbacks, the events it
recorded, the hint for other processes) and it follows the transaction: a savepoint
(`session.begin_nested()`) that rolls back puts `session.info` back as it was when the
savepoint began, so nothing queued inside it (an event, a delivery, a wake-up) outlives the
work it described. See `_bind_info_to_savepoints`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.pool import NullPool, StaticPool

from polytask.core.jsontext import loads_exact

READONLY_OPTION = "polytask_readonly"
_READONLY_INFO = "polytask.readonly"
# In a loop read unit's session.info: (driver connection, dialect) of the connection whose
# read transaction the unit opened itself, for prepared statements (core/statements.py).
DRIVER_INFO = "polytask.driver"
# A loop read unit's SQLAlchemy Connection (its transaction is the unit's): statements built
# per request run on it without the ORM session beginning a transaction of its own.
CONNECTION_INFO = "polytask.connection"
# In a SQLite loop read unit's session.info: whether the unit's first statement on the driver
# has run; gone once its second began the unit's transaction (`before_driver_statement`).
_FIRST_RAN_INFO = "polytask.first_ran"
_BEFORE_COMMIT = "polytask.before_commit"
_AFTER_COMMIT = "polytask.after_commit"
_SAVEPOINTS = "polytask.savepoints"
_ON_ROLLBACK = "polytask.on_rollback"

log = logging.getLogger("polytask.db")


class WriteNeeded(Exception):
    """Raised inside a read-only unit of work by work that finds it must write after all.

    A read unit never commits, so a write there would be lost (and on SQLite it would fight
    the writers for the lock from a read snapshot). The caller runs the whole work again in
    a write unit instead (api/deps.py `run_unit`). Nothing was written, so nothing is undone."""


class ThreadNeeded(Exception):
    """Raised inside a unit of work running on the event loop's thread by work that would block
    it (hashing a password, resolving a host name, a large batch): nothing is committed, and the
    caller runs the whole unit again on a worker thread (api/kernel/units.py), where its route's
    later units go directly."""


# Whether this thread is running a unit of work on the event loop (LoopUnits, PostgresLoopUnits).
_ON_LOOP = threading.local()


def require_thread() -> None:
    """Raise ThreadNeeded when called inside a unit on the event loop's thread: call it before
    work that blocks for long without the database (password hashing, name resolution)."""
    if getattr(_ON_LOOP, "active", False):
        raise ThreadNeeded()


def require_writable(session: Session) -> None:
    """Raise WriteNeeded when `session` is a read-only unit's: call it just before a write
    that a read request may need (creating a default on first use, a read receipt)."""
    if session.info.get(_READONLY_INFO):
        raise WriteNeeded()


def before_commit(session: Session, callback: Callable[[Session], None]) -> None:
    """Run `callback(session)` once, inside the transaction, just before the unit commits.

    Registering the same callback twice in one unit runs it once. A callback may write
    (it is part of the transaction) and may register further callbacks. Registered inside
    a savepoint that rolls back, it is dropped with the savepoint.
    """
    pending: list[Callable[[Session], None]] = session.info.setdefault(_BEFORE_COMMIT, [])
    if callback not in pending:
        pending.append(callback)


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback()` once the unit has committed; never after a rollback.

    For side effects that must not announce what may still be rolled back (waking the
    webhook dispatcher, pushing to live streams). Errors are logged, not raised: the
    change is already committed. Registering the same callback twice runs it once.
    Registered inside a savepoint that rolls back, it is dropped with the savepoint.
    """
    pending: list[Callable[[], None]] = session.info.setdefault(_AFTER_COMMIT, [])
    if callback not in pending:
        pending.append(callback)


def on_rollback(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback()` if the transaction (or the savepoint it was registered in) rolls back;
    forget it once the transaction commits.

    For what was done outside the database ahead of a write that may not commit: a blob put in
    the file store before its row was inserted is deleted again. Errors are logged, not raised.
    """
    session.info.setdefault(_ON_ROLLBACK, []).append(callback)


def _run_rollback_callbacks(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("rollback callback %r failed", callback)


@event.listens_for(Session, "after_commit")
def _forget_rollback_callbacks(session: Session) -> None:
    if session.info and not session.in_nested_transaction():
        session.info.pop(_ON_ROLLBACK, None)


@event.listens_for(Session, "after_transaction_end")
def _rolled_back(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (which forgot the callbacks).
    if transaction.parent is None and session.info:
        callbacks = session.info.pop(_ON_ROLLBACK, None)
        if callbacks:
            _run_rollback_callbacks(callbacks)


def _run_before_commit(session: Session) -> None:
    done = 0
    while True:
        pending: list[Callable[[Session], None]] = session.info.get(_BEFORE_COMMIT, [])
        if done >= len(pending):
            return
        callback = pending[done]
        done += 1
        callback(session)


def _run_after_commit(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit callback %r failed", callback)


@dataclass
class _Savepoint:
    """`session.info` as it was when a savepoint began; put back unless the savepoint is released."""

    transaction: SessionTransaction
    info: dict[Any, Any]
    released: bool = field(default=False)


def _copy_info(info: dict[Any, Any]) -> dict[Any, Any]:
    # Values are lists, sets and dicts that grow in place (copied one level deep), or
    # immutable values that are replaced (kept as they are).
    return {
        key: type(value)(value) if type(value) in (list, set, dict) else value
        for key, value in info.items()
        if key != _SAVEPOINTS
    }


def _savepoint_began(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        stack: list[_Savepoint] = session.info.setdefault(_SAVEPOINTS, [])
        stack.append(_Savepoint(transaction, _copy_info(session.info)))


def _savepoint_released(session: Session) -> None:
    # `after_commit` fires for a released savepoint while it is still the session's
    # nested transaction (and for the outermost commit, when there is none).
    nested = session.get_nested_transaction()
    if nested is None:
        return
    for frame in session.info.get(_SAVEPOINTS, []):
        if frame.transaction is nested:
            frame.released = True


def _savepoint_ended(session: Session, transaction: SessionTransaction) -> None:
    if not transaction.nested:
        return
    stack: list[_Savepoint] = session.info.get(_SAVEPOINTS, [])
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].transaction is transaction:
            break
    else:
        return
    frame = stack[depth]
    del stack[depth:]
    if frame.released:
        return  # its work joins the enclosing transaction, and so does what it queued
    before: list[Callable[[], None]] = frame.info.get(_ON_ROLLBACK, [])
    undo = [c for c in session.info.get(_ON_ROLLBACK, []) if c not in before]
    # Rolled back (or closed without a release): what it queued goes with it.
    kept = session.info.get(_SAVEPOINTS)
    session.info.clear()
    session.info.update(frame.info)
    if kept:
        session.info[_SAVEPOINTS] = kept
    _run_rollback_callbacks(undo)


def _bind_info_to_savepoints(factory: sessionmaker[Session]) -> None:
    """Make `session.info` of this factory's sessions follow their savepoints.

    Everything a unit queues for its commit lives in `session.info`: before/after-commit
    callbacks and what they will act on (events/service.py: the events to fan out to
    webhooks and announce; bus.py: the hint for other processes). A savepoint that rolls
    back must take all of it along, or the commit would deliver an event that never
    happened (and on SQLite, whose ids roll back too, name an id the next event gets). So
    each savepoint keeps a copy of `session.info` from when it began and puts it back
    unless it is released; a released savepoint's additions stay with the enclosing
    transaction, which commits or rolls them back in turn. This covers every
    `begin_nested()`, whoever opens it.
    """
    event.listen(factory, "after_transaction_create", _savepoint_began)
    event.listen(factory, "after_commit", _savepoint_released)
    event.listen(factory, "after_transaction_end", _savepoint_ended)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# Reads of the database file go through a shared memory map of this size: every pooled
# connection sees the same cached pages, instead of each warming a 2 MB page cache of its own.
DEFAULT_SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, mmap_bytes: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA mmap_size={int(mmap_bytes)}")
        cursor.close()
        # SQLite's lower() folds A-Z only; PostgreSQL's (a UTF-8 locale) folds every letter.
        # Caseless filters, sign-in by email and duplicate checks lower both sides: Python's
        # str.lower makes "Équipe" match "équipe" here too. No index is built on lower()
        # (an index over a function must not change meaning under it).
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        # On the driver's connection itself: through `exec_driver_sql` the statement took
        # SQLAlchemy's whole execution path (events, cursor wrapper, result), about 15 us
        # of a read unit's 40 us of transaction handling.
        driver = conn.connection.driver_connection
        if driver.in_transaction:
            return  # a loop read unit opened it on the driver (LoopUnits.unit): join it
        statement = "BEGIN" if conn.get_execution_options().get(READONLY_OPTION) else "BEGIN IMMEDIATE"
        driver.execute(statement)


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = 30_000,
    pool_size: int = 10,
    one_shot: bool = False,
    single: bool = False,
    sqlite_mmap_bytes: int = DEFAULT_SQLITE_MMAP_BYTES,
) -> Engine:
    """An engine for `url`; `one_shot` gives it no pool (migrations, CLI checks), `single` one
    connection it keeps (the event loop's, LoopUnits).

    The pool hands out the most recently returned connection first, so a quiet server keeps
    reusing the few connections whose caches are warm.
    """
    pool_args: dict[str, Any] = (
        {"poolclass": NullPool}
        if one_shot
        else {"poolclass": StaticPool}
        if single
        else {"pool_size": pool_size, "max_overflow": 20, "pool_use_lifo": True}
    )
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            **pool_args,
        )
        _configure_sqlite(engine, busy_timeout_ms, sqlite_mmap_bytes)
        return engine
    engine = create_engine(url, **pool_args)
    _configure_postgres(engine)
    return engine


def _set_utc(dbapi_connection: Any) -> None:
    """Every PostgreSQL session in UTC, whatever the server's own TimeZone.

    What is stored is UTC, and SQLite knows no other zone: in UTC, dates the database works
    out (a day of a timestamp, in reports) are the same on both engines. It is also what
    psycopg reads fastest: a session in UTC gets `datetime.timezone.utc` on every value,
    where a server zone such as `Etc/UTC` made each one a ZoneInfo conversion, and each
    rendering a conversion back (measured: a tenth of a list request's CPU)."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # SET is transactional: a rollback would undo it
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
    finally:
        dbapi_connection.autocommit = autocommit


# A pooled PostgreSQL connection idle at least this long is pinged before it is handed out
# (a dead one is replaced); one back in use sooner is not. SQLAlchemy's `pool_pre_ping`
# pings on every checkout: a round trip of every write unit (about 3% of a one-task create)
# on connections that came back to the pool milliseconds before. A connection that died
# within the last second (the server restarted, a network cut) fails its request instead,
# as it would have had it died a moment later, and SQLAlchemy then discards every pooled
# connection made before the failure.
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "polytask_idle_since"


def _read_json_with_orjson(dbapi_connection: Any) -> None:
    """json and jsonb values read by orjson (core/jsontext.py `loads_exact`, which SQLite's
    JSON columns read through too) instead of the json module psycopg uses by default:
    about 2% of a PostgreSQL list page's CPU, each task's custom fields a document."""
    from psycopg.types.json import set_json_loads  # PostgreSQL only: not loaded for SQLite

    set_json_loads(loads_exact, dbapi_connection)


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        _set_utc(dbapi_connection)
        _read_json_with_orjson(dbapi_connection)

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # just connected, or back in use within the second
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                # The pool discards it and checks out another (SQLAlchemy retries up to 3 times).
                raise DisconnectionError("the pooled connection was closed") from exc
            raise


class Database:
    """One engine and its two session factories (read and write)."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 30_000,
        pool_size: int = 20,
        sqlite_mmap_bytes: int = DEFAULT_SQLITE_MMAP_BYTES,
    ) -> None:
        self.url = url
        self.is_sqlite = is_sqlite(url)
        self._mmap_bytes = sqlite_mmap_bytes
        self.engine = make_engine(
            url, busy_timeout_ms=busy_timeout_ms, pool_size=pool_size, sqlite_mmap_bytes=sqlite_mmap_bytes
        )
        self._write = sessionmaker(bind=self.engine, expire_on_commit=False, autoflush=True)
        self._read = sessionmaker(
            bind=self.engine.execution_options(**{READONLY_OPTION: True}),
            expire_on_commit=False,
            autoflush=True,
            info={_READONLY_INFO: True},
        )
        _bind_info_to_savepoints(self._write)
        _bind_info_to_savepoints(self._read)

    def session(self, *, readonly: bool = False) -> Session:
        return (self._read if readonly else self._write)()

    def pool_stats(self) -> dict[str, int]:
        """The connection pool now (GET /metrics): its size, connections in use, idle, overflow."""
        pool: Any = self.engine.pool
        stats = {}
        for name in ("size", "checkedout", "checkedin", "overflow"):
            method = getattr(pool, name, None)
            if callable(method):
                stats[name] = int(method())
        return stats

    @contextmanager
    def unit_of_work(self, *, readonly: bool = False) -> Iterator[Session]:
        """Commit on success, roll back on any exception; services never commit.

        Callbacks registered with `before_commit` run just before the commit, those
        registered with `after_commit` just after it; a rollback discards both.
        """
        session = self.session(readonly=readonly)
        committed: list[Callable[[], None]] = []
        try:
            yield session
            if not readonly:
                _run_before_commit(session)
                session.commit()
                committed = session.info.get(_AFTER_COMMIT, [])
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info.pop(_BEFORE_COMMIT, None)
            session.info.pop(_AFTER_COMMIT, None)
            session.close()
        _run_after_commit(committed)

    def held_unit(self) -> HeldUnit:
        """A write transaction that stays open across several steps (an atomic /v1/batch)."""
        return HeldUnit(self.session())

    def loop_units(self, budget_ms: float) -> LoopUnits | PostgresLoopUnits | None:
        """Read units for the event loop's thread (see LoopUnits and PostgresLoopUnits)."""
        if budget_ms <= 0:
            return None
        if not self.is_sqlite:
            return PostgresLoopUnits(self.url, budget_ms)
        # An engine of its own, with its one connection: the loop holds it for as long as
        # it serves, outside the pool the worker threads share.
        engine = make_engine(
            self.url, busy_timeout_ms=max(1, int(budget_ms)), single=True, sqlite_mmap_bytes=self._mmap_bytes
        )
        return LoopUnits(engine, budget_ms)

    def checkpoint(self) -> None:
        """SQLite: copy the WAL's committed pages into the database file, waiting for no one
        (a passive checkpoint); PostgreSQL: nothing."""
        if not self.is_sqlite:
            return
        with self.engine.connect() as conn:
            # On the driver, outside any transaction (a checkpoint cannot run inside one, and
            # the Connection would begin one, taking the write lock).
            driver: Any = conn.connection.driver_connection
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def ping(self) -> None:
        """Raise if the database does not answer a trivial query."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()


class HeldUnit:
    """A unit of work whose steps run one after another, possibly on different threads.

    `commit()` makes it durable and must do at commit exactly what `unit_of_work` does
    (any before/after-commit hooks included); `close()` rolls back anything not committed.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def commit(self) -> None:
        """Commit with the unit of work's hooks: before-commit callbacks (the webhook
        outbox) inside the transaction, after-commit callbacks once it is durable."""
        _run_before_commit(self.session)
        self.session.commit()
        committed: list[Callable[[], None]] = self.session.info.pop(_AFTER_COMMIT, [])
        self.session.info.pop(_BEFORE_COMMIT, None)
        _run_after_commit(committed)

    def close(self) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.info.pop(_BEFORE_COMMIT, None)
            self.session.info.pop(_AFTER_COMMIT, None)
            self.session.close()


class ReadTooSlow(Exception):
    """A loop read ran past its budget (or met a lock) and was given up; run it on a worker
    thread instead."""


def _too_slow(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc))
    return "interrupted" in text or "locked" in text or "busy" in text


class _LoopConnection:
    """The event loop's own connection (LoopUnits, PostgresLoopUnits): opened on first use by
    the one thread that may use it, with one read-session factory bound to it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._thread: int | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._direct: tuple[Any, Dialect] | None = None
        self._kept: Session | None = None

    def usable_here(self) -> bool:
        """Whether this thread owns (or may take) the loop's connection."""
        here = threading.get_ident()
        if self._thread is None:
            self._thread = here
        return self._thread == here

    def _configure_driver(self, driver: Any) -> None:
        """Set up the driver's connection once it is open."""

    def _sessionmaker(self) -> sessionmaker[Session]:
        if self._sessions is None:
            conn = self._engine.connect().execution_options(**{READONLY_OPTION: True})
            driver: Any = conn.connection.driver_connection
            self._configure_driver(driver)
            self._conn = conn
            self._direct = (driver, conn.dialect)
            self._sessions = sessionmaker(
                bind=conn, expire_on_commit=False, autoflush=True, info={_READONLY_INFO: True}
            )
            _bind_info_to_savepoints(self._sessions)
        return self._sessions

    def _session(self) -> Session:
        """The session for the next unit: the last unit's again when it never used it."""
        kept, self._kept = self._kept, None
        return kept if kept is not None else self._sessionmaker()()

    def _end_connection_transaction(self) -> None:
        """End what a statement run on the Connection itself began (CONNECTION_INFO)."""
        conn = self._conn
        if conn is not None and conn.in_transaction():
            conn.rollback()

    def _release(self, session: Session, *, failed: bool) -> None:
        """After a unit: keep a session the unit left as it was made (most reads run prepared
        statements on the driver and never touch the ORM: a Session made and closed per unit
        was about a tenth of a task read); close any other."""
        untouched = not (session.identity_map or session._new or session._deleted or session.in_transaction())
        if untouched and not failed:
            session.info.clear()
            session.info[_READONLY_INFO] = True
            self._kept = session
            return
        session.close()


class LoopUnits(_LoopConnection):
    """SQLite: read units of work run on the event loop's own thread, without a thread hop.

    A read of a WAL database by key or index takes tens of microseconds; handing it to a
    worker thread and back costs more than that. The loop owns one connection (never
    returned to the pool) and runs each read unit in a read transaction on it, one at a time
    (a unit never awaits). A statement still running once the unit has spent `budget_ms` of
    this thread's CPU time (counted from the handler's first look at it, which a unit of short
    statements never gets) is interrupted through SQLite's progress handler, and so is one
    still running `WALL_CAP` times the budget after the unit began by the clock (a read
    waiting on the disk spends no CPU), and a wait for a lock (the connection's busy timeout
    is the budget): `unit()` then raises ReadTooSlow, having written nothing, and the caller
    runs the unit again on a worker thread. CPU time, not the clock, is the budget because on
    a busy machine the clock also counts the time the OS ran something else and the time the
    loop waited for the GIL while a worker thread held it: with a clock budget a loaded
    server sent its shortest reads to threads, which loaded it further. Only the thread that
    first used it may use it; any other thread gets None from `unit_here()`.
    """

    WALL_CAP = 10

    # SQLite interrupts a unit that overruns (ReadTooSlow): none finishes late.
    overran = False

    def __init__(self, engine: Engine, budget_ms: float) -> None:
        super().__init__(engine)
        self._budget = budget_ms / 1000
        self._budget_ms = budget_ms
        self._deadline = float("inf")  # the clock past which the CPU time is looked at
        self._cap = float("inf")  # the clock past which a unit stops whatever it spent
        # This thread's CPU time past which a unit stops; None until its first long statement.
        self._cpu_deadline: float | None = float("inf")
        self._writes: sessionmaker[Session] | None = None
        self._since_checkpoint = 0
        # Whether the unit now running was interrupted: on SQLite an interrupted write also
        # rolls the whole transaction back, and what fails next (a savepoint that is gone)
        # no longer says "interrupted".
        self._interrupted = False

    def _over_budget(self) -> int:
        now = time.perf_counter()
        if self._cpu_deadline is None:
            # The unit's first statement long enough to be looked at: its CPU time counts from
            # here. Read at every unit's start, the thread's CPU clock (a system call) was about
            # 1% of a task's show, whose one statement never gets here.
            self._cpu_deadline = time.thread_time() + self._budget
        if now <= self._deadline:
            return 0  # CPU time never runs ahead of the clock: nothing more to look at
        if now > self._cap or time.thread_time() > self._cpu_deadline:
            self._interrupted = True
            return 1
        return 0

    def _configure_driver(self, driver: Any) -> None:
        driver.set_progress_handler(self._over_budget, 1000)
        # A commit on the loop never checkpoints the WAL (copying pages into the database file
        # and syncing it would hold the loop): after every CHECKPOINT_EVERY write units the
        # caller runs a passive checkpoint on a worker thread (checkpoint_due).
        driver.execute("PRAGMA wal_autocheckpoint=0")

    # Write units committed on the loop between two checkpoints (a create writes a few pages;
    # SQLite's own automatic checkpoint comes at 1,000 pages).
    CHECKPOINT_EVERY = 100

    def checkpoint_due(self) -> bool:
        """Whether enough write units committed on the loop since the last checkpoint was asked
        for; answering True starts the count again."""
        if self._since_checkpoint < self.CHECKPOINT_EVERY:
            return False
        self._since_checkpoint = 0
        return True

    def _start(self) -> None:
        now = time.perf_counter()
        self._deadline = now + self._budget
        self._cap = now + self._budget * self.WALL_CAP
        self._cpu_deadline = None
        self._interrupted = False

    def unit(self) -> AbstractContextManager[Session]:
        """A read session on the loop's connection; ReadTooSlow if it ran past its budget.

        The unit's read transaction is opened on the driver itself, at its second statement
        (before_driver_statement: its first reads a snapshot of its own), and ended there:
        prepared statements (core/statements.py) run in it without the ORM beginning a
        transaction of its own (`session.connection()` and its rollback cost about as much
        as a read by key). Work that does use the ORM joins the same transaction (`on_begin`),
        or begins it.
        """
        return _LoopRead(self)

    def _stopped(self, exc: BaseException) -> bool:
        """Whether `exc`, raised in a unit, comes of an interrupt or a lock (ReadTooSlow).
        Through the ORM the driver's error arrives wrapped; prepared statements
        (core/statements.py) run on the driver and raise it as it is. Whatever failed after an
        interrupt failed because of it."""
        return isinstance(exc, Exception) and (
            self._interrupted or (isinstance(exc, DBAPIError | sqlite3.Error) and _too_slow(exc))
        )

    def _end_read(self, session: Session, driver: Any, *, failed: bool) -> None:
        _ON_LOOP.active = False
        self._deadline = self._cap = self._cpu_deadline = float("inf")  # the ROLLBACK itself must not be interrupted
        self._release(session, failed=failed)  # when the ORM joined, closing rolls it back
        self._end_connection_transaction()
        if driver.in_transaction:
            driver.execute("ROLLBACK")

    @contextmanager
    def write_unit(self) -> Iterator[Session]:
        """A write unit on the loop's connection, committed when the block ends without error.

        It takes SQLite's write lock at once (BEGIN IMMEDIATE), waiting for it at most the
        budget (the connection's busy timeout), and is held to the same CPU budget as a read:
        a unit that meets another writer's lock or overruns is rolled back and raises
        ReadTooSlow, having written nothing, and the caller runs it on a worker thread. The
        commit itself is never interrupted and never checkpoints (checkpoint_due). Callbacks
        registered with `before_commit`/`after_commit` run as in Database.unit_of_work. The
        caller holds this process's writer gate (api/kernel/units.py), so no other writer of
        the process waits on the lock meanwhile.
        """
        self._sessionmaker()
        assert self._direct is not None
        assert self._conn is not None
        if self._writes is None:
            self._writes = sessionmaker(bind=self._conn, expire_on_commit=False, autoflush=True)
            _bind_info_to_savepoints(self._writes)
        driver = self._direct[0]
        session = self._writes()
        committed: list[Callable[[], None]] = []
        self._start()
        _ON_LOOP.active = True
        try:
            driver.execute("BEGIN IMMEDIATE")
            session.info[DRIVER_INFO] = self._direct
            session.info[CONNECTION_INFO] = self._conn
            yield session
            _run_before_commit(session)
            session.flush()
            self._deadline = self._cap = self._cpu_deadline = float("inf")  # the commit must not be interrupted
            if self._interrupted or not driver.in_transaction:
                # SQLite rolled the transaction back (an interrupted write) and the work went
                # on regardless: commit nothing.
                raise ReadTooSlow()
            if session.in_transaction():
                session.commit()  # the ORM joined the driver's transaction: this commits it
            if driver.in_transaction:
                driver.execute("COMMIT")
            committed = session.info.get(_AFTER_COMMIT, [])
            self._since_checkpoint += 1
        except Exception as exc:
            if self._interrupted or (isinstance(exc, DBAPIError | sqlite3.Error) and _too_slow(exc)):
                raise ReadTooSlow() from exc
            raise
        finally:
            _ON_LOOP.active = False
            self._deadline = self._cap = self._cpu_deadline = float("inf")
            session.info.pop(_BEFORE_COMMIT, None)
            session.info.pop(_AFTER_COMMIT, None)
            session.close()  # rolls back what the ORM began and did not commit
            self._end_connection_transaction()
            if driver.in_transaction:
                driver.execute("ROLLBACK")
        _run_after_commit(committed)

    def close(self) -> None:
        self._kept = None
        self._writes = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._sessions = None
        self._engine.dispose()


def before_driver_statement(info: dict[str, Any], driver: Any) -> None:
    """Called before a statement runs on a loop read unit's driver connection (DRIVER_INFO).

    A SQLite read unit opens no transaction up front: its first statement runs in a read
    transaction of its own (SQLite's implicit one), and its second begins the transaction that
    it and the unit's later statements share. So a read of one statement, a task by id,
    costs no BEGIN and ROLLBACK (about 2% of `GET /v1/tasks/{id}`), and statements read one
    snapshot from the second on. Nothing is given up by the first reading its own: on
    PostgreSQL every read is in autocommit or at READ COMMITTED, where each statement takes a
    snapshot of its own, so no read depends on two statements agreeing (docs/ARCHITECTURE.md).
    Work that uses the ORM begins the transaction through `on_begin` as before.
    """
    ran = info.get(_FIRST_RAN_INFO)
    if ran is None:
        return  # not a SQLite loop read, or its transaction has begun
    if not ran:
        info[_FIRST_RAN_INFO] = True
        return
    del info[_FIRST_RAN_INFO]
    if not driver.in_transaction:
        driver.execute("BEGIN")


class _LoopRead:
    """LoopUnits.unit's context manager, written as a class: every read request opens one, and a
    generator-based one cost about 2% of a task's show."""

    __slots__ = ("_driver", "_session", "_units")

    def __init__(self, units: LoopUnits) -> None:
        self._units = units

    def __enter__(self) -> Session:
        units = self._units
        session = self._session = units._session()
        assert units._direct is not None
        self._driver = units._direct[0]
        units._start()
        _ON_LOOP.active = True
        # The unit's transaction begins at its second statement (before_driver_statement).
        info = session.info
        info[_FIRST_RAN_INFO] = False
        info[DRIVER_INFO] = units._direct
        info[CONNECTION_INFO] = units._conn
        return session

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        units = self._units
        try:
            if exc is not None and units._stopped(exc):
                raise ReadTooSlow() from exc
        finally:
            units._end_read(self._session, self._driver, failed=exc is not None)


# PostgreSQL error classes a loop read unit answers itself (psycopg's `sqlstate`).
_READ_ONLY_SQL_TRANSACTION = "25006"  # the unit tried to write: WriteNeeded
_QUERY_CANCELED = "57014"  # statement_timeout: ReadTooSlow


class PostgresLoopUnits(_LoopConnection):
    """PostgreSQL: read units of work run on the event loop's own thread, on a connection of its own.

    A read by key on PostgreSQL is a few round trips of tens of microseconds each. On a
    worker thread the same read also pays the thread hop, the pool's check-out with its
    liveness ping, BEGIN and ROLLBACK (each one more round trip), and, with the loop busy,
    waits for the GIL after every round trip: measured under load, the process spent about
    1.1 ms of CPU on a task read that costs 0.25 ms on SQLite's loop. Here the loop owns one
    connection, in autocommit and read-only (`default_transaction_read_only`), and runs each
    read unit on it directly, one at a time (a unit never awaits): each statement is one
    round trip. Autocommit gives up nothing: at READ COMMITTED every statement of a
    transaction takes a snapshot of its own anyway.

    The loop waits for the database while a unit runs, so units must stay short:
    `statement_timeout` cancels a statement still running after WALL_CAP budgets (the unit
    raises ReadTooSlow, having written nothing, and the caller runs it again on a worker
    thread), and a unit that finished but waited for the database longer than its budget (the
    clock less this thread's CPU time: that CPU time would hold the GIL, and so the loop, on a
    worker thread too) sets `overran`; when a route's reads do so several times in a row, the
    caller sends its next reads to worker threads for a while (a database far away, or a
    query that grew). A write on this connection fails read-only
    and the unit raises WriteNeeded (the caller runs it again as a write unit). A lost
    connection is dropped and the unit raises ReadTooSlow; the next unit connects afresh.
    Only the thread that first used it may use it.
    """

    WALL_CAP = 10
    clock = staticmethod(time.perf_counter)
    cpu_clock = staticmethod(time.thread_time)  # this thread's CPU time

    def __init__(self, url: str, budget_ms: float) -> None:
        self._budget = budget_ms / 1000
        timeout_ms = max(1, int(budget_ms * self.WALL_CAP))
        # Its own engine, without a pool: the loop keeps its one connection for as long as it
        # serves, and a lost one is replaced by connecting again.
        super().__init__(create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT"))

        @event.listens_for(self._engine, "connect")
        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            _set_utc(dbapi_connection)
            dbapi_connection.autocommit = True
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = on")
                cursor.execute(f"SET statement_timeout = {timeout_ms}")

        self.overran = False

    def _drop_connection(self) -> None:
        conn, self._conn, self._sessions, self._direct, self._kept = self._conn, None, None, None, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:
                log.debug("closing the loop's lost PostgreSQL connection failed", exc_info=True)

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """A read session on the loop's connection; ReadTooSlow if it was cancelled or lost
        its connection, WriteNeeded if it tried to write."""
        self.overran = False
        try:
            session = self._session()
        except DBAPIError as exc:
            raise ReadTooSlow() from exc  # cannot connect from here: let the pool try
        assert self._direct is not None
        session.info[DRIVER_INFO] = self._direct
        session.info[CONNECTION_INFO] = self._conn
        started, spent = self.clock(), self.cpu_clock()
        failed = True
        _ON_LOOP.active = True
        try:
            yield session
            failed = False
        except Exception as exc:
            # Through the ORM the driver's error arrives wrapped; prepared statements
            # (core/statements.py) run on the driver and raise it as it is.
            orig = exc.orig if isinstance(exc, DBAPIError) else exc
            state = getattr(orig, "sqlstate", None)
            if state == _READ_ONLY_SQL_TRANSACTION:
                raise WriteNeeded() from exc
            if state == _QUERY_CANCELED:
                raise ReadTooSlow() from exc
            driver = self._direct[0] if self._direct is not None else None
            if (isinstance(exc, DBAPIError) and exc.connection_invalidated) or (driver is not None and driver.closed):
                self._drop_connection()
                raise ReadTooSlow() from exc
            raise
        finally:
            _ON_LOOP.active = False
            try:
                self._release(session, failed=failed)  # autocommit: nothing to roll back, no round trip
                self._end_connection_transaction()
            except DBAPIError:
                self._drop_connection()
            # Only the wait counts: this thread's own CPU time would hold the GIL (and so the
            # loop) on a worker thread just the same.
            waited = (self.clock() - started) - (self.cpu_clock() - spent)
            self.overran = waited > self._budget

    def close(self) -> None:
        self._drop_connection()
        self._engine.dispose()
