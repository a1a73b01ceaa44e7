"""index tasks' parent_id and section_id only where they are set

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:20:00

Most tasks are neither subtasks nor in a section, yet every inserted task wrote a NULL entry
into both indexes. Every look-up by either column compares it with a value (the subtasks of
a task, the tasks of a section, the foreign keys' cascade and SET NULL when a task or
section is deleted), which both engines know implies IS NOT NULL, so partial indexes serve
them all and a task without a parent or section costs no entry in them. Both engines; no
data changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("parent_id", "section_id")


def upgrade() -> None:
    for column in _COLUMNS:
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(f"ix_tasks_{column}", table_name="tasks")
        op.create_index(f"ix_tasks_{column}", "tasks", [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for column in _COLUMNS:
        op.drop_index(f"ix_tasks_{column}", table_name="tasks")
        op.create_index(f"ix_tasks_{column}", "tasks", [column])
