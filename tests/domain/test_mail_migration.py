"""Migration 0015 adds the mail outbox, password resets and invites.task_id over existing rows
(pending invites stay, sharing no task) and takes them away again on downgrade, on both engines."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from polytask.core.migrate import alembic_config, upgrade
from tests.domain.test_audit_migration import fresh_url  # noqa: F401  (the fixture)

NEW_TABLES = {"mail_messages", "mail_attempts", "password_resets"}


def _inspect(url: str) -> tuple[set[str], set[str]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        return set(found.get_table_names()), {c["name"] for c in found.get_columns("invites")}
    finally:
        engine.dispose()


def test_upgrade_keeps_invites_and_downgrade_removes_mail(fresh_url: str) -> None:  # noqa: F811
    upgrade(fresh_url, "0014")
    engine = create_engine(fresh_url)
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO workspaces (id, name, description, settings, security, ip_allowlist_enabled,"
                " created_at, updated_at) VALUES (1, 'W', '', '{}', '{}', false, :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO invites (id, workspace_id, email, role, message, token_hash, status, expires_at,"
                " created_at, updated_at) VALUES (1, 1, 'a@example.com', 'member', '', 'h', 'pending', :now,"
                " :now, :now)"
            ),
            {"now": now},
        )
    engine.dispose()

    upgrade(fresh_url, "0015")
    tables, invite_columns = _inspect(fresh_url)
    assert tables >= NEW_TABLES
    assert "task_id" in invite_columns
    engine = create_engine(fresh_url)
    with engine.begin() as conn:
        assert tuple(conn.execute(text("SELECT status, task_id FROM invites WHERE id = 1")).one()) == ("pending", None)
    engine.dispose()

    command.downgrade(alembic_config(fresh_url), "0014")
    tables, invite_columns = _inspect(fresh_url)
    assert not tables & NEW_TABLES
    assert "task_id" not in invite_columns
    engine = create_engine(fresh_url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM invites")).scalar() == 1
    engine.dispose()
