"""/v1/workspaces/{id}/invites and /v1/invites/accept over HTTP.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from polytask.core.actor import system_actor
from polytask.core.db import Database
from polytask.domain.members.schemas import InviteCreate
from polytask.domain.members.service import create_invites
from tests.factories.people import Person, join, make_person

SPEC_INVITE = {
    "emails": ["newuser@company.com", "another@company.com"],
    "role": "member",
    "message": "Welcome to our Taskade workspace!",
}


def invites_url(owner: Person) -> str:
    return f"/v1/workspaces/{owner.workspace}/invites"


def error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    err: dict[str, Any] = r.json()["error"]
    assert err["code"] == code
    return err


def invite(client: httpx.Client, owner: Person, email: str, role: str = "member") -> dict[str, Any]:
    r = client.post(invites_url(owner), json={"emails": [email], "role": role}, headers=owner.headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"][0]
    return data


def test_spec_example_creates_one_invite_per_email(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = client.post(invites_url(alice), json=SPEC_INVITE, headers=alice.headers)
    assert r.status_code == 201
    data = r.json()["data"]
    assert [d["attributes"]["email"] for d in data] == SPEC_INVITE["emails"]
    for item in data:
        assert item["type"] == "invite"
        assert item["id"].startswith("invite_")
        attrs = item["attributes"]
        assert attrs["role"] == "member"
        assert attrs["message"] == "Welcome to our Taskade workspace!"
        assert attrs["status"] == "pending"
        assert attrs["workspace_id"] == alice.workspace
        assert attrs["invited_by"] == alice.id
        assert attrs["token"].startswith("inv_")
    assert data[0]["attributes"]["token"] != data[1]["attributes"]["token"]
    # The token is shown once: reads never return it.
    listed = client.get(invites_url(alice), headers=alice.headers).json()
    assert listed["meta"]["total"] == 2
    assert all("token" not in d["attributes"] for d in listed["data"])
    one = client.get(f"{invites_url(alice)}/{data[0]['id']}", headers=alice.headers)
    assert one.status_code == 200
    assert one.json()["data"]["attributes"]["email"] == "newuser@company.com"
    assert "token" not in one.json()["data"]["attributes"]


def test_accept_invite_joins_the_workspace(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    newbie = make_person(db, email="NewUser@Company.com")
    issued = client.post(invites_url(alice), json=SPEC_INVITE, headers=alice.headers).json()["data"]
    token = issued[0]["attributes"]["token"]
    error(client.get(f"/v1/workspaces/{alice.workspace}", headers=newbie.headers), 404, "RESOURCE_NOT_FOUND")
    r = client.post("/v1/invites/accept", json={"token": token}, headers=newbie.headers)
    assert r.status_code == 200
    assert r.json()["data"]["id"] == alice.workspace
    assert r.json()["data"]["type"] == "workspace"
    mine = client.get("/v1/workspaces", headers=newbie.headers).json()
    assert {w["id"] for w in mine["data"]} == {newbie.workspace, alice.workspace}
    member = client.get(f"/v1/workspaces/{alice.workspace}/users/{newbie.id}", headers=newbie.headers)
    assert member.json()["data"]["attributes"]["role"] == "member"
    accepted = client.get(f"{invites_url(alice)}/{issued[0]['id']}", headers=alice.headers).json()["data"]
    assert accepted["attributes"]["status"] == "accepted"
    assert accepted["attributes"]["accepted_at"] is not None
    error(client.post("/v1/invites/accept", json={"token": token}, headers=newbie.headers), 409, "CONFLICT")


def test_invite_role_is_granted(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    viewer = make_person(db)
    token = invite(client, alice, viewer.email, role="viewer")["attributes"]["token"]
    assert client.post("/v1/invites/accept", json={"token": token}, headers=viewer.headers).status_code == 200
    attrs = client.get(f"/v1/workspaces/{alice.workspace}/users/{viewer.id}", headers=alice.headers).json()
    assert attrs["data"]["attributes"]["role"] == "viewer"
    r = client.post(f"/v1/workspaces/{alice.workspace}/projects", json={"name": "Nope"}, headers=viewer.headers)
    error(r, 403, "PERMISSION_DENIED")


def test_accept_by_someone_else_is_404(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    invited = make_person(db)
    token = invite(client, alice, invited.email)["attributes"]["token"]
    error(client.post("/v1/invites/accept", json={"token": token}, headers=mallory.headers), 404, "RESOURCE_NOT_FOUND")
    error(
        client.post("/v1/invites/accept", json={"token": "inv_" + "x" * 32}, headers=invited.headers),
        404,
        "RESOURCE_NOT_FOUND",
    )
    error(client.get(f"/v1/workspaces/{alice.workspace}", headers=mallory.headers), 404, "RESOURCE_NOT_FOUND")
    # The failed attempts left the invite usable by the right person.
    assert client.post("/v1/invites/accept", json={"token": token}, headers=invited.headers).status_code == 200


def test_accept_with_key_bound_elsewhere_is_404(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    bound = make_person(db, bind_workspace=True)
    token = invite(client, alice, bound.email)["attributes"]["token"]
    error(client.post("/v1/invites/accept", json={"token": token}, headers=bound.headers), 404, "RESOURCE_NOT_FOUND")
    status = client.get(invites_url(alice), headers=alice.headers).json()["data"][0]["attributes"]["status"]
    assert status == "pending"


def test_revoke_invite(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    invited = make_person(db)
    created = invite(client, alice, invited.email)
    url = f"{invites_url(alice)}/{created['id']}"
    assert client.delete(url, headers=alice.headers).status_code == 204
    assert client.get(url, headers=alice.headers).json()["data"]["attributes"]["status"] == "revoked"
    error(client.delete(url, headers=alice.headers), 409, "CONFLICT")
    token = created["attributes"]["token"]
    error(client.post("/v1/invites/accept", json={"token": token}, headers=invited.headers), 409, "CONFLICT")
    error(client.get(f"/v1/workspaces/{alice.workspace}", headers=invited.headers), 404, "RESOURCE_NOT_FOUND")


def test_list_invites_by_status(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    accepted_by, revoked_for = make_person(db), make_person(db)
    token = invite(client, alice, accepted_by.email)["attributes"]["token"]
    client.post("/v1/invites/accept", json={"token": token}, headers=accepted_by.headers)
    revoked = invite(client, alice, revoked_for.email)
    client.delete(f"{invites_url(alice)}/{revoked['id']}", headers=alice.headers)
    pending = [invite(client, alice, f"pending{i}@example.com")["id"] for i in range(3)]

    def listed(**params: Any) -> dict[str, Any]:
        r = client.get(invites_url(alice), params=params, headers=alice.headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    assert [d["id"] for d in listed(status="pending")["data"]] == pending
    assert [d["attributes"]["email"] for d in listed(status="accepted")["data"]] == [accepted_by.email]
    assert [d["id"] for d in listed(status="revoked")["data"]] == [revoked["id"]]
    page = listed(status="pending", limit=2, total="true")
    assert page["meta"]["total"] == 3
    assert [d["id"] for d in page["data"]] == pending[:2]
    assert page["links"]["next"] is not None
    assert [d["id"] for d in listed(status="pending", page=2, per_page=2)["data"]] == pending[2:]
    err = error(
        client.get(invites_url(alice), params={"status": "lost"}, headers=alice.headers), 422, "VALIDATION_ERROR"
    )
    assert err["details"]["field"] == "status"
    err = error(client.get(invites_url(alice), params={"email": "x"}, headers=alice.headers), 422, "VALIDATION_ERROR")
    assert err["details"]["field"] == "email"


def test_inviting_an_existing_member_is_refused(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob)
    body = {"emails": ["fresh@example.com", bob.email.upper()]}
    err = error(client.post(invites_url(alice), json=body, headers=alice.headers), 422, "VALIDATION_ERROR")
    assert err["details"]["field"] == "emails"
    assert err["details"]["provided_value"] == [bob.email]
    pending = client.get(invites_url(alice), params={"status": "pending"}, headers=alice.headers).json()
    assert pending["meta"]["total"] == 0


def test_bad_accept_input(client: httpx.Client, db: Database) -> None:
    bob = make_person(db)
    err = error(client.post("/v1/invites/accept", json={}, headers=bob.headers), 422, "VALIDATION_ERROR")
    assert err["details"]["field"] == "token"
    err = error(
        client.post("/v1/invites/accept", json={"token": 12345678901}, headers=bob.headers), 422, "VALIDATION_ERROR"
    )
    assert err["details"]["field"] == "token"
    error(client.post("/v1/invites/accept", json={"token": "inv_abcdefghijkl"}), 401, "AUTHENTICATION_ERROR")


def test_invite_permissions(client: httpx.Client, db: Database) -> None:
    alice, bob, admin, outsider = make_person(db), make_person(db), make_person(db), make_person(db)
    join(db, alice, bob, role="member")
    join(db, alice, admin, role="admin")
    body = {"emails": ["x@example.com"]}
    err = error(client.post(invites_url(alice), json=body, headers=bob.headers), 403, "PERMISSION_DENIED")
    assert err["details"]["required_permission"] == "manage_users"
    error(client.get(invites_url(alice), headers=bob.headers), 403, "PERMISSION_DENIED")
    error(client.post(invites_url(alice), json=body, headers=outsider.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.get(invites_url(alice), headers=outsider.headers), 404, "RESOURCE_NOT_FOUND")
    # Admins invite admins; a member trusted with manage_users invites members only.
    assert client.post(invites_url(alice), json={**body, "role": "admin"}, headers=admin.headers).status_code == 201
    client.patch(
        f"/v1/workspaces/{alice.workspace}/users/{bob.id}",
        json={"permissions": {"manage_users": True}},
        headers=alice.headers,
    )
    error(
        client.post(invites_url(alice), json={**body, "role": "admin"}, headers=bob.headers), 403, "PERMISSION_DENIED"
    )
    assert client.post(invites_url(alice), json={"emails": ["y@example.com"]}, headers=bob.headers).status_code == 201


def test_invites_of_another_workspace_are_404(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    created = invite(client, alice, "z@example.com")
    foreign = f"/v1/workspaces/{mallory.workspace}/invites/{created['id']}"
    error(client.get(foreign, headers=mallory.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.delete(foreign, headers=mallory.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.get(f"{invites_url(alice)}/{created['id']}", headers=mallory.headers), 404, "RESOURCE_NOT_FOUND")
    error(client.get(f"{invites_url(alice)}/invite_999999", headers=alice.headers), 404, "RESOURCE_NOT_FOUND")
    status = client.get(f"{invites_url(alice)}/{created['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert status["status"] == "pending"


def test_expired_invite_is_409(client: httpx.Client, db: Database) -> None:
    alice, invited = make_person(db), make_person(db)
    with db.unit_of_work() as session:
        [issued] = create_invites(
            session,
            system_actor(alice.user_id, "user"),
            workspace_id=alice.workspace_pk,
            data=InviteCreate.model_validate({"emails": [invited.email]}),
            ttl=timedelta(seconds=-1),
        )
    r = client.post("/v1/invites/accept", json={"token": issued.token}, headers=invited.headers)
    assert error(r, 409, "CONFLICT")["message"] == "This invite has expired"
    error(client.get(f"/v1/workspaces/{alice.workspace}", headers=invited.headers), 404, "RESOURCE_NOT_FOUND")
