"""query engine, custom fields and saved views

Full-text search tables (search_tasks, search_projects) kept current by triggers.
Custom field definitions move from the projects.custom_field_definitions JSON into their
own table (the JSON stays as a read cache the service rewrites); saved views get a table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 14:10:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "field_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("default_value", JSON, nullable=True),
        sa.Column("options", JSON, nullable=False),
        sa.Column("position", sa.Float(), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_field_definitions_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_field_definitions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_definitions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("field_definitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_field_definitions_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_field_definitions_scope", ["workspace_id", "project_id", "key"], unique=False)

    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("filter", JSON, nullable=False),
        sa.Column("sort", sa.String(length=500), nullable=True),
        sa.Column("fields", sa.String(length=1000), nullable=True),
        sa.Column("layout", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_saved_views_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_saved_views_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_saved_views_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("saved_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_views_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_saved_views_workspace_id"), ["workspace_id"], unique=False)

    # Filtered, sorted task lists: status and due date within a workspace.
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_workspace_status_due", ["workspace_id", "status", "due_date", "id"])
        batch_op.create_index("ix_tasks_project_status_due", ["project_id", "status", "due_date", "id"])

    _move_definitions()
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_SEARCH:
            op.execute(statement)
    else:
        for statement in SQLITE_SEARCH:
            op.execute(statement)


# Full-text search indexes, kept current by triggers so every write path (services, bulk
# imports, cascades) updates them. Tables named search_* are outside the ORM models.
# SQLite: FTS5 tables whose rowid is the task / project id. Comments are folded into their
# task's row.
_SQLITE_COMMENTS = "coalesce((SELECT group_concat(body, ' ') FROM comments WHERE task_id = {id}), '')"
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE search_tasks USING fts5(name, description, comments, tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_projects USING fts5(name, description, tokenize='unicode61 remove_diacritics 2')",
    f"""INSERT INTO search_tasks(rowid, name, description, comments)
        SELECT id, name, description, {_SQLITE_COMMENTS.format(id="tasks.id")} FROM tasks""",
    "INSERT INTO search_projects(rowid, name, description) SELECT id, name, description FROM projects",
    """CREATE TRIGGER search_tasks_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO search_tasks(rowid, name, description, comments) VALUES (new.id, new.name, new.description, '');
    END""",
    """CREATE TRIGGER search_tasks_update AFTER UPDATE OF name, description ON tasks BEGIN
        UPDATE search_tasks SET name = new.name, description = new.description WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER search_tasks_delete AFTER DELETE ON tasks BEGIN
        DELETE FROM search_tasks WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER search_comments_insert AFTER INSERT ON comments BEGIN
        UPDATE search_tasks SET comments = {_SQLITE_COMMENTS.format(id="new.task_id")} WHERE rowid = new.task_id;
    END""",
    f"""CREATE TRIGGER search_comments_update AFTER UPDATE OF body ON comments BEGIN
        UPDATE search_tasks SET comments = {_SQLITE_COMMENTS.format(id="new.task_id")} WHERE rowid = new.task_id;
    END""",
    f"""CREATE TRIGGER search_comments_delete AFTER DELETE ON comments BEGIN
        UPDATE search_tasks SET comments = {_SQLITE_COMMENTS.format(id="old.task_id")} WHERE rowid = old.task_id;
    END""",
    """CREATE TRIGGER search_projects_insert AFTER INSERT ON projects BEGIN
        INSERT INTO search_projects(rowid, name, description) VALUES (new.id, new.name, new.description);
    END""",
    """CREATE TRIGGER search_projects_update AFTER UPDATE OF name, description ON projects BEGIN
        UPDATE search_projects SET name = new.name, description = new.description WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER search_projects_delete AFTER DELETE ON projects BEGIN
        DELETE FROM search_projects WHERE rowid = old.id;
    END""",
]

# PostgreSQL: a tsvector per task / project ('simple' configuration: no stemming, the same
# matching as SQLite's), weighted name > description > comments, with GIN indexes.
POSTGRES_SEARCH = [
    "CREATE TABLE search_tasks (task_id integer PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX search_tasks_document ON search_tasks USING gin (document)",
    "CREATE TABLE search_projects (project_id integer PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX search_projects_document ON search_projects USING gin (document)",
    """CREATE FUNCTION search_tasks_refresh(tid integer) RETURNS void LANGUAGE sql AS $$
        INSERT INTO search_tasks (task_id, document)
        SELECT t.id,
               setweight(to_tsvector('simple', t.name), 'A')
               || setweight(to_tsvector('simple', coalesce(t.description, '')), 'B')
               || setweight(to_tsvector('simple', coalesce(
                    (SELECT string_agg(c.body, ' ') FROM comments c WHERE c.task_id = t.id), '')), 'C')
        FROM tasks t WHERE t.id = tid
        ON CONFLICT (task_id) DO UPDATE SET document = excluded.document
    $$""",
    """CREATE FUNCTION search_tasks_on_task() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_tasks WHERE task_id = OLD.id;
        ELSE
            PERFORM search_tasks_refresh(NEW.id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION search_tasks_on_comment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM search_tasks_refresh(CASE WHEN TG_OP = 'DELETE' THEN OLD.task_id ELSE NEW.task_id END);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_tasks_write AFTER INSERT OR UPDATE OF name, description OR DELETE ON tasks
        FOR EACH ROW EXECUTE FUNCTION search_tasks_on_task()""",
    """CREATE TRIGGER search_comments_write AFTER INSERT OR UPDATE OF body OR DELETE ON comments
        FOR EACH ROW EXECUTE FUNCTION search_tasks_on_comment()""",
    """CREATE FUNCTION search_projects_on_project() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_projects WHERE project_id = OLD.id;
        ELSE
            INSERT INTO search_projects (project_id, document)
            VALUES (NEW.id, setweight(to_tsvector('simple', NEW.name), 'A')
                            || setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'B'))
            ON CONFLICT (project_id) DO UPDATE SET document = excluded.document;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_projects_write AFTER INSERT OR UPDATE OF name, description OR DELETE ON projects
        FOR EACH ROW EXECUTE FUNCTION search_projects_on_project()""",
    "SELECT search_tasks_refresh(id) FROM tasks",
    """INSERT INTO search_projects (project_id, document)
        SELECT id, setweight(to_tsvector('simple', name), 'A')
                   || setweight(to_tsvector('simple', coalesce(description, '')), 'B') FROM projects""",
]


def _key_of(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "field"


def _move_definitions() -> None:
    """Copy each project's JSON definitions into rows (the JSON stays as the cache)."""
    bind = op.get_bind()
    projects = sa.table(
        "projects",
        sa.column("id", sa.Integer),
        sa.column("workspace_id", sa.Integer),
        sa.column("custom_field_definitions", JSON),
    )
    definitions = sa.table(
        "field_definitions",
        sa.column("workspace_id", sa.Integer),
        sa.column("project_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("type", sa.String),
        sa.column("required", sa.Boolean),
        sa.column("default_value", JSON),
        sa.column("options", JSON),
        sa.column("position", sa.Float),
        sa.column("config", JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for project_id, workspace_id, defs in bind.execute(sa.select(projects)):
        for position, (key, spec) in enumerate((defs or {}).items()):
            if not isinstance(spec, dict):
                continue
            kind = "user" if spec.get("type") == "person" else str(spec.get("type", "text"))
            rows.append(
                {
                    "workspace_id": workspace_id,
                    "project_id": project_id,
                    "key": _key_of(key),
                    "name": str(spec.get("name") or key),
                    "type": kind,
                    "required": bool(spec.get("required", False)),
                    "default_value": spec.get("default_value"),
                    "options": [str(o) for o in spec.get("options") or []],
                    "position": float(position),
                    "config": {},
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if rows:
        bind.execute(definitions.insert(), rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS search_projects_write ON projects")
        op.execute("DROP TRIGGER IF EXISTS search_comments_write ON comments")
        op.execute("DROP TRIGGER IF EXISTS search_tasks_write ON tasks")
        for function in ("search_projects_on_project", "search_tasks_on_comment", "search_tasks_on_task"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        op.execute("DROP FUNCTION IF EXISTS search_tasks_refresh(integer)")
    else:
        for trigger in (
            "search_tasks_insert",
            "search_tasks_update",
            "search_tasks_delete",
            "search_comments_insert",
            "search_comments_update",
            "search_comments_delete",
            "search_projects_insert",
            "search_projects_update",
            "search_projects_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_projects")
    op.execute("DROP TABLE IF EXISTS search_tasks")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_project_status_due")
        batch_op.drop_index("ix_tasks_workspace_status_due")
    with op.batch_alter_table("saved_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_views_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_saved_views_project_id"))
    op.drop_table("saved_views")
    with op.batch_alter_table("field_definitions", schema=None) as batch_op:
        batch_op.drop_index("ix_field_definitions_scope")
        batch_op.drop_index(batch_op.f("ix_field_definitions_project_id"))
    op.drop_table("field_definitions")
