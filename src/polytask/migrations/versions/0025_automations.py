"""automations: automations and their runs

Revision ID: 0025
Revises: 0020
Create Date: 2026-12-05 05:20:00

automations holds a workspace's (or a project's) automations: trigger (event, schedule or
incoming URL, whose token is kept as a SHA-256 digest), conditions and ordered actions.
automation_runs is their outbox and history: one row per (automation, event), written in the
transaction of the event, run by the worker, marked done in the transaction of the actions'
effects. Both engines; downgrade drops both tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "automations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("trigger_kind", sa.String(length=20), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("trigger", JSON, nullable=False),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("actions", JSON, nullable=False),
        sa.Column("hook_digest", sa.String(length=64), nullable=True),
        sa.Column("next_run_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_automations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_automations_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_automations_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automations")),
        sa.UniqueConstraint("hook_digest", name=op.f("uq_automations_hook_digest")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_automations_workspace_kind", "automations", ["workspace_id", "trigger_kind", "enabled"])
    op.create_table(
        "automation_runs",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("automation_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("trigger_kind", sa.String(length=20), nullable=False),
        sa.Column("event_id", BIG_ID, nullable=True),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=True),
        sa.Column("actions_done", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["automation_id"],
            ["automations.id"],
            name=op.f("fk_automation_runs_automation_id_automations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_runs")),
        sa.UniqueConstraint("automation_id", "event_id", name=op.f("uq_automation_runs_automation_id_event_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_automation_runs_due", "automation_runs", ["status", "next_attempt_at"])
    op.create_index("ix_automation_runs_automation_id_id", "automation_runs", ["automation_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_automation_runs_automation_id_id", table_name="automation_runs")
    op.drop_index("ix_automation_runs_due", table_name="automation_runs")
    op.drop_table("automation_runs")
    op.drop_index("ix_automations_workspace_kind", table_name="automations")
    op.drop_table("automations")
