"""Migration 0008 fills project_id and client_ip of events written before it, and goes back down."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from scripts.scratchdb import scratch_database
from sqlalchemy import create_engine, insert, text

from polytask.core.migrate import alembic_config, upgrade
from polytask.models import Event
from tests.conftest import BACKEND


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's engine."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with scratch_database(os.environ["POLYTASK_TEST_POSTGRES_URL"], "polytask_mig") as url:
        yield url


def test_backfill_and_downgrade(fresh_url: str) -> None:
    upgrade(fresh_url, "0007")
    old_columns = ["type", "resource_type", "resource_id", "workspace_id", "snapshot", "changes"]
    rows: list[dict[str, Any]] = [
        {"type": "project.created", "resource_type": "project", "resource_id": 7, "snapshot": {"name": "P"}},
        {"type": "task.created", "resource_type": "task", "resource_id": 70, "snapshot": {"project_id": 7}},
        {"type": "section.created", "resource_type": "section", "resource_id": 3, "snapshot": {"project_id": 7}},
        {"type": "view.created", "resource_type": "view", "resource_id": 4, "snapshot": {"project_id": 7}},
        {
            "type": "custom_field.created",
            "resource_type": "custom_field",
            "resource_id": 5,
            "snapshot": {"project_id": None},
        },
        # A webhook filtered on a project is not the project's activity.
        {"type": "webhook.created", "resource_type": "webhook", "resource_id": 6, "snapshot": {"project_id": 7}},
        # A comment whose task is gone: nothing to tell its project.
        {"type": "comment.deleted", "resource_type": "comment", "resource_id": 8, "snapshot": {"task_id": 99}},
        {"type": "auth.login_failed", "resource_type": "user", "resource_id": 0, "snapshot": {"client_ip": "10.1.2.3"}},
    ]
    engine = create_engine(fresh_url)
    table = Event.__table__
    try:
        with engine.begin() as conn:
            for row in rows:
                values = {"workspace_id": 1, "changes": {}, **row}
                conn.execute(insert(table).values({k: values[k] for k in old_columns}))
        upgrade(fresh_url)
        with engine.connect() as conn:
            found = conn.execute(text("SELECT type, project_id, client_ip FROM events ORDER BY id")).all()
        assert [tuple(r) for r in found] == [
            ("project.created", 7, None),
            ("task.created", 7, None),
            ("section.created", 7, None),
            ("view.created", 7, None),
            ("custom_field.created", None, None),
            ("webhook.created", None, None),
            ("comment.deleted", None, None),
            ("auth.login_failed", None, "10.1.2.3"),
        ]
        command.downgrade(alembic_config(fresh_url), "0007")
        with engine.connect() as conn:
            columns = set(conn.execute(text("SELECT * FROM events LIMIT 0")).keys())
        assert "project_id" not in columns
        assert "client_ip" not in columns
        upgrade(fresh_url)
    finally:
        engine.dispose()
