"""TaskIP's project fields: a stable uuid, priority, category and tags; section colours

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 02:00:00

taskip-api-reference.txt addresses projects by `{uuid}` and changes their priority, status
and category; its "project attributes" are a workspace's vocabularies of tags and
categories, and its containers (our sections) carry a colour. Existing projects get a fresh
uuid each. Both engines.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_attributes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("color", sa.String(20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "kind", "name", name="uq_project_attributes_workspace_id_kind_name"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("uuid", sa.String(36), nullable=True))
        batch.add_column(sa.Column("priority", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column(
                "category_id",
                sa.Integer(),
                sa.ForeignKey(
                    "project_attributes.id", ondelete="SET NULL", name="fk_projects_category_id_project_attributes"
                ),
                nullable=True,
            )
        )
    projects = sa.table("projects", sa.column("id", sa.Integer()), sa.column("uuid", sa.String(36)))
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.select(projects.c.id))]
    for project_id in ids:
        bind.execute(projects.update().where(projects.c.id == project_id).values(uuid=str(uuid.uuid4())))
    with op.batch_alter_table("projects") as batch:
        batch.alter_column("uuid", existing_type=sa.String(36), nullable=False)
        batch.create_index("ix_projects_uuid", ["uuid"], unique=True)
        batch.create_index(
            "ix_projects_category_id",
            ["category_id"],
            sqlite_where=sa.text("category_id IS NOT NULL"),
            postgresql_where=sa.text("category_id IS NOT NULL"),
        )
    op.create_table(
        "project_tags",
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "attribute_id", sa.Integer(), sa.ForeignKey("project_attributes.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_index("ix_project_tags_attribute_id", "project_tags", ["attribute_id"])
    with op.batch_alter_table("sections") as batch:
        batch.add_column(sa.Column("color", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sections") as batch:
        batch.drop_column("color")
    op.drop_index("ix_project_tags_attribute_id", table_name="project_tags")
    op.drop_table("project_tags")
    with op.batch_alter_table("projects") as batch:
        batch.drop_index("ix_projects_category_id")
        batch.drop_index("ix_projects_uuid")
        batch.drop_column("category_id")
        batch.drop_column("priority")
        batch.drop_column("uuid")
    op.drop_table("project_attributes")
