"""A project's tasks (GET/POST /api/projects/{project_id}/tasks) and one task (GET/PUT/DELETE
/api/tasks/{id}, POST /api/tasks/{id}/assign) in the doc's shapes, over core tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event, TimeEntry
from tests.factories.people import Person, join, make_person

SignedIn = Callable[..., tuple[Person, httpx.Client]]


def _team(signed_in: SignedIn, db: Database) -> tuple[Person, httpx.Client, Person, Person, int]:
    boss, c = signed_in("boss", role="manager")
    dev, qa = make_person(db, email="dev@taskflow.com"), make_person(db, email="qa@taskflow.com")
    join(db, boss, dev)
    join(db, boss, qa)
    pid = c.post("/api/projects", json={"name": "Tasks"}).json()["data"]["project"]["id"]
    return boss, c, dev, qa, pid


def test_create_as_the_doc_shows(signed_in: SignedIn, db: Database, client: httpx.Client) -> None:
    boss, c, dev, qa, pid = _team(signed_in, db)
    body = {
        "title": "Create Database Schema",
        "description": "Design and implement database schema for the application",
        "priority": "high",
        "due_date": "2025-07-15",
        "estimated_hours": 8,
        "assigned_to": [dev.user_id, qa.user_id],
    }
    r = c.post(f"/api/projects/{pid}/tasks", json=body)
    assert r.status_code == 201, r.text
    task = r.json()["data"]["task"]
    dev_line = {"id": dev.user_id, "username": "dev", "email": "dev@taskflow.com"}
    assert task == {
        **task,
        "project_id": pid,
        "title": "Create Database Schema",
        "status": "pending",
        "priority": "high",
        "due_date": "2025-07-15T00:00:00Z",
        "estimated_hours": 8.0,
        "actual_hours": 0.0,
        "completion_notes": None,
        "assigned_to": dev_line,
        "assignees": [dev_line, {"id": qa.user_id, "username": "qa", "email": "qa@taskflow.com"}],
    }
    assert isinstance(task["id"], int)
    assert c.get(f"/api/tasks/{task['id']}").json()["data"]["task"] == task
    # The same core task on /v1.
    v1 = client.get(f"/v1/tasks/task_{task['id']}", headers=boss.headers).json()["data"]["attributes"]
    assert v1["name"] == "Create Database Schema"
    listed = c.get(f"/api/projects/{pid}/tasks").json()
    assert listed["data"]["tasks"] == [task]
    assert listed["pagination"] == {"page": 1, "per_page": 10, "total": 1, "pages": 1}


def test_update_as_the_doc_shows(signed_in: SignedIn, db: Database) -> None:
    boss, c, _, _, pid = _team(signed_in, db)
    tid = c.post(f"/api/projects/{pid}/tasks", json={"title": "Work"}).json()["data"]["task"]["id"]
    body = {
        "status": "completed",
        "actual_hours": 6,
        "completion_notes": "Task completed successfully with optimizations",
    }
    r = c.put(f"/api/tasks/{tid}", json=body)
    assert r.status_code == 200, r.text
    task = r.json()["data"]["task"]
    assert (task["status"], task["actual_hours"], task["completion_notes"]) == (
        "completed",
        6.0,
        "Task completed successfully with optimizations",
    )
    assert task["completed_at"] is not None
    # Lowering the hours records the difference as the caller's entry.
    assert c.put(f"/api/tasks/{tid}", json={"actual_hours": 4.5}).json()["data"]["task"]["actual_hours"] == 4.5
    with db.unit_of_work(readonly=True) as session:
        entries = list(session.scalars(select(TimeEntry).where(TimeEntry.task_id == tid).order_by(TimeEntry.id)))
        assert [(e.minutes, e.user_id) for e in entries] == [(360, boss.user_id), (-90, boss.user_id)]
        types = [
            e.type
            for e in session.scalars(select(Event).where(Event.resource_id == tid, Event.resource_type == "task"))
        ]
        assert "task.completed" in types
        assert "task.updated" in types  # the notes
    project = c.get(f"/api/projects/{pid}").json()["data"]["project"]
    assert (project["completed_tasks"], project["progress"]) == (1, 100)
    # title and null notes.
    again = c.put(f"/api/tasks/{tid}", json={"title": "Renamed", "completion_notes": None}).json()["data"]["task"]
    assert (again["title"], again["completion_notes"]) == ("Renamed", None)


def test_assign_replaces_the_assignees(signed_in: SignedIn, db: Database) -> None:
    _, c, dev, qa, pid = _team(signed_in, db)
    tid = c.post(f"/api/projects/{pid}/tasks", json={"title": "Work", "assigned_to": [dev.user_id]}).json()["data"][
        "task"
    ]["id"]
    r = c.post(f"/api/tasks/{tid}/assign", json={"user_ids": [qa.user_id, dev.user_id], "estimated_hours": 8})
    assert r.status_code == 200, r.text
    task = r.json()["data"]["task"]
    assert [a["id"] for a in task["assignees"]] == [qa.user_id, dev.user_id]
    assert task["estimated_hours"] == 8.0
    assert c.post(f"/api/tasks/{tid}/assign", json={"user_ids": []}).json()["data"]["task"]["assigned_to"] is None


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("tasks", {"description": "no title"}, "title"),
        ("tasks", {"title": "x", "priority": "asap"}, "priority"),
        ("tasks", {"title": "x", "assigned_to": [999_999]}, "assigned_to"),
        ("tasks", {"title": "x", "assigned_to": "2"}, "assigned_to"),
        ("tasks", {"title": "x", "assigned_to": [2**63 - 2]}, "assigned_to"),
        ("tasks", {"title": "x", "estimated_hours": -1}, "estimated_hours"),
        ("task", {"actual_hours": -2}, "actual_hours"),
        ("task", {"status": "done"}, "status"),
        ("task", {"assigned_to": [999_999]}, "assigned_to"),
        ("assign", {"user_ids": [999_999]}, "user_ids"),
        ("assign", {}, "user_ids"),
    ],
)
def test_bad_input_names_the_field(
    signed_in: SignedIn, db: Database, path: str, body: dict[str, Any], field: str
) -> None:
    _, c, _, _, pid = _team(signed_in, db)
    tid = c.post(f"/api/projects/{pid}/tasks", json={"title": "Work"}).json()["data"]["task"]["id"]
    url = {"tasks": f"/api/projects/{pid}/tasks", "task": f"/api/tasks/{tid}", "assign": f"/api/tasks/{tid}/assign"}
    r = c.request("PUT" if path == "task" else "POST", url[path], json=body)
    assert r.status_code == 422, r.text
    [named] = r.json()["data"]["errors"]
    assert named == field or named.startswith(f"{field}[")  # an item of a list: assigned_to[0]
    assert c.get(f"/api/projects/{pid}/tasks").json()["pagination"]["total"] == 1
    assert c.get(f"/api/tasks/{tid}").json()["data"]["task"]["actual_hours"] == 0.0


def test_filters(signed_in: SignedIn, db: Database) -> None:
    _, c, dev, _, pid = _team(signed_in, db)
    for title, status, priority, people in [
        ("A", "pending", "low", []),
        ("B", "in_progress", "high", [dev.user_id]),
        ("C", "completed", "high", [dev.user_id]),
    ]:
        body = {"title": title, "status": status, "priority": priority, "assigned_to": people}
        assert c.post(f"/api/projects/{pid}/tasks", json=body).status_code == 201

    def titles(**params: Any) -> list[str]:
        r = c.get(f"/api/projects/{pid}/tasks", params=params)
        assert r.status_code == 200, r.text
        return [t["title"] for t in r.json()["data"]["tasks"]]

    assert titles() == ["A", "B", "C"]
    assert titles(status="in_progress") == ["B"]
    assert titles(priority="high") == ["B", "C"]
    assert titles(assigned_to=dev.user_id) == ["B", "C"]
    assert titles(assigned_to=dev.user_id, status="completed") == ["C"]
    assert titles(per_page=2, page=2) == ["C"]
    for params, field in [
        ({"status": "done"}, "status"),
        ({"assigned_to": "dev"}, "assigned_to"),
        ({"assigned_to": 2**63 - 2}, "assigned_to"),
    ]:
        r = c.get(f"/api/projects/{pid}/tasks", params=params)
        assert r.status_code == 422
        assert list(r.json()["data"]["errors"]) == [field]


def test_delete_and_foreign_or_missing_ids(signed_in: SignedIn, db: Database, client: httpx.Client) -> None:
    _, c, _, _, pid = _team(signed_in, db)
    tid = c.post(f"/api/projects/{pid}/tasks", json={"title": "Doomed"}).json()["data"]["task"]["id"]
    stranger, s = signed_in("stranger", role="admin")
    for method, url, body in [
        ("GET", f"/api/tasks/{tid}", None),
        ("PUT", f"/api/tasks/{tid}", {"status": "pending"}),
        ("DELETE", f"/api/tasks/{tid}", None),
        ("POST", f"/api/tasks/{tid}/assign", {"user_ids": []}),
        ("GET", f"/api/projects/{pid}/tasks", None),
        ("POST", f"/api/projects/{pid}/tasks", {"title": "x"}),
    ]:
        r = s.request(method, url, json=body)
        assert r.status_code == 404, (method, url, r.text)
        assert r.json()["data"]["error_code"] == "NOT_FOUND"
    # A workspace the caller belongs to but does not act in is not theirs here either.
    assert s.get(f"/api/tasks/{tid + 1000}").status_code == 404
    r = c.delete(f"/api/tasks/{tid}")
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {}
    assert c.get(f"/api/tasks/{tid}").status_code == 404
    assert stranger.user_id != 0
