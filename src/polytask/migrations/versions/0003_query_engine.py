"""query engine, custom fields and saved views

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
