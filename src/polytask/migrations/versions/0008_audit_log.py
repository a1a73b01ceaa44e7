"""audit log: the actor's address and the project on events; pruned-event counts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Resources whose snapshots carry their project's id.
_WITH_PROJECT = "('task', 'section', 'view', 'custom_field')"


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("client_ip", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_events_project_id_id", ["project_id", "id"], unique=False)
        batch_op.create_index("ix_events_occurred_at", ["occurred_at"], unique=False)
    op.create_table(
        "pruned_event_counts",
        sa.Column("resource_type", sa.String(length=50), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("pruned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("resource_type", "resource_id", name=op.f("pk_pruned_event_counts")),
    )
    _backfill()


def _backfill() -> None:
    """Fill project_id and client_ip of existing rows wherever the snapshot or live rows tell."""
    if op.get_bind().dialect.name == "postgresql":

        def number(key: str) -> str:
            return f"(CASE WHEN jsonb_typeof(snapshot->'{key}') = 'number' THEN (snapshot->>'{key}')::integer END)"

        def text(key: str) -> str:
            return f"(CASE WHEN jsonb_typeof(snapshot->'{key}') = 'string' THEN left(snapshot->>'{key}', 64) END)"
    else:

        def number(key: str) -> str:
            return f"(CASE WHEN json_type(snapshot, '$.{key}') = 'integer' THEN json_extract(snapshot, '$.{key}') END)"

        def text(key: str) -> str:
            return f"(CASE WHEN json_type(snapshot, '$.{key}') = 'text' THEN substr(json_extract(snapshot, '$.{key}'), 1, 64) END)"

    for statement in (
        "UPDATE events SET project_id = resource_id WHERE resource_type = 'project'",
        f"UPDATE events SET project_id = {number('project_id')} WHERE resource_type IN {_WITH_PROJECT}",
        # Events whose snapshot lacks the project (a task's e-mail links, a field's update):
        # the live row tells, while it exists.
        "UPDATE events SET project_id = (SELECT t.project_id FROM tasks t WHERE t.id = events.resource_id)"
        " WHERE resource_type = 'task' AND project_id IS NULL",
        "UPDATE events SET project_id = (SELECT f.project_id FROM field_definitions f WHERE f.id = events.resource_id)"
        " WHERE resource_type = 'custom_field' AND project_id IS NULL",
        f"UPDATE events SET project_id = (SELECT t.project_id FROM tasks t WHERE t.id = {number('task_id')})"
        " WHERE resource_type = 'comment'",
        # Authentication events kept the caller's address in their snapshot.
        f"UPDATE events SET client_ip = {text('client_ip')}",
    ):
        op.execute(sa.text(statement))


def downgrade() -> None:
    op.drop_table("pruned_event_counts")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_occurred_at")
        batch_op.drop_index("ix_events_project_id_id")
        batch_op.drop_column("client_ip")
        batch_op.drop_column("project_id")
