"""One core behind two surfaces: tasks made on either side show on the other, with the same events."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event
from tests.api.taskforce.client import Taskforce
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def task_events(db: Database, task_id: int) -> list[Event]:
    with db.unit_of_work(readonly=True) as session:
        return list(
            session.scalars(
                select(Event).where(Event.resource_type == "task", Event.resource_id == task_id).order_by(Event.id)
            )
        )


def shape(events: list[Event]) -> list[tuple[str, dict[str, Any], list[str]]]:
    """What must match between surfaces: types, changed fields with their new values, snapshot keys."""
    out = []
    for e in events:
        changes = {k: v["to"] for k, v in e.changes.items() if k not in ("completed_at",)}
        out.append((e.type, changes, sorted(e.snapshot)))
    return out


def test_a_taskforce_task_is_a_native_task(base_url: str, alice: Person, client: httpx.Client) -> None:
    tf = Taskforce(base_url, alice, "json")
    flagship = tf.get("/lists")["lists"][0]["id"]
    task_id = tf.post("/tasks", {"name": "file the TPS reports", "list_id": flagship, "details": "all of them"})[
        "task_id"
    ]
    tf.post(f"/tasks/{task_id}/set_due_date", {"date": "03/22/2012"})
    r = client.get(f"/v1/tasks/task_{task_id}", headers=alice.headers)
    assert r.status_code == 200, r.text
    attributes = r.json()["data"]["attributes"]
    assert attributes["name"] == "file the TPS reports"
    assert attributes["description"] == "all of them"
    assert attributes["due_date"].startswith("2012-03-22")
    # Editable there, and the edit shows here.
    r = client.patch(f"/v1/tasks/task_{task_id}", json={"name": "renamed natively"}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert tf.get(f"/tasks/{task_id}")["task"]["name"] == "renamed natively"


def test_a_native_task_shows_in_taskforce(base_url: str, alice: Person, client: httpx.Client) -> None:
    project = make_project(client, alice)
    task = make_task(client, alice, project, name="made natively", due_date="2024-01-31T17:00:00Z")
    task_id = int(task["id"].split("_")[1])
    tf = Taskforce(base_url, alice, "xml")
    [listed] = tf.get("/tasks")["tasks"]
    assert listed["id"] == task_id
    assert listed["name"] == "made natively"
    assert listed["due_at"] == "01/31/2024"
    assert listed["lists"] == []
    assert listed["owner"] is True
    # It can be filed into a list and worked on from here.
    flagship = tf.get("/lists")["lists"][0]["id"]
    tf.post(f"/tasks/{task_id}/add_to_list", {"list_id": flagship})
    tf.post(f"/tasks/{task_id}/complete")
    r = client.get(f"/v1/tasks/task_{task_id}", headers=alice.headers)
    assert r.json()["data"]["attributes"]["status"] == "completed"
    assert [t["id"] for t in tf.get(f"/lists/{flagship}/tasks")["tasks"]] == [task_id]


def test_both_surfaces_emit_the_same_task_events(
    base_url: str, db: Database, alice: Person, client: httpx.Client
) -> None:
    tf = Taskforce(base_url, alice, "json")
    flagship = tf.get("/lists")["lists"][0]["id"]
    via_tf = tf.post("/tasks", {"name": "same", "list_id": flagship, "details": "d"})["task_id"]
    tf.post(f"/tasks/{via_tf}/set_due_date", {"date": "03/22/2012"})
    tf.post(f"/tasks/{via_tf}/complete")
    tf.post(f"/tasks/{via_tf}/uncomplete")
    tf.post(f"/tasks/{via_tf}/delete")

    # The project created for taskforce tasks is where the native twin goes too.
    home_project = f"project_{task_events(db, via_tf)[0].snapshot['project_id']}"
    native = make_task(client, alice, home_project, name="same", description="d")
    via_v1 = native["id"]
    headers = alice.headers
    assert client.patch(f"/v1/tasks/{via_v1}", json={"due_date": "2012-03-22"}, headers=headers).status_code == 200
    assert client.patch(f"/v1/tasks/{via_v1}", json={"status": "completed"}, headers=headers).status_code == 200
    assert client.patch(f"/v1/tasks/{via_v1}", json={"status": "pending"}, headers=headers).status_code == 200
    assert client.delete(f"/v1/tasks/{via_v1}", headers=headers).status_code == 204

    tf_events = task_events(db, via_tf)
    v1_events = task_events(db, int(via_v1.split("_")[1]))
    assert [e.type for e in tf_events] == [
        "task.created",
        "task.updated",
        "task.completed",
        "task.updated",
        "task.deleted",
    ]
    # Positions differ (one task came after the other); everything else matches.
    for a, b in zip(tf_events, v1_events, strict=True):
        a.snapshot.pop("position"), b.snapshot.pop("position")
    assert shape(tf_events) == shape(v1_events)
    for a, b in zip(tf_events, v1_events, strict=True):
        assert (a.actor_user_id, a.credential_kind, a.workspace_id) == (
            b.actor_user_id,
            b.credential_kind,
            b.workspace_id,
        )


def test_a_long_task_list_shows_every_card(base_url: str, db: Database, alice: Person, client: httpx.Client) -> None:
    """Taskforce's task list reads its cards (collaborators, lists, e-mails, seen) in chunks of
    task ids (domain/lists/queries.py): whole accounts bound every id four times in one
    statement, past the drivers' parameter limits. 1,201 tasks make three chunks; the cards
    of tasks in each of them are right."""
    bob = make_person(db)
    join(db, alice, bob)
    project = make_project(client, alice)
    names = [f"Long list {n}" for n in range(1201)]
    assigned = {0, 600, 1200}
    body = {
        "tasks": [{"name": name, **({"assignee_id": bob.id} if n in assigned else {})} for n, name in enumerate(names)]
    }
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 201, r.text
    tf = Taskforce(base_url, alice, "json")
    listed = {t["name"]: t for t in tf.get("/tasks")["tasks"] if t["name"].startswith("Long list ")}
    tf.close()
    assert sorted(listed) == sorted(names)
    for n, name in enumerate(names):
        expected = [{"email": bob.email}] if n in assigned else []
        assert listed[name]["collaborators"] == expected, name
        assert listed[name]["owner"] is True
