"""Task rules over HTTP: assignees, dependencies, subtasks, moving, labels, custom field values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def task_events(db: Database, task_id: str) -> list[tuple[str, dict[str, Any]]]:
    with db.unit_of_work(readonly=True) as session:
        pk = int(task_id.split("_")[1])
        rows = session.scalars(
            select(Event).where(Event.resource_type == "task", Event.resource_id == pk).order_by(Event.id)
        )
        return [(e.type, e.changes) for e in rows]


def patch(client: httpx.Client, who: Person, task: str, body: dict[str, Any]) -> httpx.Response:
    return client.patch(f"/v1/tasks/{task}", json=body, headers=who.headers)


def attrs(client: httpx.Client, who: Person, task: str) -> dict[str, Any]:
    r = client.get(f"/v1/tasks/{task}", headers=who.headers)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()["data"]["attributes"]
    return result


def test_several_assignees_by_id_username_and_email(client: httpx.Client, db: Database) -> None:
    alice, bob, carol = make_person(db), make_person(db), make_person(db, email="carol@example.com")
    join(db, alice, bob)
    join(db, alice, carol, role="viewer")
    project = make_project(client, alice)
    task = make_task(client, alice, project, assignee_ids=[bob.id, "CAROL@example.com", alice.user_id])
    assert task["attributes"]["assignee_ids"] == [bob.id, carol.id, alice.id]
    assert task["attributes"]["assignee_id"] == bob.id
    assert [a["id"] for a in task["relationships"]["assignees"]["data"]] == [bob.id, carol.id, alice.id]
    # The guide's `assignee` takes a list too; replacing keeps the given order.
    r = patch(client, alice, task["id"], {"assignee": [carol.email, bob.id, carol.id]})
    assert r.json()["data"]["attributes"]["assignee_ids"] == [carol.id, bob.id]
    r = patch(client, alice, task["id"], {"assignee_ids": []})
    assert r.json()["data"]["attributes"]["assignee_ids"] == []
    assert r.json()["data"]["attributes"]["assignee_id"] is None
    r = client.get(f"/v1/tasks/{task['id']}", params={"include": "assignees"}, headers=alice.headers)
    assert r.json()["included"] == []


def test_assignee_must_be_a_member(client: httpx.Client, db: Database) -> None:
    alice, stranger = make_person(db), make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project, assignee_id=alice.id)["id"]
    for body in ({"assignee_id": stranger.id}, {"assignee": stranger.email}, {"assignee_ids": [alice.id, 0]}):
        r = patch(client, alice, task, body)
        assert r.status_code == 422, body
        assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert attrs(client, alice, task)["assignee_ids"] == [alice.id]


def test_dependency_cycles_and_self_dependencies_are_rejected(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    a = make_task(client, alice, project, name="a")["id"]
    b = make_task(client, alice, project, name="b", dependencies=[a])["id"]
    c = make_task(client, alice, project, name="c", dependencies=[b])["id"]
    r = patch(client, alice, a, {"dependencies": [a]})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "dependencies"
    r = patch(client, alice, a, {"dependencies": [c]})
    assert r.status_code == 422
    assert "cycle" in r.json()["error"]["details"]["issue"]
    r = patch(client, alice, a, {"dependencies": [b]})
    assert r.status_code == 422
    assert attrs(client, alice, a)["dependencies"] == []
    # Diamonds are fine, and duplicates collapse.
    r = patch(client, alice, c, {"dependencies": [b, a, b]})
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["dependencies"] == [b, a]
    r = patch(client, alice, c, {"dependencies": []})
    assert r.json()["data"]["attributes"]["dependencies"] == []


def test_dependencies_stay_inside_the_workspace(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    theirs = make_task(client, mallory, make_project(client, mallory))["id"]
    project = make_project(client, alice)
    other_project = make_project(client, alice)
    across = make_task(client, alice, other_project)["id"]
    # Another project of the same workspace is fine; a foreign task is as unknown as a missing one.
    task = make_task(client, alice, project, dependencies=[across])["id"]
    foreign = patch(client, alice, task, {"dependencies": [theirs]})
    missing = patch(client, alice, task, {"dependencies": ["task_999999"]})
    assert foreign.status_code == missing.status_code == 422
    assert foreign.json()["error"]["details"]["issue"] == missing.json()["error"]["details"]["issue"]
    assert attrs(client, alice, task)["dependencies"] == [across]


def test_deleting_a_prerequisite_drops_the_dependency(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    prereq = make_task(client, alice, project)["id"]
    task = make_task(client, alice, project, dependencies=[prereq])["id"]
    assert client.delete(f"/v1/tasks/{prereq}", headers=alice.headers).status_code == 204
    assert attrs(client, alice, task)["dependencies"] == []


def test_subtasks(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project, other = make_project(client, alice), make_project(client, alice)
    parent = make_task(client, alice, project, name="parent")["id"]
    child = make_task(client, alice, project, name="child", parent_id=parent)
    assert child["attributes"]["parent_id"] == parent
    assert child["relationships"]["parent"]["data"] == {"id": parent, "type": "task"}
    grandchild = make_task(client, alice, project, name="grandchild", parent_id=child["id"])["id"]
    r = client.get("/v1/tasks", params={"parent_id": parent}, headers=alice.headers)
    assert [t["id"] for t in r.json()["data"]] == [child["id"]]
    r = client.get(f"/v1/tasks/{grandchild}", params={"include": "parent"}, headers=alice.headers)
    assert [i["id"] for i in r.json()["included"]] == [child["id"]]
    # Parents come from the same project, and never from the task's own subtree.
    r = client.post(f"/v1/projects/{other}/tasks", json={"name": "x", "parent_id": parent}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "parent_id"
    for bad_parent in (parent, grandchild):
        r = patch(client, alice, parent, {"parent_id": bad_parent})
        assert r.status_code == 422, bad_parent
        assert r.json()["error"]["details"]["field"] == "parent_id"
    assert attrs(client, alice, parent)["parent_id"] is None
    # Detaching a subtask is allowed.
    assert patch(client, alice, grandchild, {"parent_id": None}).json()["data"]["attributes"]["parent_id"] is None
    patch(client, alice, grandchild, {"parent_id": child["id"]})
    # Deleting a task deletes its whole subtree.
    assert client.delete(f"/v1/tasks/{parent}", headers=alice.headers).status_code == 204
    for gone in (parent, child["id"], grandchild):
        assert client.get(f"/v1/tasks/{gone}", headers=alice.headers).status_code == 404
    assert client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()["meta"]["total"] == 0


def test_move_between_projects_of_a_workspace(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    source, target = make_project(client, alice), make_project(client, alice)
    section = client.post(f"/v1/projects/{source}/sections", json={"name": "Todo"}, headers=alice.headers)
    task = make_task(client, alice, source, section_id=section.json()["data"]["id"])["id"]
    child = make_task(client, alice, source, parent_id=task)["id"]
    r = client.put(f"/v1/projects/{source}/tasks/{task}", json={"project_id": target}, headers=alice.headers)
    assert r.status_code == 200, r.text
    moved = r.json()["data"]["attributes"]
    assert moved["project_id"] == target
    assert moved["section_id"] is None
    assert attrs(client, alice, child)["project_id"] == target
    assert client.get(f"/v1/projects/{source}/tasks", headers=alice.headers).json()["data"] == []
    assert {t["id"] for t in client.get(f"/v1/projects/{target}/tasks", headers=alice.headers).json()["data"]} == {
        task,
        child,
    }
    assert client.get(f"/v1/projects/{source}/tasks/{task}", headers=alice.headers).status_code == 404
    assert client.get(f"/v1/projects/{target}/tasks/{task}", headers=alice.headers).status_code == 200
    # Each moved task records its own change of project.
    for moved_id in (task, child):
        [*_, (kind, changes)] = task_events(db, moved_id)
        assert kind == "task.updated"
        assert changes["project_id"] == {"from": int(source.split("_")[1]), "to": int(target.split("_")[1])}
    # A subtask moved alone leaves its parent behind.
    r = patch(client, alice, child, {"project_id": source})
    assert r.json()["data"]["attributes"]["parent_id"] is None
    r = patch(client, alice, task, {"project_id": None})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "project_id"


def test_move_to_another_workspace_is_refused(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    team = client.post("/v1/workspaces", json={"name": "Team"}, headers=alice.headers).json()["data"]["id"]
    here, there = make_project(client, alice), make_project(client, alice, workspace=team)
    task = make_task(client, alice, here)["id"]
    r = patch(client, alice, task, {"project_id": there, "name": "moved?"})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "project_id"
    after = attrs(client, alice, task)
    assert (after["project_id"], after["name"]) == (here, "A task")


def test_viewer_cannot_move_into_a_project(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob, role="viewer")
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    r = patch(client, bob, task, {"project_id": make_project(client, alice)})
    assert r.status_code == 403
    assert attrs(client, alice, task)["project_id"] == project


def test_labels(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project, labels=["urgent", " client-work ", "urgent"])["id"]
    assert sorted(attrs(client, alice, task)["labels"]) == ["client-work", "urgent"]
    r = patch(client, alice, task, {"labels": ["backend"]})
    assert r.json()["data"]["attributes"]["labels"] == ["backend"]
    r = patch(client, alice, task, {"name": "keeps labels"})
    assert r.json()["data"]["attributes"]["labels"] == ["backend"]
    r = patch(client, alice, task, {"labels": ["x" * 101]})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "labels"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"budget": "lots"}, "custom_fields.budget"),
        ({"budget": True}, "custom_fields.budget"),
        ({"priority": "critical"}, "custom_fields.priority"),
    ],
)
def test_custom_field_values_follow_the_definitions(
    client: httpx.Client, db: Database, values: dict[str, Any], field: str
) -> None:
    alice = make_person(db)
    definitions = {
        "budget": {"type": "number", "required": True},
        "priority": {"type": "dropdown", "options": ["low", "medium", "high"]},
    }
    project = make_project(client, alice, type="kanban", custom_fields=definitions)
    r = client.post(f"/v1/projects/{project}/tasks", json={"name": "x", "custom_fields": values}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == field
    task = make_task(client, alice, project, custom_fields={"budget": 1500.5, "priority": "high", "free": "text"})
    assert task["attributes"]["custom_fields"] == {"budget": 1500.5, "priority": "high", "free": "text"}
    r = patch(client, alice, task["id"], {"custom_fields": values})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == field
    assert attrs(client, alice, task["id"])["custom_fields"]["priority"] == "high"


def test_ids_are_never_reused(client: httpx.Client, db: Database) -> None:
    """Deleting the newest task must not hand its id to the next one (events and caches key on ids)."""
    alice = make_person(db)
    project = make_project(client, alice)
    newest = make_task(client, alice, project)["id"]
    assert client.delete(f"/v1/tasks/{newest}", headers=alice.headers).status_code == 204
    assert make_task(client, alice, project)["id"] != newest
