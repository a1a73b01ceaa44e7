"""/v1/projects/{project_id}/sections, and tasks placed in sections.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event
from tests.factories.people import Person, make_person
from tests.factories.work import make_project, make_task


def make_section(client: httpx.Client, who: Person, project: str, **body: Any) -> str:
    r = client.post(f"/v1/projects/{project}/sections", json={"name": "Column", **body}, headers=who.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["data"]["id"])


def names(client: httpx.Client, who: Person, project: str) -> list[str]:
    r = client.get(f"/v1/projects/{project}/sections", headers=who.headers)
    assert r.status_code == 200
    return [s["attributes"]["name"] for s in r.json()["data"]]


def test_section_crud_in_board_order(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice, type="kanban")
    r = client.post(f"/v1/projects/{project}/sections", json={"name": "To do"}, headers=alice.headers)
    assert r.status_code == 201
    todo = r.json()["data"]
    assert todo["type"] == "section"
    assert todo["attributes"]["project_id"] == project
    assert r.headers["location"] == f"/v1/projects/{project}/sections/{todo['id']}"
    done = make_section(client, alice, project, name="Done")
    doing = make_section(client, alice, project, name="Doing", position=1500)
    assert names(client, alice, project) == ["To do", "Doing", "Done"]
    listed = client.get(f"/v1/projects/{project}/sections", headers=alice.headers).json()
    assert listed["meta"]["total"] == 3
    r = client.get(f"/v1/projects/{project}/sections/{doing}", headers=alice.headers)
    assert r.json()["data"]["attributes"]["position"] == 1500
    r = client.patch(f"/v1/projects/{project}/sections/{done}", json={"position": 1}, headers=alice.headers)
    assert r.status_code == 200
    assert names(client, alice, project) == ["Done", "To do", "Doing"]
    r = client.put(f"/v1/projects/{project}/sections/{doing}", json={"name": "In progress"}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["name"] == "In progress"
    assert client.delete(f"/v1/projects/{project}/sections/{done}", headers=alice.headers).status_code == 204
    assert names(client, alice, project) == ["To do", "In progress"]
    assert client.get(f"/v1/projects/{project}/sections/{done}", headers=alice.headers).status_code == 404
    with db.unit_of_work(readonly=True) as session:
        kinds = list(session.scalars(select(Event.type).where(Event.resource_type == "section").order_by(Event.id)))
    assert kinds == [
        "section.created",
        "section.created",
        "section.created",
        "section.updated",
        "section.updated",
        "section.deleted",
    ]


def test_tasks_in_sections(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    todo, doing = make_section(client, alice, project, name="Todo"), make_section(client, alice, project, name="Doing")
    task = make_task(client, alice, project, section_id=todo)
    assert task["attributes"]["section_id"] == todo
    assert task["relationships"]["section"]["data"] == {"id": todo, "type": "section"}
    other = make_task(client, alice, project)["id"]
    r = client.get("/v1/tasks", params={"section_id": todo}, headers=alice.headers)
    assert [t["id"] for t in r.json()["data"]] == [task["id"]]
    r = client.patch(f"/v1/tasks/{other}", json={"section_id": doing}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["section_id"] == doing
    r = client.get(f"/v1/tasks/{other}", params={"include": "section"}, headers=alice.headers)
    assert [(i["type"], i["attributes"]["name"]) for i in r.json()["included"]] == [("section", "Doing")]
    # Deleting a section keeps its tasks, without a section.
    assert client.delete(f"/v1/projects/{project}/sections/{todo}", headers=alice.headers).status_code == 204
    r = client.get(f"/v1/tasks/{task['id']}", headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["section_id"] is None
    r = client.patch(f"/v1/tasks/{other}", json={"section_id": None}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["section_id"] is None


def test_section_of_another_project_is_refused(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    p1, p2 = make_project(client, alice), make_project(client, alice)
    foreign_section = make_section(client, alice, p2)
    r = client.post(
        f"/v1/projects/{p1}/tasks", json={"name": "x", "section_id": foreign_section}, headers=alice.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "section_id"
    task = make_task(client, alice, p1)["id"]
    r = client.patch(f"/v1/tasks/{task}", json={"section_id": foreign_section}, headers=alice.headers)
    assert r.status_code == 422
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        body = {"name": "x"} if method in ("PUT", "PATCH") else None
        r = client.request(method, f"/v1/projects/{p1}/sections/{foreign_section}", json=body, headers=alice.headers)
        assert r.status_code == 404, method
    assert names(client, alice, p2) == ["Column"]


def test_section_list_pages_and_refuses_unknown_parameters(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    for name in ("a", "b", "c"):
        make_section(client, alice, project, name=name)
    base = f"/v1/projects/{project}/sections"
    r = client.get(base, params={"limit": 2, "total": "true"}, headers=alice.headers).json()
    assert [s["attributes"]["name"] for s in r["data"]] == ["a", "b"]
    assert r["meta"]["total"] == 3
    nxt = client.get(r["links"]["next"], headers=alice.headers).json()
    assert [s["attributes"]["name"] for s in nxt["data"]] == ["c"]
    for params, field in (({"sort": "name"}, "sort"), ({"limit": "0"}, "limit")):
        r = client.get(base, params=params, headers=alice.headers)
        assert r.status_code == 422
        assert r.json()["error"]["details"]["field"] == field
    section = client.get(base, headers=alice.headers).json()["data"][0]["id"]
    r = client.get(f"{base}/{section}", params={"fields": "name"}, headers=alice.headers)
    assert r.json()["data"]["attributes"] == {"name": "a"}
    r = client.get(f"{base}/{section}", params={"include": "project"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "include"
