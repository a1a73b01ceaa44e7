"""Migration 0014 adds TaskFlow's domain (departments, money, time, expenses, risks) over existing
rows and takes it away again on downgrade, on both engines."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from polytask.core.migrate import alembic_config, upgrade
from tests.domain.test_audit_migration import fresh_url  # noqa: F401  (the fixture)

NEW_TABLES = {"departments", "time_entries", "expenses", "risks"}


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_keeps_existing_rows_and_downgrade_removes_the_domain(fresh_url: str) -> None:  # noqa: F811
    upgrade(fresh_url, "0013")
    engine = create_engine(fresh_url)
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, email, name, role, is_active, created_at, updated_at)"
                " VALUES (1, 'ann', 'ann@example.com', 'Ann', 'user', true, :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO workspaces (id, name, description, settings, security, ip_allowlist_enabled,"
                " created_at, updated_at) VALUES (1, 'W', '', '{}', '{}', false, :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO memberships (id, workspace_id, user_id, role, permissions, created_at, updated_at)"
                " VALUES (1, 1, 1, 'owner', '{}', :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO projects (id, workspace_id, name, description, type, status, settings,"
                " custom_field_definitions, custom_fields, created_at, updated_at)"
                " VALUES (1, 1, 'P', '', 'list', 'active', '{}', '{}', '{}', :now, :now)"
            ),
            {"now": now},
        )
    engine.dispose()

    upgrade(fresh_url, "0014")
    assert _tables(fresh_url) >= NEW_TABLES
    assert {"department_id", "cost_rate_minor"} <= _columns(fresh_url, "memberships")
    assert "completion_notes" in _columns(fresh_url, "tasks")
    engine = create_engine(fresh_url)
    with engine.begin() as conn:
        project = conn.execute(text("SELECT budget_minor, currency FROM projects WHERE id = 1")).one()
        assert tuple(project) == (None, "USD")
        member = conn.execute(text("SELECT department_id, cost_rate_minor FROM memberships WHERE id = 1")).one()
        assert tuple(member) == (None, None)
        # A department's removal clears the members' department, not the members.
        conn.execute(
            text(
                "INSERT INTO departments (id, workspace_id, name, description, created_at, updated_at)"
                " VALUES (1, 1, 'QA', '', :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(text("UPDATE memberships SET department_id = 1"))
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("PRAGMA foreign_keys = ON"))
        conn.execute(text("DELETE FROM departments WHERE id = 1"))
        assert conn.execute(text("SELECT department_id FROM memberships WHERE id = 1")).scalar_one() is None
    engine.dispose()

    command.downgrade(alembic_config(fresh_url), "0013")
    assert not NEW_TABLES & _tables(fresh_url)
    assert "department_id" not in _columns(fresh_url, "memberships")
    assert "budget_minor" not in _columns(fresh_url, "projects")
    assert "completion_notes" not in _columns(fresh_url, "tasks")

    upgrade(fresh_url)  # and up again to the head
    assert _tables(fresh_url) >= NEW_TABLES
