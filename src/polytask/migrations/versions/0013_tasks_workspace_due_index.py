"""index on tasks (workspace_id, due_date, id) for workspace-wide lists by due date

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:00:00

`GET /v1/tasks?sort=due_date` orders a whole workspace's tasks by due date. Without an index
that starts with the workspace and continues with the due date, both engines read every task
of the workspace and sort them (at 100k tasks, about 42 ms on SQLite) to return 50. With it,
and the list's workspace condition written as an equality (domain/workspaces/access.py,
`in_visible_workspace`), a page reads 50 index entries in order. The trailing id is the list's
tie-breaker, so pages and cursors need no sort either. Both engines; no data changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tasks_workspace_due", "tasks", ["workspace_id", "due_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_workspace_due", table_name="tasks")
