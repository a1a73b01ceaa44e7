"""templates: a workspace's project templates (issue 19)

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-05 05:20:00

One table, `templates`: a workspace's reusable project structure (sections, tasks with
subtasks, custom field definitions and values, saved views, labels) as one versioned JSON
document in `content` (domain/templates/content.py), its task count beside it for lists, and
the project it was made from while that project exists. Both engines; downgrade drops it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("task_count", sa.Integer(), nullable=False),
        sa.Column("source_project_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_templates_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_project_id"],
            ["projects.id"],
            name=op.f("fk_templates_source_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_templates_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_templates")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_templates_workspace_name", "templates", ["workspace_id", "name", "id"])


def downgrade() -> None:
    op.drop_index("ix_templates_workspace_name", table_name="templates")
    op.drop_table("templates")
