"""/v1/users: the people the caller shares a workspace with (404 for anyone else), filtered,
searched and sorted through the query engine; server admins see everyone and create, change and
deactivate accounts with the operations behind /v1/admin/users (events user.created/updated)."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from tests.factories.people import join, make_person


def _ids(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [u["id"] for u in r.json()["data"]]


def test_people_one_shares_a_workspace_with_and_nobody_else(client: httpx.Client, db: Database) -> None:
    # Emails of their own: the factory's person<n>@ could hold the digits searched for below.
    ann = make_person(db, name="Ann Archer", email="ann.archer@example.com", department="Sales")
    bob = make_person(db, name="Bob Baker", email="bob.baker@example.com", department="Engineering")
    cyd = make_person(db, name="Cyd Cole", email="cyd.cole@example.com", role="manager", department="engineering")
    out = make_person(db, name="Oscar Outsider")
    join(db, ann, bob, role="admin")
    join(db, ann, cyd, role="viewer")
    join(db, out, bob)  # Bob is also in a workspace Ann does not see

    assert _ids(client.get("/v1/users", headers=ann.headers)) == [ann.id, bob.id, cyd.id]
    listed = client.get("/v1/users?total=true", headers=ann.headers).json()
    assert listed["meta"]["total"] == 3
    attrs = listed["data"][1]["attributes"]
    assert attrs == {
        "name": "Bob Baker",
        "username": attrs["username"],
        "email": "bob.baker@example.com",
        "role": "user",
        "department": "Engineering",
        "active": True,
        "created_at": attrs["created_at"],
    }
    # Oscar sees Bob (they share Oscar's workspace) but not Ann or Cyd.
    assert _ids(client.get("/v1/users", headers=out.headers)) == [bob.id, out.id]
    assert client.get(f"/v1/users/{bob.id}", headers=out.headers).status_code == 200
    for who, path in ((out, f"/v1/users/{ann.id}"), (ann, f"/v1/users/{out.id}"), (ann, "/v1/users/user_999999")):
        r = client.get(path, headers=who.headers)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert client.get("/v1/users/user_x", headers=ann.headers).status_code == 404
    assert client.get("/v1/users").status_code == 401
    assert client.get(f"/v1/users/{ann.id}").status_code == 401

    # Filters through the query engine, search over name/email/username in any case, sorts.
    h = ann.headers
    assert _ids(client.get("/v1/users?department=ENGINEERING&sort=-name", headers=h)) == [cyd.id, bob.id]
    assert _ids(client.get("/v1/users?role=manager", headers=h)) == [cyd.id]
    assert _ids(client.get("/v1/users?role[ne]=manager&sort=-created_at", headers=h)) == [bob.id, ann.id]
    assert _ids(client.get("/v1/users?search=BAKER", headers=h)) == [bob.id]
    assert _ids(client.get("/v1/users?search=bob.baker@example", headers=h)) == [bob.id]
    assert _ids(client.get("/v1/users?search=c", headers=h)) == [ann.id, bob.id, cyd.id]
    assert _ids(client.get("/v1/users?search=cole%20cyd", headers=h)) == [cyd.id]
    assert _ids(client.get("/v1/users?search=50%25", headers=h)) == []
    assert _ids(client.get(f"/v1/users?workspace_id={ann.workspace}", headers=h)) == [ann.id, bob.id, cyd.id]
    assert _ids(client.get(f"/v1/users?workspace_id={out.workspace}", headers=out.headers)) == [bob.id, out.id]
    # Naming a workspace one cannot see is a 404 under any operator: it would tell who is in it.
    for q in (
        f"workspace_id={out.workspace}",
        f"workspace_id[ne]={out.workspace}",
        f"filter=workspace_id != {out.workspace}",
    ):
        r = client.get(f"/v1/users?{q}", headers=h)
        assert r.status_code == 404, (q, r.text)
    either = client.get("/v1/users?filter=name like 'ann' or role = manager&sort=name", headers=h)
    assert _ids(either) == [ann.id, cyd.id]
    page = client.get("/v1/users?limit=2&sort=name", headers=h).json()
    assert [u["id"] for u in page["data"]] == [ann.id, bob.id]
    rest = client.get("/v1/users?limit=2&offset=2&sort=name", headers=h)
    assert _ids(rest) == [cyd.id]
    for q, field in (
        ("role=owner", "role"),
        ("active=perhaps", "active"),
        ("sort=password", "sort"),
        ("colour=red", "colour"),
        ("search=%20", "search"),
        ("created_at[gt]=yesterdayish", "created_at[gt]"),
    ):
        r = client.get(f"/v1/users?{q}", headers=h)
        assert r.status_code == 422, (q, r.text)
        assert r.json()["error"]["details"]["field"] == field, (q, r.text)

    # A credential bound to one workspace sees the people of that workspace only.
    bound = make_person(db, bind_workspace=True)
    join(db, bound, bob)
    assert _ids(client.get("/v1/users", headers=bound.headers)) == [bob.id, bound.id]


def test_server_admins_create_change_and_deactivate(client: httpx.Client, db: Database) -> None:
    admin = make_person(db, role="admin", name="Root")
    ann = make_person(db, name="Ann")
    bob = make_person(db, name="Bob")
    h = admin.headers
    # An admin sees everyone, shared workspace or not; a workspace-bound admin key does not.
    assert _ids(client.get("/v1/users?sort=created_at", headers=h)) == [admin.id, ann.id, bob.id]
    assert client.get(f"/v1/users/{ann.id}", headers=h).status_code == 200

    r = client.post("/v1/users", json={"email": "Dana@Example.com", "name": "Dana", "role": "manager"}, headers=h)
    assert r.status_code == 201, r.text
    dana = r.json()["data"]
    assert r.headers["location"] == f"/v1/users/{dana['id']}"
    assert (dana["attributes"]["email"], dana["attributes"]["role"], dana["attributes"]["active"]) == (
        "dana@example.com",
        "manager",
        True,
    )
    assert client.get(f"/v1/users/{dana['id']}", headers=h).json()["data"] == dana

    r = client.patch(f"/v1/users/{ann.id}", json={"name": "Annie", "role": "manager"}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["data"]["attributes"]["name"], r.json()["data"]["attributes"]["role"]) == ("Annie", "manager")

    r = client.delete(f"/v1/users/{bob.id}", headers=h)
    assert r.status_code == 204, r.text
    assert client.get("/v1/me", headers=bob.headers).status_code == 401, "a deactivated account's key is refused"
    shown = client.get(f"/v1/users/{bob.id}", headers=h).json()["data"]["attributes"]
    assert shown["active"] is False, "deactivated, not deleted"
    assert _ids(client.get("/v1/users?active=false", headers=h)) == [bob.id]
    assert client.delete(f"/v1/users/{bob.id}", headers=h).status_code == 204, "twice is harmless"
    r = client.patch(f"/v1/users/{bob.id}", json={"active": True}, headers=h)
    assert r.json()["data"]["attributes"]["active"] is True
    assert client.get("/v1/me", headers=bob.headers).status_code == 200

    events = client.get("/v1/audit-log?resource_type=user&sort=id", headers=h).json()["data"]
    mine = [
        (e["attributes"]["type"], e["attributes"]["resource_id"])
        for e in events
        if e["attributes"]["actor_id"] == admin.id
    ]
    assert mine == [
        ("user.created", dana["id"]),
        ("user.updated", ann.id),
        ("user.updated", bob.id),
        ("user.updated", bob.id),
    ]

    # Guards and bad input: never yourself, 422 naming the field, 404 for a missing account.
    for path, body, field in (
        (f"/v1/users/{admin.id}", {"role": "user"}, "role"),
        (f"/v1/users/{ann.id}", {"role": "owner"}, "role"),
        (f"/v1/users/{ann.id}", {"active": "maybe"}, "active"),
        (f"/v1/users/{ann.id}", {"email": "x@example.com"}, "email"),
    ):
        r = client.patch(path, json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text
    r = client.delete(f"/v1/users/{admin.id}", headers=h)
    assert (r.status_code, r.json()["error"]["details"]["field"]) == (422, "active")
    for body, field in (({"email": "nope"}, "email"), ({"email": "e@example.com", "password": "short"}, "password")):
        r = client.post("/v1/users", json=body, headers=h)
        assert r.status_code == 422, r.text
        assert field in r.text
    assert client.post("/v1/users", json={"email": ann.email}, headers=h).status_code == 409
    for method in ("PATCH", "DELETE"):
        r = client.request(
            method, "/v1/users/user_999999", json={"name": "x"} if method == "PATCH" else None, headers=h
        )
        assert r.status_code == 404, r.text
    assert client.get("/v1/users?total=true", headers=h).json()["meta"]["total"] == 4


def test_only_server_admins_write_and_strangers_are_404(client: httpx.Client, db: Database) -> None:
    admin = make_person(db, role="admin")
    ann = make_person(db, name="Ann", role="manager")
    bob = make_person(db, name="Bob")
    stranger = make_person(db, name="Stranger")
    join(db, ann, bob)
    bound_admin = make_person(db, role="admin", bind_workspace=True)
    read_only = make_person(db, role="admin", scopes=["users:read"])
    # Not an admin: 403 for someone one sees, 404 for someone one does not.
    for who in (ann, bob):
        assert client.post("/v1/users", json={"email": "eve@example.com"}, headers=who.headers).status_code == 403
        other = bob if who is ann else ann
        for method, body in (("PATCH", {"name": "X"}), ("DELETE", None)):
            r = client.request(method, f"/v1/users/{other.id}", json=body, headers=who.headers)
            assert (r.status_code, r.json()["error"]["code"]) == (403, "PERMISSION_DENIED"), r.text
            r = client.request(method, f"/v1/users/{stranger.id}", json=body, headers=who.headers)
            assert r.status_code == 404, r.text
    # An admin's workspace-bound key sees only that workspace, and cannot manage accounts.
    assert _ids(client.get("/v1/users", headers=bound_admin.headers)) == [bound_admin.id]
    assert client.post("/v1/users", json={"email": "eve@example.com"}, headers=bound_admin.headers).status_code == 403
    # Scopes: users:read lists, users:write is needed to change.
    assert client.get("/v1/users", headers=read_only.headers).status_code == 200
    r = client.post("/v1/users", json={"email": "eve@example.com"}, headers=read_only.headers)
    assert r.status_code == 403, r.text
    tasks_only = make_person(db, scopes=["tasks:read"])
    assert client.get("/v1/users", headers=tasks_only.headers).status_code == 403
    assert client.post("/v1/users", json={"email": "eve@example.com"}).status_code == 401
    # Nothing was changed by the refusals.
    names = {u["id"]: u["attributes"]["name"] for u in client.get("/v1/users", headers=admin.headers).json()["data"]}
    assert (names[ann.id], names[bob.id]) == ("Ann", "Bob")
    assert "eve@example.com" not in client.get("/v1/users?search=eve", headers=admin.headers).text
