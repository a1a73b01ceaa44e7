"""calendar feeds: secret iCalendar URLs of a user's or a project's due dates

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 05:30:00

One table, calendar_feeds: whose access a feed reads with (user_id), what it shows (kind
`user`: the tasks assigned to the user; `project`: one project's tasks), the workspace it is
held to, and the SHA-256 digest of its token (the token itself is shown once and never stored).
Both engines; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_calendar_feeds_token_hash"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_calendar_feeds_user_id", "calendar_feeds", ["user_id", "id"])
    op.create_index("ix_calendar_feeds_project_id", "calendar_feeds", ["project_id"])


def downgrade() -> None:
    op.drop_table("calendar_feeds")
