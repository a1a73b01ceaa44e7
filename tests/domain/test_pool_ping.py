"""PostgreSQL's pooled connections are pinged before use only after sitting idle
(core/db.py `PING_AFTER_IDLE_SECONDS`): a connection the server closed while it sat in the
pool is replaced without failing the unit that checks it out; one back in use at once is
handed out without the round trip."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

import polytask.core.db as core_db
from polytask.core.db import Database


def _postgres(db: Database) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's pool")


def _pid(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _kill(db: Database, pid: int) -> None:
    # On a connection of its own, outside the pool that holds `pid`.
    other = create_engine(db.engine.url, poolclass=NullPool)
    try:
        with other.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one() is True
    finally:
        other.dispose()


def _pings(monkeypatch: pytest.MonkeyPatch, db: Database) -> list[int]:
    seen: list[int] = []
    real = db.engine.dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        seen.append(1)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(db.engine.dialect, "do_ping", counting)
    return seen


def test_an_idle_connection_the_server_closed_is_replaced_before_use(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres(db)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout counts as idle
    pings = _pings(monkeypatch, db)
    pid = _pid(db)
    _kill(db, pid)
    with db.unit_of_work() as session:
        assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    assert pings, "the checkout pinged the idle connection"


def test_a_connection_back_in_use_at_once_is_not_pinged(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _postgres(db)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 3600.0)  # nothing is idle that long
    pings = _pings(monkeypatch, db)
    first = _pid(db)
    assert _pid(db) == first  # the same pooled connection, handed out again
    assert pings == []
    # The trade: a connection that died within the threshold fails the unit that meets it,
    # and the pool then replaces it.
    _kill(db, first)
    with pytest.raises(OperationalError), db.unit_of_work() as session:
        session.execute(text("SELECT 1")).scalar_one()
    assert _pid(db) != first
