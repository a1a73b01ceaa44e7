"""/v1/api-keys: the caller's own keys.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.users.service import get_user
from tests.factories.people import join, make_person


def test_create_list_get_and_revoke(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    body = {"name": "CI sync", "scopes": ["users:read", "api_keys:read"]}
    r = client.post("/v1/api-keys", json=body, headers=alice.headers)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    secret = data["attributes"]["key"]
    assert secret.startswith(data["attributes"]["prefix"] + "_")
    assert data["attributes"]["scopes"] == ["users:read", "api_keys:read"]
    assert r.headers["location"] == f"/v1/api-keys/{data['id']}"
    new = {"Authorization": f"Bearer {secret}"}
    assert client.get("/v1/me", headers=new).json()["data"]["id"] == alice.id
    listed = client.get("/v1/api-keys", headers=alice.headers).json()
    assert [k["attributes"]["name"] for k in listed["data"]] == ["", "CI sync"]
    assert all("key" not in k["attributes"] for k in listed["data"])  # the secret is shown once
    shown = client.get(f"/v1/api-keys/{data['id']}", headers=new).json()["data"]["attributes"]
    assert shown["last_used_at"] is not None
    assert client.delete(f"/v1/api-keys/{data['id']}", headers=alice.headers).status_code == 204
    r = client.get("/v1/me", headers=new)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "AUTHENTICATION_ERROR"
    assert client.delete(f"/v1/api-keys/{data['id']}", headers=alice.headers).status_code == 204
    revoked = client.get(f"/v1/api-keys/{data['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert revoked["revoked_at"] is not None
    assert client.get("/v1/me", headers=alice.headers).status_code == 200


def test_other_peoples_keys_are_invisible(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob, role="admin")
    [bobs] = client.get("/v1/api-keys", headers=bob.headers).json()["data"]
    for method in ("get", "delete"):
        r = client.request(method, f"/v1/api-keys/{bobs['id']}", headers=alice.headers)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert client.get("/v1/me", headers=bob.headers).status_code == 200


def test_bound_key_sees_and_issues_only_bound_keys(client: httpx.Client, db: Database) -> None:
    alice = make_person(db, bind_workspace=True)
    other_ws = client.post(
        "/v1/workspaces", json={"name": "Other"}, headers={"Authorization": f"Bearer {_unbound_key(db, alice.user_id)}"}
    ).json()["data"]["id"]
    listed = client.get("/v1/api-keys", headers=alice.headers).json()["data"]
    assert [k["attributes"]["workspace_id"] for k in listed] == [alice.workspace]
    r = client.post("/v1/api-keys", json={"name": "child"}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["workspace_id"] == alice.workspace
    r = client.post("/v1/api-keys", json={"workspace_id": other_ws}, headers=alice.headers)
    assert r.status_code == 404


def _unbound_key(db: Database, user_id: int) -> str:
    with db.unit_of_work() as session:
        return create_api_key(session, None, user=get_user(session, user_id)).secret


def test_expired_key_is_refused(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    with db.unit_of_work() as session:
        expired = create_api_key(
            session, None, user=get_user(session, alice.user_id), expires_at=utcnow() - timedelta(seconds=1)
        ).secret
    r = client.get("/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401
    assert "expired" in r.json()["error"]["message"]


def test_foreign_workspace_binding_is_404(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    r = client.post("/v1/api-keys", json={"workspace_id": alice.workspace}, headers=mallory.headers)
    assert r.status_code == 404


def test_rotate_replaces_the_secret(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    body = {"name": "deploy", "scopes": ["users:read", "api_keys:write"]}
    old = client.post("/v1/api-keys", json=body, headers=alice.headers).json()["data"]
    old_headers = {"Authorization": f"Bearer {old['attributes']['key']}"}
    r = client.post(f"/v1/api-keys/{old['id']}/rotate", json={}, headers=old_headers)
    assert r.status_code == 201, r.text
    new = r.json()["data"]
    assert new["id"] != old["id"]
    assert new["attributes"]["name"] == "deploy"
    assert new["attributes"]["scopes"] == ["users:read", "api_keys:write"]
    assert client.get("/v1/me", headers=old_headers).status_code == 401
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {new['attributes']['key']}"}).status_code == 200
    r = client.post(f"/v1/api-keys/{old['id']}/rotate", json={}, headers=alice.headers)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "CONFLICT"


def test_rotate_with_a_grace_period(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    old = client.post("/v1/api-keys", json={"name": "ci"}, headers=alice.headers).json()["data"]
    r = client.post(f"/v1/api-keys/{old['id']}/rotate", json={"grace_period_seconds": 3600}, headers=alice.headers)
    assert r.status_code == 201
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {old['attributes']['key']}"}).status_code == 200
    attrs = client.get(f"/v1/api-keys/{old['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert attrs["revoked_at"] is None
    assert attrs["expires_at"] is not None
    for bad in ({"grace_period_seconds": -1}, {"grace_period_seconds": "soon"}, {"grace": 1}):
        r = client.post(f"/v1/api-keys/{old['id']}/rotate", json=bad, headers=alice.headers)
        assert r.status_code == 422, bad
