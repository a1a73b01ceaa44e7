"""Migration 0019 gives existing projects a uuid each, keeps their children and their search
entries (no rebuild of `projects` on SQLite), and goes down and up again, on both engines."""

from __future__ import annotations

import uuid

from alembic import command
from sqlalchemy import create_engine, text

from polytask.core.migrate import alembic_config, upgrade
from tests.domain.test_audit_migration import fresh_url  # noqa: F401  (the fixture)

NOW = "2026-01-01 00:00:00"


def test_existing_projects_get_uuids_and_keep_their_children(fresh_url: str) -> None:  # noqa: F811
    upgrade(fresh_url, "0018")
    engine = create_engine(fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, username, email, name, role, is_active, created_at, updated_at)"
                    " VALUES (1, 'ann', 'ann@example.com', 'Ann', 'user', true, :now, :now)"
                ),
                {"now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO workspaces (id, name, description, settings, security, ip_allowlist_enabled,"
                    " created_at, updated_at) VALUES (1, 'W', '', '{}', '{}', false, :now, :now)"
                ),
                {"now": NOW},
            )
            for pk, name in ((1, "Roadmap planning"), (2, "Hiring")):
                conn.execute(
                    text(
                        "INSERT INTO projects (id, workspace_id, name, description, type, status, settings,"
                        " custom_field_definitions, custom_fields, currency, created_at, updated_at)"
                        " VALUES (:id, 1, :name, '', 'list', 'active', '{}', '{}', '{}', 'USD', :now, :now)"
                    ),
                    {"id": pk, "name": name, "now": NOW},
                )
            conn.execute(
                text(
                    "INSERT INTO tasks (id, workspace_id, project_id, name, description, status, progress, position,"
                    " custom_fields, created_at, updated_at)"
                    " VALUES (1, 1, 1, 'Draft', '', 'pending', 0, 1, '{}', :now, :now)"
                ),
                {"now": NOW},
            )
        upgrade(fresh_url)
        with engine.connect() as conn:
            uuids = conn.execute(text("SELECT uuid FROM projects ORDER BY id")).scalars().all()
            assert len(set(uuids)) == 2
            assert all(str(uuid.UUID(u)) == u for u in uuids)
            assert conn.execute(text("SELECT count(*) FROM tasks WHERE project_id = 1")).scalar() == 1
        # The search index still follows the table (its triggers survived).
        with engine.begin() as conn:
            conn.execute(text("UPDATE projects SET name = 'Quarterly roadmap' WHERE id = 2"))
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                found = conn.execute(text("SELECT rowid FROM search_projects WHERE search_projects MATCH 'quarterly'"))
            else:
                found = conn.execute(
                    text("SELECT project_id FROM search_projects WHERE document @@ to_tsquery('simple', 'quarterly')")
                )
            assert found.scalars().all() == [2]
        command.downgrade(alembic_config(fresh_url), "0018")
        upgrade(fresh_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM tasks")).scalar() == 1
            assert len(set(conn.execute(text("SELECT uuid FROM projects")).scalars().all())) == 2
    finally:
        engine.dispose()
