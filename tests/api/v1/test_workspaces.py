"""/v1/workspaces over HTTP."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from tests.factories.people import join, make_person


def test_create_workspace_from_spec_example(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    body = {
        "name": "Marketing Campaigns",
        "description": "Q1 marketing initiatives",
        "settings": {"default_view": "board", "timezone": "America/New_York"},
    }
    r = client.post("/v1/workspaces", json=body, headers=alice.headers)
    assert r.status_code == 201
    data = r.json()["data"]
    assert data["type"] == "workspace"
    assert data["id"].startswith("workspace_")
    assert data["attributes"]["name"] == "Marketing Campaigns"
    assert data["attributes"]["settings"] == {"default_view": "board", "timezone": "America/New_York"}
    assert r.headers["location"] == f"/v1/workspaces/{data['id']}"
    listed = client.get("/v1/workspaces", params={"limit": 50, "offset": 0}, headers=alice.headers).json()
    assert {w["id"] for w in listed["data"]} == {alice.workspace, data["id"]}
    assert listed["meta"]["total"] == 2


def test_update_merges_settings(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    ws = client.post(
        "/v1/workspaces", json={"name": "W", "settings": {"default_view": "board"}}, headers=alice.headers
    ).json()["data"]["id"]
    r = client.put(
        f"/v1/workspaces/{ws}",
        json={"name": "Updated Marketing Campaigns", "settings": {"theme": "dark"}},
        headers=alice.headers,
    )
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["name"] == "Updated Marketing Campaigns"
    assert attrs["settings"] == {"default_view": "board", "theme": "dark"}


def test_member_cannot_update_or_delete(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob, role="member")
    r = client.put(f"/v1/workspaces/{alice.workspace}", json={"name": "x"}, headers=bob.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert client.delete(f"/v1/workspaces/{alice.workspace}", headers=bob.headers).status_code == 403
    assert client.get(f"/v1/workspaces/{alice.workspace}", headers=bob.headers).status_code == 200


def test_foreign_workspace_is_404(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    r = client.get(f"/v1/workspaces/{alice.workspace}", headers=mallory.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"


def test_delete_workspace(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    ws = client.post("/v1/workspaces", json={"name": "Temp"}, headers=alice.headers).json()["data"]["id"]
    assert client.delete(f"/v1/workspaces/{ws}", headers=alice.headers).status_code == 204
    assert client.get(f"/v1/workspaces/{ws}", headers=alice.headers).status_code == 404


def test_bad_input(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = client.post("/v1/workspaces", json={"name": ""}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "name"
    r = client.post("/v1/workspaces", json={"name": "x", "colour": "red"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "colour"
    r = client.post(
        "/v1/workspaces", json={"name": "x", "settings": {"timezone": "Mars/Olympus"}}, headers=alice.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "settings.timezone"
    r = client.post(
        "/v1/workspaces", content=b'{"name": ', headers={**alice.headers, "content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_unauthenticated(client: httpx.Client) -> None:
    r = client.get("/v1/workspaces")
    assert r.status_code == 401
    body = r.json()["error"]
    assert body["code"] == "AUTHENTICATION_ERROR"
    assert body["request_id"] == r.headers["x-request-id"]
    r = client.get("/v1/workspaces", headers={"Authorization": "Bearer ptk_nope_nope"})
    assert r.status_code == 401
