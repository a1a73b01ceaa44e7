"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from polytask.core.db import Database
from polytask.core.migrate import is_up_to_date
from polytask.models import Base


# The PostgreSQL-only descending indexes (migration 0016) are expressions, which alembic
# compares on PostgreSQL but cannot reflect on SQLite (where neither side has them).
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_match_the_migrated_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        # search_* are the full-text indexes (FTS5 / tsvector tables kept by triggers), outside the models.
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, kind, _parent: not (name or "").startswith("search_")}
        )
        differences = compare_metadata(context, Base.metadata)
    if db.engine.dialect.name == "sqlite":
        differences = [d for d in differences if not _inline_category_fk(d)]
    assert differences == [], differences


def _inline_category_fk(difference: Any) -> bool:
    """Migration 0019 adds `projects.category_id` with SQLite's own ADD COLUMN (rebuilding the
    table would cascade into its children), whose inline REFERENCES clause SQLAlchemy reflects
    without its name or ON DELETE: alembic sees a different key. What SQLite enforces is held
    by test_sqlite_enforces_the_category_key below."""
    return (
        isinstance(difference, tuple)
        and difference[0] in ("remove_fk", "add_fk")
        and difference[1].table.name == "projects"
        and [c.name for c in difference[1].columns] == ["category_id"]
    )


def test_sqlite_enforces_the_category_key(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's inline foreign key")
    with db.engine.connect() as conn:
        keys = conn.execute(text("PRAGMA foreign_key_list(projects)")).mappings().all()
    (category,) = [k for k in keys if k["from"] == "category_id"]
    assert (category["table"], category["to"], category["on_delete"]) == ("project_attributes", "id", "SET NULL")


def test_database_is_at_the_head_revision(db: Database) -> None:
    assert is_up_to_date(db.engine)
