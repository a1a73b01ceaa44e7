"""/v1/me and /v1/workspaces/{id}/users: listing, roles, permission flags, removal.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.factories.people import Person, join, make_person

SPEC_UPDATE = {"role": "admin", "permissions": {"create_projects": True, "manage_users": True, "view_analytics": True}}


def users_url(person: Person, user: Person | None = None) -> str:
    base = f"/v1/workspaces/{person.workspace}/users"
    return f"{base}/{user.id}" if user else base


def ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["data"]]


def error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    err: dict[str, Any] = r.json()["error"]
    assert err["code"] == code
    return err


@pytest.fixture
def team(db: Database) -> dict[str, Person]:
    """Alice owns a workspace with an admin, two members and a viewer in various departments."""
    people = {
        "alice": make_person(db, name="Alice", department="management"),
        "bob": make_person(db, name="Bob", department="engineering"),
        "carol": make_person(db, name="Carol", department="sales"),
        "dave": make_person(db, name="Dave", department="Engineering"),
        "erin": make_person(db, name="Erin", department="engineering"),
    }
    join(db, people["alice"], people["bob"], role="member")
    join(db, people["alice"], people["carol"], role="member")
    join(db, people["alice"], people["dave"], role="admin")
    join(db, people["alice"], people["erin"], role="viewer")
    return people


def test_me(client: httpx.Client, db: Database) -> None:
    alice = make_person(db, name="Alice Smith", email="Alice@Example.com", department="design")
    r = client.get("/v1/me", headers=alice.headers)
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["id"] == alice.id
    assert data["type"] == "user"
    assert data["attributes"]["email"] == "alice@example.com"
    assert data["attributes"]["name"] == "Alice Smith"
    assert data["attributes"]["department"] == "design"
    assert data["attributes"]["role"] == "user"
    bound = make_person(db, bind_workspace=True, role="manager")
    me = client.get("/v1/me", headers=bound.headers).json()["data"]
    assert (me["id"], me["attributes"]["role"]) == (bound.id, "manager")
    error(client.get("/v1/me"), 401, "AUTHENTICATION_ERROR")


def test_list_users_with_spec_filters(client: httpx.Client, team: dict[str, Person]) -> None:
    alice, bob = team["alice"], team["bob"]
    r = client.get(users_url(alice), params={"role": "member", "department": "engineering"}, headers=bob.headers)
    assert r.status_code == 200
    body = r.json()
    assert ids(body) == [bob.id]
    assert body["meta"]["total"] == 1
    member = body["data"][0]["attributes"]
    assert member["role"] == "member"
    assert member["department"] == "engineering"
    assert member["permissions"] == {"create_projects": True, "manage_users": False, "view_analytics": False}
    # Department matching ignores case; role alone filters by the workspace role.
    r = client.get(users_url(alice), params={"department": "ENGINEERING", "sort": "name"}, headers=bob.headers)
    assert ids(r.json()) == [bob.id, team["dave"].id, team["erin"].id]
    r = client.get(users_url(alice), params={"role": "owner"}, headers=bob.headers)
    assert ids(r.json()) == [alice.id]
    r = client.get(users_url(alice), params={"role": "viewer"}, headers=bob.headers)
    assert ids(r.json()) == [team["erin"].id]
    everyone = client.get(users_url(alice), headers=team["erin"].headers).json()
    assert everyone["meta"]["total"] == 5


def test_list_users_pagination_sort_and_fields(client: httpx.Client, team: dict[str, Person]) -> None:
    alice = team["alice"]
    names = ["Alice", "Bob", "Carol", "Dave", "Erin"]
    r = client.get(
        users_url(alice), params={"sort": "-name", "limit": 2, "offset": 1, "total": "true"}, headers=alice.headers
    )
    body = r.json()
    assert [d["attributes"]["name"] for d in body["data"]] == ["Dave", "Carol"]
    assert body["meta"]["total"] == 5
    assert "offset=3" in body["links"]["next"]
    r = client.get(users_url(alice), params={"sort": "name", "page": 3, "per_page": 2}, headers=alice.headers)
    body = r.json()
    assert [d["attributes"]["name"] for d in body["data"]] == names[4:]
    assert body["links"]["next"] is None
    assert body["meta"]["page"] == 3
    r = client.get(users_url(alice), params={"sort": "role,name"}, headers=alice.headers)
    roles = [(d["attributes"]["role"], d["attributes"]["name"]) for d in r.json()["data"]]
    # Roles sort by rank, owner first.
    assert roles == [("owner", "Alice"), ("admin", "Dave"), ("member", "Bob"), ("member", "Carol"), ("viewer", "Erin")]
    r = client.get(users_url(alice), params={"fields": "name,role", "sort": "name", "limit": 1}, headers=alice.headers)
    assert r.json()["data"][0]["attributes"] == {"name": "Alice", "role": "owner"}


def test_list_users_bad_query(client: httpx.Client, team: dict[str, Person]) -> None:
    alice = team["alice"]
    err = error(
        client.get(users_url(alice), params={"role": "superuser"}, headers=alice.headers), 422, "VALIDATION_ERROR"
    )
    assert err["details"]["field"] == "role"
    err = error(client.get(users_url(alice), params={"team": "x"}, headers=alice.headers), 422, "VALIDATION_ERROR")
    assert err["details"]["field"] == "team"
    err = error(client.get(users_url(alice), params={"sort": "salary"}, headers=alice.headers), 422, "VALIDATION_ERROR")
    assert err["details"]["field"] == "sort"
    err = error(client.get(users_url(alice), params={"limit": 0}, headers=alice.headers), 422, "VALIDATION_ERROR")
    assert err["details"]["field"] == "limit"


def test_get_member(client: httpx.Client, team: dict[str, Person], db: Database) -> None:
    alice, dave = team["alice"], team["dave"]
    r = client.get(users_url(alice, dave), headers=team["erin"].headers)
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["id"] == dave.id
    assert data["attributes"]["role"] == "admin"
    assert data["attributes"]["global_role"] == "user"
    assert data["attributes"]["permissions"] == {"create_projects": True, "manage_users": True, "view_analytics": True}
    assert data["relationships"]["workspace"]["data"] == {"type": "workspace", "id": alice.workspace}
    outsider = make_person(db)
    error(client.get(users_url(alice, outsider), headers=alice.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.get(users_url(alice, dave), headers=outsider.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.get(f"{users_url(alice)}/user_abc", headers=alice.headers), 404, "RESOURCE_NOT_FOUND")


def test_update_member_with_spec_example(client: httpx.Client, team: dict[str, Person]) -> None:
    alice, bob = team["alice"], team["bob"]
    r = client.put(users_url(alice, bob), json=SPEC_UPDATE, headers=alice.headers)
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["role"] == "admin"
    assert attrs["permissions"] == SPEC_UPDATE["permissions"]
    again = client.get(users_url(alice, bob), headers=bob.headers).json()["data"]["attributes"]
    assert again["role"] == "admin"
    # Bob, now an admin with manage_users, can change members' flags.
    carol = team["carol"]
    r = client.patch(users_url(alice, carol), json={"permissions": {"create_projects": False}}, headers=bob.headers)
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["role"] == "member"
    assert attrs["permissions"] == {"create_projects": False, "manage_users": False, "view_analytics": False}


def test_patch_department_and_partial_permissions(client: httpx.Client, team: dict[str, Person]) -> None:
    alice, carol = team["alice"], team["carol"]
    r = client.patch(
        users_url(alice, carol),
        json={"department": "engineering", "permissions": {"view_analytics": True}},
        headers=alice.headers,
    )
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["department"] == "engineering"
    assert attrs["permissions"] == {"create_projects": True, "manage_users": False, "view_analytics": True}
    r = client.get(users_url(alice), params={"department": "engineering", "role": "member"}, headers=alice.headers)
    assert set(ids(r.json())) == {team["bob"].id, carol.id}
    # null drops the explicit flag, so the role's default applies again.
    r = client.patch(users_url(alice, carol), json={"permissions": {"view_analytics": None}}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["permissions"]["view_analytics"] is False


def test_department_is_per_workspace(client: httpx.Client, team: dict[str, Person], db: Database) -> None:
    """An admin of one workspace cannot rewrite what another workspace sees about a person."""
    alice, carol = team["alice"], team["carol"]
    other = make_person(db, name="Other owner")
    join(db, other, carol, role="member")
    r = client.patch(users_url(alice, carol), json={"department": "support"}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["department"] == "support"
    seen_elsewhere = client.get(users_url(other, carol), headers=other.headers).json()["data"]["attributes"]
    assert seen_elsewhere["department"] == "sales"
    r = client.get(users_url(other), params={"department": "support"}, headers=other.headers)
    assert ids(r.json()) == []
    r = client.get(users_url(alice), params={"department": "SUPPORT"}, headers=alice.headers)
    assert ids(r.json()) == [carol.id]


def test_member_without_manage_users_is_denied(client: httpx.Client, team: dict[str, Person]) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    err = error(client.put(users_url(alice, carol), json=SPEC_UPDATE, headers=bob.headers), 403, "PERMISSION_DENIED")
    assert err["details"]["required_permission"] == "manage_users"
    error(client.delete(users_url(alice, carol), headers=bob.headers), 403, "PERMISSION_DENIED")
    # Granted the flag, Bob may manage members, but not hand out admin or owner.
    client.patch(users_url(alice, bob), json={"permissions": {"manage_users": True}}, headers=alice.headers)
    r = client.patch(users_url(alice, carol), json={"role": "viewer"}, headers=bob.headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["role"] == "viewer"
    error(client.patch(users_url(alice, carol), json={"role": "admin"}, headers=bob.headers), 403, "PERMISSION_DENIED")
    error(client.patch(users_url(alice, bob), json={"role": "admin"}, headers=bob.headers), 403, "PERMISSION_DENIED")
    error(
        client.patch(
            users_url(alice, team["dave"]), json={"permissions": {"manage_users": False}}, headers=bob.headers
        ),
        403,
        "PERMISSION_DENIED",
    )
    error(client.delete(users_url(alice, team["dave"]), headers=bob.headers), 403, "PERMISSION_DENIED")
    assert (
        client.get(users_url(alice, team["dave"]), headers=alice.headers).json()["data"]["attributes"]["role"]
        == "admin"
    )


def test_only_owners_grant_owner(client: httpx.Client, team: dict[str, Person]) -> None:
    alice, bob, dave = team["alice"], team["bob"], team["dave"]
    err = error(
        client.put(users_url(alice, bob), json={"role": "owner"}, headers=dave.headers), 403, "PERMISSION_DENIED"
    )
    assert err["details"]["required_role"] == "owner"
    error(client.put(users_url(alice, dave), json={"role": "owner"}, headers=dave.headers), 403, "PERMISSION_DENIED")
    error(client.put(users_url(alice, alice), json={"role": "member"}, headers=dave.headers), 403, "PERMISSION_DENIED")
    error(client.delete(users_url(alice, alice), headers=dave.headers), 403, "PERMISSION_DENIED")
    r = client.put(users_url(alice, dave), json={"role": "owner"}, headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["role"] == "owner"
    owners = client.get(users_url(alice), params={"role": "owner"}, headers=alice.headers).json()
    assert set(ids(owners)) == {alice.id, dave.id}


def test_last_owner_cannot_be_demoted_or_removed(client: httpx.Client, team: dict[str, Person]) -> None:
    alice, dave = team["alice"], team["dave"]
    error(client.patch(users_url(alice, alice), json={"role": "admin"}, headers=alice.headers), 409, "CONFLICT")
    error(client.delete(users_url(alice, alice), headers=alice.headers), 409, "CONFLICT")
    assert client.get(users_url(alice, alice), headers=alice.headers).json()["data"]["attributes"]["role"] == "owner"
    # With a second owner, the first may step down, and then the second is the last one.
    client.patch(users_url(alice, dave), json={"role": "owner"}, headers=alice.headers)
    r = client.patch(users_url(alice, alice), json={"role": "member"}, headers=alice.headers)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["role"] == "member"
    error(client.delete(users_url(alice, dave), headers=dave.headers), 409, "CONFLICT")


def test_viewer(client: httpx.Client, team: dict[str, Person]) -> None:
    alice, erin, bob = team["alice"], team["erin"], team["bob"]
    attrs = client.get(users_url(alice, erin), headers=erin.headers).json()["data"]["attributes"]
    assert attrs["permissions"] == {"create_projects": False, "manage_users": False, "view_analytics": False}
    error(client.patch(users_url(alice, bob), json={"role": "viewer"}, headers=erin.headers), 403, "PERMISSION_DENIED")
    error(client.patch(users_url(alice, erin), json={"role": "member"}, headers=erin.headers), 403, "PERMISSION_DENIED")
    invite = {"emails": ["someone@example.com"]}
    error(
        client.post(f"/v1/workspaces/{alice.workspace}/invites", json=invite, headers=erin.headers),
        403,
        "PERMISSION_DENIED",
    )
    # Anyone may leave a workspace.
    assert client.delete(users_url(alice, erin), headers=erin.headers).status_code == 204
    error(client.get(f"/v1/workspaces/{alice.workspace}", headers=erin.headers), 404, "RESOURCE_NOT_FOUND")


def test_remove_member(client: httpx.Client, team: dict[str, Person]) -> None:
    alice, bob, dave = team["alice"], team["bob"], team["dave"]
    assert client.delete(users_url(alice, bob), headers=dave.headers).status_code == 204
    assert bob.id not in ids(client.get(users_url(alice), headers=alice.headers).json())
    error(client.get(f"/v1/workspaces/{alice.workspace}", headers=bob.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.get(users_url(alice, bob), headers=alice.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.delete(users_url(alice, bob), headers=alice.headers), 404, "RESOURCE_NOT_FOUND")
    # An owner may remove an admin; the personal workspace of the removed person is untouched.
    assert client.delete(users_url(alice, dave), headers=alice.headers).status_code == 204
    assert client.get(f"/v1/workspaces/{bob.workspace}", headers=bob.headers).status_code == 200


def test_bound_key_sees_only_its_workspace_members(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    bound = make_person(db, bind_workspace=True)
    join(db, alice, bound, role="admin")
    assert client.get(users_url(bound), headers=bound.headers).status_code == 200
    error(client.get(users_url(alice), headers=bound.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.get(users_url(alice, alice), headers=bound.headers), 404, "RESOURCE_NOT_FOUND")


def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    client: httpx.Client, db: Database, base_url: str
) -> None:
    def demote(actor: Person, target: Person, workspace: str) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as c:
            url = f"/v1/workspaces/{workspace}/users/{target.id}"
            return c.patch(url, json={"role": "member"}, headers=actor.headers).status_code

    for _ in range(12):
        alice, bob = make_person(db), make_person(db)
        join(db, alice, bob, role="owner")
        with ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(demote, [alice, bob], [bob, alice], [alice.workspace] * 2))
        assert codes[0] == 200
        assert codes[1] in (403, 409)  # the loser is no longer an owner, or would remove the last one
        owners = client.get(users_url(alice), params={"role": "owner"}, headers=bob.headers).json()
        assert owners["meta"]["total"] == 1
