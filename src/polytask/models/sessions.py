"""Browser sessions: the server side of the session cookie."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from polytask.core.clock import utcnow
from polytask.models.base import Base


class BrowserSession(Base):
    """One signed-in browser (or cookie jar); the cookie's value is stored only as its SHA-256 digest."""

    __tablename__ = "browser_sessions"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The absolute limit; the idle limit is last_seen_at + POLYTASK_SESSION_IDLE_TIMEOUT.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # "logout", "rotated" (a new login from the same browser), ...
    revoked_reason: Mapped[str | None] = mapped_column(String(30))
