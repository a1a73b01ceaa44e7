"""`polytask backup` under write load, `polytask restore` into a fresh home, and the comparison:
the restored tasks are exactly the writer's first N (a consistent snapshot), sample objects
read the same through the API, the original API key authenticates, the secret key is the same,
and a quiescent backup restores every table's row count. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from scripts.scratchdb import scratch_database
from sqlalchemy import create_engine, func, select

from polytask.models import Base
from tests.cli.test_serve import KEY_LINE, POLYTASK, STARTUP_SECONDS, Server, polytask_serve

BACKEND = os.environ.get("POLYTASK_TEST_DB", "sqlite")
WRITES_BEFORE_BACKUP = 20
MAX_WRITES = 3000  # the writer stops here even if the backup were never to end


@pytest.fixture
def fresh_database() -> Iterator[Callable[[], str | None]]:
    """Makes empty databases for an installation: None on SQLite (the home's file), else a new
    PostgreSQL database per call, all dropped afterwards."""
    if BACKEND == "sqlite":
        yield lambda: None
        return
    admin_url = os.environ["POLYTASK_TEST_POSTGRES_URL"]
    with ExitStack() as made:
        yield lambda: made.enter_context(scratch_database(admin_url, "polytask_backup"))


def install(home: Path, database_url: str | None) -> dict[str, str]:
    """The POLYTASK_* settings of one installation."""
    settings = {"home": str(home)}
    if database_url is not None:
        settings["database_url"] = database_url
    return settings


def polytask(settings: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    env.update({f"POLYTASK_{name.upper()}": value for name, value in settings.items()})
    return subprocess.run(
        [str(POLYTASK), *args], env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )


def db_url(settings: dict[str, str]) -> str:
    return settings.get("database_url") or f"sqlite:///{Path(settings['home']) / 'polytask.db'}"


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


class Writer(threading.Thread):
    """Creates tasks one after another through the API until told to stop (or MAX_WRITES)."""

    def __init__(self, base_url: str, key: str, project: str) -> None:
        super().__init__(daemon=True)
        self.base_url, self.key, self.project = base_url, key, project
        self.created: list[str] = []
        self.failures: list[str] = []
        self.warmed = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=60) as c:
            n = 0
            while not self.stop.is_set() and n < MAX_WRITES:
                r = c.post("/v1/tasks", json={"name": f"load {n}", "project_id": self.project})
                if r.status_code != 201:
                    self.failures.append(f"{r.status_code} {r.text[:200]}")
                    break
                self.created.append(r.json()["data"]["id"])
                n += 1
                if n >= WRITES_BEFORE_BACKUP:
                    self.warmed.set()
        self.warmed.set()


def started(server: Server) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    key = server.read_until(KEY_LINE, deadline).group(1)
    server.wait_ready(deadline)
    return key


def test_backup_under_write_load_restores_a_consistent_copy(
    tmp_path: Path, fresh_database: Callable[[], str | None]
) -> None:
    original = install(tmp_path / "a", fresh_database())
    archive = tmp_path / "under-load.tar.gz"
    with polytask_serve(
        Path(original["home"]), tmp_path / "a.log", **{k: v for k, v in original.items() if k != "home"}
    ) as server:
        key = started(server)
        auth = {"Authorization": f"Bearer {key}"}
        project = httpx.post(f"{server.base_url}/v1/projects", json={"name": "Backed up"}, headers=auth).json()["data"]
        first = httpx.post(
            f"{server.base_url}/v1/tasks",
            json={"name": "Before", "project_id": project["id"], "priority": "high", "labels": ["kept"]},
            headers=auth,
        ).json()["data"]
        writer = Writer(server.base_url, key, project["id"])
        writer.start()
        assert writer.warmed.wait(120), "the writer did not get going"
        assert not writer.failures, writer.failures
        made_before = len(writer.created)
        done = polytask(original, "backup", "--output", str(archive))
        writer.stop.set()
        writer.join(120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == str(archive.resolve())
        assert not writer.failures, writer.failures
        sample = {
            path: httpx.get(f"{server.base_url}{path}", headers=auth).json()
            for path in (f"/v1/projects/{project['id']}", f"/v1/tasks/{first['id']}", f"/v1/tasks/{writer.created[0]}")
        }
    assert archive.stat().st_mode & 0o777 == 0o600, "the archive holds the secret key: owner-only"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "home/secret_key"} <= names
    assert ("database.sqlite" if BACKEND == "sqlite" else "database.pgdump") in names

    restored = install(tmp_path / "b", fresh_database())
    done = polytask(restored, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert (Path(restored["home"]) / "secret_key").read_bytes() == (Path(original["home"]) / "secret_key").read_bytes()
    with polytask_serve(
        Path(restored["home"]), tmp_path / "b.log", **{k: v for k, v in restored.items() if k != "home"}
    ) as again:
        deadline = time.monotonic() + STARTUP_SECONDS
        again.wait_ready(deadline)
        assert not any(KEY_LINE.match(line) for line in again.seen), "a restored database is no empty one"
        # The original key authenticates: the restored server is the same installation.
        for path, body in sample.items():
            r = httpx.get(f"{again.base_url}{path}", headers=auth)
            assert r.status_code == 200, r.text
            assert r.json()["data"] == body["data"], path
        tasks: list[str] = []
        url: str | None = f"{again.base_url}/v1/projects/{project['id']}/tasks?limit=100&sort=id"
        while url:
            page = httpx.get(url, headers=auth).json()
            tasks += [t["id"] for t in page["data"]]
            nxt = page["links"].get("next")
            url = f"{again.base_url}{nxt}" if nxt and nxt.startswith("/") else nxt
    load = [t for t in tasks if t != first["id"]]
    # A snapshot: the writer's first N tasks, every one of them, and none after.
    assert load == writer.created[: len(load)], "the restored tasks are not a prefix of the writes"
    assert len(load) >= made_before, "tasks acknowledged before the backup began are missing"

    # Restoring over a database that holds data needs --force.
    refused = polytask(restored, "restore", str(archive))
    assert refused.returncode == 1
    assert "--force" in refused.stderr

    # Quiescent: a second backup restores every table's rows.
    quiet = tmp_path / "quiet.tar.gz"
    assert polytask(original, "backup", "-o", str(quiet)).returncode == 0
    third = install(tmp_path / "c", fresh_database())
    done = polytask(third, "restore", str(quiet))
    assert done.returncode == 0, done.stderr
    counts = row_counts(db_url(original))
    assert counts["tasks"] == len(writer.created) + 1
    assert row_counts(db_url(third)) == counts


def test_restore_refuses_a_file_that_is_no_backup(tmp_path: Path, fresh_database: Callable[[], str | None]) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    target = install(tmp_path / "home", fresh_database())
    done = polytask(target, "restore", str(junk))
    assert done.returncode == 1
    assert "is not a Polytask backup" in done.stderr
    assert not (Path(target["home"]) / "polytask.db").exists()
    assert not (Path(target["home"]) / "secret_key").exists()


def test_a_backup_with_files_in_s3_says_the_bucket_is_not_in_it(
    tmp_path: Path, fresh_database: Callable[[], str | None]
) -> None:
    target = {**install(tmp_path / "home", fresh_database()), "storage": "s3", "s3_bucket": "team-files"}
    assert polytask(target, "migrate").returncode == 0
    done = polytask(target, "backup", "--output", str(tmp_path / "b.tar.gz"))
    assert done.returncode == 0, done.stderr
    assert "stored files are in the S3 bucket 'team-files', not in the archive" in done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(tmp_path / "b.tar.gz")
    local = install(tmp_path / "other", fresh_database())
    assert polytask(local, "migrate").returncode == 0
    plain = polytask(local, "backup", "--output", str(tmp_path / "c.tar.gz"))
    assert plain.returncode == 0, plain.stderr
    assert "S3" not in plain.stderr
