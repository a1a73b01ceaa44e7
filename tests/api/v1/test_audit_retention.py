"""Retention of the event log: `polytask events prune` and the dispatcher's periodic pruning."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.events.retention import oldest_expired
from polytask.models import Event, WebhookDelivery
from polytask.worker.dispatcher import DispatcherThread
from tests.cli.test_cli import POLYTASK
from tests.factories.people import Person, make_person
from tests.factories.work import make_project, make_task


def prune_cli(settings: Settings, home: Path, *args: str, days: int | None = 300) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    env["POLYTASK_DATABASE_URL"] = settings.effective_database_url
    env["POLYTASK_HOME"] = str(home)
    if days is not None:
        env["POLYTASK_AUDIT_RETENTION_DAYS"] = str(days)
    done = subprocess.run(
        [str(POLYTASK), "events", "prune", *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def age_all(db: Database, days: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(Event).values(occurred_at=utcnow() - timedelta(days=days)))


def feed_ids(client: httpx.Client, who: Person, after: int = 0) -> list[int]:
    r = client.get("/v1/events", params={"after": after, "limit": 100}, headers=who.headers)
    assert r.status_code == 200, r.text
    return [int(item["id"].split("_")[1]) for item in r.json()["data"]]


def test_prune_keeps_what_webhooks_need_and_the_feed_coherent(
    client: httpx.Client, db: Database, settings: Settings, tmp_path: Path
) -> None:
    owner = make_person(db)
    # A public address literal: the SSRF guard refuses names that do not resolve, and tests have no DNS.
    r = client.post(
        "/v1/webhooks", json={"url": "https://93.184.216.34/in", "events": ["task.*"]}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    project = make_project(client, owner)
    sent = make_task(client, owner, project, name="Delivered already")
    waiting = make_task(client, owner, project, name="Still being retried")
    with db.unit_of_work() as session:
        deliveries = {d.event_id: d for d in session.scalars(select(WebhookDelivery))}
        events = {e.resource_id: e.id for e in session.scalars(select(Event).where(Event.type == "task.created"))}
        sent_event, waiting_event = events[int(sent["id"][5:])], events[int(waiting["id"][5:])]
        deliveries[sent_event].status = "succeeded"
        assert deliveries[waiting_event].status == "pending"
    age_all(db, days=400)
    before = feed_ids(client, owner)
    assert waiting_event in before
    with db.unit_of_work(readonly=True) as session:
        stored = session.scalar(select(func.count()).select_from(Event))

    # A dry run says what would go and removes nothing.
    out = prune_cli(settings, tmp_path, "--dry-run")
    expected = stored - 1  # everything is old; one event a pending delivery needs
    assert f"Would prune {expected} events" in out
    assert "Kept 1 older events that pending webhook deliveries still need." in out
    assert "task.created\t1" in out
    assert feed_ids(client, owner) == before

    out = prune_cli(settings, tmp_path)
    assert f"Pruned {expected} events" in out
    assert feed_ids(client, owner) == [waiting_event]
    # A cursor from inside the pruned range reads on from the oldest event kept.
    assert feed_ids(client, owner, after=before[0]) == [waiting_event]
    r = client.get(f"/v1/workspaces/{owner.workspace}/audit-log", headers=owner.headers)
    assert [e["id"] for e in r.json()["data"]] == [f"event_{waiting_event}"]

    # New events get larger ids, and webhook sequence numbers go on from where they were.
    r = client.patch(f"/v1/tasks/{sent['id']}", json={"name": "Renamed"}, headers=owner.headers)
    assert r.status_code == 200, r.text
    after = feed_ids(client, owner, after=waiting_event)
    assert len(after) == 1
    assert after[0] > max(before)
    with db.unit_of_work(readonly=True) as session:
        body = session.scalar(select(WebhookDelivery.body).where(WebhookDelivery.event_id == after[0]))
    assert body is not None
    assert json.loads(body)["sequence"] == 2  # task.created (pruned) was 1

    # Nothing more to prune: a second run removes nothing.
    assert "Pruned 0 events" in prune_cli(settings, tmp_path)


def test_retention_zero_keeps_everything(
    db: Database, client: httpx.Client, settings: Settings, tmp_path: Path
) -> None:
    owner = make_person(db)
    make_project(client, owner)
    age_all(db, days=4000)
    before = feed_ids(client, owner)
    out = prune_cli(settings, tmp_path, days=0)
    assert "Retention is off" in out
    assert feed_ids(client, owner) == before != []


def test_the_dispatcher_prunes_periodically(client: httpx.Client, db: Database, settings: Settings) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    make_task(client, owner, project)
    age_all(db, days=40)
    fresh = make_task(client, owner, project, name="Fresh")
    thread = DispatcherThread(db, settings.model_copy(update={"audit_retention_days": 30}), name="retention-test")
    with thread.running():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.unit_of_work(readonly=True) as session:
                left = list(session.scalars(select(Event.resource_id)))
            if left == [int(fresh["id"][5:])]:
                break
            time.sleep(0.1)
    assert left == [int(fresh["id"][5:])]


def test_a_prune_with_nothing_old_reads_the_time_index_not_the_whole_log(db: Database) -> None:
    """The batch of oldest expired events is found through the index on `occurred_at`: ordered
    by id alone, SQLite read the whole events table (snapshots and all) at every start and
    every hour, with nothing to delete. PostgreSQL's plan depends on its statistics: its
    batches are checked for what they delete above."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    stmt = oldest_expired(utcnow() - timedelta(days=30), 1000)
    compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        plan = [str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
    assert any("ix_events_occurred_at" in step for step in plan), plan
    assert not any(step.startswith("SCAN events") for step in plan), plan
