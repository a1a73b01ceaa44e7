"""Migration 0012 moves the events id counter past every event id a webhook delivery names,
so a database where a dry run committed a delivery for a rolled-back event (SQLite then
handed the event's id out again) no longer fails the next delivery on its message id."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from polytask.core.migrate import alembic_config, upgrade
from polytask.models import Event, Webhook, WebhookDelivery, Workspace
from tests.conftest import BACKEND
from tests.domain.test_audit_migration import fresh_url  # noqa: F401  (the fixture)


def _event(n: int) -> Event:
    return Event(type="task.updated", resource_type="task", resource_id=n, workspace_id=1, changes={}, snapshot={})


def _delivery(event_id: int) -> WebhookDelivery:
    message_id = f"msg_{event_id}_1"
    return WebhookDelivery(webhook_id=1, message_id=message_id, event_id=event_id, event_type="task.updated", body="{}")


def test_event_ids_continue_past_the_deliveries(fresh_url: str) -> None:  # noqa: F811
    upgrade(fresh_url, "0011")
    engine = create_engine(fresh_url)
    try:
        with Session(engine) as session:
            session.add(Workspace(id=1, name="W"))
            session.flush()
            session.add(Webhook(id=1, workspace_id=1, url="https://example.com/hook", events=["*"], secret="s"))
            session.add_all([_event(n) for n in range(3)])
            session.commit()
        # What a dry run did before the fix: the event rolls back with its savepoint, its
        # delivery commits.
        with Session(engine) as session:
            savepoint = session.begin_nested()
            ghost = _event(99)
            session.add(ghost)
            session.flush()
            ghost_id = ghost.id
            savepoint.rollback()
            session.add(_delivery(ghost_id))
            session.commit()
        if BACKEND == "sqlite":
            with engine.connect() as conn:
                seq = conn.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = 'events'"))
            assert seq == ghost_id - 1  # the next event would get the ghost's id
        else:
            # A sequence does not roll back; set it back by hand to reach the same state.
            with engine.begin() as conn:
                conn.execute(text("SELECT setval(pg_get_serial_sequence('events', 'id'), :n)"), {"n": ghost_id - 1})

        upgrade(fresh_url)
        with Session(engine) as session:
            real = _event(4)
            session.add(real)
            session.flush()
            assert real.id > ghost_id
            session.add(_delivery(real.id))
            session.commit()

        command.downgrade(alembic_config(fresh_url), "0011")
        upgrade(fresh_url)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM webhook_deliveries")) == 2
    finally:
        engine.dispose()
