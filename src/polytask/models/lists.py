"""Task lists (the Taskforce concept): a user's named lists of tasks, their collaborators,
per-user "seen" flags on tasks, and email threads linked to tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from polytask.core.clock import utcnow
from polytask.models.base import Base, Timestamps


class TaskList(Timestamps, Base):
    __tablename__ = "task_lists"
    __table_args__ = (
        # One flagship per owner and workspace, even when two first requests race.
        Index(
            "uq_task_lists_flagship",
            "workspace_id",
            "owner_id",
            unique=True,
            sqlite_where=text("flagship"),
            postgresql_where=text("flagship"),
        ),
        # Ids are never reused, even after the newest row is deleted.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # The owner's default list in this workspace: exactly one per owner, never deleted.
    flagship: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where tasks created into a list are stored (kept on the flagship list only).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))


class TaskListItem(Base):
    __tablename__ = "task_list_items"

    list_id: Mapped[int] = mapped_column(ForeignKey("task_lists.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[float] = mapped_column(Float, default=0.0)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TaskListCollaborator(Base):
    __tablename__ = "task_list_collaborators"

    list_id: Mapped[int] = mapped_column(ForeignKey("task_lists.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TaskSeen(Base):
    """A user has opened the task (its creator needs no row)."""

    __tablename__ = "task_seen"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TaskEmailLink(Base):
    """A Gmail thread connected to a task."""

    __tablename__ = "task_email_links"
    __table_args__ = (UniqueConstraint("task_id", "gmail_thread_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    gmail_thread_id: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(1000), default="")
    sender: Mapped[str] = mapped_column(String(320), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
