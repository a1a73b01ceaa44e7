"""/v1/workspaces over HTTP.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

from typing import Any

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


def test_unauthenticated(client: httpx.Client) -> None:
    r = client.get("/v1/workspaces")
    assert r.status_code == 401
    body = r.json()["error"]
    assert body["code"] == "AUTHENTICATION_ERROR"
    assert body["request_id"] == r.headers["x-request-id"]
    r = client.get("/v1/workspaces", headers={"Authorization": "Bearer ptk_nope_nope"})
    assert r.status_code == 401


def _names(body: dict[str, Any]) -> list[str]:
    return [w["attributes"]["name"] for w in body["data"]]


def test_pagination_and_links(client: httpx.Client, db: Database) -> None:
    alice = make_person(db, name="Zed")
    for name in ("Delta", "Alpha", "Charlie", "Bravo"):
        assert client.post("/v1/workspaces", json={"name": name}, headers=alice.headers).status_code == 201
    # A full page, not asked for its total: nothing counted, so no total and no last link.
    r = client.get("/v1/workspaces", params={"sort": "name", "limit": 2}, headers=alice.headers)
    assert r.status_code == 200
    assert "total" not in r.json()["meta"]
    assert "last" not in r.json()["links"]
    assert r.json()["links"]["next"] is not None
    r = client.get("/v1/workspaces", params={"sort": "name", "limit": 2, "total": "true"}, headers=alice.headers)
    assert r.status_code == 200
    body = r.json()
    assert _names(body) == ["Alpha", "Bravo"]
    assert body["meta"]["total"] == 5
    assert (body["meta"]["limit"], body["meta"]["offset"]) == (2, 0)
    assert body["links"]["prev"] is None
    following = client.get(body["links"]["next"], headers=alice.headers).json()
    assert _names(following) == ["Charlie", "Delta"]
    last = client.get(following["links"]["last"], headers=alice.headers).json()
    assert _names(last) == ["Zed's workspace"]
    assert last["links"]["next"] is None
    r = client.get("/v1/workspaces", params={"sort": "name", "page": 2, "per_page": 3}, headers=alice.headers)
    body = r.json()
    assert _names(body) == ["Delta", "Zed's workspace"]
    assert (body["meta"]["page"], body["meta"]["per_page"]) == (2, 3)
    assert body["links"]["next"] is None
    assert body["links"]["prev"] is not None
    r = client.get("/v1/workspaces", params={"sort": "name", "offset": 4}, headers=alice.headers)
    assert _names(r.json()) == ["Zed's workspace"]
    r = client.get("/v1/workspaces", params={"per_page": 100_000}, headers=alice.headers)
    assert r.json()["meta"]["per_page"] == 100
    assert len(r.json()["data"]) == 5


def test_sort(client: httpx.Client, db: Database) -> None:
    alice = make_person(db, name="Zed")
    made = [
        client.post("/v1/workspaces", json={"name": name}, headers=alice.headers).json()["data"]["id"]
        for name in ("Same", "Other", "Same")
    ]
    r = client.get("/v1/workspaces", params={"sort": "-name"}, headers=alice.headers)
    assert _names(r.json()) == ["Zed's workspace", "Same", "Same", "Other"]
    r = client.get("/v1/workspaces", params={"sort": "name,-created_at"}, headers=alice.headers)
    assert [w["id"] for w in r.json()["data"]][:3] == [made[1], made[2], made[0]]
    r = client.get("/v1/workspaces", params={"sort": "-created_at"}, headers=alice.headers)
    assert [w["id"] for w in r.json()["data"]] == [*reversed(made), alice.workspace]
    r = client.get("/v1/workspaces", params={"sort": "colour"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "sort"


def test_sparse_fieldsets(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    ws = client.post("/v1/workspaces", json={"name": "W", "settings": {"theme": "dark"}}, headers=alice.headers).json()[
        "data"
    ]["id"]
    r = client.get("/v1/workspaces", params={"fields": "name"}, headers=alice.headers)
    assert all(set(w["attributes"]) == {"name"} for w in r.json()["data"])
    r = client.get(f"/v1/workspaces/{ws}", params={"fields[workspace]": "name,settings"}, headers=alice.headers)
    assert r.json()["data"]["attributes"] == {"name": "W", "settings": {"theme": "dark"}}
    assert r.json()["data"]["id"] == ws
    r = client.get(f"/v1/workspaces/{ws}", params={"fields": "name,colour"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "fields"
    r = client.get(f"/v1/workspaces/{ws}", params={"include": "projects"}, headers=alice.headers)
    assert r.status_code == 422


def test_bad_pagination(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    for params, field in (
        ({"limit": "ten"}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"page": 0}, "page"),
        ({"limit": 5, "page": 2}, "page"),
        ({"colour": "red"}, "colour"),
    ):
        r = client.get("/v1/workspaces", params=params, headers=alice.headers)
        assert r.status_code == 422, params
        assert r.json()["error"]["details"]["field"] == field


def test_bound_key_sees_only_its_workspace(client: httpx.Client, db: Database) -> None:
    alice = make_person(db, bind_workspace=True)
    bob = make_person(db)
    join(db, bob, alice, role="admin")
    listed = client.get("/v1/workspaces", headers=alice.headers).json()
    assert [w["id"] for w in listed["data"]] == [alice.workspace]
    assert listed["meta"]["total"] == 1
    assert client.get(f"/v1/workspaces/{alice.workspace}", headers=alice.headers).status_code == 200
    for r in (
        client.get(f"/v1/workspaces/{bob.workspace}", headers=alice.headers),
        client.put(f"/v1/workspaces/{bob.workspace}", json={"name": "x"}, headers=alice.headers),
    ):
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    r = client.post("/v1/workspaces", json={"name": "Escape"}, headers=alice.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert client.get("/v1/workspaces", headers=alice.headers).json()["meta"]["total"] == 1
    assert client.get("/v1/workspaces", headers=bob.headers).json()["meta"]["total"] == 1


def test_admin_updates_but_only_owner_deletes(client: httpx.Client, db: Database) -> None:
    alice, dave = make_person(db), make_person(db)
    join(db, alice, dave, role="admin")
    r = client.patch(f"/v1/workspaces/{alice.workspace}", json={"description": "by dave"}, headers=dave.headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["description"] == "by dave"
    r = client.delete(f"/v1/workspaces/{alice.workspace}", headers=dave.headers)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_role"] == ["owner"]
    assert client.get(f"/v1/workspaces/{alice.workspace}", headers=alice.headers).status_code == 200
