"""event ids continue past every event a webhook delivery names

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:00:00

Before the unit of work bound what it queues to savepoints (core/db.py), a bulk dry run
could commit a webhook delivery for an event its savepoint had rolled back. SQLite rolls
the events table's AUTOINCREMENT counter back with the savepoint, so the next event got
the same id, and its delivery (message id `msg_<event id>_<webhook id>`) failed on the
unique message id, failing every write in that workspace with a 500 until another
workspace's event used the id up. This moves the counter past the highest event id any
delivery names, so a database that met the bug never hands such an id out again.

PostgreSQL sequences do not roll back, so there the counter is already past every id; the
same check runs and finds nothing to do. No schema change; nothing to undo.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMED = "(SELECT max(event_id) FROM webhook_deliveries)"

SQLITE = [
    f"UPDATE sqlite_sequence SET seq = {NAMED} WHERE name = 'events' AND seq < {NAMED}",
    # No counter yet (no event ever inserted through AUTOINCREMENT): start it past them.
    f"""INSERT INTO sqlite_sequence (name, seq)
        SELECT 'events', {NAMED}
        WHERE {NAMED} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events')""",
]

POSTGRESQL = f"""SELECT setval(pg_get_serial_sequence('events', 'id'), named.id)
FROM (SELECT {NAMED} AS id) AS named
WHERE named.id > coalesce(pg_sequence_last_value(pg_get_serial_sequence('events', 'id')::regclass), 0)"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL)
    else:
        for statement in SQLITE:
            op.execute(statement)


def downgrade() -> None:
    # Ids handed out past the old counter stay valid; there is nothing to put back.
    pass
