"""search trigger for tasks written inline (PostgreSQL)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 18:40:00

The tasks table's search trigger called the SQL function search_tasks_refresh() for every
row, and PostgreSQL plans a SQL function's statement on every call: writing 10,000 tasks in
one bulk request spent most of its time there. The same statements inside the plpgsql
trigger function are planned once per session. A new task has no comments yet, so its
document is built from the row alone. SQLite's FTS5 triggers are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INLINE = """CREATE OR REPLACE FUNCTION search_tasks_on_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_tasks WHERE task_id = OLD.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO search_tasks (task_id, document)
        VALUES (NEW.id, setweight(to_tsvector('simple', NEW.name), 'A')
                        || setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'B'))
        ON CONFLICT (task_id) DO UPDATE SET document = excluded.document;
    ELSE
        INSERT INTO search_tasks (task_id, document)
        VALUES (NEW.id, setweight(to_tsvector('simple', NEW.name), 'A')
                        || setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'B')
                        || setweight(to_tsvector('simple', coalesce(
                             (SELECT string_agg(c.body, ' ') FROM comments c WHERE c.task_id = NEW.id), '')), 'C'))
        ON CONFLICT (task_id) DO UPDATE SET document = excluded.document;
    END IF;
    RETURN NULL;
END $$"""

# As migration 0003 created it.
THROUGH_FUNCTION = """CREATE OR REPLACE FUNCTION search_tasks_on_task() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_tasks WHERE task_id = OLD.id;
        ELSE
            PERFORM search_tasks_refresh(NEW.id);
        END IF;
        RETURN NULL;
    END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(INLINE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(THROUGH_FUNCTION)
