"""/v1 risks and departments: lifecycle, validation naming the field, tenancy (404), roles (403),
and the events webhooks subscribe to."""

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
    assert client.delete(f"/v1/risks/{risk['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"/v1/risks/{risk['id']}", headers=alice.headers).status_code == 404
    events = _events(db, "risk")
    assert [t for t, _ in events] == ["risk.created", "risk.created", "risk.updated", "risk.deleted"]
    assert events[2][1]["status"] == {"from": "active", "to": "mitigated"}


def test_risk_bad_input_tenancy_and_roles(client: httpx.Client, db: Database) -> None:
    alice, bob, vera, mallory = make_person(db), make_person(db), make_person(db), make_person(db)
    join(db, alice, bob)
    join(db, alice, vera, role="viewer")
    project = make_project(client, alice)
    url = f"/v1/projects/{project}/risks"
    for body, field in (
        ({**RISK, "severity": "catastrophic"}, "severity"),
        ({**RISK, "probability": "likely"}, "probability"),
        ({**RISK, "title": ""}, "title"),
        ({**RISK, "owner_id": mallory.id}, "owner_id"),
    ):
        r = client.post(url, json=body, headers=alice.headers)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["details"]["field"] == field
    risk = client.post(url, json=RISK, headers=alice.headers).json()["data"]["id"]
    r = client.patch(f"/v1/risks/{risk}", json={"status": "gone"}, headers=alice.headers)
    assert (r.status_code, r.json()["error"]["details"]["field"]) == (422, "status")
    r = client.patch(f"/v1/risks/{risk}", json={"title": None}, headers=alice.headers)
    assert (r.status_code, r.json()["error"]["details"]["field"]) == (422, "title")
    # Another workspace: 404 everywhere, as for a missing id.
    for method in ("GET", "PATCH", "DELETE"):
        r = client.request(method, f"/v1/risks/{risk}", json={} if method == "PATCH" else None, headers=mallory.headers)
        assert r.status_code == 404
    assert client.post(url, json=RISK, headers=mallory.headers).status_code == 404
    # A viewer reads; a member writes but deletes only what they raised.
    assert client.get(f"/v1/risks/{risk}", headers=vera.headers).status_code == 200
    assert client.post(url, json=RISK, headers=vera.headers).status_code == 403
    assert client.patch(f"/v1/risks/{risk}", json={"status": "closed"}, headers=bob.headers).status_code == 200
    assert client.delete(f"/v1/risks/{risk}", headers=bob.headers).status_code == 403
    assert [t for t, _ in _events(db, "risk")] == ["risk.created", "risk.updated"]


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


def test_department_bad_input_tenancy_and_roles(client: httpx.Client, db: Database) -> None:
    alice, bob, mallory = make_person(db), make_person(db), make_person(db)
    join(db, alice, bob)
    url = f"/v1/workspaces/{alice.workspace}/departments"
    qa = client.post(url, json={"name": "QA"}, headers=alice.headers).json()["data"]["id"]
    for body, field in (
        ({"name": "qa"}, "name"),  # taken, whatever the case
        ({"name": ""}, "name"),
        ({"name": "Ops", "head_user_id": mallory.id}, "head_user_id"),
    ):
        r = client.post(url, json=body, headers=alice.headers)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["details"]["field"] == field
    # A department of another workspace is unknown, here and for a member's department_id.
    theirs = client.post(f"/v1/workspaces/{mallory.workspace}/departments", json={"name": "X"}, headers=mallory.headers)
    theirs_id = theirs.json()["data"]["id"]
    assert client.get(f"/v1/departments/{theirs_id}", headers=alice.headers).status_code == 404
    assert client.delete(f"/v1/departments/{theirs_id}", headers=alice.headers).status_code == 404
    r = client.patch(
        f"/v1/workspaces/{alice.workspace}/users/{bob.id}", json={"department_id": theirs_id}, headers=alice.headers
    )
    assert (r.status_code, r.json()["error"]["details"]["field"]) == (422, "department_id")
    # A member without manage_users reads but does not manage departments.
    assert client.get(f"/v1/departments/{qa}", headers=bob.headers).status_code == 200
    assert client.post(url, json={"name": "Ops"}, headers=bob.headers).status_code == 403
    assert client.patch(f"/v1/departments/{qa}", json={"name": "Ops"}, headers=bob.headers).status_code == 403
    assert client.delete(f"/v1/departments/{qa}", headers=bob.headers).status_code == 403


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
