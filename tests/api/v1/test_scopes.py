"""Scopes: a scope x route matrix over every /v1 operation, includes, and key issuance."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from polytask.core.scopes import SCOPES
from tests.api.v1.test_isolation import ID_PARAMS, build_world, fill, probe_body
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task

# The operations that take no credentials (an empty `security` in the document), and no others.
OPEN = {
    ("post", "/v1/invites/signup"),
    ("post", "/v1/password-resets"),
    ("post", "/v1/password-resets/confirm"),
    ("post", "/v1/automations/hooks/{token}"),  # an incoming URL: the token is the credential
    ("get", "/v1/ical/{token}.ics"),  # a calendar feed: the token in its URL is the credential
}


def v1_operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """The /v1 operations that need credentials (and so a scope)."""
    everything = [
        (method, path, op)
        for path, item in doc["paths"].items()
        if path.startswith("/v1/")
        for method, op in item.items()
    ]
    assert {(m, p) for m, p, op in everything if op.get("security") == []} == OPEN
    return [(m, p, op) for m, p, op in everything if (m, p) not in OPEN]


def key_with(db: Database, owner_id: int, scopes: list[str]) -> dict[str, str]:
    from polytask.domain.api_keys.service import create_api_key
    from polytask.domain.users.service import get_user

    with db.unit_of_work() as session:
        secret = create_api_key(session, None, user=get_user(session, owner_id), scopes=scopes).secret
    return {"Authorization": f"Bearer {secret}"}


def test_every_v1_operation_declares_a_known_scope(client: httpx.Client) -> None:
    doc = client.get("/openapi.json").json()
    operations = v1_operations(doc)
    assert len(operations) > 40
    for method, path, op in operations:
        scope = op.get("x-required-scope")
        assert scope in SCOPES, f"{method.upper()} {path} declares no known scope: {scope!r}"
        assert f"`{scope}`" in op["description"]
        expected = "read" if method == "get" else "write"
        assert scope.endswith(f":{expected}"), f"{method.upper()} {path}: {scope}"


def test_scope_by_route_matrix(client: httpx.Client, db: Database) -> None:
    """Without its scope every operation is a 403 naming the scope; with it, never a 403."""
    doc = client.get("/openapi.json").json()
    world = build_world(client, db, "Scoped")
    unrelated = key_with(db, world.owner.user_id, ["webhooks:read"])
    # For the webhook routes themselves, a key with an unrelated scope of another resource.
    unrelated_to_webhooks = key_with(db, world.owner.user_id, ["tasks:read"])
    problems: list[str] = []
    operations = v1_operations(doc)
    for method, path, op in operations:
        scope = op["x-required-scope"]
        url = fill(path, world.ids) if "{" in path else path
        body = probe_body(doc, op)
        caller = unrelated_to_webhooks if scope.startswith("webhooks:") else unrelated
        r = client.request(method, url, json=body, headers=caller)
        if r.status_code != 403 or r.json()["error"]["details"].get("required_scope") != scope:
            problems.append(f"{method.upper()} {path} without {scope}: {r.status_code} {r.text[:200]}")
    # With exactly the required scope the route's own check passes (deletes run last, so objects
    # exist). A body may still ask for more, e.g. a new key with scopes its creator lacks.
    for method, path, op in sorted(operations, key=lambda o: o[0] == "delete"):
        scope = op["x-required-scope"]
        url = fill(path, world.ids) if "{" in path else path
        headers = key_with(db, world.owner.user_id, [scope])
        if "text/event-stream" in op["responses"].get("200", {}).get("content", {}):
            # An endless stream: look at its status line only (outside the body-reading checker).
            with httpx.stream(method, f"{client.base_url}{url}", headers=headers) as streamed:
                if streamed.status_code != 200:
                    problems.append(f"{method.upper()} {path} with {scope}: {streamed.status_code}")
            continue
        r = client.request(method, url, json=probe_body(doc, op), headers=headers)
        if r.status_code == 403 and r.json()["error"]["details"].get("required_scope") == scope:
            problems.append(f"{method.upper()} {path} with {scope}: {r.text[:200]}")
    assert problems == [], "\n".join(problems)
    assert set(ID_PARAMS.values()) <= set(world.ids)


def test_write_implies_read_and_admin_grants_everything(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    make_task(client, alice, project)
    writer = key_with(db, alice.user_id, ["tasks:write"])
    assert client.get(f"/v1/projects/{project}/tasks", headers=writer).status_code == 200
    r = client.get(f"/v1/projects/{project}", headers=writer)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_scope"] == "projects:read"
    assert "projects:read" in r.json()["error"]["message"]
    admin = key_with(db, alice.user_id, ["admin"])
    assert client.get(f"/v1/projects/{project}", headers=admin).status_code == 200
    assert client.delete(f"/v1/projects/{project}", headers=admin).status_code == 204


@pytest.mark.parametrize(
    ("path", "include", "needed"),
    [
        ("/v1/tasks", "project", "projects:read"),
        ("/v1/tasks", "assignees", "users:read"),
        ("/v1/tasks", "section", "projects:read"),
        ("/v1/projects/{project}", "tasks", "tasks:read"),
        ("/v1/projects/{project}", "members", "users:read"),
        ("/v1/projects/{project}", "workspace", "workspaces:read"),
    ],
)
def test_include_needs_the_included_types_scope(
    client: httpx.Client, db: Database, path: str, include: str, needed: str
) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    section = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=alice.headers)
    make_task(client, alice, project, assignee_id=alice.id, section_id=section.json()["data"]["id"])
    base = "tasks:read" if path == "/v1/tasks" else "projects:read"
    narrow = key_with(db, alice.user_id, [base])
    url = path.format(project=project)
    assert client.get(url, headers=narrow).status_code == 200
    r = client.get(url, params={"include": include}, headers=narrow)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_scope"] == needed
    wide = key_with(db, alice.user_id, [base, needed])
    r = client.get(url, params={"include": include}, headers=wide)
    assert r.status_code == 200
    assert r.json()["included"]


def test_a_scoped_key_hands_out_at_most_its_scopes(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    scoped = key_with(db, alice.user_id, ["api_keys:write", "tasks:read"])
    r = client.post("/v1/api-keys", json={"name": "child"}, headers=scoped)
    assert r.status_code == 201
    assert sorted(r.json()["data"]["attributes"]["scopes"]) == ["api_keys:write", "tasks:read"]
    r = client.post("/v1/api-keys", json={"scopes": ["tasks:read"]}, headers=scoped)
    assert r.json()["data"]["attributes"]["scopes"] == ["tasks:read"]
    for wider in (["tasks:write"], ["admin"], ["projects:read"]):
        r = client.post("/v1/api-keys", json={"scopes": wider}, headers=scoped)
        assert r.status_code == 403, wider
        assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    r = client.post("/v1/api-keys", json={"scopes": ["tasks:fly"]}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "scopes"
