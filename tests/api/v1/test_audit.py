"""The audit logs (a workspace's, the server's) and project activity, over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.users.service import get_user
from polytask.models import Event
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def audit(client: httpx.Client, who: Person, workspace: str, **params: Any) -> httpx.Response:
    return client.get(f"/v1/workspaces/{workspace}/audit-log", params=params, headers=who.headers)


def types_of(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [item["attributes"]["type"] for item in r.json()["data"]]


def test_workspace_audit_log_says_who_did_what_from_where(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    project = make_project(client, owner, name="Audited")
    task = make_task(client, owner, project, name="Write report")
    r = client.patch(f"/v1/tasks/{task['id']}", json={"priority": "high"}, headers=owner.headers)
    assert r.status_code == 200, r.text
    r = audit(client, owner, owner.workspace)
    assert types_of(r)[:3] == ["task.updated", "task.created", "project.created"]  # newest first
    newest = r.json()["data"][0]
    assert newest["type"] == "event"
    attrs = newest["attributes"]
    assert attrs["resource_type"] == "task"
    assert attrs["resource_id"] == task["id"]
    assert attrs["project_id"] == project
    assert attrs["workspace_id"] == owner.workspace
    assert attrs["actor_id"] == owner.id
    assert attrs["credential_kind"] == "api_key"
    assert attrs["credential_id"].startswith("key_")
    assert attrs["client_ip"] == "127.0.0.1"
    assert attrs["changes"] == {"priority": {"from": None, "to": "high"}}
    assert attrs["snapshot"]["name"] == "Write report"


def test_only_owners_and_admins_read_it(client: httpx.Client, db: Database) -> None:
    owner, admin, member, stranger = (make_person(db) for _ in range(4))
    join(db, owner, admin, role="admin")
    join(db, owner, member, role="member")
    assert audit(client, admin, owner.workspace).status_code == 200
    r = audit(client, member, owner.workspace)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    r = audit(client, stranger, owner.workspace)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"


def test_filters_through_the_query_engine(client: httpx.Client, db: Database) -> None:
    owner, teammate = make_person(db), make_person(db)
    join(db, owner, teammate, role="member")
    project = make_project(client, owner)
    mine = make_task(client, owner, project, name="Mine")
    theirs = make_task(client, teammate, project, name="Theirs")
    client.post(f"/v1/tasks/{mine['id']}/comments", json={"body": "hello"}, headers=owner.headers)

    assert set(types_of(audit(client, owner, owner.workspace, **{"type[startswith]": "task."}))) == {"task.created"}
    assert types_of(audit(client, owner, owner.workspace, **{"type[like]": "comment.*"})) == ["comment.created"]
    by_teammate = audit(client, owner, owner.workspace, actor_id=teammate.id).json()["data"]
    assert [e["attributes"]["resource_id"] for e in by_teammate if e["attributes"]["type"] == "task.created"] == [
        theirs["id"]
    ]
    assert all(e["attributes"]["actor_id"] == teammate.id for e in by_teammate)
    mine_only = audit(client, owner, owner.workspace, resource_id=mine["id"]).json()["data"]
    assert [e["attributes"]["type"] for e in mine_only] == ["task.created"]
    expression = audit(client, owner, owner.workspace, filter="resource_type = comment || actor = me")
    assert "comment.created" in types_of(expression)
    assert all(
        e["attributes"]["resource_type"] == "comment" or e["attributes"]["actor_id"] == owner.id
        for e in expression.json()["data"]
    )
    assert types_of(audit(client, owner, owner.workspace, client_ip="10.9.9.9")) == []
    assert len(types_of(audit(client, owner, owner.workspace, client_ip="127.0.0.1"))) >= 4
    assert len(types_of(audit(client, owner, owner.workspace, credential_kind="api_key"))) >= 4
    assert types_of(audit(client, owner, owner.workspace, project_id=project)) != []

    # Relative dates: age the first task's event by ten days.
    with db.engine.begin() as conn:
        conn.execute(
            update(Event)
            .where(Event.type == "task.created", Event.resource_id == int(mine["id"].split("_")[1]))
            .values(occurred_at=utcnow() - timedelta(days=10))
        )
    recent = audit(client, owner, owner.workspace, **{"occurred_at[gte]": "now-7d", "type": "task.created"})
    assert [e["attributes"]["resource_id"] for e in recent.json()["data"]] == [theirs["id"]]
    old = audit(client, owner, owner.workspace, **{"occurred_at[lt]": "today-7d"})
    assert [e["attributes"]["resource_id"] for e in old.json()["data"]] == [mine["id"]]

    # Bad filters are a 422 naming the parameter.
    for params, field in (
        ({"colour": "red"}, "colour"),
        ({"occurred_at[gte]": "last tuesday"}, "occurred_at[gte]"),
        ({"resource_id": "task_x"}, "resource_id"),
        ({"workspace_id": owner.workspace}, "workspace_id"),
        ({"include": "actor"}, "include"),
    ):
        r = audit(client, owner, owner.workspace, **params)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["error"]["details"]["field"] == field


def test_naming_a_foreign_project_is_a_404(client: httpx.Client, db: Database) -> None:
    owner, other = make_person(db), make_person(db)
    foreign = make_project(client, other)
    assert audit(client, owner, owner.workspace, project_id=foreign).status_code == 404


def test_cursor_paging_sort_and_sparse_fields(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    for n in range(5):
        make_task(client, owner, project, name=f"T{n}")
    seen: list[str] = []
    url: str | None = f"/v1/workspaces/{owner.workspace}/audit-log?limit=2&fields=type,occurred_at"
    while url:
        r = client.get(url, headers=owner.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert all(set(item["attributes"]) == {"type", "occurred_at"} for item in body["data"])
        seen += [item["id"] for item in body["data"]]
        url = body["links"]["next"]
    ids = [int(i.split("_")[1]) for i in seen]
    everything = audit(client, owner, owner.workspace, limit=100).json()["data"]
    assert len(ids) == len(everything) >= 6  # the workspace's creation, project.created, five task.created
    assert ids == sorted(ids, reverse=True)
    oldest_first = audit(client, owner, owner.workspace, sort="id").json()["data"]
    assert [int(e["id"].split("_")[1]) for e in oldest_first] == sorted(ids)
    by_type = [e["attributes"]["type"] for e in audit(client, owner, owner.workspace, sort="type,-id").json()["data"]]
    assert by_type == sorted(by_type)
    r = audit(client, owner, owner.workspace, limit=2, offset=2, total="true")
    assert r.status_code == 200
    assert r.json()["meta"]["total"] == len(ids)
    r = audit(client, owner, owner.workspace, sort="colour")
    assert r.status_code == 422


def test_server_audit_log_is_for_server_admins_and_shows_sign_in_events(
    base_url: str, client: httpx.Client, db: Database
) -> None:
    admin = make_person(db, role="admin")
    user = make_person(db)
    make_project(client, user, name="Somebody's")
    with httpx.Client(base_url=base_url, timeout=30) as raw:
        # An unauthenticated introspection: refused, and audited with no workspace.
        assert raw.post("/oauth/introspect", data={"token": "x"}).status_code == 401
    r = client.get("/v1/audit-log", headers=admin.headers)
    assert r.status_code == 200, r.text
    events = [e["attributes"] for e in r.json()["data"]]
    refused = [e for e in events if e["type"] == "auth.oauth_refused"]
    assert len(refused) == 1
    assert refused[0]["workspace_id"] is None
    assert refused[0]["client_ip"] == "127.0.0.1"
    assert any(e["type"] == "project.created" and e["workspace_id"] == user.workspace for e in events)
    only_auth = client.get("/v1/audit-log", params={"type[startswith]": "auth."}, headers=admin.headers)
    assert types_of(only_auth) == ["auth.oauth_refused"]
    in_workspace = client.get("/v1/audit-log", params={"workspace_id": user.workspace}, headers=admin.headers)
    assert set(types_of(in_workspace)) == {"workspace.created", "project.created"}
    assert {e["attributes"]["workspace_id"] for e in in_workspace.json()["data"]} == {user.workspace}
    no_workspace = client.get("/v1/audit-log", params={"workspace_id[exists]": "false"}, headers=admin.headers)
    assert "auth.oauth_refused" in types_of(no_workspace)

    r = client.get("/v1/audit-log", headers=user.headers)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_role"] == "admin"
    bound = make_person(db, role="admin", bind_workspace=True)
    assert client.get("/v1/audit-log", headers=bound.headers).status_code == 403


def test_project_activity(client: httpx.Client, db: Database) -> None:
    owner, viewer, stranger = make_person(db), make_person(db), make_person(db)
    join(db, owner, viewer, role="viewer")
    project = make_project(client, owner, name="Launch")
    other = make_project(client, owner, name="Elsewhere")
    h = owner.headers
    section = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=h).json()["data"]
    task = make_task(client, owner, project, name="Ship it", section_id=section["id"])
    make_task(client, owner, other, name="Not here")
    comment = client.post(f"/v1/tasks/{task['id']}/comments", json={"body": "soon"}, headers=h).json()["data"]
    client.post(f"/v1/projects/{project}/views", json={"name": "Mine", "filter": {"assignee": "me"}}, headers=h)
    field = {"name": "Budget", "type": "number"}
    assert client.post(f"/v1/projects/{project}/custom-fields", json=field, headers=h).status_code == 201
    client.delete(f"/v1/tasks/{task['id']}/comments/{comment['id']}", headers=h)

    r = client.get(f"/v1/projects/{project}/activity", headers=viewer.headers)
    assert types_of(r) == [
        "comment.deleted",
        "custom_field.created",
        "view.created",
        "comment.created",
        "task.created",
        "section.created",
        "project.created",
    ]
    first = r.json()["data"][0]["attributes"]
    assert first["project_id"] == project
    assert first["actor_id"] == owner.id
    # Addresses and credentials are for the audit logs only.
    assert not {"client_ip", "credential_id", "credential_kind"} & set(first)

    r = client.get(f"/v1/projects/{project}/activity", params={"type[startswith]": "comment."}, headers=h)
    assert types_of(r) == ["comment.deleted", "comment.created"]
    r = client.get(f"/v1/projects/{project}/activity", params={"actor": viewer.id}, headers=h)
    assert types_of(r) == []
    r = client.get(f"/v1/projects/{project}/activity", params={"occurred_at[gte]": "today"}, headers=h)
    assert len(types_of(r)) == 7
    r = client.get(f"/v1/projects/{project}/activity", params={"limit": 3}, headers=h)
    assert len(r.json()["data"]) == 3
    assert r.json()["meta"]["next_cursor"]
    r = client.get(f"/v1/projects/{project}/activity", params={"client_ip": "127.0.0.1"}, headers=h)
    assert r.status_code == 422

    assert client.get(f"/v1/projects/{project}/activity", headers=stranger.headers).status_code == 404
    assert client.get("/v1/projects/project_999999/activity", headers=h).status_code == 404


def test_bulk_created_tasks_carry_project_and_address(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    body = {"tasks": [{"name": f"Bulk {n}"} for n in range(3)]}
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    r = client.get(f"/v1/projects/{project}/activity", params={"type": "task.created"}, headers=owner.headers)
    assert len(types_of(r)) == 3
    logged = audit(client, owner, owner.workspace, type="task.created").json()["data"]
    assert [e["attributes"]["client_ip"] for e in logged] == ["127.0.0.1"] * 3
    assert {e["attributes"]["project_id"] for e in logged} == {project}


def test_no_list_leaks_another_workspaces_events(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, bob, alice, role="admin")  # alice administers bob's workspace too
    mine = make_project(client, alice, name="Alice's")
    theirs = make_project(client, bob, name="Bob's")
    make_task(client, alice, mine, name="Alice's task")
    secret = make_task(client, bob, theirs, name="Bob's task")
    client.post(f"/v1/tasks/{secret['id']}/comments", json={"body": "private"}, headers=bob.headers)

    own = audit(client, alice, alice.workspace, limit=100).json()["data"]
    assert own
    assert {e["attributes"]["workspace_id"] for e in own} == {alice.workspace}
    assert not any(e["attributes"]["project_id"] == theirs for e in own)
    # Filters never reach outside the path's workspace.
    assert audit(client, alice, alice.workspace, resource_id=secret["id"]).json()["data"] == []
    assert audit(client, alice, alice.workspace, project_id=theirs).status_code == 404
    activity = client.get(f"/v1/projects/{mine}/activity", params={"limit": 100}, headers=alice.headers)
    assert {e["attributes"]["project_id"] for e in activity.json()["data"]} == {mine}
    # Bob, a stranger to alice's workspace, sees none of it and learns nothing.
    assert audit(client, bob, alice.workspace).status_code == 404
    assert client.get(f"/v1/projects/{mine}/activity", headers=bob.headers).status_code == 404
    assert client.get("/v1/audit-log", headers=bob.headers).status_code == 403
    # A key bound to alice's own workspace does not reach bob's, where she is an admin.
    with db.unit_of_work() as session:
        bound = create_api_key(session, None, user=get_user(session, alice.user_id), workspace_id=alice.workspace_pk)
        headers = {"Authorization": f"Bearer {bound.secret}"}
    assert client.get(f"/v1/workspaces/{bob.workspace}/audit-log", headers=headers).status_code == 404
    assert client.get(f"/v1/workspaces/{bob.workspace}/audit-log", headers=alice.headers).status_code == 200
