"""Calendar feeds: a secret URL (`/v1/ical/<token>.ics`) serving the due dates of a user's
tasks, or of one project's, as iCalendar. Only the token's SHA-256 digest is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from polytask.core.clock import utcnow
from polytask.models.base import Base


class CalendarFeed(Base):
    __tablename__ = "calendar_feeds"
    __table_args__ = (
        Index("ix_calendar_feeds_user_id", "user_id", "id"),
        Index("ix_calendar_feeds_project_id", "project_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Whose access the feed reads with: the creator's, as it is when the feed is fetched.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # "user": the tasks assigned to the user; "project": the project's tasks.
    kind: Mapped[str] = mapped_column(String(20))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # The one workspace the feed reaches (made by a workspace-bound credential, or a project's).
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
