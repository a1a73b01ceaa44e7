"""api_usage: aggregated API-usage buckets

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-05 05:30:00

Per minute, hour and day: requests per surface, API key, OAuth client, workspace and status,
the rate limiter's refusals, the latency sum and a 26-bucket latency histogram
(models/usage.py). Written only by the processes' background flush, as upserts that add.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HISTOGRAM_BUCKETS = 26


def upgrade() -> None:
    op.create_table(
        "api_usage",
        sa.Column("granularity", sa.String(6), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("surface", sa.String(32), nullable=False),
        sa.Column("api_key_id", sa.BigInteger(), nullable=False),
        sa.Column("oauth_client_id", sa.BigInteger(), nullable=False),
        sa.Column("workspace_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("rate_limited", sa.BigInteger(), nullable=False),
        sa.Column("latency_us", sa.BigInteger(), nullable=False),
        *(sa.Column(f"lat_{i:02d}", sa.BigInteger(), nullable=False) for i in range(_HISTOGRAM_BUCKETS)),
        sa.PrimaryKeyConstraint(
            "granularity",
            "bucket",
            "surface",
            "api_key_id",
            "oauth_client_id",
            "workspace_id",
            "status",
            name="pk_api_usage",
        ),
    )
    op.create_index("ix_api_usage_workspace", "api_usage", ["workspace_id", "granularity", "bucket"])


def downgrade() -> None:
    op.drop_index("ix_api_usage_workspace", table_name="api_usage")
    op.drop_table("api_usage")
