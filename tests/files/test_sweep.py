"""The orphan sweep (worker/reaper.py sweep_orphans, `polytask files sweep`): a blob stored by a
process that died before its row committed is found and deleted once it is older than the
grace period; a blob a row names, and a younger orphan, are kept. Both stores (local, S3 on
moto), both engines. The orphan is made by a real crash: a child process stores a file in a
unit of work and SIGKILLs itself before the commit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.core.files import FileStore, LocalStore, receive_file
from polytask.core.files.s3 import S3Store
from polytask.core.settings import Settings
from polytask.domain.files import service as files
from polytask.domain.flows.projects import create_project
from polytask.domain.projects.schemas import ProjectCreate
from polytask.models import StoredFile
from polytask.worker.reaper import sweep_orphans
from tests.factories.people import Person, make_person

POLYTASK = Path(sys.executable).parent / "polytask"
HOURS = 3600

# The child: attach a file to the project inside a unit of work, then die before the commit.
_CRASH = """
import json, os, signal, sys
from pathlib import Path
from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.core.files import LocalStore, receive_file
from polytask.domain.files import service as files

spec = json.loads(sys.argv[1])
if spec["store"] == "s3":
    from polytask.core.files.s3 import S3Store
    store = S3Store(**spec["s3"], spool_dir=Path(spec["spool"]))
else:
    store = LocalStore(Path(spec["root"]))
source = Path(spec["source"])
db = Database(spec["url"])
with db.unit_of_work() as session:
    received = receive_file(source, tmp_dir=store.tmp_dir, filename="lost.txt")
    files.attach_file(session, Actor(user_id=spec["user"], global_role="user"), project_id=spec["project"],
                      received=received, store=store)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _project(db: Database, person: Person) -> int:
    with db.unit_of_work() as session:
        actor = Actor(user_id=person.user_id, global_role="user")
        return create_project(session, actor, workspace_id=person.workspace_pk, data=ProjectCreate(name="P")).id


def _crash_while_attaching(db: Database, store: FileStore, person: Person, project: int, tmp_path: Path) -> None:
    source = tmp_path / "lost.txt"
    source.write_bytes(b"stored, never named\n")
    spec: dict[str, object] = {"url": db.url, "user": person.user_id, "project": project, "source": str(source)}
    if isinstance(store, S3Store):
        endpoint = store.client.meta.endpoint_url
        s3 = {"bucket": store.bucket, "prefix": store.prefix, "endpoint_url": endpoint, "region": "us-east-1"}
        spec.update(
            store="s3", spool=str(store.tmp_dir), s3={**s3, "access_key_id": "testing", "secret_access_key": "testing"}
        )
    else:
        assert isinstance(store, LocalStore)
        spec.update(store="local", root=str(store.root))
    child = subprocess.run([sys.executable, "-c", _CRASH, json.dumps(spec)], capture_output=True, timeout=120)
    assert child.returncode == -9, child.stderr.decode()[-2000:]


def _stored(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(StoredFile)) or 0)


def test_a_crash_between_the_blob_and_its_row_leaves_an_orphan_the_sweep_deletes(
    db: Database, store: FileStore, tmp_path: Path
) -> None:
    alice = make_person(db)
    project = _project(db, alice)
    source = tmp_path / "kept.txt"
    source.write_bytes(b"named by a row\n")
    with db.unit_of_work() as session:
        received = receive_file(source, tmp_dir=store.tmp_dir, filename="kept.txt")
        files.attach_file(
            session,
            Actor(user_id=alice.user_id, global_role="user"),
            project_id=project,
            received=received,
            store=store,
        )
    received.discard()
    before = set(store.keys_before(time.time() + 60))
    [kept] = before
    _crash_while_attaching(db, store, alice, project, tmp_path)
    assert _stored(db) == 1  # the child's row never committed
    [orphan] = set(store.keys_before(time.time() + 60)) - before
    stale_spool = store.tmp_dir / "upload-left-by-a-dead-process"
    stale_spool.write_bytes(b"half an upload")

    # Younger than the grace period (an hour): nothing is touched, whatever it is.
    young = sweep_orphans(db, store)
    assert (young.orphans, young.spool_files) == ([], 0)
    assert store.exists(orphan)
    assert stale_spool.exists()

    # Two hours on: a dry run finds the orphan and the spool file, and deletes nothing.
    later = time.time() + 2 * HOURS
    seen = sweep_orphans(db, store, dry_run=True, clock=lambda: later)
    assert seen.orphans == [orphan]
    assert seen.named == 1
    assert seen.spool_files >= 1
    assert store.exists(orphan)
    assert stale_spool.exists()

    done = sweep_orphans(db, store, clock=lambda: later)
    assert done.orphans == [orphan]
    assert not store.exists(orphan)
    assert not stale_spool.exists()
    assert store.exists(kept)
    assert b"".join(store.open_chunks(kept)) == b"named by a row\n"
    assert _stored(db) == 1
    again = sweep_orphans(db, store, clock=lambda: later)
    assert (again.orphans, again.named) == ([], 1)


def test_polytask_files_sweep(db: Database, settings: Settings, tmp_path: Path) -> None:
    """The command on the configured (local) store: `--dry-run` lists, a run deletes, what is
    younger than --older-than-hours stays; bad arguments exit 2."""
    home = tmp_path / "home"
    store = LocalStore(home / "files")
    alice = make_person(db)
    project = _project(db, alice)
    _crash_while_attaching(db, store, alice, project, tmp_path)
    [old] = list(store.keys_before(time.time() + 60))
    _crash_while_attaching(db, store, alice, project, tmp_path)
    [young] = set(store.keys_before(time.time() + 60)) - {old}
    three_hours_ago = time.time() - 3 * HOURS
    os.utime(home / "files" / old, (three_hours_ago, three_hours_ago))
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    env.update(POLYTASK_HOME=str(home), POLYTASK_DATABASE_URL=settings.effective_database_url)

    def sweep(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(POLYTASK), "files", "sweep", *args], env=env, capture_output=True, text=True, timeout=120
        )

    # The dead child's spool file is the blob's other name (the local store stores an upload by
    # linking it), so it is as old as the blob, and goes with it.
    dry = sweep("--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        old,
        "would delete 1 orphan blob(s) and 1 spool file(s); kept 0 blob(s) named by files",
    ]
    assert store.exists(old)
    assert sweep("--older-than-hours", "4").stdout.startswith("deleted 0 orphan blob(s)")
    assert store.exists(old)
    done = sweep()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "deleted 1 orphan blob(s) and 1 spool file(s); kept 0 blob(s) named by files"
    assert not store.exists(old)
    assert store.exists(young)
    refused = sweep("--older-than-hours", "0.1")
    assert refused.returncode == 2
    assert "older-than-hours" in refused.stderr


@pytest.mark.parametrize("hours", ["-1", "1e9", "nan"])
def test_the_sweep_interval_setting_is_checked(hours: str) -> None:
    with pytest.raises(ValueError, match="blob_sweep_hours"):
        Settings(blob_sweep_hours=hours)
