"""Custom field definitions and saved views: how a project's tasks are described and looked at."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from polytask.models.base import Base, JsonType, Timestamps


class FieldDefinition(Timestamps, Base):
    """A custom field of a project, or of a workspace (inherited by all its projects)."""

    __tablename__ = "field_definitions"
    __table_args__ = (
        Index("ix_field_definitions_scope", "workspace_id", "project_id", "key"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # NULL for a workspace-wide field.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    default_value: Mapped[Any] = mapped_column(JsonType, nullable=True)
    options: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[float] = mapped_column(Float, default=0.0)
    # Type-specific settings, e.g. {"currency": "EUR"} for currency fields.
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SavedView(Timestamps, Base):
    """A named filter, sort, field selection and layout over a project's tasks."""

    __tablename__ = "saved_views"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # {"params": {"status": "pending", ...}} or {"expression": "priority = high && ..."}
    filter: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sort: Mapped[str | None] = mapped_column(String(500))
    fields: Mapped[str | None] = mapped_column(String(1000))
    layout: Mapped[str] = mapped_column(String(20), default="list")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
