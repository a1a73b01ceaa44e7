"""POST /v1/batch: the guide's example, atomicity for every failing position, references, limits, permissions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.models import Comment, Event, Project, Task
from tests.api.v1.test_scopes import key_with
from tests.factories.people import join, make_person
from tests.factories.work import make_project, make_task


def counts(db: Database) -> tuple[int, int, int, int]:
    with db.unit_of_work(readonly=True) as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count(m.id))) or 0) for m in (Project, Task, Comment, Event)
        )


def test_guide_batch_example(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    t123 = make_task(client, alice, project)["id"]
    t789 = make_task(client, alice, project)["id"]
    body = {
        "operations": [
            {"method": "PUT", "path": f"/tasks/{t123}", "body": {"status": "completed"}},
            {"method": "POST", "path": "/tasks", "body": {"name": "Follow-up task", "project_id": project}},
            {"method": "DELETE", "path": f"/v1/tasks/{t789}"},
        ]
    }
    r = client.post("/v1/batch", json=body, headers=alice.headers)
    assert r.status_code == 200, r.text
    put, post, delete = r.json()["data"]
    assert (put["status"], put["body"]["data"]["attributes"]["status"]) == (200, "completed")
    assert post["status"] == 201
    assert post["headers"]["location"] == f"/v1/tasks/{post['body']['data']['id']}"
    assert (delete["status"], delete["body"], delete["path"]) == (204, None, f"/tasks/{t789}")
    assert r.json()["meta"] == {"atomic": True, "committed": True, "succeeded": 3, "failed": 0}
    assert client.get(f"/v1/tasks/{t123}", headers=alice.headers).json()["data"]["attributes"]["status"] == "completed"
    assert client.get(f"/v1/tasks/{t789}", headers=alice.headers).status_code == 404
    with db.unit_of_work(readonly=True) as session:
        kinds = [e.type for e in session.scalars(select(Event).where(Event.resource_type == "task").order_by(Event.id))]
    assert kinds[-3:] == ["task.completed", "task.created", "task.deleted"]


def chain(workspace: str, bad: int | None) -> list[dict[str, Any]]:
    """Five dependent operations; `bad` makes that one fail."""
    ops: list[dict[str, Any]] = [
        {"method": "POST", "path": f"/workspaces/{workspace}/projects", "body": {"name": "Launch"}},
        {"method": "POST", "path": "/projects/$0.data.id/tasks", "body": {"name": "Write copy"}},
        {"method": "PATCH", "path": "/tasks/$1.data.id", "body": {"progress": 40}},
        {"method": "POST", "path": "/tasks/$1.data.id/comments", "body": {"body": "Started"}},
        {"method": "POST", "path": "/tasks", "body": {"name": "Review", "project_id": "$0.data.id"}},
    ]
    breakers: list[dict[str, Any]] = [
        {"method": "POST", "path": f"/workspaces/{workspace}/projects", "body": {"name": ""}},
        {"method": "POST", "path": "/projects/$0.data.id/tasks", "body": {"name": "x", "status": "nope"}},
        {"method": "PATCH", "path": "/tasks/task_999999", "body": {"progress": 40}},
        {"method": "POST", "path": "/tasks/$1.data.id/comments", "body": {}},
        {"method": "POST", "path": "/tasks", "body": {"name": "Review", "project_id": "$0.data.nope"}},
    ]
    if bad is not None:
        ops[bad] = breakers[bad]
    return ops


@pytest.mark.parametrize("bad", range(5))
def test_nothing_is_written_when_operation_k_fails(client: httpx.Client, db: Database, bad: int) -> None:
    alice = make_person(db)
    before = counts(db)
    r = client.post("/v1/batch", json={"operations": chain(alice.workspace, bad)}, headers=alice.headers)
    assert r.status_code in (404, 422), r.text
    err = r.json()["error"]
    assert err["details"]["index"] == bad
    assert "Nothing was written" in err["message"]
    assert counts(db) == before


def test_references_chain_and_commit(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    before = counts(db)
    r = client.post("/v1/batch", json={"operations": chain(alice.workspace, None)}, headers=alice.headers)
    assert r.status_code == 200, r.text
    results = r.json()["data"]
    project = results[0]["body"]["data"]["id"]
    task = results[1]["body"]["data"]["id"]
    assert results[1]["path"] == f"/projects/{project}/tasks"
    assert results[2]["body"]["data"]["attributes"]["progress"] == 40
    assert results[4]["body"]["data"]["attributes"]["project_id"] == project
    assert (
        client.get(f"/v1/tasks/{task}/comments", headers=alice.headers).json()["data"][0]["attributes"]["body"]
        == "Started"
    )
    after = counts(db)
    assert after[:3] == (before[0] + 1, before[1] + 2, before[2] + 1)


def test_non_atomic_reports_each_result(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    ops = [
        {"method": "POST", "path": f"/projects/{project}/tasks", "body": {"name": "kept"}},
        {"method": "POST", "path": f"/projects/{project}/tasks", "body": {"name": ""}},
        {"method": "PATCH", "path": "/tasks/$1.data.id", "body": {"progress": 1}},
        {"method": "GET", "path": "/tasks/$0.data.id?fields=name"},
        {"method": "POST", "path": "/tasks", "body": {"name": "$$literal", "project_id": project}},
    ]
    r = client.post("/v1/batch", json={"operations": ops, "atomic": False}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["data"]] == [201, 422, 424, 200, 201]
    assert r.json()["data"][3]["body"]["data"]["attributes"] == {"name": "kept"}
    assert r.json()["data"][4]["body"]["data"]["attributes"]["name"] == "$literal"
    assert r.json()["meta"] == {"atomic": False, "committed": True, "succeeded": 3, "failed": 2}
    names = sorted(
        t["attributes"]["name"]
        for t in client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()["data"]
    )
    assert names == ["$literal", "kept"]


def test_limits_nesting_and_bad_paths(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    cases: list[dict[str, Any]] = [
        {"operations": [{"method": "POST", "path": "/batch", "body": {"operations": []}}]},
        {"operations": [{"method": "POST", "path": "/v1/batch"}]},
        {"operations": [{"method": "GET", "path": "https://example.com/tasks"}]},
        {"operations": [{"method": "GET", "path": "tasks"}]},
        {"operations": [{"method": "GET", "path": "/tasks/../workspaces"}]},
        {"operations": [{"method": "TRACE", "path": "/tasks"}]},
        {"operations": []},
        {"operations": [{"method": "GET", "path": "/tasks"}] * 101},
    ]
    for body in cases:
        r = client.post("/v1/batch", json=body, headers=alice.headers)
        assert r.status_code == 422, (body, r.text)
    r = client.post(
        "/v1/batch", json={"operations": [{"method": "GET", "path": "/tasks/$0.data.id"}]}, headers=alice.headers
    )
    assert r.status_code == 422
    assert "does not run before" in r.json()["error"]["message"]
    assert client.post("/v1/batch", json={"operations": [{"method": "GET", "path": "/tasks"}]}).status_code == 401


def test_each_operation_is_checked_as_if_alone(client: httpx.Client, db: Database) -> None:
    alice, viewer, mallory = make_person(db), make_person(db), make_person(db)
    join(db, alice, viewer, role="viewer")
    project = make_project(client, alice)
    theirs = make_project(client, mallory)
    task = make_task(client, alice, project)["id"]
    ops = [
        {"method": "GET", "path": f"/tasks/{task}"},
        {"method": "PATCH", "path": f"/tasks/{task}", "body": {"progress": 5}},
    ]
    r = client.post("/v1/batch", json={"operations": ops, "atomic": False}, headers=viewer.headers)
    assert [x["status"] for x in r.json()["data"]] == [200, 403]
    r = client.post(
        "/v1/batch", json={"operations": [{"method": "GET", "path": f"/projects/{theirs}"}]}, headers=alice.headers
    )
    assert r.status_code == 404
    tasks_only = key_with(db, alice.user_id, ["tasks:write"])
    ops = [
        {"method": "POST", "path": f"/projects/{project}/tasks", "body": {"name": "ok"}},
        {"method": "PATCH", "path": f"/projects/{project}", "body": {"name": "renamed"}},
    ]
    r = client.post("/v1/batch", json={"operations": ops}, headers=tasks_only)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["error"]["details"]["required_scope"] == "projects:write"
    assert r.json()["error"]["details"]["index"] == 1
    names = [
        t["attributes"]["name"]
        for t in client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()["data"]
    ]
    assert "ok" not in names
    reader = key_with(db, alice.user_id, ["tasks:read"])
    r = client.post("/v1/batch", json={"operations": [{"method": "GET", "path": "/tasks"}]}, headers=reader)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_scope"] == "tasks:write"


def test_batch_with_bulk_inside_and_an_idempotency_key(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    ops = [
        {"method": "POST", "path": f"/projects/{project}/tasks/bulk", "body": {"tasks": [{"name": "a"}, {"name": "b"}]}}
    ]
    headers = {**alice.headers, "Idempotency-Key": "batch-1"}
    first = client.post("/v1/batch", json={"operations": ops}, headers=headers)
    again = client.post("/v1/batch", json={"operations": ops}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert len(client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()["data"]) == 2
