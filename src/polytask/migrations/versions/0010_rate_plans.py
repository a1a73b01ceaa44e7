"""rate limit plans and quotas

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The named rate-limit plan of an API key (POLYTASK_RATE_PLANS); NULL: the surface's default.
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("rate_plan", sa.String(64), nullable=True))
    # An OAuth client's plan applies to every access token issued to it.
    with op.batch_alter_table("oauth_clients") as batch:
        batch.add_column(sa.Column("rate_plan", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oauth_clients") as batch:
        batch.drop_column("rate_plan")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("rate_plan")
