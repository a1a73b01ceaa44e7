"""GET/POST /api/users, GET/PUT/DELETE /api/users/{id}: the people the caller shares a workspace
with; creating someone who works in the caller's workspace; DELETE deactivates."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from polytask.core.actor import system_actor
from polytask.core.db import Database
from polytask.domain.departments.schemas import DepartmentCreate
from polytask.domain.departments.service import create_department
from tests.api.taskflow.conftest import PASSWORD, log_in
from tests.factories.people import Person, make_person

SignedIn = Callable[..., tuple[Person, httpx.Client]]
NEW = {"username": "newuser", "email": "newuser@taskflow.com", "password": "securepassword123", "role": "user"}


def _departments(db: Database, owner: Person, *names: str) -> list[int]:
    with db.unit_of_work() as session:
        actor = system_actor(owner.user_id, "user")
        return [
            create_department(session, actor, workspace_id=owner.workspace_pk, data=DepartmentCreate(name=n)).id
            for n in names
        ]


def test_create_as_the_doc_shows_and_the_new_user_works_in_the_team(
    signed_in: SignedIn, db: Database, base_url: str, check_response: Callable[[httpx.Response], None]
) -> None:
    admin, c = signed_in("admin", role="admin")
    eng, qa = _departments(db, admin, "Engineering", "Quality Assurance")
    r = c.post("/api/users", json={**NEW, "department_id": eng})
    assert r.status_code == 201, r.text
    user = r.json()["data"]["user"]
    assert user == {
        **user,
        "username": "newuser",
        "email": "newuser@taskflow.com",
        "role": "user",
        "department": "Engineering",
        "department_id": eng,
        "active": True,
    }
    assert c.get(f"/api/users/{user['id']}").json()["data"]["user"] == user
    pid = c.post("/api/projects", json={"name": "Team project"}).json()["data"]["project"]["id"]
    # The new account signs in and acts in the admin's workspace: it sees the team's project.
    with httpx.Client(base_url=base_url, event_hooks={"response": [check_response]}) as new:
        signed = log_in(new, "newuser", "securepassword123")
        assert signed.status_code == 200
        assert signed.json()["data"]["user"]["department"] == "Engineering"  # their department in the team
        assert [p["id"] for p in new.get("/api/projects").json()["data"]["projects"]] == [pid]
        assert new.get(f"/api/users/{admin.user_id}").status_code == 200
        # A user may not create people.
        refused = new.post("/api/users", json={**NEW, "username": "x", "email": "x@taskflow.com"})
        assert refused.status_code == 403
        assert refused.json()["data"]["required_role"] == "admin"
    moved = c.put(f"/api/users/{user['id']}", json={"role": "manager", "department_id": qa, "active": True})
    assert moved.status_code == 200, moved.text
    assert {k: moved.json()["data"]["user"][k] for k in ("role", "department", "department_id")} == {
        "role": "manager",
        "department": "Quality Assurance",
        "department_id": qa,
    }
    assert c.put(f"/api/users/{user['id']}", json={"department_id": None}).json()["data"]["user"]["department"] is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**NEW, "email": "admin@taskflow.com", "username": "other"}, "email", "Email address is already registered"),
        ({**NEW, "username": "admin", "email": "o@taskflow.com"}, "username", "Username is already taken"),
        ({**NEW, "password": "short"}, "password", None),
        ({**NEW, "email": "not-an-email"}, "email", None),
        ({**NEW, "role": "owner"}, "role", None),
        ({**NEW, "department_id": 999_999}, "department_id", None),
        ({"email": "x@taskflow.com", "password": "securepassword123"}, "username", None),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    signed_in: SignedIn, body: dict[str, object], field: str, message: str | None
) -> None:
    _, c = signed_in("admin", role="admin")
    r = c.post("/api/users", json=body)
    assert r.status_code == 422, r.text
    errors = r.json()["data"]["errors"]
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert c.get("/api/users").json()["pagination"]["total"] == 1  # nothing half-written


def test_list_filters_and_visibility(signed_in: SignedIn, db: Database) -> None:
    admin, c = signed_in("admin", role="admin")
    [eng] = _departments(db, admin, "Engineering")
    made = {}
    for name, role, dept in [("ann", "manager", eng), ("ben", "user", None), ("cat", "user", eng)]:
        body = {"username": name, "email": f"{name}@taskflow.com", "password": PASSWORD, "role": role}
        r = c.post("/api/users", json={**body, **({"department_id": dept} if dept else {})})
        assert r.status_code == 201, r.text
        made[name] = r.json()["data"]["user"]["id"]
    stranger = make_person(db, email="stranger@taskflow.com")

    def names(**params: object) -> list[str]:
        r = c.get("/api/users", params=params)
        assert r.status_code == 200, r.text
        return [u["username"] for u in r.json()["data"]["users"]]

    assert names() == ["admin", "ann", "ben", "cat"]
    assert names(role="user") == ["ben", "cat"]
    assert names(department_id=eng) == ["ann", "cat"]
    assert names(per_page=3, page=2) == ["cat"]
    assert c.get(f"/api/users/{stranger.user_id}").status_code == 404
    assert c.get("/api/users/999999").status_code == 404
    assert c.put(f"/api/users/{stranger.user_id}", json={"role": "admin"}).status_code == 404
    assert c.delete(f"/api/users/{stranger.user_id}").status_code == 404
    # DELETE deactivates: listed as inactive, cannot sign in.
    r = c.delete(f"/api/users/{made['ben']}")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["user"]["active"] is False
    assert names(active="false") == ["ben"]
    assert names(active="true") == ["admin", "ann", "cat"]
    with httpx.Client(base_url=str(c.base_url)) as ben:
        assert log_in(ben, "ben").status_code == 401
    assert c.put(f"/api/users/{made['ben']}", json={"active": True}).json()["data"]["user"]["active"] is True
    # JSON's own types only: 0 is not false, "3" is not a department id.
    for body, field in [({"active": 0}, "active"), ({"department_id": "3"}, "department_id")]:
        wrong = c.put(f"/api/users/{made['ben']}", json=body)
        assert wrong.status_code == 422, wrong.text
        assert list(wrong.json()["data"]["errors"]) == [field]
    assert c.get(f"/api/users/{made['ben']}").json()["data"]["user"]["active"] is True
    # An admin keeps their own role and account.
    me = c.delete(f"/api/users/{admin.user_id}")
    assert me.status_code == 422
    assert list(me.json()["data"]["errors"]) == ["active"]
    for params, field in [
        ({"role": "boss"}, "role"),
        ({"active": "maybe"}, "active"),
        ({"department_id": "x"}, "department_id"),
    ]:
        bad = c.get("/api/users", params=params)
        assert bad.status_code == 422
        assert list(bad.json()["data"]["errors"]) == [field]


def test_another_workspaces_department_is_a_422_naming_department_id(signed_in: SignedIn, db: Database) -> None:
    """A department id is a value in the body, not the object addressed: one outside the home
    workspace is refused like a missing one, 422 naming `department_id`, on create and update,
    and saying nothing that tells the two apart. The user addressed stays as it was."""
    admin, c = signed_in("admin", role="admin")
    (mine,) = _departments(db, admin, "Engineering")
    (theirs,) = _departments(db, make_person(db, role="admin"), "Secret Lab")
    user = c.post("/api/users", json={**NEW, "department_id": mine}).json()["data"]["user"]
    answers = [
        c.put(f"/api/users/{user['id']}", json={"department_id": theirs}),
        c.put(f"/api/users/{user['id']}", json={"department_id": 999_999}),
        c.post("/api/users", json={**NEW, "username": "x", "email": "x@taskflow.com", "department_id": theirs}),
    ]
    assert [r.status_code for r in answers] == [422, 422, 422], [r.text for r in answers]
    assert [r.json()["data"]["errors"] for r in answers] == [
        {"department_id": ["is not a department of this workspace"]}
    ] * 3
    assert c.get(f"/api/users/{user['id']}").json()["data"]["user"]["department_id"] == mine
    assert c.get("/api/users").json()["pagination"]["total"] == 2


@pytest.mark.parametrize("value", [0, 1, "true", "no"])
def test_active_takes_a_json_boolean_only(signed_in: SignedIn, value: object) -> None:
    """`active: 0` is not `false`: anything but a JSON boolean is a 422 naming `active`
    (schemathesis found `0` accepted as `false`)."""
    _, c = signed_in("admin", role="admin")
    user = c.post("/api/users", json=NEW).json()["data"]["user"]
    r = c.put(f"/api/users/{user['id']}", json={"active": value})
    assert r.status_code == 422, r.text
    assert list(r.json()["data"]["errors"]) == ["active"]
    assert c.get(f"/api/users/{user['id']}").json()["data"]["user"]["active"] is True
