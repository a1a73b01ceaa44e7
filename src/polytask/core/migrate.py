"""Apply Alembic migrations programmatically (CLI, server start, tests)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# pg_advisory_lock's key for migrations (any constant that no other lock of ours uses).
_PG_MIGRATION_LOCK = 0x706F6C79_6D696772 & 0x7FFFFFFFFFFFFFFF


@contextmanager
def migration_lock(url: str) -> Iterator[None]:
    """Hold the database's migration lock: processes that start together (several `polytask
    serve` on one PostgreSQL, a `polytask migrate` beside a starting server) migrate one after
    the other, and the later ones find the schema already at head. PostgreSQL: an advisory lock;
    SQLite: a lock on the file `<database>-migrate-lock` beside it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK})
        finally:
            engine.dispose()
        return
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + "-migrate-lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate to `revision` under the migration lock; at that revision already, nothing changes."""
    with migration_lock(url):
        command.upgrade(alembic_config(url), revision)


def is_up_to_date(engine: Engine) -> bool:
    script = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False)))
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())
