"""/v1/tasks/{task_id}/comments over HTTP.

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
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def comment(client: httpx.Client, who: Person, task: str, body: str = "Looks good") -> str:
    r = client.post(f"/v1/tasks/{task}/comments", json={"body": body}, headers=who.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["data"]["id"])


def bodies(client: httpx.Client, who: Person, task: str) -> list[str]:
    r = client.get(f"/v1/tasks/{task}/comments", headers=who.headers)
    assert r.status_code == 200
    return [c["attributes"]["body"] for c in r.json()["data"]]


@pytest.fixture
def board(client: httpx.Client, db: Database) -> dict[str, Any]:
    """Alice owns the workspace; Bob and Carol are members, Vera a viewer, Adam an admin."""
    alice, bob, carol, vera, adam = (make_person(db) for _ in range(5))
    join(db, alice, bob)
    join(db, alice, carol)
    join(db, alice, vera, role="viewer")
    join(db, alice, adam, role="admin")
    task = make_task(client, alice, make_project(client, alice))["id"]
    return {"alice": alice, "bob": bob, "carol": carol, "vera": vera, "adam": adam, "task": task}


def test_comment_crud(client: httpx.Client, db: Database, board: dict[str, Any]) -> None:
    bob, task = board["bob"], board["task"]
    r = client.post(f"/v1/tasks/{task}/comments", json={"body": "First!"}, headers=bob.headers)
    assert r.status_code == 201
    data = r.json()["data"]
    assert data["type"] == "comment"
    assert data["attributes"]["body"] == "First!"
    assert data["attributes"]["author_id"] == bob.id
    assert data["attributes"]["task_id"] == task
    assert data["relationships"]["author"]["data"] == {"id": bob.id, "type": "user"}
    assert r.headers["location"] == f"/v1/tasks/{task}/comments/{data['id']}"
    second = comment(client, board["carol"], task, "Second")
    assert bodies(client, bob, task) == ["First!", "Second"]
    url = f"/v1/tasks/{task}/comments/{data['id']}"
    assert client.get(url, headers=bob.headers).json()["data"]["attributes"]["body"] == "First!"
    assert client.put(url, json={"body": "Edited"}, headers=bob.headers).json()["data"]["attributes"]["body"] == (
        "Edited"
    )
    assert client.patch(url, json={"body": "Again"}, headers=bob.headers).status_code == 200
    assert client.delete(url, headers=bob.headers).status_code == 204
    assert client.get(url, headers=bob.headers).status_code == 404
    assert bodies(client, bob, task) == ["Second"]
    with db.unit_of_work(readonly=True) as session:
        kinds = list(session.scalars(select(Event.type).where(Event.resource_type == "comment").order_by(Event.id)))
    assert kinds == ["comment.created", "comment.created", "comment.updated", "comment.updated", "comment.deleted"]
    assert second.startswith("comment_")


def test_viewer_may_comment_but_not_create_tasks(client: httpx.Client, board: dict[str, Any]) -> None:
    vera, task = board["vera"], board["task"]
    own = comment(client, vera, task, "A viewer's note")
    r = client.patch(f"/v1/tasks/{task}/comments/{own}", json={"body": "fixed typo"}, headers=vera.headers)
    assert r.status_code == 200
    project = client.get(f"/v1/tasks/{task}", headers=vera.headers).json()["data"]["attributes"]["project_id"]
    r = client.post(f"/v1/projects/{project}/tasks", json={"name": "x"}, headers=vera.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert client.delete(f"/v1/tasks/{task}/comments/{own}", headers=vera.headers).status_code == 204


def test_only_author_or_admin_edits_and_deletes(client: httpx.Client, board: dict[str, Any]) -> None:
    task, bob, carol, vera = board["task"], board["bob"], board["carol"], board["vera"]
    mine = comment(client, bob, task, "Bob's")
    url = f"/v1/tasks/{task}/comments/{mine}"
    for who in (carol, vera):
        for r in (
            client.put(url, json={"body": "hijack"}, headers=who.headers),
            client.patch(url, json={"body": "hijack"}, headers=who.headers),
            client.delete(url, headers=who.headers),
        ):
            assert r.status_code == 403, (r.request.method, who)
            assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert bodies(client, bob, task) == ["Bob's"]
    r = client.patch(url, json={"body": "Moderated"}, headers=board["adam"].headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["author_id"] == bob.id
    other = comment(client, carol, task, "Carol's")
    assert client.delete(f"/v1/tasks/{task}/comments/{other}", headers=board["alice"].headers).status_code == 204
    assert client.delete(url, headers=board["adam"].headers).status_code == 204
    assert bodies(client, bob, task) == []


def test_comments_go_with_their_task(client: httpx.Client, db: Database, board: dict[str, Any]) -> None:
    alice, task = board["alice"], board["task"]
    project = client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]["project_id"]
    sub = make_task(client, alice, project, parent_id=task)["id"]
    note = comment(client, alice, sub)
    assert client.delete(f"/v1/tasks/{task}", headers=alice.headers).status_code == 204
    assert client.get(f"/v1/tasks/{sub}/comments", headers=alice.headers).status_code == 404
    assert client.get(f"/v1/tasks/{sub}/comments/{note}", headers=alice.headers).status_code == 404
    with db.unit_of_work(readonly=True) as session:
        gone = [
            e
            for e in session.scalars(select(Event).where(Event.type == "task.deleted").order_by(Event.id))
            if e.resource_id in (int(task.split("_")[1]), int(sub.split("_")[1]))
        ]
    assert len(gone) == 2


def test_a_comment_through_another_task_is_404(client: httpx.Client, board: dict[str, Any]) -> None:
    # Another workspace's comments and missing ids: the CRUD contract (test_crud_contracts.py).
    alice, bob, task = board["alice"], board["bob"], board["task"]
    note = comment(client, bob, task)
    project = client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]["project_id"]
    other_task = make_task(client, alice, project)["id"]
    for r in (
        client.get(f"/v1/tasks/{other_task}/comments/{note}", headers=bob.headers),
        client.patch(f"/v1/tasks/{other_task}/comments/{note}", json={"body": "x"}, headers=bob.headers),
        client.delete(f"/v1/tasks/{other_task}/comments/{note}", headers=bob.headers),
    ):
        assert r.status_code == 404, (r.request.method, r.request.url)
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert bodies(client, bob, task) == ["Looks good"]


def test_comment_list_order_author_filter_and_refusals(client: httpx.Client, board: dict[str, Any]) -> None:
    # Paging, created_at sorts and the body filter in general: the CRUD contract.
    bob, task = board["bob"], board["task"]
    for i in range(3):
        comment(client, bob, task, f"c{i}")
    comment(client, board["carol"], task, "carol's")
    r = client.get(f"/v1/tasks/{task}/comments", headers=bob.headers)
    assert [c["attributes"]["body"] for c in r.json()["data"]] == ["c0", "c1", "c2", "carol's"]
    r2 = client.get(
        f"/v1/tasks/{task}/comments", params={"author_id": "me", "cursor": "", "limit": 2}, headers=bob.headers
    )
    assert [c["attributes"]["body"] for c in r2.json()["data"]] == ["c0", "c1"]
    assert r2.json()["links"]["next"]
    for params in ({"sort": "body"}, {"mood": "happy"}):
        r2 = client.get(f"/v1/tasks/{task}/comments", params=params, headers=bob.headers)
        assert r2.status_code == 422
        assert r2.json()["error"]["details"]["field"] == next(iter(params))
