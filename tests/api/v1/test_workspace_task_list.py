"""`GET /v1/tasks` across a workspace: a credential bound to one workspace reads it through the
(workspace, due date, id) index, and still sees exactly what the visibility rules allow."""

from __future__ import annotations

from typing import Any

import httpx

from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.users.service import get_user
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def bound_key(db: Database, person: Person, workspace_pk: int) -> Person:
    with db.unit_of_work() as session:
        secret = create_api_key(session, None, user=get_user(session, person.user_id), workspace_id=workspace_pk).secret
    return Person(user_id=person.user_id, email=person.email, key=secret, workspace_pk=workspace_pk)


def names(client: httpx.Client, who: Person, query: str = "sort=due_date&limit=100") -> list[str]:
    r = client.get(f"/v1/tasks?{query}", headers=who.headers)
    assert r.status_code == 200, r.text
    return [t["attributes"]["name"] for t in r.json()["data"]]


def seed(client: httpx.Client, owner: Person, prefix: str) -> list[dict[str, Any]]:
    project = make_project(client, owner)
    other = make_project(client, owner)
    return [
        make_task(client, owner, project, name=f"{prefix}-3", due_date="2030-03-01T00:00:00Z"),
        make_task(client, owner, other, name=f"{prefix}-1", due_date="2030-01-01T00:00:00Z"),
        make_task(client, owner, project, name=f"{prefix}-none"),
        make_task(client, owner, other, name=f"{prefix}-2", due_date="2030-02-01T00:00:00Z"),
        make_task(client, owner, project, name=f"{prefix}-2b", due_date="2030-02-01T00:00:00Z"),
    ]


def test_a_bound_key_lists_its_workspace_only_in_due_order(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    seed(client, alice, "a")
    seed(client, bob, "b")
    alice_bound = bound_key(db, alice, alice.workspace_pk)
    # Due dates ascending, ties by id (creation order), no due date last.
    assert names(client, alice_bound) == ["a-1", "a-2", "a-2b", "a-3", "a-none"]
    assert names(client, alice_bound, "sort=-due_date&limit=100") == ["a-3", "a-2", "a-2b", "a-1", "a-none"]
    assert names(client, bob) == ["b-1", "b-2", "b-2b", "b-3", "b-none"]
    # Paged with cursors, the same order and nothing twice.
    seen: list[str] = []
    cursor = ""
    while True:
        r = client.get(f"/v1/tasks?sort=due_date&limit=2&cursor={cursor}", headers=alice_bound.headers)
        assert r.status_code == 200, r.text
        seen += [t["attributes"]["name"] for t in r.json()["data"]]
        cursor = r.json()["meta"].get("next_cursor") or ""
        if not cursor:
            break
    assert seen == ["a-1", "a-2", "a-2b", "a-3", "a-none"]


def test_membership_decides_what_a_bound_key_sees(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    seed(client, alice, "a")
    seed(client, bob, "b")
    join(db, bob, alice)
    alice_in_bobs = bound_key(db, alice, bob.workspace_pk)
    assert names(client, alice_in_bobs) == ["b-1", "b-2", "b-2b", "b-3", "b-none"]
    # Unbound, she sees both workspaces; bound to her own, hers alone.
    assert sorted(names(client, alice)) == sorted(["a-1", "a-2", "a-2b", "a-3", "a-none", *names(client, bob)])
    assert names(client, bound_key(db, alice, alice.workspace_pk)) == ["a-1", "a-2", "a-2b", "a-3", "a-none"]
    # Out of bob's workspace, the key bound to it sees nothing there any more.
    r = client.delete(f"/v1/workspaces/{bob.workspace}/users/{alice.id}", headers=bob.headers)
    assert r.status_code == 204, r.text
    r = client.get("/v1/tasks?sort=due_date", headers=alice_in_bobs.headers)
    assert r.status_code in (200, 404), r.text
    if r.status_code == 200:
        assert r.json()["data"] == []
        assert r.json()["meta"]["total"] == 0


def test_filters_still_narrow_a_workspace_list(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    tasks = seed(client, alice, "a")
    bound = bound_key(db, alice, alice.workspace_pk)
    project = tasks[0]["relationships"]["project"]["data"]["id"]
    assert names(client, bound, f"sort=due_date&project_id={project}") == ["a-2b", "a-3", "a-none"]
    assert names(client, bound, "sort=due_date&due_date[lt]=2030-02-15") == ["a-1", "a-2", "a-2b"]
