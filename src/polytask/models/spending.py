"""What a project spends: people's time (valued at their cost rate) and expenses.

Money is an integer count of the currency's minor units (cents) with an ISO 4217 code beside
it, never a float. Time is an integer count of minutes (exact; hours are a rendering).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polytask.models.base import Base, Timestamps


class TimeEntry(Timestamps, Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        Index("ix_time_entries_project_spent_on", "project_id", "spent_on"),
        Index("ix_time_entries_user_spent_on", "user_id", "spent_on"),
        Index("ix_time_entries_workspace_spent_on", "workspace_id", "spent_on"),
        Index("ix_time_entries_task_id", "task_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # A deleted task leaves its hours on the project: they were spent.
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Positive when logged; a correction (setting a task's actual hours lower) may be negative.
    minutes: Mapped[int] = mapped_column(Integer)
    spent_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Expense(Timestamps, Base):
    __tablename__ = "expenses"
    __table_args__ = (
        Index("ix_expenses_project_spent_on", "project_id", "spent_on"),
        Index("ix_expenses_workspace_spent_on", "workspace_id", "spent_on"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    spent_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(50), default="other")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
