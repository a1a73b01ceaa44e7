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
    sqlite = op.get_bind().dialect.name == "sqlite"
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "project_attributes" not in tables:  # a SQLite downgrade leaves it (see there)
        _create_attributes()
    # Plain ADD COLUMNs: on SQLite a batch recreation of `projects` would drop the table its
    # children point at (their ON DELETE CASCADE would empty them) and its search triggers.
    op.add_column("projects", sa.Column("uuid", sa.String(36), nullable=False, server_default=""))
    op.add_column("projects", sa.Column("priority", sa.String(20), nullable=True))
    if sqlite and "category_id" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("projects")}:
        pass  # left by a downgrade (see there)
    elif sqlite:
        # Alembic adds no constraint on SQLite outside a batch; SQLite's own ADD COLUMN takes one.
        op.execute(
            "ALTER TABLE projects ADD COLUMN category_id INTEGER CONSTRAINT fk_projects_category_id_project_attributes"
            " REFERENCES project_attributes (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("projects", sa.Column("category_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_projects_category_id_project_attributes",
            "projects",
            "project_attributes",
            ["category_id"],
            ["id"],
            ondelete="SET NULL",
        )
    projects = sa.table("projects", sa.column("id", sa.Integer()), sa.column("uuid", sa.String(36)))
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.select(projects.c.id))]
    for project_id in ids:
        bind.execute(projects.update().where(projects.c.id == project_id).values(uuid=str(uuid.uuid4())))
    if not sqlite:
        # SQLite cannot drop a column default without rebuilding the table; the server always
        # sends a uuid, so the empty default is never used there either.
        op.alter_column("projects", "uuid", server_default=None)
    op.create_index("ix_projects_uuid", "projects", ["uuid"], unique=True)
    op.create_index(
        "ix_projects_category_id",
        "projects",
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
    op.add_column("sections", sa.Column("color", sa.String(20), nullable=True))


def _create_attributes() -> None:
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


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_column("sections", "color")
    op.drop_index("ix_project_tags_attribute_id", table_name="project_tags")
    op.drop_table("project_tags")
    op.drop_index("ix_projects_category_id", table_name="projects")
    op.drop_index("ix_projects_uuid", table_name="projects")
    op.drop_column("projects", "priority")
    op.drop_column("projects", "uuid")
    if sqlite:
        # SQLite drops no column a foreign key names, and rebuilding `projects` would cascade
        # into its children: the column stays, empty and unmapped at 0018 (upgrade re-uses it).
        op.execute("UPDATE projects SET category_id = NULL")
    else:
        op.drop_constraint("fk_projects_category_id_project_attributes", "projects", type_="foreignkey")
        op.drop_column("projects", "category_id")
        op.drop_table("project_attributes")
