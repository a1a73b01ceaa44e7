"""files: stored_files, discussions and their messages, the blob deletion queue

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:00:00

Every file (a task's, a project's, a discussion's, a document) is a stored_files row naming
its blob in the store (core/files). Owners are deleted by cascade, so the rows go without
any service seeing them: a trigger on stored_files writes each deleted row's storage key to
blob_deletions in the same transaction (the outbox the worker drains), and one on tasks
keeps a task's files with the project the task moves to. Both engines.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER stored_files_queue_blob AFTER DELETE ON stored_files BEGIN
        INSERT INTO blob_deletions (storage_key, queued_at, attempts)
        VALUES (OLD.storage_key, strftime('%Y-%m-%d %H:%M:%f', 'now'), 0);
    END""",
    """CREATE TRIGGER stored_files_follow_task AFTER UPDATE OF project_id ON tasks
        WHEN NEW.project_id IS NOT OLD.project_id BEGIN
        UPDATE stored_files SET project_id = NEW.project_id WHERE task_id = NEW.id;
    END""",
)
_POSTGRES_TRIGGERS = (
    """CREATE FUNCTION stored_files_queue_blob() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO blob_deletions (storage_key, queued_at, attempts) VALUES (OLD.storage_key, now(), 0);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER stored_files_queue_blob AFTER DELETE ON stored_files
        FOR EACH ROW EXECUTE FUNCTION stored_files_queue_blob()""",
    """CREATE FUNCTION stored_files_follow_task() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE stored_files SET project_id = NEW.project_id WHERE task_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER stored_files_follow_task AFTER UPDATE OF project_id ON tasks
        FOR EACH ROW WHEN (NEW.project_id IS DISTINCT FROM OLD.project_id)
        EXECUTE FUNCTION stored_files_follow_task()""",
)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "discussions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        *_timestamps(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_discussions_project_id", "discussions", ["project_id", "id"])
    op.create_index("ix_discussions_workspace_id", "discussions", ["workspace_id"])
    op.create_table(
        "discussion_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("discussion_id", sa.Integer(), sa.ForeignKey("discussions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        *_timestamps(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_discussion_messages_discussion_id", "discussion_messages", ["discussion_id", "id"])
    op.create_index("ix_discussion_messages_workspace_id", "discussion_messages", ["workspace_id"])
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=True),
        sa.Column("discussion_id", sa.Integer(), sa.ForeignKey("discussions.id", ondelete="CASCADE"), nullable=True),
        sa.Column(
            "message_id", sa.Integer(), sa.ForeignKey("discussion_messages.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("title", sa.String(300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(100), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("storage_key", name="uq_stored_files_storage_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_stored_files_project_kind", "stored_files", ["project_id", "kind", "id"])
    op.create_index("ix_stored_files_workspace_kind", "stored_files", ["workspace_id", "kind", "id"])
    for column in ("task_id", "discussion_id", "message_id"):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_stored_files_{column}", "stored_files", [column], sqlite_where=where, postgresql_where=where
        )
    op.create_table(
        "blob_deletions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_blob_deletions_due", "blob_deletions", ["next_attempt_at"])
    for statement in _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS stored_files_follow_task ON tasks")
        op.execute("DROP TRIGGER IF EXISTS stored_files_queue_blob ON stored_files")
        op.execute("DROP FUNCTION IF EXISTS stored_files_follow_task()")
        op.execute("DROP FUNCTION IF EXISTS stored_files_queue_blob()")
    else:
        op.execute("DROP TRIGGER IF EXISTS stored_files_follow_task")
        op.execute("DROP TRIGGER IF EXISTS stored_files_queue_blob")
    op.drop_table("blob_deletions")
    op.drop_table("stored_files")
    op.drop_table("discussion_messages")
    op.drop_table("discussions")
