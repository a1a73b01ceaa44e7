"""taskforce lists, collaborators, seen flags and email links

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("flagship", sa.Boolean(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_task_lists_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_task_lists_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_task_lists_project_id_projects"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_lists")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("task_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_lists_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_lists_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            "uq_task_lists_flagship",
            ["workspace_id", "owner_id"],
            unique=True,
            sqlite_where=sa.text("flagship"),
            postgresql_where=sa.text("flagship"),
        )

    op.create_table(
        "task_list_items",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Float(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["task_lists.id"], name=op.f("fk_task_list_items_list_id_task_lists"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_list_items_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("list_id", "task_id", name=op.f("pk_task_list_items")),
    )
    with op.batch_alter_table("task_list_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_list_items_task_id"), ["task_id"], unique=False)

    op.create_table(
        "task_list_collaborators",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["task_lists.id"],
            name=op.f("fk_task_list_collaborators_list_id_task_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_task_list_collaborators_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("list_id", "user_id", name=op.f("pk_task_list_collaborators")),
    )
    with op.batch_alter_table("task_list_collaborators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_list_collaborators_user_id"), ["user_id"], unique=False)

    op.create_table(
        "task_seen",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_seen_task_id_tasks"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_task_seen_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", "user_id", name=op.f("pk_task_seen")),
    )
    with op.batch_alter_table("task_seen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_seen_user_id"), ["user_id"], unique=False)

    op.create_table(
        "task_email_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("gmail_thread_id", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_email_links_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_task_email_links_added_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_email_links")),
        sa.UniqueConstraint("task_id", "gmail_thread_id", name=op.f("uq_task_email_links_task_id_gmail_thread_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("task_email_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_email_links_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_email_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_email_links_task_id"))
    op.drop_table("task_email_links")
    with op.batch_alter_table("task_seen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_seen_user_id"))
    op.drop_table("task_seen")
    with op.batch_alter_table("task_list_collaborators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_list_collaborators_user_id"))
    op.drop_table("task_list_collaborators")
    with op.batch_alter_table("task_list_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_list_items_task_id"))
    op.drop_table("task_list_items")
    with op.batch_alter_table("task_lists", schema=None) as batch_op:
        batch_op.drop_index("uq_task_lists_flagship")
        batch_op.drop_index(batch_op.f("ix_task_lists_owner_id"))
        batch_op.drop_index(batch_op.f("ix_task_lists_workspace_id"))
    op.drop_table("task_lists")
