"""The partial indexes on tasks' parent_id and section_id (migration 0018) serve every look-up
by value, and hold no entry for a task that has no parent or section."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from polytask.core.db import Database

LOOKUPS = {
    "ix_tasks_parent_id": [
        "SELECT id FROM tasks WHERE parent_id = 7",
        "SELECT id FROM tasks WHERE parent_id IN (7, 8, 9)",
    ],
    "ix_tasks_section_id": [
        "SELECT id FROM tasks WHERE section_id = 7",
        "SELECT id FROM tasks WHERE section_id IN (7, 8)",
    ],
}


def _plan(db: Database, sql: str) -> str:
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            return "\n".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        # An empty test table: only with sequential scans priced out does the plan show
        # whether the index can serve the query at all.
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return "\n".join(str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN {sql}"))


@pytest.mark.parametrize("index", sorted(LOOKUPS))
def test_look_ups_by_value_use_the_partial_index(db: Database, index: str) -> None:
    for sql in LOOKUPS[index]:
        plan = _plan(db, sql)
        assert index in plan, (sql, plan)


def test_the_indexes_are_partial(db: Database) -> None:
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            rows = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (:a, :b)"),
                {"a": "ix_tasks_parent_id", "b": "ix_tasks_section_id"},
            ).all()
        else:
            rows = conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN (:a, :b)"),
                {"a": "ix_tasks_parent_id", "b": "ix_tasks_section_id"},
            ).all()
    defs = {name: sql for name, sql in rows}
    assert set(defs) == {"ix_tasks_parent_id", "ix_tasks_section_id"}
    for name, sql in defs.items():
        column = name.removeprefix("ix_tasks_")
        assert f"{column} IS NOT NULL" in sql.replace("(", "").replace(")", ""), sql
