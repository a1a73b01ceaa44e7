"""Files in the one store (task, project, discussion and document files), project discussions
and their messages, and the queue of blobs to delete."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from polytask.core.clock import utcnow
from polytask.models.base import Base, BigId, Timestamps

FILE_KINDS = ("task", "project", "discussion", "document")


class Discussion(Timestamps, Base):
    """A thread on a project: a title, an opening body, messages and files."""

    __tablename__ = "discussions"
    __table_args__ = (
        Index("ix_discussions_project_id", "project_id", "id"),
        Index("ix_discussions_workspace_id", "workspace_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DiscussionMessage(Timestamps, Base):
    __tablename__ = "discussion_messages"
    __table_args__ = (
        Index("ix_discussion_messages_discussion_id", "discussion_id", "id"),
        Index("ix_discussion_messages_workspace_id", "workspace_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)


class StoredFile(Timestamps, Base):
    """One blob in the store and what it belongs to. `kind` says which owner it has: a task's
    (task_id, and its project), a project's, a discussion's (and maybe one of its messages),
    or a document (a workspace's, maybe linked to a project; title, description and category
    are a document's metadata). Deleting any owner deletes the row by cascade, and a trigger
    queues its blob for deletion (blob_deletions), so no blob outlives its row."""

    __tablename__ = "stored_files"
    __table_args__ = (
        Index("ix_stored_files_project_kind", "project_id", "kind", "id"),
        Index("ix_stored_files_workspace_kind", "workspace_id", "kind", "id"),
        Index(
            "ix_stored_files_task_id",
            "task_id",
            sqlite_where=text("task_id IS NOT NULL"),
            postgresql_where=text("task_id IS NOT NULL"),
        ),
        Index(
            "ix_stored_files_discussion_id",
            "discussion_id",
            sqlite_where=text("discussion_id IS NOT NULL"),
            postgresql_where=text("discussion_id IS NOT NULL"),
        ),
        Index(
            "ix_stored_files_message_id",
            "message_id",
            sqlite_where=text("message_id IS NOT NULL"),
            postgresql_where=text("message_id IS NOT NULL"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    discussion_id: Mapped[int | None] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_messages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A document's metadata (kind 'document'); NULL for the other kinds.
    title: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))


class BlobDeletion(Base):
    """A blob whose row is gone, to delete from the store: the outbox of blob deletions.
    Written in the deleting transaction (by the stored_files delete trigger, migration 0020,
    whatever deleted the row: an operation or a cascade), drained after the commit and by
    the worker."""

    __tablename__ = "blob_deletions"
    __table_args__ = (Index("ix_blob_deletions_due", "next_attempt_at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # NULL: due now; else not before this time (a failed delete waits).
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))
