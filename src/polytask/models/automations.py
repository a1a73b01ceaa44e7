"""Automations (a trigger, conditions, ordered actions) and their runs: the outbox the worker drains."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polytask.core.clock import utcnow
from polytask.models.base import Base, BigId, Timestamps


class Automation(Timestamps, Base):
    __tablename__ = "automations"
    __table_args__ = (
        # The fan-out's look: enabled automations of a workspace for an event type.
        Index("ix_automations_workspace_kind", "workspace_id", "trigger_kind", "enabled"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # Scoped to one project (its events only, its defaults for actions); null: the whole workspace.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # The actions run as this user (with their rights at run time).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    trigger_kind: Mapped[str] = mapped_column(String(20))  # event, schedule, webhook
    event_type: Mapped[str | None] = mapped_column(String(100))  # for event triggers
    trigger: Mapped[dict[str, Any]] = mapped_column(default=dict)
    conditions: Mapped[str | None] = mapped_column(Text)  # a `filter=` expression
    actions: Mapped[list[Any]] = mapped_column(default=list)
    # Incoming-trigger URLs: the SHA-256 of the token (the token is shown once).
    hook_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Schedules: when the next run is due.
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AutomationRun(Base):
    """One run of an automation for one trigger: pending until it succeeds (written in the
    transaction of its actions' effects) or gives up; the idempotency record per (automation, event)."""

    __tablename__ = "automation_runs"
    __table_args__ = (
        UniqueConstraint("automation_id", "event_id"),
        Index("ix_automation_runs_due", "status", "next_attempt_at"),
        Index("ix_automation_runs_automation_id_id", "automation_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    automation_id: Mapped[int] = mapped_column(ForeignKey("automations.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(Integer)
    trigger_kind: Mapped[str] = mapped_column(String(20))
    # The event that triggered it (no foreign key: the log may be pruned before the run is).
    event_id: Mapped[int | None] = mapped_column(BigId)
    event_type: Mapped[str | None] = mapped_column(String(100))
    # What an incoming trigger posted, or the schedule's due time.
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # 0 for a person's change; n for a change made by an automation run of depth n-1.
    depth: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, succeeded, skipped, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    matched: Mapped[bool | None] = mapped_column(Boolean)
    actions_done: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
