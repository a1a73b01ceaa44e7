"""/v1/admin/users: server admins manage accounts. Who may (admins with an unbound credential
carrying `users:read` / `users:write`; everyone else 403), what each operation changes, how it is audited
(user.created, user.updated in the server's audit log), and the guards (not yourself, not the
last admin, unknown ids 404, bad input 422 naming the field)."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from tests.factories.people import make_person


def _events(client: httpx.Client, headers: dict[str, str], user_id: str) -> list[dict[str, object]]:
    r = client.get(f"/v1/audit-log?resource_type=user&resource_id={user_id}", headers=headers)
    assert r.status_code == 200, r.text
    return [e["attributes"] for e in r.json()["data"]]


def test_an_admin_lists_creates_changes_disables_and_enables_accounts(client: httpx.Client, db: Database) -> None:
    admin = make_person(db, role="admin", name="Root")
    bob = make_person(db, name="Bob")
    h = admin.headers

    listed = client.get("/v1/admin/users", headers=h)
    assert listed.status_code == 200, listed.text
    assert [u["id"] for u in listed.json()["data"]] == [admin.id, bob.id]
    first = listed.json()["data"][0]["attributes"]
    assert (first["role"], first["active"], first["has_password"]) == ("admin", True, False)

    r = client.post(
        "/v1/admin/users",
        json={"email": "Dana@Example.com", "name": "Dana", "role": "manager", "password": "correct horse"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    dana = r.json()["data"]
    assert r.headers["location"] == f"/v1/admin/users/{dana['id']}"
    assert dana["attributes"]["email"] == "dana@example.com"
    assert (dana["attributes"]["role"], dana["attributes"]["has_password"]) == ("manager", True)
    # The new account has its personal workspace, like `polytask users create`.
    assert client.get(f"/v1/admin/users/{dana['id']}", headers=h).json()["data"] == dana

    r = client.patch(f"/v1/admin/users/{bob.id}", json={"role": "manager", "name": "Robert"}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["data"]["attributes"]["role"], r.json()["data"]["attributes"]["name"]) == ("manager", "Robert")

    r = client.post(f"/v1/admin/users/{bob.id}/disable", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["active"] is False
    assert client.get("/v1/me", headers=bob.headers).status_code == 401, "a disabled account's key is refused"
    only_disabled = client.get("/v1/admin/users?active=false", headers=h).json()["data"]
    assert [u["id"] for u in only_disabled] == [bob.id]
    managers = client.get("/v1/admin/users?role=manager&sort=-created_at", headers=h).json()["data"]
    assert [u["id"] for u in managers] == [dana["id"], bob.id]

    r = client.post(f"/v1/admin/users/{bob.id}/enable", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["active"] is True
    assert client.get("/v1/me", headers=bob.headers).status_code == 200

    # Audited: who did it, with which credential, what changed.
    events = _events(client, h, bob.id)
    assert [e["type"] for e in events] == ["user.updated", "user.updated", "user.updated", "user.created"]
    assert all(e["actor_id"] == admin.id and e["credential_kind"] == "api_key" for e in events[:3])
    assert events[2]["changes"] == {"role": {"from": "user", "to": "manager"}, "name": {"from": "Bob", "to": "Robert"}}
    assert events[1]["changes"] == {"is_active": {"from": True, "to": False}}
    assert [e["type"] for e in _events(client, h, dana["id"])] == ["user.created"]


def test_only_server_admins_with_an_unbound_credential_of_the_users_scopes(client: httpx.Client, db: Database) -> None:
    admin = make_person(db, role="admin")
    manager = make_person(db, role="manager")
    user = make_person(db)
    bound = make_person(db, role="admin", bind_workspace=True)
    scoped = make_person(db, role="admin", scopes=["tasks:read", "tasks:write"])
    calls = [
        ("GET", "/v1/admin/users", None),
        ("GET", f"/v1/admin/users/{user.id}", None),
        ("POST", "/v1/admin/users", {"email": "eve@example.com"}),
        ("PATCH", f"/v1/admin/users/{user.id}", {"role": "admin"}),
        ("POST", f"/v1/admin/users/{user.id}/disable", None),
        ("POST", f"/v1/admin/users/{user.id}/enable", None),
    ]
    for method, path, body in calls:
        assert client.request(method, path, json=body).status_code == 401
        for who in (manager, user, bound, scoped):
            r = client.request(method, path, json=body, headers=who.headers)
            assert r.status_code == 403, (method, path, r.text)
            assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    # The refusal comes before any lookup: an existing and a missing account answer alike.
    for path in (f"/v1/admin/users/{user.id}", "/v1/admin/users/user_987654"):
        r = client.get(path, headers=user.headers)
        assert (r.status_code, r.json()["error"]["details"]) == (403, {"required_role": "admin"})
    r = client.get(f"/v1/admin/users/{user.id}", headers=admin.headers)
    assert r.json()["data"]["attributes"]["role"] == "user", "nothing was changed by the refused calls"
    assert client.get("/v1/admin/users", headers=admin.headers).json()["meta"]["total"] == 5


def test_guards_and_bad_input(client: httpx.Client, db: Database) -> None:
    admin = make_person(db, role="admin")
    bob = make_person(db)
    h = admin.headers
    for path in ("/v1/admin/users/user_999", "/v1/admin/users/user_999/disable"):
        method = "GET" if path.endswith("999") else "POST"
        r = client.request(method, path, headers=h)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    # Not yourself, and never the last active admin.
    r = client.post(f"/v1/admin/users/{admin.id}/disable", headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "active"
    r = client.patch(f"/v1/admin/users/{admin.id}", json={"role": "user"}, headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "role"
    for body, field in (
        ({"role": "owner"}, "role"),
        ({"active": "maybe"}, "active"),
        ({"is_active": False}, "is_active"),
        ({"name": "x" * 201}, "name"),
    ):
        r = client.patch(f"/v1/admin/users/{bob.id}", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text
    for body, field in (
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.com", "password": "short"}, "password"),
    ):
        r = client.post("/v1/admin/users", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text
    r = client.post("/v1/admin/users", json={"email": bob.email}, headers=h)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "CONFLICT"
    assert client.get("/v1/admin/users", headers=h).json()["meta"]["total"] == 2


def test_an_admin_lists_and_revokes_an_accounts_api_keys(client: httpx.Client, db: Database) -> None:
    admin = make_person(db, role="admin")
    bob = make_person(db)
    other = make_person(db)
    h = admin.headers
    made = client.post("/v1/api-keys", json={"name": "CI sync"}, headers=bob.headers)
    assert made.status_code == 201, made.text
    ci = made.json()["data"]
    ci_headers = {"Authorization": f"Bearer {ci['attributes']['key']}"}

    listed = client.get(f"/v1/admin/users/{bob.id}/api-keys", headers=h)
    assert listed.status_code == 200, listed.text
    keys = listed.json()["data"]
    assert len(keys) == 2, "bob's two keys"
    assert keys[1]["id"] == ci["id"], "oldest first"
    assert all("key" not in k["attributes"] for k in keys), "never the secret"
    assert all(k["attributes"]["revoked_at"] is None for k in keys)
    named = client.get(f"/v1/admin/users/{bob.id}/api-keys?name=CI%20sync", headers=h).json()["data"]
    assert [k["id"] for k in named] == [ci["id"]]
    other_keys = client.get(f"/v1/admin/users/{other.id}/api-keys", headers=h).json()["data"]
    assert len(other_keys) == 1
    assert other_keys[0]["id"] not in {k["id"] for k in keys}

    # Another account's key under bob's path is not found, and stays live.
    r = client.delete(f"/v1/admin/users/{bob.id}/api-keys/{other_keys[0]['id']}", headers=h)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "RESOURCE_NOT_FOUND")
    assert client.get("/v1/me", headers=other.headers).status_code == 200
    for path in (
        "/v1/admin/users/user_987654/api-keys",
        f"/v1/admin/users/user_987654/api-keys/{ci['id']}",
        f"/v1/admin/users/{bob.id}/api-keys/key_987654",
    ):
        method = "GET" if path.endswith("api-keys") else "DELETE"
        r = client.request(method, path, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "RESOURCE_NOT_FOUND"), path

    assert client.get("/v1/me", headers=ci_headers).status_code == 200
    r = client.delete(f"/v1/admin/users/{bob.id}/api-keys/{ci['id']}", headers=h)
    assert r.status_code == 204, r.text
    assert client.get("/v1/me", headers=ci_headers).status_code == 401, "a revoked key is refused at once"
    assert client.get("/v1/me", headers=bob.headers).status_code == 200, "bob's other key still works"
    again = client.delete(f"/v1/admin/users/{bob.id}/api-keys/{ci['id']}", headers=h)
    assert again.status_code == 204, "revoking twice is harmless"
    after = client.get(f"/v1/admin/users/{bob.id}/api-keys", headers=h).json()["data"]
    assert [k["attributes"]["revoked_at"] is not None for k in after] == [False, True]

    r = client.get(f"/v1/audit-log?resource_type=api_key&resource_id={ci['id']}", headers=h)
    assert r.status_code == 200, r.text
    revoked = [e["attributes"] for e in r.json()["data"] if e["attributes"]["type"] == "api_key.revoked"]
    assert len(revoked) == 1, "audited once, by the admin"
    assert (revoked[0]["actor_id"], revoked[0]["credential_kind"]) == (admin.id, "api_key")


def test_only_server_admins_see_or_revoke_an_accounts_keys(client: httpx.Client, db: Database) -> None:
    admin = make_person(db, role="admin")
    bob = make_person(db)
    manager = make_person(db, role="manager")
    bound = make_person(db, role="admin", bind_workspace=True)
    key_id = client.get(f"/v1/admin/users/{bob.id}/api-keys", headers=admin.headers).json()["data"][0]["id"]
    calls = [
        ("GET", f"/v1/admin/users/{bob.id}/api-keys"),
        ("DELETE", f"/v1/admin/users/{bob.id}/api-keys/{key_id}"),
        ("POST", f"/v1/admin/users/{bob.id}/password-reset"),
        ("POST", f"/v1/admin/users/{bob.id}/password"),
    ]
    body = {"password": "a long enough one"}
    for method, path in calls:
        assert client.request(method, path, json=body if path.endswith("password") else None).status_code == 401
        for who in (bob, manager, bound):
            r = client.request(method, path, json=body if path.endswith("password") else None, headers=who.headers)
            assert r.status_code == 403, (method, path, r.text)
            assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert client.get("/v1/me", headers=bob.headers).status_code == 200, "the refused revocation changed nothing"
