"""The issue's test on a live pair of processes: `polytask serve` (its own background work off)
and `polytask worker`. "When a task is created with priority high, assign it to X and
comment" fires once per matching create, also when the worker is killed with SIGKILL in the
middle of its work and started again, never for a non-matching create, and never loops."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.models import AutomationRun, Event
from tests.factories.people import join, make_person
from tests.webhooks.receiver import wait_for
from tests.webhooks.test_crash import POLYTASK, _env, free_port, server

TRIAGE = "Triaged by the automation"


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([str(POLYTASK), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _runs(db: Database, status: str | None = None) -> int:
    with db.unit_of_work(readonly=True) as session:
        query = select(func.count()).select_from(AutomationRun)
        if status is not None:
            query = query.where(AutomationRun.status == status)
        return int(session.scalar(query) or 0)


def test_high_priority_creates_are_triaged_once_across_a_worker_kill(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    alice, x = make_person(db), make_person(db)
    join(db, alice, x)
    env = _env(database_url, tmp_path, POLYTASK_WEBHOOK_DISPATCHER="false", POLYTASK_AUTOMATION_POLL_SECONDS="0.1")
    port = free_port()
    with server(env, port), httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
        r = api.post(f"/v1/workspaces/{alice.workspace}/projects", json={"name": "Support"}, headers=alice.headers)
        project = r.json()["data"]["id"]
        r = api.post(
            f"/v1/projects/{project}/automations",
            json={
                "name": "Triage",
                "trigger": {"kind": "event", "event": "task.created"},
                "conditions": "priority = high",
                "actions": [{"type": "assign", "assignee": x.id}, {"type": "add_comment", "body": TRIAGE}],
            },
            headers=alice.headers,
        )
        assert r.status_code == 201, r.text
        made: dict[str, str] = {}

        def create(n: int) -> None:
            priority = "high" if n % 2 == 0 else "low"
            body = {"name": f"Ticket {n}", "priority": priority}
            r = api.post(f"/v1/projects/{project}/tasks", json=body, headers=alice.headers)
            assert r.status_code == 201, r.text
            made[r.json()["data"]["id"]] = priority

        with worker(env) as first:
            for n in range(40):
                create(n)
            wait_for(lambda: _runs(db, "succeeded") >= 3, timeout=60, what="the worker to run some")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert _runs(db, "pending") > 0, "the worker finished before it was killed: nothing was proven"
        for n in range(40, 50):  # while no worker runs: queued, not lost
            create(n)
        with worker(env):
            wait_for(lambda: _runs(db, "pending") == 0, timeout=90, what="every run to finish")
        for task, priority in made.items():
            shown = api.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]
            comments = api.get(f"/v1/tasks/{task}/comments", headers=alice.headers).json()["data"]
            bodies = [c["attributes"]["body"] for c in comments]
            if priority == "high":
                assert (shown["assignee_ids"], bodies) == ([x.id], [TRIAGE]), task
            else:
                assert (shown["assignee_ids"], bodies) == ([], []), task
    # One run per create, none for the automation's own changes: no loop.
    assert _runs(db) == len(made) == 50
    assert (_runs(db, "succeeded"), _runs(db, "skipped")) == (25, 25)
    with db.unit_of_work(readonly=True) as session:
        comments = session.scalar(select(func.count()).where(Event.type == "comment.created"))
    assert comments == 25
