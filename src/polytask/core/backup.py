"""One-file backups of an installation and their restore (`polytask backup` / `polytask restore`).

An archive (`.tar.gz`, mode 0600: it holds password digests and the signing key) carries:

- `manifest.json`: the format, when, the database engine and its Alembic revision, the files;
- the database: `database.sqlite`, a copy made through SQLite's online backup API (a consistent
  snapshot taken while the server keeps writing: WAL readers do not block writers), or
  `database.pgdump`, `pg_dump --format=custom` (one MVCC snapshot, taken while serving);
- `home/...`: every other file of the data directory (`$POLYTASK_HOME`), among them the
  generated `secret_key` and any stored files, but not the SQLite database and its `-wal` /
  `-shm` companions (the copy above stands for them), nor `polytask-backup-*` archives kept there.

A restore puts these into the configured home and database, which must be empty (a database
with no tables, a home without a database file) unless forced, then migrates to head, so an
archive made by an older release comes up to date.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from polytask import __version__
from polytask.core.migrate import alembic_config, upgrade
from polytask.core.settings import Settings

FORMAT = "polytask-backup/1"
SQLITE_MEMBER = "database.sqlite"
PGDUMP_MEMBER = "database.pgdump"
HOME_PREFIX = "home/"
DB_FILE = "polytask.db"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    engine: str
    revision: str | None
    files: list[str]
    secret_in_archive: bool


def _engine_name(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a '{name}' database: SQLite and PostgreSQL only")
    return name


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is not a file")
    return Path(database)


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _home_files(settings: Settings, db_path: Path | None) -> Iterator[Path]:
    """The data directory's files that travel in the archive (relative paths)."""
    home = Path(settings.home)
    if not home.is_dir():
        return
    skip = set()
    if db_path is not None:
        skip = {
            db_path.resolve(),
            *(db_path.resolve().with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal", "-migrate-lock")),
        }
    for path in sorted(home.rglob("*")):
        relative = path.relative_to(home)
        # Archives and a backup's or restore's scratch directory, should they sit in the home.
        if relative.parts[0].startswith(("polytask-backup-", "polytask-restore-")):
            continue
        if path.is_file() and not path.is_symlink() and path.resolve() not in skip:
            yield relative


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"{name} not found: install PostgreSQL's client programs (Debian: postgresql-client)")


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools, the password in the environment (not argv)."""
    u: URL = make_url(url)
    args = ["--dbname", u.database or ""]
    if u.host:
        args += ["--host", u.host]
    if u.port:
        args += ["--port", str(u.port)]
    if u.username:
        args += ["--username", u.username]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    sslmode = u.query.get("sslmode")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def create_backup(settings: Settings, output: Path) -> BackupResult:
    """Write one archive of the configured database and data directory to `output` (atomically)."""
    url = settings.effective_database_url
    engine = _engine_name(url)
    revision = _revision(url)
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="polytask-backup-", dir=output.parent) as work:
        scratch = Path(work)
        if engine == "sqlite":
            db_path = _sqlite_path(url)
            if not db_path.exists():
                raise BackupError(f"no database at {db_path}")
            member, dump = SQLITE_MEMBER, scratch / SQLITE_MEMBER
            # A checkpoint or a writer's lock may make the read wait; as long as a server's writer would.
            source = sqlite3.connect(db_path, timeout=settings.sqlite_busy_timeout_ms / 1000)
            target = sqlite3.connect(dump)
            try:
                # One step (pages=-1): the whole database as of one read transaction.
                source.backup(target)
                check = target.execute("PRAGMA integrity_check").fetchone()
            finally:
                target.close()
                source.close()
            if not check or check[0] != "ok":
                raise BackupError(f"the copy of the SQLite database failed its integrity check: {check}")
        else:
            db_path = None
            member, dump = PGDUMP_MEMBER, scratch / PGDUMP_MEMBER
            args, env = _libpq(url)
            _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), *args], env, "pg_dump")
        files = [str(p) for p in _home_files(settings, db_path)]
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "polytask_version": __version__,
            "engine": engine,
            "alembic_revision": revision,
            "database": member,
            "files": files,
        }
        partial = scratch / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            tar.add(dump, arcname=member)
            for name in files:
                tar.add(Path(settings.home) / name, arcname=HOME_PREFIX + name)
        os.replace(partial, output)
    return BackupResult(
        path=output, engine=engine, revision=revision, files=files, secret_in_archive="secret_key" in files
    )


def read_manifest(archive: Path) -> dict[str, object]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            handle = tar.extractfile("manifest.json")
            if handle is None:
                raise KeyError("manifest.json")
            manifest: dict[str, object] = json.loads(handle.read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{archive} is not a Polytask backup: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _known_revisions(url: str) -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return {rev.revision for rev in script.walk_revisions()}


def _files(manifest: dict[str, object]) -> list[str]:
    files = manifest.get("files")
    return [str(name) for name in files] if isinstance(files, list) else []


def _database_has_tables(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def restore_backup(settings: Settings, archive: Path, *, force: bool = False) -> dict[str, object]:
    """Put an archive's database and files into the configured installation, then migrate to head.
    The server must be stopped. Refuses a target that holds data unless `force`."""
    manifest = read_manifest(archive)
    url = settings.effective_database_url
    engine = _engine_name(url)
    if manifest.get("engine") != engine:
        raise BackupError(
            f"the archive holds a {manifest.get('engine')} database; the configured database is {engine} "
            "(set POLYTASK_DATABASE_URL to a database of the archive's kind)"
        )
    revision = manifest.get("alembic_revision")
    if isinstance(revision, str) and revision not in _known_revisions(url):
        raise BackupError(f"the archive's schema ({revision}) is newer than this release knows: upgrade Polytask first")
    home = Path(settings.home)
    if not force:
        if engine == "sqlite" and _sqlite_path(url).exists():
            raise BackupError(f"{_sqlite_path(url)} exists: restore into an empty home, or pass --force")
        if engine == "postgresql" and _database_has_tables(url):
            raise BackupError(
                "the configured PostgreSQL database has tables: restore into an empty one, or pass --force"
            )
        if (home / "secret_key").exists() and "secret_key" in _files(manifest):
            raise BackupError(f"{home / 'secret_key'} exists: restore into an empty home, or pass --force")
    home.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="polytask-restore-", dir=home) as work,
        tarfile.open(archive, "r:gz") as tar,
    ):
        scratch = Path(work)
        # The data filter refuses absolute paths, `..`, links out of the tree and device files.
        tar.extractall(scratch, filter="data")
        if engine == "sqlite":
            db_path = _sqlite_path(url)
            db_path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm", "-journal"):
                db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
            shutil.move(scratch / SQLITE_MEMBER, db_path)
        else:
            args, env = _libpq(url)
            clean = ["--clean", "--if-exists"] if force else []
            _run(
                [
                    _pg_tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    *clean,
                    *args,
                    str(scratch / PGDUMP_MEMBER),
                ],
                env,
                "pg_restore",
            )
        restored = scratch / HOME_PREFIX.rstrip("/")
        for name in _files(manifest):
            target = home / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(restored / name, target)
            if name == "secret_key":
                target.chmod(0o600)
    upgrade(url)
    return manifest
