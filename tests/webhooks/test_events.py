"""Which events reach which endpoint, deletions by cascade, and side effects only after commit."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from polytask.core.actor import system_actor
from polytask.core.db import Database, after_commit, before_commit
from polytask.domain.events import bus
from polytask.domain.events.service import record_event
from polytask.domain.tasks.imports import import_tasks
from polytask.models import Event, WebhookDelivery
from polytask.worker.dispatcher import Dispatcher
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import Receiver, wait_for


def test_subscriptions_match_exact_names_wildcards_and_projects(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    other = Receiver().start()
    try:
        one, two = make_project(client, alice, name="One"), make_project(client, alice, name="Two")
        make_webhook(client, alice, receiver.url, events=["task.*"], project_id=one)
        make_webhook(client, alice, other.url, events=["task.updated"])
        task = make_task(client, alice, one)["id"]
        make_task(client, alice, two)
        client.patch(f"/v1/tasks/{task}", json={"name": "renamed"}, headers=alice.headers)
        # Completing is announced as task.completed, not (also) task.updated.
        client.patch(f"/v1/tasks/{task}", json={"status": "completed"}, headers=alice.headers)
        client.patch(f"/v1/tasks/{task}", json={"status": "pending"}, headers=alice.headers)
        wait_for(lambda: len(receiver.requests) == 4, what="project One's task events")
        wait_for(lambda: len(other.requests) == 2, what="the task.updated events")
        assert [r.json["event"] for r in receiver.in_event_order()] == [
            "task.created",
            "task.updated",
            "task.completed",
            "task.updated",
        ]
        assert {r.json["data"]["project"]["id"] for r in receiver.requests} == {one}
        assert [r.json["changes"].get("status", {}).get("to") for r in other.in_event_order()] == [None, "pending"]
    finally:
        other.stop()


def test_deleting_a_project_announces_each_task_and_section(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    project = make_project(client, alice, name="Doomed")
    make_webhook(
        client, alice, receiver.url, events=["task.deleted", "section.deleted", "project.deleted"], project_id=project
    )
    section = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=alice.headers)
    parent = make_task(client, alice, project, name="parent")["id"]
    child = make_task(client, alice, project, name="child", parent_id=parent)["id"]
    assert client.delete(f"/v1/projects/{project}", headers=alice.headers).status_code == 204
    wait_for(lambda: len(receiver.requests) == 4, what="four deletion events")
    # Deliveries travel in parallel, so they may arrive in any order; the message ids
    # (msg_<event id>_<webhook id>) carry the order the events were recorded in.
    requests = receiver.in_event_order()
    got = [(r.json["event"], r.json["data"][r.json["event"].split(".")[0]]["id"]) for r in requests]
    assert got == [
        ("task.deleted", child),
        ("task.deleted", parent),
        ("section.deleted", section.json()["data"]["id"]),
        ("project.deleted", project),
    ]
    for r in requests[:3]:
        assert r.json["changes"] == {"deleted_with": project}
    assert requests[0].json["data"]["task"]["name"] == "child"
    assert requests[3].json["data"]["project"]["name"] == "Doomed"


def test_bulk_imports_are_delivered_too(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    make_webhook(client, alice, receiver.url, events=["task.created"])
    with db.unit_of_work() as session:
        import_tasks(
            session,
            system_actor(alice.user_id, "user"),
            project_id=int(project.removeprefix("project_")),
            rows=[{"name": f"Imported {n}"} for n in range(5)],
        )
    wait_for(lambda: len(receiver.requests) == 5, what="five task.created")
    assert sorted(r.json["data"]["task"]["name"] for r in receiver.requests) == [f"Imported {n}" for n in range(5)]


def test_after_commit_callbacks_run_only_after_a_commit(db: Database) -> None:
    calls: list[str] = []
    with db.unit_of_work() as session:
        before_commit(session, lambda s: calls.append("before"))
        after_commit(session, lambda: calls.append("after"))
        after_commit(session, lambda: calls.append("after 2"))
        assert calls == []
    assert calls == ["before", "after", "after 2"]

    calls.clear()

    def failing_unit() -> None:
        with db.unit_of_work() as session:
            before_commit(session, lambda s: calls.append("before"))
            after_commit(session, lambda: calls.append("after"))
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        failing_unit()
    assert calls == []


def test_a_rolled_back_event_is_neither_queued_nor_announced(
    client: httpx.Client, db: Database, receiver: Receiver
) -> None:
    alice = make_person(db)
    make_webhook(client, alice, receiver.url, events=["*"])
    announced: list[list[int]] = []
    bus.subscribe(announced.append)
    try:
        with pytest.raises(RuntimeError):
            _record_then_fail(db, alice.workspace_pk)
        assert announced == []
        with db.unit_of_work() as session:
            event_id = record_event(
                session,
                None,
                type="project.created",
                resource_type="project",
                resource_id=998,
                workspace_id=alice.workspace_pk,
                snapshot={"name": "real"},
            )
        assert announced == [[event_id]]
    finally:
        bus.unsubscribe(announced.append)
    with db.unit_of_work(readonly=True) as session:
        queued = session.scalar(select(func.count()).select_from(WebhookDelivery))
        ghosts = session.scalar(select(func.count()).select_from(Event).where(Event.resource_id == 999))
    assert queued == 1
    assert ghosts == 0


def _record_then_fail(db: Database, workspace_pk: int) -> None:
    with db.unit_of_work() as session:
        record_event(
            session,
            None,
            type="project.created",
            resource_type="project",
            resource_id=999,
            workspace_id=workspace_pk,
            snapshot={"name": "ghost"},
        )
        session.flush()
        raise RuntimeError("roll back")


def test_bulk_creates_and_atomic_batches_are_delivered_too(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    """Writes that bypass the per-request unit of work (bulk inserts, an atomic batch's held
    transaction) still fan out to webhooks at their commit, and only then."""
    alice = make_person(db)
    project = make_project(client, alice)
    hook = make_webhook(client, alice, receiver.url, events=["task.created"])["id"]
    r = client.post(
        f"/v1/projects/{project}/tasks/bulk",
        json={"tasks": [{"name": f"Bulk {n}"} for n in range(3)]},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    ops = [{"method": "POST", "path": f"/projects/{project}/tasks", "body": {"name": f"Batch {n}"}} for n in range(2)]
    r = client.post("/v1/batch", json={"operations": ops}, headers=alice.headers)
    assert r.status_code == 200, r.text
    # A failing atomic batch announces nothing.
    bad = [*ops, {"method": "POST", "path": f"/projects/{project}/tasks", "body": {}}]
    r = client.post("/v1/batch", json={"operations": bad}, headers=alice.headers)
    assert r.status_code == 422, r.text
    wait_for(lambda: len(receiver.requests) >= 5, what="five task.created")
    # Deliveries are written in the commit that records their events: the failed batch's
    # rolled-back events have none, so nothing more can come (no waiting to see it).
    assert len(deliveries(client, alice, hook)) == 5
    names = sorted(r.json["data"]["task"]["name"] for r in receiver.requests)
    assert names == ["Batch 0", "Batch 1", "Bulk 0", "Bulk 1", "Bulk 2"]
