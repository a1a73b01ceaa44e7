"""/v1 risks and departments beyond the CRUD contract (TestRisks, TestDepartments in
test_crud_contracts.py): a risk's fields and lifecycle, who deletes one, departments and their
members, and the webhook payloads of a project's events."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event, Membership, WebhookDelivery
from tests.factories.people import join, make_person
from tests.factories.work import make_project

RISK = {
    "title": "Technical Complexity Risk",
    "description": "High technical complexity may lead to delays",
    "severity": "high",
    "probability": "medium",
    "impact": "schedule",
    "mitigation_plan": "Engage senior developers and provide additional training",
}


def _events(db: Database, resource_type: str) -> list[tuple[str, dict[str, Any]]]:
    with db.unit_of_work(readonly=True) as session:
        rows = session.execute(
            select(Event.type, Event.changes).where(Event.resource_type == resource_type).order_by(Event.id)
        )
        return [(t, dict(c or {})) for t, c in rows]


def test_risk_lifecycle(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    r = client.post(f"/v1/projects/{project}/risks", json=RISK, headers=alice.headers)
    assert r.status_code == 201, r.text
    risk = r.json()["data"]
    assert risk["type"] == "risk"
    attrs = risk["attributes"]
    assert {k: attrs[k] for k in RISK} == RISK
    assert (attrs["status"], attrs["owner_id"], attrs["actual_impact"]) == ("active", alice.id, None)
    low = client.post(
        f"/v1/projects/{project}/risks", json={"title": "Minor", "severity": "low"}, headers=alice.headers
    )
    r = client.put(
        f"/v1/risks/{risk['id']}",
        json={"status": "mitigated", "actual_impact": "minimal", "resolution_notes": "Managed"},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["status"] == "mitigated"
    assert r.json()["data"]["attributes"]["resolution_notes"] == "Managed"
    severe = client.get(f"/v1/projects/{project}/risks?severity[gte]=medium", headers=alice.headers).json()
    assert [x["id"] for x in severe["data"]] == [risk["id"]]
    active = client.get(f"/v1/projects/{project}/risks?status=active", headers=alice.headers).json()
    assert [x["id"] for x in active["data"]] == [low.json()["data"]["id"]]
    updated = [changes for t, changes in _events(db, "risk") if t == "risk.updated"]
    assert updated[0]["status"] == {"from": "active", "to": "mitigated"}


def test_risk_owner_must_be_a_member_and_members_delete_what_they_raised(client: httpx.Client, db: Database) -> None:
    alice, bob, mallory = make_person(db), make_person(db), make_person(db)
    join(db, alice, bob)
    project = make_project(client, alice)
    url = f"/v1/projects/{project}/risks"
    # A real person, but not of this workspace.
    r = client.post(url, json={**RISK, "owner_id": mallory.id}, headers=alice.headers)
    assert (r.status_code, r.json()["error"]["details"]["field"]) == (422, "owner_id")
    # The contract's roles case: a member cannot delete the owner's risk. Their own, they can.
    bobs = client.post(url, json=RISK, headers=bob.headers).json()["data"]["id"]
    assert client.delete(f"/v1/risks/{bobs}", headers=bob.headers).status_code == 204
    assert [t for t, _ in _events(db, "risk")] == ["risk.created", "risk.deleted"]


def test_department_crud_and_membership(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob)
    url = f"/v1/workspaces/{alice.workspace}/departments"
    r = client.post(
        url, json={"name": "Quality Assurance", "description": "Testing", "head_user_id": bob.id}, headers=alice.headers
    )
    assert r.status_code == 201, r.text
    qa = r.json()["data"]
    assert qa["type"] == "department"
    assert (qa["attributes"]["name"], qa["attributes"]["head_user_id"]) == ("Quality Assurance", bob.id)
    client.post(url, json={"name": "Engineering"}, headers=alice.headers)
    listed = client.get(url, headers=alice.headers).json()
    assert [d["attributes"]["name"] for d in listed["data"]] == ["Engineering", "Quality Assurance"]

    # Bob joins QA: the member shows the department and its name.
    r = client.patch(
        f"/v1/workspaces/{alice.workspace}/users/{bob.id}",
        json={"department_id": qa["id"], "cost_rate": "85.50"},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["department_id"] == qa["id"]
    assert r.json()["data"]["attributes"]["department"] == "Quality Assurance"
    with db.unit_of_work(readonly=True) as session:
        rate = session.scalar(
            select(Membership.cost_rate_minor).where(
                Membership.user_id == bob.user_id, Membership.workspace_id == alice.workspace_pk
            )
        )
    assert rate == 8550
    in_qa = client.get(f"/v1/workspaces/{alice.workspace}/users?department_id={qa['id']}", headers=alice.headers)
    assert [m["id"] for m in in_qa.json()["data"]] == [bob.id]

    r = client.patch(f"/v1/departments/{qa['id']}", json={"name": "QA"}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["name"] == "QA"
    member = client.get(f"/v1/workspaces/{alice.workspace}/users/{bob.id}", headers=alice.headers).json()
    assert member["data"]["attributes"]["department"] == "QA"
    assert client.delete(f"/v1/departments/{qa['id']}", headers=alice.headers).status_code == 204
    member = client.get(f"/v1/workspaces/{alice.workspace}/users/{bob.id}", headers=alice.headers).json()
    assert (member["data"]["attributes"]["department_id"], member["data"]["attributes"]["department"]) == (None, None)
    assert [t for t, _ in _events(db, "department")] == [
        "department.created",
        "department.created",
        "department.updated",
        "department.deleted",
    ]


def test_department_head_and_member_department_stay_in_the_workspace(client: httpx.Client, db: Database) -> None:
    alice, bob, mallory = make_person(db), make_person(db), make_person(db)
    join(db, alice, bob)
    url = f"/v1/workspaces/{alice.workspace}/departments"
    # A real person, but not of this workspace.
    r = client.post(url, json={"name": "Ops", "head_user_id": mallory.id}, headers=alice.headers)
    assert (r.status_code, r.json()["error"]["details"]["field"]) == (422, "head_user_id")
    # Another workspace's department is unknown for a member's department_id too.
    theirs = client.post(f"/v1/workspaces/{mallory.workspace}/departments", json={"name": "X"}, headers=mallory.headers)
    theirs_id = theirs.json()["data"]["id"]
    r = client.patch(
        f"/v1/workspaces/{alice.workspace}/users/{bob.id}", json={"department_id": theirs_id}, headers=alice.headers
    )
    assert (r.status_code, r.json()["error"]["details"]["field"]) == (422, "department_id")
    assert [t for t, _ in _events(db, "department")] == ["department.created"]  # mallory's


def test_webhooks_hear_the_new_events_of_their_project(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project, other = make_project(client, alice, name="Watched"), make_project(client, alice)
    r = client.post(
        "/v1/webhooks",
        json={
            "url": "https://93.184.216.34/in",
            "events": ["risk.*", "expense.created", "time_entry.created"],
            "project_id": project,
        },
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    for where in (project, other):
        client.post(f"/v1/projects/{where}/risks", json=RISK, headers=alice.headers)
        client.post(f"/v1/projects/{where}/expenses", json={"amount": "9.99"}, headers=alice.headers)
        client.post(f"/v1/projects/{where}/time-entries", json={"minutes": 15}, headers=alice.headers)
    client.post(f"/v1/workspaces/{alice.workspace}/departments", json={"name": "Not subscribed"}, headers=alice.headers)
    with db.unit_of_work(readonly=True) as session:
        bodies = [json.loads(b) for b in session.scalars(select(WebhookDelivery.body).order_by(WebhookDelivery.id))]
    assert [b["event"] for b in bodies] == ["risk.created", "expense.created", "time_entry.created"]
    risk, expense, entry = (b["data"] for b in bodies)
    assert risk["risk"]["name"] == RISK["title"]
    assert risk["risk"]["owner_id"] == alice.id
    assert risk["project"] == {"id": project, "name": "Watched"}
    assert (expense["expense"]["amount_minor"], expense["expense"]["currency"]) == (999, "USD")
    assert (entry["time_entry"]["minutes"], entry["time_entry"]["user_id"]) == (15, alice.id)


def test_caseless_filters_match_names_as_stored(client: httpx.Client, db: Database) -> None:
    """`name=engineering` and `name=Engineering` both find "Engineering": a caseless field
    lowers its column as well as the value (core/query/fields.py Field)."""
    owner = make_person(db)
    ws = f"workspace_{owner.workspace_pk}"
    for name in ("Engineering", "Sales"):
        made = client.post(f"/v1/workspaces/{ws}/departments", json={"name": name}, headers=owner.headers)
        assert made.status_code == 201, made.text
    for asked in ("Engineering", "engineering", "ENGINEERING"):
        found = client.get(f"/v1/workspaces/{ws}/departments", params={"name": asked}, headers=owner.headers)
        assert found.status_code == 200, found.text
        assert [d["attributes"]["name"] for d in found.json()["data"]] == ["Engineering"], asked
    sorted_names = client.get(f"/v1/workspaces/{ws}/departments", params={"sort": "-name"}, headers=owner.headers)
    assert [d["attributes"]["name"] for d in sorted_names.json()["data"]] == ["Sales", "Engineering"]


def test_caseless_filters_fold_every_letter_on_both_engines(client: httpx.Client, db: Database) -> None:
    """Not only ASCII: "équipe" finds "Équipe", "ÜBERSICHT" finds "Übersicht", as PostgreSQL's
    lower() does; SQLite's own folds only A-Z, so core/db.py gives its connections Python's."""
    owner = make_person(db)
    ws = f"workspace_{owner.workspace_pk}"
    for name in ("Équipe", "Übersicht", "Δέλτα"):
        made = client.post(f"/v1/workspaces/{ws}/departments", json={"name": name}, headers=owner.headers)
        assert made.status_code == 201, made.text
    for asked, expected in (("équipe", "Équipe"), ("ÉQUIPE", "Équipe"), ("übersicht", "Übersicht"), ("ΔΈΛΤΑ", "Δέλτα")):
        found = client.get(f"/v1/workspaces/{ws}/departments", params={"name": asked}, headers=owner.headers)
        assert found.status_code == 200, found.text
        assert [d["attributes"]["name"] for d in found.json()["data"]] == [expected], asked
    # A name differing only in case is the same department.
    again = client.post(f"/v1/workspaces/{ws}/departments", json={"name": "ÉQUIPE"}, headers=owner.headers)
    assert again.status_code == 422, again.text
    assert again.json()["error"]["details"]["field"] == "name"
