"""Projects and their board sections."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from polytask.models.base import Base, Timestamps


def new_uuid() -> str:
    return str(uuid.uuid4())


class ProjectAttribute(Timestamps, Base):
    """A workspace's vocabulary word for projects: a tag or a category (TaskIP's "project
    attributes"). A project has at most one category and any number of tags."""

    __tablename__ = "project_attributes"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "name"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    color: Mapped[str | None] = mapped_column(String(20))


class Project(Timestamps, Base):
    __tablename__ = "projects"
    # Ids are never reused, even after the newest row is deleted.
    __table_args__ = (
        Index(
            "ix_projects_category_id",
            "category_id",
            sqlite_where=text("category_id IS NOT NULL"),
            postgresql_where=text("category_id IS NOT NULL"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # TaskIP addresses projects by a stable UUID besides the integer id.
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True, index=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(20), default="list")
    status: Mapped[str] = mapped_column(String(20), default="active")
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    custom_field_definitions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Exact money: minor units (cents) of `currency` (ISO 4217); None: no budget set.
    budget_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    priority: Mapped[str | None] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("project_attributes.id", ondelete="SET NULL"))


class ProjectTag(Base):
    __tablename__ = "project_tags"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("project_attributes.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Section(Timestamps, Base):
    __tablename__ = "sections"
    # Ids are never reused, even after the newest row is deleted.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[float] = mapped_column(Float, default=0.0)
    color: Mapped[str | None] = mapped_column(String(20))
