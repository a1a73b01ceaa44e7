"""Task routes, nested (/v1/projects/{id}/tasks) and flat (/v1/tasks): aliases, rules, roles, events.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def task_events(db: Database, task_id: str) -> list[tuple[str, dict[str, Any]]]:
    with db.unit_of_work(readonly=True) as session:
        rows = session.scalars(
            select(Event)
            .where(Event.resource_type == "task", Event.resource_id == int(task_id.split("_")[1]))
            .order_by(Event.id)
        )
        return [(e.type, e.changes) for e in rows]


def spec_create(assignee: Person) -> dict[str, Any]:
    return {
        "name": "Design homepage mockups",
        "description": "Create 3 different homepage designs",
        "assignee_id": assignee.id,
        "due_date": "2024-02-10T17:00:00Z",
        "custom_fields": {"priority": "high", "estimated_hours": 8, "tags": ["design", "homepage"]},
    }


def test_create_from_spec_example(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob)
    project = make_project(client, alice)
    r = client.post(f"/v1/projects/{project}/tasks", json=spec_create(bob), headers=alice.headers)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert data["type"] == "task"
    assert data["id"].startswith("task_")
    assert r.headers["location"] == f"/v1/tasks/{data['id']}"
    attrs = data["attributes"]
    assert attrs["name"] == "Design homepage mockups"
    assert attrs["description"] == "Create 3 different homepage designs"
    assert attrs["status"] == "pending"
    assert attrs["assignee_id"] == bob.id
    assert attrs["assignee_ids"] == [bob.id]
    assert attrs["due_date"] == "2024-02-10T17:00:00Z"
    assert attrs["custom_fields"] == {"priority": "high", "estimated_hours": 8, "tags": ["design", "homepage"]}
    assert attrs["project_id"] == project
    assert attrs["created_by"] == alice.id
    assert data["relationships"]["assignee"]["data"] == {"id": bob.id, "type": "user"}
    assert data["relationships"]["project"]["data"] == {"id": project, "type": "project"}
    [(kind, _changes)] = task_events(db, data["id"])
    assert kind == "task.created"


def test_flat_create_from_the_guide(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    r = client.post("/v1/tasks", json={"name": "API Test Task", "project_id": project}, headers=alice.headers)
    assert r.status_code == 201, r.text
    task = r.json()["data"]
    assert task["attributes"]["project_id"] == project
    r = client.get(f"/v1/projects/{project}/tasks/{task['id']}", headers=alice.headers)
    assert r.json()["data"]["attributes"]["name"] == "API Test Task"
    short = client.post(
        "/v1/tasks", json={"name": "Short", "project_id": f"proj_{project.split('_')[1]}"}, headers=alice.headers
    )
    assert short.status_code == 201
    r = client.post("/v1/tasks", json={"name": "No project"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "project_id"


def test_nested_and_flat_crud(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project, name="First")["id"]
    nested = f"/v1/projects/{project}/tasks/{task}"
    assert client.get(nested, headers=alice.headers).json()["data"]["attributes"]["name"] == "First"
    assert client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["id"] == task
    r = client.put(nested, json={"name": "Renamed"}, headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["name"] == "Renamed"
    r = client.patch(nested, json={"priority": "low"}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["priority"] == "low"
    r = client.put(f"/v1/tasks/{task}", json={"description": "flat put"}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["description"] == "flat put"
    r = client.patch(f"/v1/tasks/{task}", json={"priority": None}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["priority"] is None
    assert r.json()["data"]["attributes"]["name"] == "Renamed"
    other = make_task(client, alice, project)["id"]
    listed = client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()
    assert [t["id"] for t in listed["data"]] == [task, other]
    assert client.delete(nested, headers=alice.headers).status_code == 204
    assert client.get(f"/v1/tasks/{task}", headers=alice.headers).status_code == 404
    assert client.delete(f"/v1/tasks/{other}", headers=alice.headers).status_code == 204
    assert client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()["data"] == []
    kinds = [kind for kind, _ in task_events(db, task)]
    assert kinds == ["task.created", "task.updated", "task.updated", "task.updated", "task.updated", "task.deleted"]


def test_task_under_the_wrong_project_is_404(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    p1, p2 = make_project(client, alice), make_project(client, alice)
    task = make_task(client, alice, p1)["id"]
    wrong = f"/v1/projects/{p2}/tasks/{task}"
    assert client.get(wrong, headers=alice.headers).status_code == 404
    assert client.put(wrong, json={"name": "x"}, headers=alice.headers).status_code == 404
    assert client.patch(wrong, json={"name": "x"}, headers=alice.headers).status_code == 404
    assert client.delete(wrong, headers=alice.headers).status_code == 404
    r = client.get(f"/v1/tasks/{task}", headers=alice.headers)
    assert r.json()["data"]["attributes"]["name"] == "A task"
    r = client.post(f"/v1/projects/{p2}/tasks", json={"name": "x", "project_id": p1}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "project_id"


def test_foreign_ids_are_404(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    theirs = make_project(client, mallory)
    # The item and collection routes themselves: the CRUD contract (test_crud_contracts.py).
    checks = [
        client.put(f"/v1/tasks/{task}", json={"name": "x"}, headers=mallory.headers),
        client.get(f"/v1/projects/{project}/tasks/{task}", headers=mallory.headers),
        client.post("/v1/tasks", json={"name": "x", "project_id": project}, headers=mallory.headers),
        client.get("/v1/tasks", params={"project_id": project}, headers=mallory.headers),
        # Moving one's own task into a foreign project names a project one cannot see.
        client.patch(
            f"/v1/tasks/{make_task(client, mallory, theirs)['id']}",
            json={"project_id": project},
            headers=mallory.headers,
        ),
    ]
    for r in checks:
        assert r.status_code == 404, (r.request.method, r.request.url, r.text)
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]["name"] == "A task"


def test_malformed_json_is_422(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    r = client.post(
        f"/v1/projects/{project}/tasks",
        content=b'{"name": "x",',
        headers={**alice.headers, "content-type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert r.json()["error"]["details"]["field"] == "body"


def test_roles(client: httpx.Client, db: Database) -> None:
    alice, mike, vera = make_person(db), make_person(db), make_person(db)
    join(db, alice, mike, role="member")
    join(db, alice, vera, role="viewer")
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    denied = [
        client.post(f"/v1/projects/{project}/tasks", json={"name": "x"}, headers=vera.headers),
        client.post("/v1/tasks", json={"name": "x", "project_id": project}, headers=vera.headers),
        client.put(f"/v1/tasks/{task}", json={"name": "x"}, headers=vera.headers),
        client.patch(f"/v1/projects/{project}/tasks/{task}", json={"status": "completed"}, headers=vera.headers),
        client.delete(f"/v1/tasks/{task}", headers=vera.headers),
        client.delete(f"/v1/projects/{project}/tasks/{task}", headers=vera.headers),
    ]
    for r in denied:
        assert r.status_code == 403, (r.request.method, r.request.url)
        assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert client.get(f"/v1/tasks/{task}", headers=vera.headers).status_code == 200
    assert client.get(f"/v1/projects/{project}/tasks", headers=vera.headers).json()["meta"]["total"] == 1
    # A member creates, edits and deletes, including tasks someone else created.
    r = client.post(f"/v1/projects/{project}/tasks", json={"name": "Mine"}, headers=mike.headers)
    assert r.status_code == 201
    assert client.patch(f"/v1/tasks/{task}", json={"name": "Edited"}, headers=mike.headers).status_code == 200
    assert client.delete(f"/v1/tasks/{task}", headers=mike.headers).status_code == 204
    assert [kind for kind, _ in task_events(db, task)] == ["task.created", "task.updated", "task.deleted"]


def test_completion_sets_and_clears_completed_fields(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    r = client.patch(f"/v1/tasks/{task}", json={"status": "completed"}, headers=bob.headers)
    attrs = r.json()["data"]["attributes"]
    assert attrs["status"] == "completed"
    assert attrs["completed_by"] == bob.id
    assert attrs["completed_at"] is not None
    assert attrs["progress"] == 100
    r = client.patch(f"/v1/tasks/{task}", json={"status": "in_progress"}, headers=alice.headers)
    attrs = r.json()["data"]["attributes"]
    assert attrs["status"] == "in_progress"
    assert attrs["completed_at"] is None
    assert attrs["completed_by"] is None
    # A no-op update writes no event.
    client.patch(f"/v1/tasks/{task}", json={"status": "in_progress"}, headers=alice.headers)
    events = task_events(db, task)
    assert [kind for kind, _ in events] == ["task.created", "task.completed", "task.updated"]
    assert events[1][1]["status"] == {"from": "pending", "to": "completed"}
    assert events[2][1]["status"] == {"from": "completed", "to": "in_progress"}
    created_done = make_task(client, alice, project, status="completed")
    assert created_done["attributes"]["completed_by"] == alice.id
    assert [kind for kind, _ in task_events(db, created_done["id"])] == ["task.created", "task.completed"]


def test_spec_update_with_dependencies(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    prereq = make_task(client, alice, project, name="Prerequisite")["id"]
    task = make_task(client, alice, project)["id"]
    body = {"status": "in_progress", "dependencies": [prereq], "progress": 25}
    r = client.put(f"/v1/tasks/{task}", json=body, headers=alice.headers)
    assert r.status_code == 200, r.text
    attrs = r.json()["data"]["attributes"]
    assert (attrs["status"], attrs["dependencies"], attrs["progress"]) == ("in_progress", [prereq], 25)
    [_, (kind, changes)] = task_events(db, task)
    assert kind == "task.updated"
    assert set(changes) == {"status", "dependencies", "progress"}
    r = client.get(f"/v1/tasks/{task}", params={"include": "dependencies"}, headers=alice.headers)
    assert [i["id"] for i in r.json()["included"]] == [prereq]


def test_guide_update_with_priority_and_custom_fields(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project, custom_fields={"estimated_hours": 2, "owner_team": "web"})["id"]
    body = {
        "name": "Updated task name",
        "priority": "high",
        "custom_fields": {"estimated_hours": 8, "difficulty": "medium"},
    }
    r = client.put(f"/v1/tasks/{task}", json=body, headers=alice.headers)
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["name"] == "Updated task name"
    assert attrs["priority"] == "high"
    assert attrs["custom_fields"] == {"estimated_hours": 8, "owner_team": "web", "difficulty": "medium"}
    r = client.patch(f"/v1/tasks/{task}", json={"custom_fields": {"owner_team": None}}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["custom_fields"] == {"estimated_hours": 8, "difficulty": "medium"}


def test_unauthenticated(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    for r in (
        client.get("/v1/tasks"),
        client.post(f"/v1/projects/{project}/tasks", json={"name": "x"}),
        client.get("/v1/projects", headers={"Authorization": "Bearer nope"}),
    ):
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "AUTHENTICATION_ERROR"
