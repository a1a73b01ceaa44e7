"""Migration 0013 adds ix_tasks_workspace_due (workspace-wide lists by due date) and takes it
away again on downgrade, on both engines."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from polytask.core.migrate import alembic_config, upgrade
from tests.domain.test_audit_migration import fresh_url  # noqa: F401  (the fixture)

INDEX = "ix_tasks_workspace_due"


def _task_indexes(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    try:
        return {ix["name"]: list(ix["column_names"]) for ix in inspect(engine).get_indexes("tasks") if ix["name"]}
    finally:
        engine.dispose()


def test_upgrade_adds_the_index_and_downgrade_removes_it(fresh_url: str) -> None:  # noqa: F811
    upgrade(fresh_url, "0012")
    assert INDEX not in _task_indexes(fresh_url)

    upgrade(fresh_url, "0013")
    assert _task_indexes(fresh_url)[INDEX] == ["workspace_id", "due_date", "id"]

    command.downgrade(alembic_config(fresh_url), "0012")
    assert INDEX not in _task_indexes(fresh_url)
    assert "ix_tasks_workspace_status_due" in _task_indexes(fresh_url)  # the others stay

    upgrade(fresh_url)  # and up again to the head
    assert INDEX in _task_indexes(fresh_url)
