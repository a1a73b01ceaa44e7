"""A 10,000-task export streams with flat server memory: a real `polytask serve` process, its
resident memory (with its children's) read from /proc while the body arrives, a chunk at a
time. Not a timing test: it bounds bytes, not seconds.

SQLite only: the streaming code is the same on PostgreSQL (a read-only unit per chunk), and
seeding 10,000 tasks and a second server there doubles the cost for no other path covered.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.test_rate_limits import _server, _server_env
from tests.factories.people import make_person
from tests.factories.work import make_project
from tests.procmem import status_mb

TASKS = 10_000
BATCH = 2_500
MAX_GROWTH_MB = 30


def _private_mb(pid: int) -> float:
    """Private resident memory (RssAnon) of a process and its children, in MB (as bench/run.py
    memory_of): the database file SQLite maps into memory is not the export's."""
    return status_mb(pid, "RssAnon")


def test_a_10000_task_export_streams_in_flat_memory(
    client: httpx.Client, db: Database, settings: Settings, tmp_path: Path, base_url: str
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only (see the module's docstring)")
    alice = make_person(db)
    project = make_project(client, alice, name="Big")
    small = make_project(client, alice, name="Small")
    text = "lorem ipsum dolor sit amet " * 16
    with httpx.Client(base_url=base_url, headers=alice.headers, timeout=120) as plain:
        for start in range(0, TASKS, BATCH):
            items = [
                {"name": f"Task {n}", "description": text, "labels": ["bulk"]} for n in range(start, start + BATCH)
            ]
            r = plain.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": items})
            assert r.status_code == 201, r.text[:500]
        assert plain.post(f"/v1/projects/{small}/tasks", json={"name": "one"}).status_code == 201
    with (
        _server(_server_env(settings, tmp_path)) as (base, proc),
        httpx.Client(base_url=base, headers=alice.headers, timeout=120) as c,
    ):
        # Warm up the export's code paths on a small project, then measure the big one.
        assert c.get(f"/v1/projects/{small}/export").status_code == 200
        before = peak = _private_mb(proc.pid)
        size = 0
        body = bytearray()
        with c.stream("GET", f"/v1/projects/{project}/export") as response:
            assert response.status_code == 200
            assert response.headers["content-disposition"].startswith("attachment")
            for n, piece in enumerate(response.iter_bytes()):
                size += len(piece)
                body += piece
                if n % 8 == 0:
                    peak = max(peak, _private_mb(proc.pid))
        peak = max(peak, _private_mb(proc.pid))
    doc = json.loads(bytes(body))
    assert len(doc["projects"][0]["tasks"]) == TASKS
    assert size > 5 * 1024 * 1024, size
    assert peak - before < MAX_GROWTH_MB, (before, peak, size)
