"""TaskIP projects over HTTP: the envelope, lists with the document's controls, the {uuid}
paths, priority/status/category changes, activity from the event log, and isolation."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from tests.api.taskip.conftest import BASE, key_of, new_container, new_project, new_task
from tests.factories.people import Person, make_person


def test_create_show_update_delete_a_project(client: httpx.Client, owner: Person) -> None:
    r = client.post(
        f"{BASE}/project",
        json={
            "title": "Website relaunch",
            "description": "New site",
            "priority": "high",
            "category": "Marketing",
            "tags": ["web", "q3"],
            "start_date": "2026-01-05",
            "due_date": "2026-03-31",
            "budget": "12500.50",
        },
        headers=key_of(owner),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["success"] is True
    assert body["message"]
    assert body["meta"] == {}
    project = body["data"]
    assert project["name"] == project["title"] == "Website relaunch"
    assert project["priority"] == "high"
    assert project["category"]["name"] == "Marketing"
    assert sorted(t["name"] for t in project["tags"]) == ["q3", "web"]
    assert project["end_date"] == "2026-03-31"
    assert project["start_date"] == "2026-01-05"
    assert project["budget"] == "12500.50"
    assert len(project["uuid"]) == 36

    shown = client.get(f"{BASE}/project/{project['uuid']}", headers=key_of(owner))
    assert shown.status_code == 200, shown.text
    assert shown.json()["data"]["id"] == project["id"]
    by_id = client.get(f"{BASE}/project/{project['id']}", headers=key_of(owner)).json()["data"]
    assert by_id["uuid"] == project["uuid"]
    assert by_id["containers"] == []
    assert by_id["tasks_count"] == 0

    changed = client.put(
        f"{BASE}/project/{project['uuid']}", json={"name": "Relaunch", "tags": ["web"]}, headers=key_of(owner)
    )
    assert changed.status_code == 200, changed.text
    data = changed.json()["data"]
    assert data["name"] == "Relaunch"
    assert [t["name"] for t in data["tags"]] == ["web"]
    assert data["priority"] == "high"  # untouched

    gone = client.delete(f"{BASE}/project/{project['uuid']}", headers=key_of(owner))
    assert gone.status_code == 204
    assert gone.content == b""
    missing = client.get(f"{BASE}/project/{project['uuid']}", headers=key_of(owner))
    assert missing.status_code == 404
    assert missing.json() == {
        "success": False,
        "error": "RESOURCE_NOT_FOUND",
        "message": missing.json()["message"],
        "errors": {},
        "status_code": 404,
    }


def test_the_same_project_through_v1(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner, priority="urgent")
    native = client.get(f"/v1/projects/project_{project['id']}", headers=owner.headers)
    assert native.status_code == 200, native.text
    attrs = native.json()["data"]["attributes"]
    assert attrs["uuid"] == project["uuid"]
    assert attrs["priority"] == "urgent"
    assert attrs["name"] == "Website"
    # And one made through /v1 is a TaskIP project.
    made = client.post("/v1/projects", json={"name": "From v1"}, headers=owner.headers).json()["data"]
    shown = client.get(f"{BASE}/project/{made['attributes']['uuid']}", headers=key_of(owner))
    assert shown.status_code == 200
    assert shown.json()["data"]["name"] == "From v1"


def test_list_pages_filters_and_sorts(client: httpx.Client, owner: Person) -> None:
    for name, status, priority in (
        ("Alpha", "active", "low"),
        ("Bravo", "completed", "high"),
        ("Charlie", "active", "high"),
        ("Delta", "on_hold", None),
    ):
        new_project(client, owner, name=name, status=status, priority=priority)
    r = client.get(f"{BASE}/project", params={"limit": 2}, headers=key_of(owner))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [p["name"] for p in body["data"]] == ["Alpha", "Bravo"]
    assert body["meta"] == {"current_page": 1, "per_page": 2, "total": 4, "total_pages": 2}
    page2 = client.get(f"{BASE}/project", params={"limit": 2, "page": 2}, headers=key_of(owner)).json()
    assert [p["name"] for p in page2["data"]] == ["Charlie", "Delta"]

    def names(**params: object) -> list[str]:
        r = client.get(f"{BASE}/project", params=params, headers=key_of(owner))
        assert r.status_code == 200, r.text
        return [p["name"] for p in r.json()["data"]]

    assert names(status="active") == ["Alpha", "Charlie"]
    assert names(status="active,on_hold") == ["Alpha", "Charlie", "Delta"]
    assert names(priority="high", sort="name", order="desc") == ["Charlie", "Bravo"]
    assert names(search="charlie") == ["Charlie"]
    assert names(sort="created_at", order="desc") == ["Delta", "Charlie", "Bravo", "Alpha"]
    assert names(date_from="2000-01-01", date_to="2999-12-31") == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert names(date_to="2000-01-01") == []


def test_bad_list_controls_are_422s_naming_them(client: httpx.Client, owner: Person) -> None:
    for params, field in (
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"page": "x"}, "page"),
        ({"sort": "colour"}, "sort"),
        ({"order": "up"}, "order"),
        ({"status": "sleeping"}, "status"),
        ({"date_from": "yesterday-ish"}, "date_from"),
    ):
        r = client.get(f"{BASE}/project", params=params, headers=key_of(owner))
        assert r.status_code == 422, (params, r.text)
        body = r.json()
        assert body["success"] is False
        assert body["status_code"] == 422
        assert field in body["errors"], (params, body)


def test_bad_bodies_are_422s_naming_the_field(client: httpx.Client, owner: Person) -> None:
    for body, field in (
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x", "priority": "asap"}, "priority"),
        ({"name": "x", "status": "sleeping"}, "status"),
        ({"name": "x", "budget": "-5"}, "budget"),
        ({"name": "x", "colour": "red"}, "colour"),
        ({"name": "x", "end_date": "31/12/2026"}, "end_date"),
    ):
        r = client.post(f"{BASE}/project", json=body, headers=key_of(owner))
        assert r.status_code == 422, (body, r.text)
        assert field in r.json()["errors"], (body, r.json())
    listed = client.get(f"{BASE}/project", headers=key_of(owner)).json()
    assert listed["data"] == []  # nothing half-written


def test_priority_status_and_category_actions(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    r = client.post(f"{BASE}/project/{uuid}/change-priority", json={"priority": "low"}, headers=key_of(owner))
    assert r.status_code == 200
    assert r.json()["data"]["priority"] == "low"
    r = client.post(f"{BASE}/project/{uuid}/change-category", json={"category": "Ops"}, headers=key_of(owner))
    assert r.status_code == 200
    assert r.json()["data"]["category"]["name"] == "Ops"
    r = client.post(f"{BASE}/project/{uuid}/change-category", json={"category_id": None}, headers=key_of(owner))
    assert r.status_code == 200
    assert r.json()["data"]["category"] is None
    r = client.post(f"{BASE}/project/{uuid}/change-status", json={"status": "completed"}, headers=key_of(owner))
    assert r.status_code == 200
    assert r.json()["data"]["is_completed"] is True
    events = client.get("/v1/events", headers=owner.headers).json()["data"]
    types = [e["attributes"]["type"] for e in events]
    assert "project.completed" in types
    assert "project.created" in types
    bad = client.post(f"{BASE}/project/{uuid}/change-status", json={"status": "done-ish"}, headers=key_of(owner))
    assert bad.status_code == 422
    assert "status" in bad.json()["errors"]


def test_activity_feeds_come_from_the_event_log(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    new_task(client, owner, project["uuid"], title="First")
    other = new_project(client, owner, name="Other")
    dash = client.post(f"{BASE}/project/dashboard/activity", json={}, headers=key_of(owner))
    assert dash.status_code == 200, dash.text
    types = [a["type"] for a in dash.json()["data"]]
    assert types[0] == "project.created"
    assert "task.created" in types
    assert dash.json()["meta"]["total"] == len(types)
    mine = client.post(f"{BASE}/project/{project['uuid']}/activity", headers=key_of(owner))
    assert mine.status_code == 200, mine.text
    assert {a["project_id"] for a in mine.json()["data"]} == {project["id"]}
    assert other["id"] not in {a["resource_id"] for a in mine.json()["data"] if a["resource_type"] == "project"}
    only = client.post(
        f"{BASE}/project/dashboard/activity", json={"type": "task.created", "limit": 1}, headers=key_of(owner)
    ).json()
    assert [a["type"] for a in only["data"]] == ["task.created"]
    assert only["meta"]["per_page"] == 1
    # A day is YYYY-MM-DD: digits alone would be read as seconds since 1970 (schemathesis).
    bad = client.post(f"{BASE}/project/{project['uuid']}/activity", json={"date_from": "0"}, headers=key_of(owner))
    assert bad.status_code == 422, bad.text
    assert "date_from" in bad.json()["errors"]


def test_all_tasks_list_takes_filters_in_the_body_or_the_query(client: httpx.Client, owner: Person) -> None:
    one = new_project(client, owner, name="One")
    two = new_project(client, owner, name="Two")
    new_task(client, owner, one["uuid"], title="Write copy", priority="high")
    new_task(client, owner, two["uuid"], title="Ship", priority="low")
    new_task(client, owner, two["uuid"], title="Celebrate", status="completed")
    everything = client.post(f"{BASE}/project/all-tasks/list", json={}, headers=key_of(owner)).json()
    assert everything["meta"]["total"] == 3
    assert {t["project_uuid"] for t in everything["data"]} == {one["uuid"], two["uuid"]}
    high = client.post(f"{BASE}/project/all-tasks/list", json={"priority": "high"}, headers=key_of(owner)).json()
    assert [t["title"] for t in high["data"]] == ["Write copy"]
    done = client.post(f"{BASE}/project/all-tasks/list?status=completed", headers=key_of(owner)).json()
    assert [t["title"] for t in done["data"]] == ["Celebrate"]
    of_two = client.post(
        f"{BASE}/project/all-tasks/list", json={"project_uuid": two["uuid"], "sort": "title"}, headers=key_of(owner)
    ).json()
    assert [t["title"] for t in of_two["data"]] == ["Celebrate", "Ship"]
    bad = client.post(f"{BASE}/project/all-tasks/list", json={"limit": 500}, headers=key_of(owner))
    assert bad.status_code == 422
    assert "limit" in bad.json()["errors"]


def test_another_workspace_is_invisible(client: httpx.Client, owner: Person, stranger: Person) -> None:
    project = new_project(client, owner)
    task = new_task(client, owner, project["uuid"])
    container = new_container(client, owner, project["uuid"])
    for method, path, body in (
        ("GET", f"/project/{project['uuid']}", None),
        ("GET", f"/project/{project['id']}", None),
        ("PUT", f"/project/{project['uuid']}", {"name": "Mine"}),
        ("DELETE", f"/project/{project['uuid']}", None),
        ("POST", f"/project/{project['uuid']}/change-priority", {"priority": "low"}),
        ("POST", f"/project/{project['uuid']}/activity", {}),
        ("GET", f"/project/{project['uuid']}/task", None),
        ("GET", f"/project/{project['uuid']}/task/{task['id']}", None),
        ("PUT", f"/project/{project['uuid']}/task/{task['id']}", {"title": "Mine"}),
        ("POST", f"/project/{project['uuid']}/task/{task['id']}/mark-as-complete", None),
        ("PUT", f"/project/{project['uuid']}/container/{container['id']}/rename", {"name": "Mine"}),
        ("DELETE", f"/project/{project['uuid']}/container/{container['id']}/delete", None),
    ):
        r = client.request(method, f"{BASE}{path}", json=body, headers=key_of(stranger))
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["success"] is False
        assert r.json()["status_code"] == 404
    listed = client.post(f"{BASE}/project/all-tasks/list", json={}, headers=key_of(stranger)).json()
    assert listed["data"] == []
    assert listed["meta"]["total"] == 0
    assert client.get(f"{BASE}/project", headers=key_of(stranger)).json()["data"] == []
    # The owner's objects are unchanged.
    shown = client.get(f"{BASE}/project/{project['uuid']}/task/{task['id']}", headers=key_of(owner)).json()["data"]
    assert shown["title"] == "Do it"
    assert shown["is_completed"] is False


def test_a_missing_or_wrong_key_is_401(client: httpx.Client, db: Database) -> None:
    make_person(db)
    for headers in ({}, {"X-Secret-Key": "nope"}, {"Authorization": "Bearer nope"}):
        r = client.get(f"{BASE}/project", headers=headers)
        assert r.status_code == 401, r.text
        assert r.json()["success"] is False
        assert r.json()["status_code"] == 401


def test_a_key_s_scopes_hold_on_taskip(client: httpx.Client, db: Database) -> None:
    reader = make_person(db, scopes=["projects:read", "tasks:read"], bind_workspace=True)
    assert client.get(f"{BASE}/project", headers=key_of(reader)).status_code == 200
    refused = client.post(f"{BASE}/project", json={"name": "Nope"}, headers=key_of(reader))
    assert refused.status_code == 403, refused.text
    assert refused.json()["success"] is False
    assert refused.json()["status_code"] == 403
    upload = client.post(f"{BASE}/document", files={"file": ("a.txt", b"hello", "text/plain")}, headers=key_of(reader))
    assert upload.status_code == 403, upload.text
    assert client.get(f"{BASE}/project", headers=key_of(reader)).json()["meta"]["total"] == 0
    assert client.get(f"{BASE}/document", headers=key_of(reader)).json()["data"] == []


def test_create_a_project_from_a_template(client: httpx.Client, owner: Person, stranger: Person) -> None:
    content = {
        "project": {"description": "From the template", "due_offset_days": 10},
        "sections": [{"key": "todo", "name": "To do"}],
        "tasks": [{"name": "Kickoff", "section": "todo", "subtasks": [{"name": "Agenda"}]}],
    }
    r = client.post(
        "/v1/templates",
        json={"name": "Launch", "content": content},
        headers={"Authorization": f"Bearer {owner.key}"},
    )
    assert r.status_code == 201, r.text
    template = int(r.json()["data"]["id"].removeprefix("template_"))
    body = {"title": "Launch A", "template_id": template, "start_date": "2026-05-04"}
    r = client.post(f"{BASE}/project", json=body, headers=key_of(owner))
    assert r.status_code == 201, r.text
    project = r.json()["data"]
    assert (project["description"], project["end_date"]) == ("From the template", "2026-05-14")
    assert project["tasks_count"] == 2
    shown = client.get(f"{BASE}/project/{project['uuid']}", headers=key_of(owner)).json()["data"]
    assert [c["name"] for c in shown["containers"]] == ["To do"]
    # Another workspace's template is a 404 in TaskIP's shape; nothing is made.
    r = client.post(f"{BASE}/project", json={"title": "Mine", "template_id": template}, headers=key_of(stranger))
    assert r.status_code == 404, r.text
    assert r.json()["success"] is False
    assert client.get(f"{BASE}/project", headers=key_of(stranger)).json()["data"] == []
