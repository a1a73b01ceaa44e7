"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from polytask.core.db import Database
from polytask.core.migrate import is_up_to_date
from polytask.models import Base


def test_models_match_the_migrated_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == [], differences


def test_database_is_at_the_head_revision(db: Database) -> None:
    assert is_up_to_date(db.engine)
