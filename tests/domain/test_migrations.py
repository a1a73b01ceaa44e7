"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

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
    assert differences == [], differences


def test_database_is_at_the_head_revision(db: Database) -> None:
    assert is_up_to_date(db.engine)
