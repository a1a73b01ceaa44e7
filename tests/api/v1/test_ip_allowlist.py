"""Per-workspace IP allowlists (the spec's security.ip_whitelisting).

The test server listens on 127.0.0.1; a client bound to 127.0.0.2 reaches it from another
loopback address, which the server sees as a different client address.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task
from tests.openapi_check import OpenAPIChecker


@pytest.fixture
def elsewhere(base_url: str, openapi: OpenAPIChecker) -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    hooks: dict[str, Any] = {"response": [openapi.check_response]}
    with httpx.Client(base_url=base_url, transport=transport, event_hooks=hooks, timeout=30) as c:
        yield c


def restrict(client: httpx.Client, owner: Person, networks: list[str]) -> httpx.Response:
    return client.put(
        f"/v1/workspaces/{owner.workspace}", json={"security": {"ip_whitelisting": networks}}, headers=owner.headers
    )


def test_requests_from_other_addresses_get_403(client: httpx.Client, elsewhere: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob, role="member")
    project = make_project(client, alice, name="Secret plans")
    task = make_task(client, alice, project)["id"]
    bobs_own = make_project(client, bob, name="Bob's own")
    r = restrict(client, alice, ["127.0.0.1/32", "10.0.0.0/8"])
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["security"] == {"ip_whitelisting": ["127.0.0.1/32", "10.0.0.0/8"]}
    # From 127.0.0.1 everything works, for every member.
    assert client.get(f"/v1/tasks/{task}", headers=bob.headers).status_code == 200
    # From 127.0.0.2: that workspace's objects are refused, with the reason.
    for path in (
        f"/v1/workspaces/{alice.workspace}",
        f"/v1/projects/{project}",
        f"/v1/tasks/{task}",
        f"/v1/tasks/{task}/comments",
        f"/v1/workspaces/{alice.workspace}/users",
    ):
        r = elsewhere.get(path, headers=bob.headers)
        assert r.status_code == 403, path
        assert r.json()["error"]["code"] == "PERMISSION_DENIED"
        assert r.json()["error"]["details"]["client_ip"] == "127.0.0.2"
    r = elsewhere.post(f"/v1/projects/{project}/tasks", json={"name": "x"}, headers=bob.headers)
    assert r.status_code == 403
    # Lists across workspaces leave it out; the caller's other workspaces are unaffected.
    listed = elsewhere.get("/v1/projects", headers=bob.headers).json()["data"]
    assert [p["id"] for p in listed] == [bobs_own]
    assert elsewhere.get("/v1/tasks", headers=bob.headers).json()["meta"]["total"] == 0
    assert {w["id"] for w in elsewhere.get("/v1/workspaces", headers=bob.headers).json()["data"]} == {bob.workspace}
    # Outsiders still get 404: the allowlist never reveals a workspace.
    mallory = make_person(db)
    assert elsewhere.get(f"/v1/tasks/{task}", headers=mallory.headers).status_code == 404
    # Clearing the list lifts it.
    assert restrict(client, alice, []).status_code == 200
    assert elsewhere.get(f"/v1/tasks/{task}", headers=bob.headers).status_code == 200


def test_an_allowlist_that_locks_the_caller_out_is_refused(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = restrict(client, alice, ["10.0.0.0/8"])
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "security.ip_whitelisting"
    assert (
        client.get(f"/v1/workspaces/{alice.workspace}", headers=alice.headers).json()["data"]["attributes"]["security"]
        == {}
    )


@pytest.mark.parametrize("bad", [["not-a-network"], ["10.0.0.0/33"], "10.0.0.0/8", [1]])
def test_bad_allowlists(client: httpx.Client, db: Database, bad: object) -> None:
    alice = make_person(db)
    r = client.put(
        f"/v1/workspaces/{alice.workspace}", json={"security": {"ip_whitelisting": bad}}, headers=alice.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"].startswith("security.ip_whitelisting")


def test_only_owners_and_admins_set_it(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob, role="member")
    r = client.put(
        f"/v1/workspaces/{alice.workspace}",
        json={"security": {"ip_whitelisting": ["127.0.0.0/8"]}},
        headers=bob.headers,
    )
    assert r.status_code == 403
