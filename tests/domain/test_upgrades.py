"""Upgrades, on both engines: `polytask migrate` is safe to run twice and beside another one
(the migration lock), and a database written at an older schema migrates to head with its
data intact and usable through the API.

The older schema here is Alembic revision OLD_SCHEMA ("0011", the head before migrations
0012-0016, older than the first release), its rows written with plain SQL as the server of
that time wrote them: it covers what those migrations do to existing data. Upgrades from
tagged releases, whose databases were written by the releases' own code, are in
test_release_upgrades.py (docs/deploy.md#upgrades)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.migrate import is_up_to_date, upgrade
from polytask.core.settings import Settings
from tests.cli.test_serve import POLYTASK
from tests.domain.test_audit_migration import fresh_url  # noqa: F401  (the fixture)

OLD_SCHEMA = "0011"
KEY = "ptk_0a1b2c3d4e5f_the-old-server-made-this-key-long-ago"
NOW = "2026-06-01 09:00:00"


def migrate(url: str, home: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    env.update({"POLYTASK_DATABASE_URL": url, "POLYTASK_HOME": str(home)})
    return subprocess.Popen(
        [str(POLYTASK), "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_migrate_twice_and_two_at_once(fresh_url: str, tmp_path: Path) -> None:  # noqa: F811
    # Two processes at once on an empty database (several servers starting together) ...
    both = [migrate(fresh_url, tmp_path), migrate(fresh_url, tmp_path)]
    for process in both:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert out.strip() == "Database is up to date."
    # ... and again on a database at head: nothing to do, nothing changed.
    engine = create_engine(fresh_url)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        again = migrate(fresh_url, tmp_path)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == before
        assert is_up_to_date(engine)
    finally:
        engine.dispose()


def _old_schema_data(url: str) -> None:
    engine = create_engine(url)
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    # No explicit ids: the old server let the database number rows (PostgreSQL's sequences move).
    rows = [
        "INSERT INTO users (username, email, name, role, is_active, created_at, updated_at)"
        " VALUES ('ann', 'ann@example.com', 'Ann', 'admin', true, :now, :now)",
        "INSERT INTO api_keys (user_id, name, prefix, key_hash, created_at)"
        f" VALUES (1, 'old', '0a1b2c3d4e5f', '{digest}', :now)",
        "INSERT INTO workspaces (name, description, settings, security, ip_allowlist_enabled,"
        " created_at, updated_at) VALUES ('Ann''s workspace', '', '{}', '{}', false, :now, :now)",
        "INSERT INTO memberships (workspace_id, user_id, role, permissions, created_at, updated_at)"
        " VALUES (1, 1, 'owner', '{}', :now, :now)",
        "INSERT INTO projects (workspace_id, name, description, type, status, settings,"
        " custom_field_definitions, custom_fields, created_at, updated_at)"
        " VALUES (1, 'Roadmap', 'From the old days', 'list', 'active', '{}', '{}', '{}', :now, :now)",
        "INSERT INTO tasks (workspace_id, project_id, name, description, status, priority, progress,"
        " position, custom_fields, due_date, created_at, updated_at)"
        " VALUES (1, 1, 'Ship the migration', '', 'pending', 'high', 0, 1.0, '{}', '2026-07-01 00:00:00', :now, :now)",
        "INSERT INTO tasks (workspace_id, project_id, name, description, status, priority, progress,"
        " position, custom_fields, created_at, updated_at)"
        " VALUES (1, 1, 'Write the notes', 'done long ago', 'completed', 'low', 100, 2.0, '{}', :now, :now)",
        "INSERT INTO events (type, resource_type, resource_id, workspace_id, occurred_at, changes, snapshot)"
        " VALUES ('task.created', 'task', 1, 1, :now, '{}', '{}')",
    ]
    try:
        with engine.begin() as conn:
            for row in rows:
                conn.execute(text(row), {"now": NOW})
    finally:
        engine.dispose()


def test_data_at_revision_0011_migrates_and_works(
    fresh_url: str,  # noqa: F811
    tmp_path: Path,
    serve_app: Callable[[ASGIApp], AbstractContextManager[str]],
) -> None:
    upgrade(fresh_url, OLD_SCHEMA)
    _old_schema_data(fresh_url)
    process = migrate(fresh_url, tmp_path)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err

    database = Database(fresh_url)
    try:
        assert is_up_to_date(database.engine)
        settings = Settings(home=tmp_path, database_url=fresh_url)
        with (
            serve_app(create_app(settings, database)) as base,
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as c,
        ):
            me = c.get("/v1/me")
            assert me.status_code == 200, me.text
            assert me.json()["data"]["attributes"]["username"] == "ann"
            project = c.get("/v1/projects/project_1").json()["data"]["attributes"]
            assert (project["name"], project["description"]) == ("Roadmap", "From the old days")
            # Migration 0014's defaults: no budget, the default currency.
            assert (project["budget"], project["currency"]) == (None, "USD")
            tasks = c.get("/v1/projects/project_1/tasks?sort=id").json()["data"]
            assert [(t["id"], t["attributes"]["name"], t["attributes"]["status"]) for t in tasks] == [
                ("task_1", "Ship the migration", "pending"),
                ("task_2", "Write the notes", "completed"),
            ]
            assert tasks[0]["attributes"]["due_date"] == "2026-07-01T00:00:00Z"
            # The old rows work with the new code: found by search, listed by due date (0013's
            # index), changed and added to, with events numbered past the old ones (0012).
            found = c.get("/v1/projects/project_1/tasks?search=migration").json()["data"]
            assert [t["id"] for t in found] == ["task_1"]
            due = c.get("/v1/tasks?due_date[lte]=2026-12-31").json()["data"]
            assert [t["id"] for t in due] == ["task_1"]
            r = c.patch("/v1/tasks/task_1", json={"status": "completed"})
            assert r.status_code == 200, r.text
            r = c.post("/v1/tasks", json={"name": "After the upgrade", "project_id": "project_1"})
            assert r.status_code == 201, r.text
            assert r.json()["data"]["id"] == "task_3"
            feed = c.get("/v1/events?after=0").json()["data"]
            assert [e["attributes"]["type"] for e in feed][-2:] == ["task.completed", "task.created"]
            assert all(int(e["id"].rsplit("_", 1)[-1]) > 1 for e in feed[-2:])
    finally:
        database.dispose()
