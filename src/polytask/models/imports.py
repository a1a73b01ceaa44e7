"""Import jobs: a file turned into projects by the worker, one transaction per project."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from polytask.models.base import Base, Timestamps


class ImportJob(Timestamps, Base):
    """One import: the parsed document (`plan`, the polytask export format whatever the file
    was), its progress, and the projects it has committed so far (`created`: the index of each
    project of the plan -> the id it got), so a job picked up again never makes one twice."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        Index("ix_import_jobs_due", "status", "claimed_until"),
        Index("ix_import_jobs_workspace_id", "workspace_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The credential the import was asked with: the worker acts as it (kind and id only).
    credential_kind: Mapped[str] = mapped_column(String(20), default="api_key")
    credential_id: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255), default="")
    # queued, running, succeeded, failed
    status: Mapped[str] = mapped_column(String(20), default="queued")
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A worker's lease: while it lasts no other worker runs this job.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
