"""Storage guarantees: SQLite pragmas, concurrent writers, the event log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.models import Event
from tests.conftest import BACKEND
from tests.factories.people import make_person
from tests.factories.work import make_project


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite pragmas")
def test_sqlite_connections_are_configured(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_concurrent_writers_all_succeed(client: httpx.Client, base_url: str, db: Database) -> None:
    """Writers queue on the lock (BEGIN IMMEDIATE on SQLite) instead of failing with 'database is locked'."""
    alice = make_person(db)
    project = make_project(client, alice)

    def create(n: int) -> int:
        with httpx.Client(base_url=base_url, timeout=60) as c:
            r = c.post(f"/v1/projects/{project}/tasks", json={"name": f"T{n}"}, headers=alice.headers)
            return r.status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(create, range(60)))
    assert statuses == [201] * 60
    r = client.get(f"/v1/projects/{project}/tasks", params={"limit": 1, "total": "true"}, headers=alice.headers)
    assert r.json()["meta"]["total"] == 60


def test_every_change_writes_one_event_in_the_same_transaction(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    # The second nested task is invalid after the project and first task were flushed.
    body = {"name": "Half", "tasks": [{"name": "ok"}, {"name": "bad", "assignee_id": "user_999"}]}
    r = client.post(f"/v1/workspaces/{alice.workspace}/projects", json=body, headers=alice.headers)
    assert r.status_code == 422
    with db.unit_of_work(readonly=True) as session:
        # Rolled back whole: no project, no task, and none of their events.
        assert session.scalar(select(func.count()).where(Event.type == "task.created")) == 0
        assert session.scalar(select(func.count()).where(Event.type == "project.created")) == 1
    client.post(f"/v1/projects/{project}/tasks", json={"name": "y"}, headers=alice.headers)
    with db.unit_of_work(readonly=True) as session:
        [event] = session.scalars(select(Event).where(Event.type == "task.created")).all()
        assert event.actor_user_id == alice.user_id
        assert event.credential_kind == "api_key"
        assert event.snapshot["name"] == "y"
