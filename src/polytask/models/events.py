"""The event log: one row per committed state change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from polytask.core.clock import utcnow
from polytask.models.base import Base, BigId


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_workspace_id_id", "workspace_id", "id"),
        Index("ix_events_resource", "resource_type", "resource_id", "id"),
        # A project's activity, newest first.
        Index("ix_events_project_id_id", "project_id", "id"),
        # Retention pruning and date filters of the audit logs.
        Index("ix_events_occurred_at", "occurred_at"),
        # The log's ids must only ever grow.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(100))
    # No foreign keys: the log outlives the rows it describes.
    workspace_id: Mapped[int | None] = mapped_column(Integer)
    # The project a task, section, comment, view, custom-field or project event belongs to.
    project_id: Mapped[int | None] = mapped_column(Integer)
    resource_type: Mapped[str] = mapped_column(String(50))
    resource_id: Mapped[int] = mapped_column(Integer)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    credential_kind: Mapped[str | None] = mapped_column(String(20))
    credential_id: Mapped[int | None] = mapped_column(Integer)
    # The caller's address, as the server saw it (after trusted proxies).
    client_ip: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PrunedEventCount(Base):
    """How many of a resource's events retention has deleted, so webhook `sequence` numbers
    keep growing after old events are pruned."""

    __tablename__ = "pruned_event_counts"

    resource_type: Mapped[str] = mapped_column(String(50), primary_key=True)
    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pruned: Mapped[int] = mapped_column(Integer, default=0)
