#!/usr/bin/env python3
"""Make the upgrade fixture of a release: a database as that release wrote it.

    ./scripts/with-postgres.sh .venv/bin/python scripts/release-fixture.py v0.1.0

exports REF's source tree with `git archive` into a temporary directory and, with THAT tree's
code (PYTHONPATH=<tree>/src; the packages are this virtualenv's), for SQLite and for
PostgreSQL (a fresh database on POLYTASK_TEST_POSTGRES_URL, which scripts/with-postgres.sh
provides):

1. runs the release's migrations (`polytask migrate`),
2. makes an admin account and its API key with the release's CLI,
3. serves the release (`polytask serve`, webhooks and mail left in their outboxes) and writes
   the data below through its /v1 and TaskFlow APIs, as a client would,
4. dumps the database into tests/domain/releases/<name>.<engine>.sql: SQLite as `iterdump`
   would (but with full-text tables that load); PostgreSQL with `pg_dump --inserts` (plain
   SQL, no owners or privileges) without psql's `\\restrict` lines, so any client runs it.

Each file starts with `-- key: value` lines (the ref and its commit, the Alembic revision,
the API key and password written into it) that tests/domain/test_release_upgrades.py reads.
Nothing here imports polytask: the release's code runs only in its own processes.

--name names the fixture (default: REF). Before the tag exists, make it from the commit that
will be tagged: `release-fixture.py HEAD --name v0.1.0` (CONTRIBUTING.md, "Cutting a release").
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from scratchdb import scratch_database  # scripts/scratchdb.py (this directory is on the path)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "domain" / "releases"
PASSWORD = "release-fixture-password"
# psql meta-commands pg_dump writes since 17.6 / 16.10 (`\restrict`): not SQL; dropped.
# And settings an older server would refuse.
DROPPED_PREFIXES = ("\\", "SET transaction_timeout")


def export(ref: str, into: Path) -> str:
    """REF's tree (`git archive`) into `into`; returns the full commit id."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO, check=True, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return commit


class Release:
    """The exported tree's `polytask` command, run with the tree's code on one database."""

    def __init__(self, tree: Path, url: str, home: Path) -> None:
        scripts = tomllib.loads((tree / "pyproject.toml").read_text())["project"]["scripts"]
        module, attr = scripts["polytask"].split(":")
        self.boot = f"import sys; sys.argv[0] = 'polytask'; from {module} import {attr} as main; sys.exit(main())"
        self.tree = tree
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_") and k != "PYTHONPATH"}
        self.env.update(
            {
                "PYTHONPATH": str(tree / "src"),
                "POLYTASK_HOME": str(home),
                "POLYTASK_DATABASE_URL": url,
                # Deliveries and mail stay in their outboxes, as rows of the fixture.
                "POLYTASK_WEBHOOK_DISPATCHER": "false",
                # The receiver is on loopback: nothing is ever sent to it (no dispatcher).
                "POLYTASK_WEBHOOK_ALLOW_PRIVATE": "true",
            }
        )

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-c", self.boot, *args]

    def run(self, *args: str) -> str:
        done = subprocess.run(self.command(*args), cwd=self.tree, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"polytask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def check_imports_its_own_code(self) -> None:
        """The release's code, not this checkout's (an editable install must not win)."""
        where = subprocess.run(
            [sys.executable, "-c", "import polytask; print(polytask.__file__)"],
            cwd=self.tree, env=self.env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not Path(where).is_relative_to(self.tree):
            raise SystemExit(f"polytask was imported from {where}, not from the exported tree {self.tree}")

    @contextmanager
    def serve(self) -> Iterator[str]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = open(self.tree / "serve.log", "w")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(
            self.command("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
            cwd=self.tree,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"polytask serve did not start:\n{(self.tree / 'serve.log').read_text()}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def ok(r: httpx.Response, status: int = 201) -> dict[str, Any]:
    if r.status_code != status:
        raise SystemExit(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}")
    return r.json() if r.content else {}


def write_rows(base: str, key: str) -> None:
    """The data, through the release's APIs as a client writes it.

    tests/domain/test_release_upgrades.py checks these values after the upgrade: change both
    together, and keep what older fixtures hold readable."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
        ws = ok(c.post("/v1/workspaces", json={"name": "Acme", "description": "Written by a release"}))["data"]["id"]
        # An invite accepted by someone without an account (makes Bob, mails him), one pending.
        invites = ok(c.post(f"/v1/workspaces/{ws}/invites", json={"emails": ["bob@example.com"], "role": "member"}))
        token = invites["data"][0]["attributes"]["token"]
        with httpx.Client(base_url=base, timeout=60) as anonymous:
            signup = {"token": token, "name": "Bob", "password": PASSWORD, "username": "bob"}
            ok(anonymous.post("/v1/invites/signup", json=signup))
            # A password reset mailed to Ann (a mail outbox row and a reset token).
            ok(anonymous.post("/v1/password-resets", json={"email": "ann@example.com"}), 202)
        ok(c.post(f"/v1/workspaces/{ws}/invites", json={"emails": ["carol@example.com"], "role": "viewer"}))
        bob = next(
            m["id"]
            for m in ok(c.get(f"/v1/workspaces/{ws}/users"), 200)["data"]
            if m["attributes"]["username"] == "bob"
        )
        project = ok(
            c.post(
                f"/v1/workspaces/{ws}/projects",
                json={
                    "name": "Roadmap",
                    "description": "What the release planned",
                    "type": "kanban",
                    "custom_fields": {
                        "estimate": {"type": "number"},
                        "stage": {"type": "dropdown", "options": ["idea", "doing", "done"]},
                    },
                },
            )
        )["data"]["id"]
        ok(c.post(f"/v1/workspaces/{ws}/projects", json={"name": "Archive", "status": "archived"}))
        backlog = ok(c.post(f"/v1/projects/{project}/sections", json={"name": "Backlog"}))["data"]["id"]
        ok(c.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}))
        first = ok(
            c.post(
                f"/v1/projects/{project}/tasks",
                json={
                    "name": "Ship the upgrade",
                    "description": "From the release fixture",
                    "priority": "high",
                    "assignee_ids": [bob],
                    "labels": ["release", "db"],
                    "custom_fields": {"estimate": 3, "stage": "doing"},
                    "due_date": "2027-01-15",
                    "section_id": backlog,
                },
            )
        )["data"]["id"]
        ok(c.post(f"/v1/projects/{project}/tasks", json={"name": "Write the notes", "parent_id": first}))
        done = ok(c.post(f"/v1/projects/{project}/tasks", json={"name": "Tag it", "labels": ["release"]}))["data"]
        ok(c.patch(f"/v1/tasks/{done['id']}", json={"status": "completed"}), 200)
        ok(c.post(f"/v1/tasks/{first}/comments", json={"body": "Looks good"}))
        ok(
            c.post(
                "/v1/webhooks",
                json={
                    "url": "http://127.0.0.1:9/polytask",
                    "events": ["task.*"],
                    "workspace_id": ws,
                    "secret": "release-fixture-secret",
                    "description": "Old receiver",
                },
            )
        )
        # A task after the webhook: one delivery waits in the outbox.
        ok(c.post(f"/v1/projects/{project}/tasks", json={"name": "Tell the receiver"}))
    # TaskFlow: Ann's session, a project with a budget.
    with httpx.Client(base_url=base, timeout=60) as web:
        ok(web.post("/api/auth/login", json={"username": "ann", "password": PASSWORD}), 200)
        body = {"name": "Budgeted", "description": "TaskFlow project", "budget": "75000.50", "start_date": "2027-01-01"}
        ok(web.post("/api/projects", json=body))


def dump_sqlite(url: str) -> str:
    """The schema and rows as SQL, like `iterdump`, except for full-text tables: `iterdump`
    writes an FTS5 table into sqlite_master by hand and its rows without their rowids, which
    does not load; here the table is created by its own statement (which makes its shadow
    tables) and its rows keep their rowids (the ids of the tasks and projects they index)."""
    path = make_url(url).database
    assert path is not None
    conn = sqlite3.connect(path)
    try:
        objects = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ).fetchall()
        virtual = [name for kind, name, _, sql in objects if kind == "table" and sql.startswith("CREATE VIRTUAL")]

        def shadow(table: str) -> bool:
            return any(table.startswith(f"{v}_") for v in virtual)

        out = ["BEGIN TRANSACTION;"]
        tables = [(name, sql) for kind, name, _, sql in objects if kind == "table" and not shadow(name)]
        for name, sql in tables:
            out.append(f"{sql};")
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]
            if name in virtual:
                columns = ["rowid", *columns]
            quoted = " || ',' || ".join(f'quote("{c}")' if c != "rowid" else "quote(rowid)" for c in columns)
            names = ", ".join(f'"{c}"' if c != "rowid" else "rowid" for c in columns)
            for (values,) in conn.execute(f'SELECT {quoted} FROM "{name}" ORDER BY rowid'):
                out.append(f'INSERT INTO "{name}"({names}) VALUES({values});')
        # The inserts above moved the counters; they are set to what the release left.
        out.append("DELETE FROM sqlite_sequence;")
        for name, value in conn.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name"):
            out.append(f"INSERT INTO sqlite_sequence(name, seq) VALUES('{name}', {value});")
        # Indexes and triggers after the rows: a search trigger must not index them twice.
        for kind, _, table, sql in objects:
            if kind != "table" and not shadow(table):
                out.append(f"{sql};")
        out.append("COMMIT;")
        return "\n".join(out) + "\n"
    finally:
        conn.close()


def pg_dump() -> str:
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise SystemExit("pg_dump not found: install PostgreSQL's client programs (Debian: postgresql-client)")
    return str(candidates[-1])


def dump_postgres(url: str) -> str:
    u = make_url(url)
    env = {**os.environ, "PGPASSWORD": u.password or ""}
    args = ["--dbname", u.database or "", "--host", u.host or "127.0.0.1", "--port", str(u.port or 5432)]
    if u.username:
        args += ["--username", u.username]
    done = subprocess.run(
        [pg_dump(), "--format=plain", "--inserts", "--no-owner", "--no-privileges", "--no-comments", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in done.stdout.splitlines() if not line.startswith(DROPPED_PREFIXES)]
    return "\n".join(lines) + "\n"


def revision_of(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    finally:
        engine.dispose()


def make_fixture(tree: Path, url: str, home: Path) -> tuple[str, str]:
    """Runs the release on `url`; returns (its Alembic revision, the API key written)."""
    release = Release(tree, url, home)
    release.check_imports_its_own_code()
    release.run("migrate")
    release.run("users", "create", "--email", "ann@example.com", "--username", "ann", "--name", "Ann",
                "--password", PASSWORD, "--role", "admin")  # fmt: skip
    key = release.run("api-keys", "create", "--user", "ann", "--name", "release fixture").strip().splitlines()[-1]
    with release.serve() as base:
        write_rows(base, key)
    return revision_of(url), key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the release's git ref (a tag such as v0.1.0, or HEAD before tagging)")
    parser.add_argument("--name", help="the fixture's name (default: REF), e.g. v0.1.0")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the .sql files go (default: {OUT})")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append", help="default: both")
    args = parser.parse_args()
    name = args.name or args.ref
    engines = args.engine or ["sqlite", "postgres"]
    admin_url = os.environ.get("POLYTASK_TEST_POSTGRES_URL")
    if "postgres" in engines and not admin_url:
        raise SystemExit("PostgreSQL needs POLYTASK_TEST_POSTGRES_URL: run under ./scripts/with-postgres.sh")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="polytask-release-") as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        commit = export(args.ref, tree)
        for engine in engines:
            home = Path(tmp) / f"home-{engine}"
            if engine == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'release.db'}"
                revision, key = make_fixture(tree, url, home)
                body = dump_sqlite(url)
            else:
                assert admin_url is not None
                with scratch_database(admin_url, "polytask_release") as url:
                    revision, key = make_fixture(tree, url, home)
                    body = dump_postgres(url)
            header = [
                f"-- Polytask upgrade fixture: the database release {name} wrote (scripts/release-fixture.py).",
                f"-- name: {name}",
                f"-- ref: {args.ref}",
                f"-- commit: {commit}",
                f"-- revision: {revision}",
                f"-- engine: {engine}",
                f"-- api_key: {key}",
                f"-- password: {PASSWORD}",
                "",
            ]
            target = args.out / f"{name}.{engine}.sql"
            target.write_text("\n".join(header) + body)
            print(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}: revision {revision}, "
                  f"{target.stat().st_size} bytes")  # fmt: skip
    remind(name)


def remind(name: str) -> None:
    """What CONTRIBUTING.md's release steps still ask for, when CHANGELOG.md does not show it."""
    version = name.removeprefix("v")
    changelog = (REPO / "CHANGELOG.md").read_text()
    if f"\n## {version} " not in changelog:
        print(
            f"CHANGELOG.md has no '## {version}' section yet: rename '## Unreleased' to"
            f" '## {version} - {time.strftime('%Y-%m-%d')}', put an empty '## Unreleased' above it,"
            f" and tag that commit {name} (CONTRIBUTING.md, 'Cutting a release')."
        )


if __name__ == "__main__":
    main()
