"""/v1/projects and /v1/workspaces/{ws_id}/projects over HTTP.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event
from tests.factories.people import join, make_person
from tests.factories.work import make_project, make_task

SPEC_CREATE: dict[str, Any] = {
    "name": "Website Redesign",
    "description": "Complete overhaul of company website",
    "type": "kanban",
    "custom_fields": {
        "budget": {"type": "number", "required": True},
        "priority": {"type": "dropdown", "options": ["low", "medium", "high"]},
    },
}
SPEC_UPDATE = {"name": "Website Redesign 2024", "settings": {"due_date": "2024-06-30"}}


def project_events(db: Database, project: str) -> list[str]:
    with db.unit_of_work(readonly=True) as session:
        rows = session.scalars(
            select(Event.type)
            .where(Event.resource_type == "project", Event.resource_id == int(project.split("_")[1]))
            .order_by(Event.id)
        )
        return list(rows)


def test_create_from_spec_example_nested(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = client.post(f"/v1/workspaces/{alice.workspace}/projects", json=SPEC_CREATE, headers=alice.headers)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert data["type"] == "project"
    assert data["id"].startswith("project_")
    assert r.headers["location"] == f"/v1/projects/{data['id']}"
    attrs = data["attributes"]
    assert attrs["name"] == "Website Redesign"
    assert attrs["description"] == "Complete overhaul of company website"
    assert attrs["type"] == "kanban"
    assert attrs["status"] == "active"
    assert attrs["workspace_id"] == alice.workspace
    assert attrs["created_by"] == alice.id
    # Each inline definition becomes a custom field; the attribute shows what was given, and more.
    definitions = attrs["custom_field_definitions"]
    assert set(definitions) == set(SPEC_CREATE["custom_fields"])
    for key, given in SPEC_CREATE["custom_fields"].items():
        assert definitions[key].items() >= given.items()
        assert definitions[key]["id"].startswith("field_")
    assert attrs["custom_fields"] == {}
    assert data["relationships"]["workspace"]["data"] == {"id": alice.workspace, "type": "workspace"}
    assert project_events(db, data["id"]) == ["project.created"]


def test_nested_get_update_delete(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    base = f"/v1/workspaces/{alice.workspace}/projects/{project}"
    r = client.get(base, headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["data"]["id"] == project
    r = client.put(base, json=SPEC_UPDATE, headers=alice.headers)
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["name"] == "Website Redesign 2024"
    assert attrs["settings"]["due_date"] == "2024-06-30"
    r = client.patch(base, json={"status": "on_hold"}, headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["status"] == "on_hold"
    assert r.json()["data"]["attributes"]["name"] == "Website Redesign 2024"
    assert client.delete(base, headers=alice.headers).status_code == 204
    assert client.get(base, headers=alice.headers).status_code == 404
    assert project_events(db, project) == ["project.created", "project.updated", "project.updated", "project.deleted"]


def test_nested_routes_refuse_a_project_of_another_workspace(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    other_ws = client.post("/v1/workspaces", json={"name": "Other"}, headers=alice.headers).json()["data"]["id"]
    project = make_project(client, alice, workspace=other_ws)
    base = f"/v1/workspaces/{alice.workspace}/projects/{project}"
    assert client.get(base, headers=alice.headers).status_code == 404
    assert client.put(base, json={"name": "x"}, headers=alice.headers).status_code == 404
    assert client.patch(base, json={"name": "x"}, headers=alice.headers).status_code == 404
    assert client.delete(base, headers=alice.headers).status_code == 404
    r = client.get(f"/v1/projects/{project}", headers=alice.headers)
    assert r.json()["data"]["attributes"]["name"] == "A project"


def test_nested_list_shows_only_that_workspace(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    other_ws = client.post("/v1/workspaces", json={"name": "Other"}, headers=alice.headers).json()["data"]["id"]
    mine = make_project(client, alice, name="Mine", type="board")
    make_project(client, alice, workspace=other_ws, name="Elsewhere")
    r = client.get(f"/v1/workspaces/{alice.workspace}/projects", headers=alice.headers)
    assert r.status_code == 200
    assert [p["id"] for p in r.json()["data"]] == [mine]
    assert r.json()["meta"]["total"] == 1
    r = client.get(f"/v1/workspaces/{alice.workspace}/projects", params={"type": "list"}, headers=alice.headers)
    assert r.json()["data"] == []
    # The workspace is in the path: a second one in the query is an unknown parameter.
    r = client.get(
        f"/v1/workspaces/{alice.workspace}/projects", params={"workspace_id": other_ws}, headers=alice.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "workspace_id"


def test_flat_list_everything_accessible_with_filters(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob)
    shared = make_project(client, alice, name="Shared", type="board")
    own = make_project(client, bob, name="Own", type="kanban", status="on_hold")
    make_project(client, make_person(db), name="Stranger's")
    r = client.get("/v1/projects", headers=bob.headers)
    assert r.status_code == 200
    assert sorted(p["id"] for p in r.json()["data"]) == sorted([shared, own])
    assert r.json()["meta"]["total"] == 2
    by_ws = client.get("/v1/projects", params={"workspace_id": alice.workspace, "type": "board"}, headers=bob.headers)
    assert [p["id"] for p in by_ws.json()["data"]] == [shared]
    short_prefix = client.get("/v1/projects", params={"workspace_id": f"ws_{alice.workspace_pk}"}, headers=bob.headers)
    assert [p["id"] for p in short_prefix.json()["data"]] == [shared]
    by_status = client.get("/v1/projects", params={"status": "on_hold"}, headers=bob.headers)
    assert [p["id"] for p in by_status.json()["data"]] == [own]
    by_type = client.get("/v1/projects", params={"type": "board"}, headers=alice.headers)
    assert [p["id"] for p in by_type.json()["data"]] == [shared]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "spreadsheet"}, "type"),
        ({"status": "done"}, "status"),
        ({"workspace_id": "project_1"}, "workspace_id"),
        ({"colour": "red"}, "colour"),
        ({"sort": "budget"}, "sort"),
        ({"include": "comments"}, "include"),
        ({"fields": "name,flavour"}, "fields"),
        ({"limit": "0"}, "limit"),
        ({"page": "x"}, "page"),
    ],
)
def test_flat_list_bad_query(client: httpx.Client, db: Database, params: dict[str, str], field: str) -> None:
    alice = make_person(db)
    r = client.get("/v1/projects", params=params, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert r.json()["error"]["details"]["field"] == field


def test_flat_list_of_a_foreign_workspace_is_404(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    make_project(client, alice)
    r = client.get("/v1/projects", params={"workspace_id": alice.workspace}, headers=mallory.headers)
    assert r.status_code == 404
    assert client.get(f"/v1/workspaces/{alice.workspace}/projects", headers=mallory.headers).status_code == 404


def test_flat_create_with_and_without_workspace(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    team = client.post("/v1/workspaces", json={"name": "Team"}, headers=alice.headers).json()["data"]["id"]
    body = {"name": "Customer Onboarding", "workspace_id": team}
    r = client.post("/v1/projects", json=body, headers=alice.headers)
    assert r.status_code == 201, r.text
    attrs = r.json()["data"]["attributes"]
    assert attrs["workspace_id"] == team
    # A template that does not exist (the guide's template_456 here): 404 (test_templates.py).
    r = client.post("/v1/projects", json={**body, "template_id": "template_456"}, headers=alice.headers)
    assert r.status_code == 404, r.text
    r = client.post("/v1/projects", json={"name": "Personal"}, headers=alice.headers)
    assert r.status_code == 201
    assert r.json()["data"]["attributes"]["workspace_id"] == alice.workspace
    assert r.json()["data"]["attributes"]["type"] == "list"
    r = client.post(
        f"/v1/workspaces/{alice.workspace}/projects", json={"name": "x", "workspace_id": team}, headers=alice.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "workspace_id"


def test_create_with_tasks_is_atomic(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    body = {"name": "New Project", "workspace_id": alice.workspace, "tasks": [{"name": "Task 1"}, {"name": "Task 2"}]}
    r = client.post("/v1/projects", json=body, headers=alice.headers)
    assert r.status_code == 201
    tasks = client.get(f"/v1/projects/{r.json()['data']['id']}/tasks", headers=alice.headers).json()["data"]
    assert [t["attributes"]["name"] for t in tasks] == ["Task 1", "Task 2"]
    bad = {"name": "Broken", "tasks": [{"name": "ok"}, {"nom": "typo"}]}
    r = client.post("/v1/projects", json=bad, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "tasks[1]"
    names = [p["attributes"]["name"] for p in client.get("/v1/projects", headers=alice.headers).json()["data"]]
    assert names == ["New Project"]


def test_flat_get_with_includes(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db, name="Alice Johnson"), make_person(db)
    join(db, alice, bob)
    project = make_project(client, alice, name="Website Redesign")
    t1 = make_task(client, alice, project, name="One", assignee_id=bob.id)
    t2 = make_task(client, alice, project, name="Two", assignee_ids=[alice.id, bob.id])
    section = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=alice.headers)
    r = client.get(f"/v1/projects/{project}", params={"include": "tasks,assignees"}, headers=alice.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["data"]["id"] == project
    included = {(i["type"], i["id"]) for i in body["included"]}
    assert included == {("task", t1["id"]), ("task", t2["id"]), ("user", alice.id), ("user", bob.id)}
    alice_doc = next(i for i in body["included"] if i["id"] == alice.id)
    assert alice_doc["attributes"]["name"] == "Alice Johnson"
    assert alice_doc["attributes"]["email"] == alice.email
    r = client.get(f"/v1/projects/{project}", params={"include": "sections,workspace,members"}, headers=alice.headers)
    included = {(i["type"], i["id"]) for i in r.json()["included"]}
    assert included == {
        ("section", section.json()["data"]["id"]),
        ("workspace", alice.workspace),
        ("user", alice.id),
        ("user", bob.id),
    }
    r = client.get(f"/v1/projects/{project}", params={"include": "comments"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "include"
    r = client.get(f"/v1/projects/{project}", params={"expand": "tasks"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "expand"


def test_list_with_include_and_sparse_fields(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice, name="P")
    task = make_task(client, alice, project, name="T")
    r = client.get(
        "/v1/projects", params={"include": "tasks", "fields": "name", "fields[task]": "status"}, headers=alice.headers
    )
    assert r.status_code == 200
    body = r.json()
    assert body["data"][0]["attributes"] == {"name": "P"}
    assert body["included"] == [{"id": task["id"], "type": "task", "attributes": {"status": "pending"}}]


def test_flat_put_and_patch_from_the_examples(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice, settings={"color": "blue"})
    r = client.put(f"/v1/projects/{project}", json=SPEC_UPDATE, headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["settings"] == {"color": "blue", "due_date": "2024-06-30"}
    patch = {"description": "Updated project description", "due_date": "2024-02-01"}
    r = client.patch(f"/v1/projects/{project}", json=patch, headers=alice.headers)
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["description"] == "Updated project description"
    assert attrs["due_date"] == "2024-02-01"
    assert attrs["name"] == "Website Redesign 2024"
    # The guide's client sends updated_at too; it is accepted and the server keeps its own.
    r = client.put(
        f"/v1/projects/{project}",
        json={"custom_fields": {"status": "vip"}, "updated_at": "2000-01-01T00:00:00Z"},
        headers=alice.headers,
    )
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["custom_fields"] == {"status": "vip"}
    assert not attrs["updated_at"].startswith("2000")
    r = client.patch(f"/v1/projects/{project}", json={"due_date": None}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["due_date"] is None


def test_update_with_inline_definitions(client: httpx.Client, db: Database) -> None:
    """Definitions given inline on update become fields, inside the same project.updated as the rest."""
    alice = make_person(db)
    project = make_project(client, alice)
    body = {"name": "Renamed", "custom_fields": {"budget": {"type": "number"}, "customer": "acme"}}
    r = client.patch(f"/v1/projects/{project}", json=body, headers=alice.headers)
    assert r.status_code == 200, r.text
    attrs = r.json()["data"]["attributes"]
    assert attrs["custom_field_definitions"]["budget"]["type"] == "number"
    assert attrs["custom_fields"] == {"customer": "acme"}
    with db.unit_of_work(readonly=True) as session:
        rows = session.execute(
            select(Event.type, Event.changes).where(Event.project_id == int(project.split("_")[1])).order_by(Event.id)
        ).all()
    assert [row.type for row in rows] == ["project.created", "custom_field.created", "project.updated"]
    assert {"name", "custom_fields", "custom_field_definitions"} <= set(rows[-1].changes)
    # A bad definition leaves nothing behind, the rename included.
    bad = {"name": "Again", "custom_fields": {"score": {"type": "dropdown"}}}
    r = client.patch(f"/v1/projects/{project}", json=bad, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == "options"
    assert client.get(f"/v1/projects/{project}", headers=alice.headers).json()["data"]["attributes"]["name"] == (
        "Renamed"
    )


def test_viewer_reads_but_cannot_write(client: httpx.Client, db: Database) -> None:
    alice, vera = make_person(db), make_person(db)
    join(db, alice, vera, role="viewer")
    project = make_project(client, alice)
    assert client.get(f"/v1/projects/{project}", headers=vera.headers).status_code == 200
    attempts = [
        client.post(f"/v1/workspaces/{alice.workspace}/projects", json={"name": "x"}, headers=vera.headers),
        client.post("/v1/projects", json={"name": "x", "workspace_id": alice.workspace}, headers=vera.headers),
        client.put(f"/v1/projects/{project}", json={"name": "x"}, headers=vera.headers),
        client.patch(f"/v1/workspaces/{alice.workspace}/projects/{project}", json={"name": "x"}, headers=vera.headers),
        client.delete(f"/v1/projects/{project}", headers=vera.headers),
    ]
    for r in attempts:
        assert r.status_code == 403, r.request.url
        assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert client.get(f"/v1/projects/{project}", headers=alice.headers).json()["data"]["attributes"]["name"] == (
        "A project"
    )


def test_only_creator_or_admin_deletes(client: httpx.Client, db: Database) -> None:
    alice, bob, carol, dave = (make_person(db) for _ in range(4))
    join(db, alice, bob)
    join(db, alice, carol)
    join(db, alice, dave, role="admin")
    by_bob = make_project(client, bob, workspace=alice.workspace, name="Bob's")
    other = make_project(client, bob, workspace=alice.workspace, name="Bob's too")
    by_alice = make_project(client, alice, name="Alice's")
    # Members may edit each other's projects, but not delete them.
    assert client.patch(f"/v1/projects/{by_bob}", json={"name": "Edited"}, headers=carol.headers).status_code == 200
    r = client.delete(f"/v1/projects/{by_bob}", headers=carol.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert client.delete(f"/v1/projects/{by_alice}", headers=bob.headers).status_code == 403
    assert client.delete(f"/v1/projects/{by_bob}", headers=bob.headers).status_code == 204
    assert client.delete(f"/v1/projects/{other}", headers=dave.headers).status_code == 204
    assert client.delete(
        f"/v1/workspaces/{alice.workspace}/projects/{by_alice}", headers=alice.headers
    ).status_code == (204)
    assert client.get("/v1/projects", headers=alice.headers).json()["data"] == []


def test_delete_removes_its_tasks(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)
    assert client.delete(f"/v1/projects/{project}", headers=alice.headers).status_code == 204
    assert client.get(f"/v1/tasks/{task['id']}", headers=alice.headers).status_code == 404
    assert client.get("/v1/tasks", headers=alice.headers).json()["meta"]["total"] == 0


def test_paging_and_sort(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    ids = [make_project(client, alice, name=name) for name in ("b", "a", "c", "a")]
    r = client.get("/v1/projects", params={"sort": "-name", "limit": 2, "total": "true"}, headers=alice.headers)
    body = r.json()
    assert [p["id"] for p in body["data"]] == [ids[2], ids[0]]
    assert body["meta"]["total"] == 4
    assert body["links"]["prev"] is None
    r = client.get(body["links"]["next"], headers=alice.headers)
    # Equal names break ties by id, ascending.
    assert [p["id"] for p in r.json()["data"]] == [ids[1], ids[3]]
    assert r.json()["links"]["next"] is None
    r = client.get("/v1/projects", params={"page": 2, "per_page": 3, "sort": "name"}, headers=alice.headers)
    assert [p["id"] for p in r.json()["data"]] == [ids[2]]
    assert r.json()["meta"]["page"] == 2


def test_create_projects_permission_flag(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob)
    r = client.put(
        f"/v1/workspaces/{alice.workspace}/users/{bob.id}",
        json={"permissions": {"create_projects": False}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    r = client.post(f"/v1/workspaces/{alice.workspace}/projects", json={"name": "x"}, headers=bob.headers)
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"required_permission": "create_projects"}
    # Without the flag a member still works inside existing projects.
    project = make_project(client, alice)
    assert client.post(f"/v1/projects/{project}/tasks", json={"name": "t"}, headers=bob.headers).status_code == 201
