"""Project templates: a workspace's reusable project structure, kept as a versioned JSON document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polytask.models.base import Base, Timestamps


class Template(Timestamps, Base):
    """`content` is the document domain/templates/content.py reads (its `version` says which
    shape; older versions are upgraded as they are read)."""

    __tablename__ = "templates"
    __table_args__ = (
        Index("ix_templates_workspace_name", "workspace_id", "name", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # How many tasks (subtasks included) the content holds: lists filter and sort on it.
    task_count: Mapped[int] = mapped_column(Integer, default=0)
    # The project it was made from, while that project exists.
    source_project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
