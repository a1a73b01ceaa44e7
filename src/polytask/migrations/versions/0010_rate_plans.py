"""rate limit plans and quotas

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reserved; filled in by the branch that owns it.
    pass


def downgrade() -> None:
    pass
