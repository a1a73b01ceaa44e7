"""Work a savepoint undoes (a bulk dry run) leaves nothing behind: no event, no webhook
delivery, no wake-up, and no id that a later event could collide with.

Before the unit of work bound what it queues to savepoints, a dry run in a workspace with
a `task.*` webhook either failed with a 500 (the rolled-back event was still queued for
fan-out) or committed a delivery for a change that never happened; on SQLite the next
event then got the rolled-back id again and its delivery failed on the unique message id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.db import Database, after_commit, before_commit
from polytask.models import Event, Task, WebhookDelivery
from polytask.worker.dispatcher import Dispatcher
from tests.factories.people import Person, make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import make_webhook
from tests.webhooks.receiver import Receiver, wait_for

# Generous: the machine may be busy; nothing here measures time.
DELIVERED_WITHIN = 30.0


@dataclass(frozen=True)
class State:
    events: list[tuple[int, str, int]]  # (id, type, resource id)
    deliveries: list[tuple[str, int | None, str, str]]  # (message id, event id, type, status)
    priorities: dict[int, str]


def state(db: Database) -> State:
    with db.unit_of_work(readonly=True) as session:
        ordered = select(Event.id, Event.type, Event.resource_id).order_by(Event.id)
        events = [(i, kind, resource) for i, kind, resource in session.execute(ordered)]
        rows = select(
            WebhookDelivery.message_id, WebhookDelivery.event_id, WebhookDelivery.event_type, WebhookDelivery.status
        ).order_by(WebhookDelivery.id)
        deliveries = [(message, event, kind, status) for message, event, kind, status in session.execute(rows)]
        priorities = {i: str(p) for i, p in session.execute(select(Task.id, Task.priority))}
    return State(events, deliveries, priorities)


def pk(public_id: str) -> int:
    return int(public_id.rsplit("_", 1)[1])


def dry_runs(project: str) -> list[dict[str, Any]]:
    return [
        # The request: its events are never flushed before the savepoint rolls back.
        {
            "operations": [{"operation": "update", "filter": {"project_id": project}, "data": {"priority": "high"}}],
            "dry_run": True,
        },
        # Later operations query (and so flush) while the savepoint is open: the events of
        # the first ones get ids, which SQLite hands out again after the rollback.
        {
            "operations": [
                {"operation": "update", "filter": {"project_id": project}, "data": {"priority": "high"}},
                {"operation": "update", "filter": {"priority": "high"}, "data": {"name": "renamed"}},
                {"operation": "delete", "filter": {"priority": "high"}},
            ],
            "dry_run": True,
        },
    ]


def setup_workspace(client: httpx.Client, db: Database, receiver: Receiver) -> tuple[Person, str, list[str], str]:
    alice = make_person(db)
    project = make_project(client, alice)
    tasks = [make_task(client, alice, project, priority="low")["id"] for _ in range(2)]
    hook = make_webhook(client, alice, receiver.url, events=["task.*"])["id"]
    return alice, project, tasks, hook


def assert_delivered_exactly_the_committed_events(db: Database, receiver: Receiver, hook: str) -> State:
    """Every delivery row names a committed event of its type, with the message id built
    from that event's id; the receiver gets exactly those messages."""
    final = state(db)
    events = {e[0]: e for e in final.events}
    for message_id, event_id, event_type, _status in final.deliveries:
        assert event_id in events, f"{message_id} names event {event_id}, which was never committed"
        assert events[event_id][1] == event_type
        assert message_id == f"msg_{event_id}_{pk(hook)}"
    expected = {d[0] for d in final.deliveries}
    wait_for(
        lambda: {r.json["id"] for r in receiver.requests} >= expected,
        timeout=DELIVERED_WITHIN,
        what="the committed events' deliveries",
    )
    assert sorted(r.json["id"] for r in receiver.requests) == sorted(expected)
    return final


def test_a_bulk_dry_run_writes_no_event_and_no_delivery(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice, project, tasks, hook = setup_workspace(client, db, receiver)
    before = state(db)
    for body in dry_runs(project):
        r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
        assert r.status_code == 200, r.text
        assert r.json()["meta"] == {"dry_run": True}
        results = r.json()["data"]
        assert (results[0]["matched"], results[0]["updated"]) == (2, 2)
        assert sorted(results[0]["task_ids"]) == sorted(tasks)
        if len(results) > 1:
            assert (results[1]["matched"], results[1]["updated"]) == (2, 2)  # sees the first update
            assert (results[2]["matched"], results[2]["deleted"]) == (2, 2)
        assert state(db) == before, "a dry run wrote something"

    # The next real writes in the same workspace commit, and each is delivered once.
    r = client.patch(f"/v1/tasks/{tasks[0]}", json={"name": "real"}, headers=alice.headers)
    assert r.status_code == 200, r.text
    r = client.post(
        "/v1/tasks/bulk",
        json={
            "operations": [{"operation": "update", "filter": {"project_id": project}, "data": {"priority": "urgent"}}]
        },
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    final = assert_delivered_exactly_the_committed_events(db, receiver, hook)
    new_events = final.events[len(before.events) :]
    assert [(t, resource) for _id, t, resource in new_events] == [
        ("task.updated", pk(tasks[0])),
        ("task.updated", pk(tasks[0])),
        ("task.updated", pk(tasks[1])),
    ]
    assert len(final.deliveries) == len(before.deliveries) + 3
    assert set(final.priorities.values()) == {"urgent"}
    # Event ids only grow, and no two deliveries share an event.
    assert [e[0] for e in final.events] == sorted({e[0] for e in final.events})
    assert len({d[1] for d in final.deliveries}) == len(final.deliveries)


def test_dry_runs_inside_batches_leave_nothing_behind(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    """The savepoint of a dry run inside an atomic batch's one transaction, and a non-atomic
    batch whose failing item had recorded events before it failed."""
    alice, project, tasks, hook = setup_workspace(client, db, receiver)
    dry = [{"method": "POST", "path": "/tasks/bulk", "body": body} for body in dry_runs(project)]
    rename = {"method": "PATCH", "path": f"/tasks/{tasks[0]}", "body": {"name": "after the dry runs"}}
    before = state(db)

    r = client.post("/v1/batch", json={"operations": [*dry, rename]}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert [item["status"] for item in r.json()["data"]] == [200, 200, 200]
    atomic = state(db)
    assert [(t, resource) for _id, t, resource in atomic.events[len(before.events) :]] == [
        ("task.updated", pk(tasks[0]))
    ]
    assert len(atomic.deliveries) == len(before.deliveries) + 1

    # Its first operation updates (recording events), its second then fails: that item
    # rolls back whole, and the items around it commit on their own.
    failing = {
        "method": "POST",
        "path": "/tasks/bulk",
        "body": {
            "operations": [
                {"operation": "update", "filter": {"project_id": project}, "data": {"priority": "high"}},
                {"operation": "update", "filter": {"priority": "high"}, "data": {"section_id": "section_999999"}},
            ]
        },
    }
    again = {"method": "PATCH", "path": f"/tasks/{tasks[1]}", "body": {"name": "after the failure"}}
    r = client.post("/v1/batch", json={"operations": [*dry, failing, again], "atomic": False}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert [item["status"] for item in r.json()["data"]] == [200, 200, 422, 200]
    assert r.json()["meta"] == {"atomic": False, "committed": True, "succeeded": 3, "failed": 1}

    final = assert_delivered_exactly_the_committed_events(db, receiver, hook)
    assert [(t, resource) for _id, t, resource in final.events[len(before.events) :]] == [
        ("task.updated", pk(tasks[0])),
        ("task.updated", pk(tasks[1])),
    ]
    assert len(final.deliveries) == len(before.deliveries) + 2
    assert set(final.priorities.values()) == {"low"}


def test_what_a_savepoint_queues_follows_it(db: Database) -> None:
    """core/db.py: callbacks (and anything else in session.info) registered inside a
    savepoint are dropped when it rolls back, kept when it is released, at any depth."""
    calls: list[str] = []

    def before(name: str) -> Any:
        return lambda _session: calls.append(f"before {name}")

    def after(name: str) -> Any:
        return lambda: calls.append(f"after {name}")

    def failing_savepoint(session: Session) -> None:
        with session.begin_nested():
            after_commit(session, after("raised"))
            raise RuntimeError("roll back this savepoint only")

    with db.unit_of_work() as session:
        session.info["polytask.test_items"] = ["outer"]
        before_commit(session, before("outer"))
        rolled_back = session.begin_nested()
        before_commit(session, before("rolled back"))
        after_commit(session, after("rolled back"))
        session.info["polytask.test_items"].append("rolled back")
        session.info["polytask.test_flag"] = True
        inner = session.begin_nested()
        after_commit(session, after("inside the rolled back"))
        inner.commit()
        rolled_back.rollback()
        assert session.info["polytask.test_items"] == ["outer"]
        assert "polytask.test_flag" not in session.info

        with session.begin_nested():
            after_commit(session, after("released"))
            session.info["polytask.test_items"].append("released")
            with pytest.raises(RuntimeError):
                failing_savepoint(session)
        assert session.info["polytask.test_items"] == ["outer", "released"]
        # Registered again after its savepoint rolled back: it runs.
        after_commit(session, after("rolled back"))
    assert calls == ["before outer", "after released", "after rolled back"]

    def failing_unit() -> None:
        with db.unit_of_work() as session:
            with session.begin_nested():
                after_commit(session, after("released, then the unit rolled back"))
            raise RuntimeError("roll back the unit")

    calls.clear()
    with pytest.raises(RuntimeError):
        failing_unit()
    assert calls == []
