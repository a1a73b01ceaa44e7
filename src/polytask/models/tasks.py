"""Tasks, their assignees, dependencies, labels and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from polytask.models.base import Base, Timestamps


class Task(Timestamps, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_project_due", "project_id", "due_date", "id"),
        Index("ix_tasks_project_position", "project_id", "position", "id"),
        Index("ix_tasks_workspace_status_due", "workspace_id", "status", "due_date", "id"),
        Index("ix_tasks_workspace_due", "workspace_id", "due_date", "id"),
        Index("ix_tasks_project_status_due", "project_id", "status", "due_date", "id"),
        # Only the tasks that have a parent or a section (migration 0018): every look-up
        # compares the column with a value, and most tasks have neither.
        Index(
            "ix_tasks_parent_id",
            "parent_id",
            sqlite_where=text("parent_id IS NOT NULL"),
            postgresql_where=text("parent_id IS NOT NULL"),
        ),
        Index(
            "ix_tasks_section_id",
            "section_id",
            sqlite_where=text("section_id IS NOT NULL"),
            postgresql_where=text("section_id IS NOT NULL"),
        ),
        # PostgreSQL only (migration 0016): the descending orders with NULLs last, which
        # PostgreSQL cannot read backwards from the ascending indexes above.
        Index("ix_tasks_project_due_desc", "project_id", text("due_date DESC NULLS LAST"), "id").ddl_if(
            dialect="postgresql"
        ),
        Index(
            "ix_tasks_project_status_due_desc", "project_id", "status", text("due_date DESC NULLS LAST"), "id"
        ).ddl_if(dialect="postgresql"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Denormalised from the project so tenant filters need no join. No index of its own: the
    # two (workspace_id, ...) indexes above serve every look-up by workspace (migration 0017).
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    priority: Mapped[str | None] = mapped_column(String(20))
    due_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    start_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    estimated_hours: Mapped[float | None] = mapped_column(Float)
    completion_notes: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[float] = mapped_column(Float, default=0.0)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TaskAssignee(Base):
    __tablename__ = "task_assignees"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaskDependency(Base):
    __tablename__ = "task_dependencies"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    depends_on_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True, index=True)


class TaskLabel(Base):
    __tablename__ = "task_labels"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class Comment(Timestamps, Base):
    __tablename__ = "comments"
    # Ids are never reused, even after the newest row is deleted.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
