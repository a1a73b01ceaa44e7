"""drop the index on tasks (workspace_id) alone

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 12:50:00

Two indexes begin with the workspace and go on (ix_tasks_workspace_due: workspace_id,
due_date, id; ix_tasks_workspace_status_due: workspace_id, status, due_date, id): every look-up
by workspace, the foreign key's cascade from a deleted workspace included, is served by
either. The index on the workspace alone only cost every inserted task one more index entry
(a bulk create of 10,000 tasks writes each row into every index of the table). Both engines;
no data changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_tasks_workspace_id", table_name="tasks")


def downgrade() -> None:
    op.create_index("ix_tasks_workspace_id", "tasks", ["workspace_id"])
