"""TaskIP tasks over HTTP: create in a container, list in board order with filters, update,
the actions (order, container, priority, complete), labels and assignees, and the events they
record being the core's."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from tests.api.taskip.conftest import BASE, key_of, new_container, new_project, new_task
from tests.factories.people import Person, join, make_person


def test_create_show_update_and_delete_a_task(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    column = new_container(client, owner, project["uuid"], name="Doing")
    task = new_task(
        client,
        owner,
        project["uuid"],
        title="Write the brief",
        description="Two pages",
        section_id=column["id"],
        priority="high",
        due_date="2026-02-01",
        labels=["copy"],
        assignees=[owner.user_id],
        estimated_hours=3,
    )
    assert task["title"] == task["name"] == "Write the brief"
    assert task["container_id"] == column["id"]
    assert task["project_uuid"] == project["uuid"]
    assert task["labels"] == ["copy"]
    assert task["assignees"] == [owner.user_id]
    assert task["due_date"].startswith("2026-02-01")
    assert task["is_completed"] is False

    path = f"{BASE}/project/{project['uuid']}/task/{task['id']}"
    assert client.get(path, headers=key_of(owner)).json()["data"] == task
    r = client.put(path, json={"name": "Write the short brief", "status": "in_progress"}, headers=key_of(owner))
    assert r.status_code == 200, r.text
    changed = r.json()["data"]
    assert changed["title"] == "Write the short brief"
    assert changed["status"] == "in_progress"
    assert changed["labels"] == ["copy"]  # untouched
    # The same task through /v1.
    native = client.get(f"/v1/tasks/task_{task['id']}", headers=owner.headers).json()["data"]["attributes"]
    assert native["name"] == "Write the short brief"
    assert native["section_id"] == f"section_{column['id']}"

    gone = client.delete(path, headers=key_of(owner))
    assert gone.status_code == 204
    assert client.get(path, headers=key_of(owner)).status_code == 404
    types = [e["attributes"]["type"] for e in client.get("/v1/events", headers=owner.headers).json()["data"]]
    assert {"task.created", "task.updated", "task.deleted"} <= set(types)


def test_list_in_board_order_with_filters(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    todo = new_container(client, owner, uuid, name="To do")
    done = new_container(client, owner, uuid, name="Done")
    a = new_task(client, owner, uuid, title="A", container_id=todo["id"], priority="low", labels=["x"])
    b = new_task(client, owner, uuid, title="B", container_id=done["id"], priority="high", status="completed")
    c = new_task(client, owner, uuid, title="C", container_id=todo["id"], priority="high", assignees=[owner.user_id])

    def titles(**params: object) -> list[str]:
        r = client.get(f"{BASE}/project/{uuid}/task", params=params, headers=key_of(owner))
        assert r.status_code == 200, r.text
        return [t["title"] for t in r.json()["data"]]

    assert titles() == ["A", "B", "C"]
    assert titles(container_id=todo["id"]) == ["A", "C"]
    assert titles(priority="high") == ["B", "C"]
    assert titles(status="completed") == ["B"]
    assert titles(label="x") == ["A"]
    assert titles(assignee_id=owner.user_id) == ["C"]
    assert titles(search="b") == ["B"]
    assert titles(sort="title", order="desc") == ["C", "B", "A"]
    assert titles(sort="priority", order="desc")[0] in ("B", "C")
    page = client.get(f"{BASE}/project/{uuid}/task", params={"limit": 2, "page": 2}, headers=key_of(owner)).json()
    assert [t["title"] for t in page["data"]] == ["C"]
    assert page["meta"] == {"current_page": 2, "per_page": 2, "total": 3, "total_pages": 2}
    # Put C first (drag and drop), moving it into "Done" too.
    r = client.post(
        f"{BASE}/project/{uuid}/task/change-order",
        json={"task_ids": [c["id"], a["id"], b["id"]], "container_id": done["id"]},
        headers=key_of(owner),
    )
    assert r.status_code == 200, r.text
    assert [t["title"] for t in r.json()["data"]] == ["C", "A", "B"]
    assert titles() == ["C", "A", "B"]
    assert titles(container_id=done["id"]) == ["C", "A", "B"]


def test_actions_change_container_priority_and_completion(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    column = new_container(client, owner, uuid)
    task = new_task(client, owner, uuid)
    path = f"{BASE}/project/{uuid}/task/{task['id']}"
    r = client.post(f"{path}/change-container", json={"container_id": column["id"]}, headers=key_of(owner))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["container_id"] == column["id"]
    r = client.post(f"{path}/change-priority", json={"priority": "urgent"}, headers=key_of(owner))
    assert r.json()["data"]["priority"] == "urgent"
    r = client.post(f"{path}/mark-as-complete", headers=key_of(owner))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["is_completed"] is True
    assert r.json()["data"]["completed_at"] is not None
    r = client.post(f"{path}/mark-as-complete", json={"is_completed": False}, headers=key_of(owner))
    assert r.json()["data"]["is_completed"] is False
    events = client.get("/v1/events", params={"types": "task.completed"}, headers=owner.headers).json()["data"]
    assert len(events) == 1, events
    assert events[0]["attributes"]["type"] == "task.completed"


def test_labels_and_assignees(client: httpx.Client, owner: Person, db: Database) -> None:
    mate = make_person(db, name="Mia Mate", email="mia@example.com")
    join(db, owner, mate)
    project = new_project(client, owner)
    task = new_task(client, owner, project["uuid"])
    path = f"{BASE}/project/{project['uuid']}/task/{task['id']}"
    r = client.post(f"{path}/label", json={"label": "urgent"}, headers=key_of(owner))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["labels"] == ["urgent"]
    r = client.post(f"{path}/label", json={"labels": ["urgent", "client"]}, headers=key_of(owner))
    assert r.json()["data"]["labels"] == ["urgent", "client"]
    r = client.request("DELETE", f"{path}/label", json={"label": "urgent"}, headers=key_of(owner))
    assert r.json()["data"]["labels"] == ["client"]
    r = client.delete(f"{path}/label", params={"label": "client"}, headers=key_of(owner))
    assert r.json()["data"]["labels"] == []
    r = client.post(f"{path}/assignee", json={"user_id": mate.user_id}, headers=key_of(owner))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["assignees"] == [mate.user_id]
    r = client.post(f"{path}/assignee", json={"user_ids": [owner.user_id]}, headers=key_of(owner))
    assert r.json()["data"]["assignees"] == [mate.user_id, owner.user_id]
    r = client.delete(f"{path}/assignee", params={"user_id": mate.user_id}, headers=key_of(owner))
    assert r.json()["data"]["assignees"] == [owner.user_id]


def test_bad_task_input_is_a_422_naming_the_field(client: httpx.Client, owner: Person, stranger: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    other = new_project(client, owner, name="Other")
    foreign_column = new_container(client, owner, other["uuid"])
    task = new_task(client, owner, uuid)
    path = f"{BASE}/project/{uuid}/task"
    for body, field in (
        ({}, "name"),
        ({"title": "x", "priority": "asap"}, "priority"),
        ({"title": "x", "container_id": foreign_column["id"]}, "container_id"),
        ({"title": "x", "assignees": [stranger.user_id]}, "assignees"),
        ({"title": "x", "labels": [""]}, "labels"),
        ({"title": "x", "due_date": "soon"}, "due_date"),
        ({"title": "x", "colour": "red"}, "colour"),
    ):
        r = client.post(path, json=body, headers=key_of(owner))
        assert r.status_code == 422, (body, r.text)
        assert field in " ".join(r.json()["errors"]), (body, r.json())
    for sub, body, field in (
        ("label", {}, "label"),
        ("assignee", {"user_id": stranger.user_id}, "assignees"),
        ("change-priority", {"priority": "asap"}, "priority"),
        ("change-container", {"container_id": foreign_column["id"]}, "container_id"),
    ):
        r = client.post(f"{path}/{task['id']}/{sub}", json=body, headers=key_of(owner))
        assert r.status_code == 422, (sub, r.text)
        assert field in " ".join(r.json()["errors"]), (sub, r.json())
    r = client.post(f"{path}/change-order", json={"task_ids": [task["id"], 999999]}, headers=key_of(owner))
    assert r.status_code == 422
    assert "task_ids[1]" in r.json()["errors"]
    # Nothing half-written: the project still holds its one untouched task.
    listed = client.get(path, headers=key_of(owner)).json()
    assert [t["id"] for t in listed["data"]] == [task["id"]]
    assert listed["data"][0]["labels"] == []
    assert listed["data"][0]["priority"] is None
    # A task of another project is not in this one.
    other_task = new_task(client, owner, other["uuid"])
    assert client.get(f"{path}/{other_task['id']}", headers=key_of(owner)).status_code == 404
    assert client.get(f"{path}/abc", headers=key_of(owner)).status_code in (404, 422)
