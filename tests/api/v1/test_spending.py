"""/v1 time entries and expenses: create, list, show, update, delete; exact money and minutes;
who may write; another workspace's objects are 404; every change is an event."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event
from tests.factories.people import join, make_person
from tests.factories.work import make_project, make_task


def _events(db: Database, resource_type: str) -> list[tuple[str, dict[str, Any]]]:
    with db.unit_of_work(readonly=True) as session:
        rows = session.execute(
            select(Event.type, Event.snapshot).where(Event.resource_type == resource_type).order_by(Event.id)
        )
        return [(t, dict(s)) for t, s in rows]


def _error(r: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = r.json()["error"]
    return body


def test_time_entry_crud_with_hours_as_minutes(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    r = client.post(
        f"/v1/projects/{project}/time-entries",
        json={"hours": 1.5, "spent_on": "2026-07-01", "task_id": task, "note": "Schema"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    entry = r.json()["data"]
    assert entry["type"] == "time_entry"
    attrs = entry["attributes"]
    assert (attrs["minutes"], attrs["hours"], attrs["spent_on"]) == (90, "1.50", "2026-07-01")
    assert (attrs["user_id"], attrs["task_id"], attrs["project_id"]) == (alice.id, task, project)
    assert r.headers["location"] == f"/v1/time-entries/{entry['id']}"

    r = client.post(f"/v1/projects/{project}/time-entries", json={"minutes": 100}, headers=alice.headers)
    second = r.json()["data"]
    assert second["attributes"]["hours"] == "1.67"  # 100 minutes, two places, half up

    listed = client.get(f"/v1/projects/{project}/time-entries?total=true", headers=alice.headers).json()
    assert listed["meta"]["total"] == 2
    on_task = client.get(f"/v1/projects/{project}/time-entries?task_id={task}", headers=alice.headers).json()
    assert [e["id"] for e in on_task["data"]] == [entry["id"]]

    r = client.patch(f"/v1/time-entries/{entry['id']}", json={"minutes": 120, "task_id": None}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["data"]["attributes"]["minutes"], r.json()["data"]["attributes"]["task_id"]) == (120, None)
    assert (
        client.get(f"/v1/time-entries/{entry['id']}", headers=alice.headers).json()["data"]["attributes"]["hours"]
        == "2.00"
    )
    assert client.delete(f"/v1/time-entries/{second['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"/v1/time-entries/{second['id']}", headers=alice.headers).status_code == 404

    events = _events(db, "time_entry")
    assert [t for t, _ in events] == [
        "time_entry.created",
        "time_entry.created",
        "time_entry.updated",
        "time_entry.deleted",
    ]
    assert (events[0][1]["minutes"], events[0][1]["spent_on"]) == (90, "2026-07-01")


def test_time_entry_bad_input_names_the_field(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    other = make_project(client, alice)
    foreign_task = make_task(client, alice, other)["id"]
    url = f"/v1/projects/{project}/time-entries"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"minutes": -5}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"hours": -1}, "hours"),
        ({}, "minutes"),
        ({"minutes": 30, "hours": 0.5}, "hours"),
        ({"minutes": 30, "spent_on": "2026-13-45"}, "spent_on"),
        ({"minutes": 30, "task_id": foreign_task}, "task_id"),
        ({"minutes": "30"}, "minutes"),
    ]
    for body, field in cases:
        r = client.post(url, json=body, headers=alice.headers)
        assert r.status_code == 422, (body, r.text)
        assert _error(r)["details"]["field"] == field, (body, r.text)
    assert _events(db, "time_entry") == []


def test_expense_crud_in_exact_money(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice, budget={"amount": "50000.00", "currency": "EUR"})
    r = client.post(
        f"/v1/projects/{project}/expenses",
        json={"amount": "1250.10", "spent_on": "2026-07-02", "category": "software", "note": "Licences"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    expense = r.json()["data"]
    assert expense["attributes"]["amount"] == "1250.10"
    assert expense["attributes"]["currency"] == "EUR"  # the project's
    r = client.post(f"/v1/projects/{project}/expenses", json={"amount": 0.1}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["amount"] == "0.10"
    cheap = r.json()["data"]["id"]
    r = client.put(f"/v1/expenses/{expense['id']}", json={"amount": 99}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["amount"] == "99.00"
    listed = client.get(f"/v1/projects/{project}/expenses?category=software", headers=alice.headers).json()
    assert [x["id"] for x in listed["data"]] == [expense["id"]]
    assert client.delete(f"/v1/expenses/{cheap}", headers=alice.headers).status_code == 204
    events = _events(db, "expense")
    assert [t for t, _ in events] == ["expense.created", "expense.created", "expense.updated", "expense.deleted"]
    assert (events[0][1]["amount_minor"], events[0][1]["currency"]) == (125_010, "EUR")


def test_expense_bad_input_names_the_field(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    url = f"/v1/projects/{project}/expenses"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "1.005"}, "amount"),  # more places than USD has
        ({"amount": "10.00", "currency": "EUR"}, "currency"),  # not the project's
        ({"amount": "10.00", "currency": "usd"}, "currency"),
        ({"amount": "10.00", "spent_on": "yesterday-ish"}, "spent_on"),
    ]
    for body, field in cases:
        r = client.post(url, json=body, headers=alice.headers)
        assert r.status_code == 422, (body, r.text)
        assert _error(r)["details"]["field"] == field, (body, r.text)
    r = client.post(url, json={"amount": "ten"}, headers=alice.headers)
    assert r.status_code == 422
    assert _error(r)["details"]["field"].startswith("amount")
    assert _events(db, "expense") == []


def test_another_workspace_sees_404_and_viewers_cannot_write(client: httpx.Client, db: Database) -> None:
    alice, mallory, vera = make_person(db), make_person(db), make_person(db)
    join(db, alice, vera, role="viewer")
    project = make_project(client, alice)
    entry = client.post(f"/v1/projects/{project}/time-entries", json={"minutes": 30}, headers=alice.headers)
    expense = client.post(f"/v1/projects/{project}/expenses", json={"amount": "5"}, headers=alice.headers)
    entry_id, expense_id = entry.json()["data"]["id"], expense.json()["data"]["id"]

    for method, url in (
        ("GET", f"/v1/time-entries/{entry_id}"),
        ("PATCH", f"/v1/time-entries/{entry_id}"),
        ("DELETE", f"/v1/time-entries/{entry_id}"),
        ("GET", f"/v1/expenses/{expense_id}"),
        ("DELETE", f"/v1/expenses/{expense_id}"),
        ("GET", f"/v1/projects/{project}/time-entries"),
        ("POST", f"/v1/projects/{project}/expenses"),
    ):
        body = {"minutes": 1} if "time-entries" in url else {"amount": "1"}
        r = client.request(method, url, json=body if method in ("POST", "PATCH") else None, headers=mallory.headers)
        assert r.status_code == 404, (method, url, r.text)

    # A viewer reads but does not write.
    assert client.get(f"/v1/time-entries/{entry_id}", headers=vera.headers).status_code == 200
    r = client.post(f"/v1/projects/{project}/time-entries", json={"minutes": 5}, headers=vera.headers)
    assert r.status_code == 403
    r = client.post(f"/v1/projects/{project}/expenses", json={"amount": "5"}, headers=vera.headers)
    assert r.status_code == 403
    assert client.delete(f"/v1/expenses/{expense_id}", headers=vera.headers).status_code == 403


def test_logging_someone_elses_time_needs_manage_users(client: httpx.Client, db: Database) -> None:
    alice, bob, carol = make_person(db), make_person(db), make_person(db)
    join(db, alice, bob)
    project = make_project(client, alice)
    # A member logs only their own time, and changes only their own entries.
    r = client.post(
        f"/v1/projects/{project}/time-entries", json={"minutes": 5, "user_id": alice.id}, headers=bob.headers
    )
    assert r.status_code == 403
    alices = client.post(f"/v1/projects/{project}/time-entries", json={"minutes": 5}, headers=alice.headers)
    r = client.patch(f"/v1/time-entries/{alices.json()['data']['id']}", json={"minutes": 1}, headers=bob.headers)
    assert r.status_code == 403
    # The owner logs a member's time; not a stranger's.
    r = client.post(
        f"/v1/projects/{project}/time-entries", json={"minutes": 5, "user_id": bob.id}, headers=alice.headers
    )
    assert r.status_code == 201
    assert r.json()["data"]["attributes"]["user_id"] == bob.id
    assert r.json()["data"]["attributes"]["created_by"] == alice.id
    r = client.post(
        f"/v1/projects/{project}/time-entries", json={"minutes": 5, "user_id": carol.id}, headers=alice.headers
    )
    assert r.status_code == 422
    assert _error(r)["details"]["field"] == "user_id"


def test_project_budget_is_exact_money(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice, budget={"amount": 75000.00})
    attrs = client.get(f"/v1/projects/{project}", headers=alice.headers).json()["data"]["attributes"]
    assert attrs["budget"] == {"amount": "75000.00", "currency": "USD"}
    assert attrs["currency"] == "USD"
    r = client.patch(f"/v1/projects/{project}", json={"budget": {"amount": "80000.5"}}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["budget"] == {"amount": "80000.50", "currency": "USD"}
    r = client.patch(f"/v1/projects/{project}", json={"budget": {"amount": "-1"}}, headers=alice.headers)
    assert r.status_code == 422
    assert _error(r)["details"]["field"] == "budget.amount"
    r = client.patch(
        f"/v1/projects/{project}", json={"budget": {"amount": "1", "currency": "DOLLARS"}}, headers=alice.headers
    )
    assert r.status_code == 422
    assert _error(r)["details"]["field"] == "budget.currency"
    # Once it has spent in USD, the budget cannot move to another currency.
    client.post(f"/v1/projects/{project}/expenses", json={"amount": "5"}, headers=alice.headers)
    r = client.patch(
        f"/v1/projects/{project}", json={"budget": {"amount": "1", "currency": "EUR"}}, headers=alice.headers
    )
    assert r.status_code == 422
    r = client.patch(f"/v1/projects/{project}", json={"budget": None}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["budget"] is None
    snapshots = [s for t, s in _events(db, "project") if t == "project.updated"]
    assert [s["budget_minor"] for s in snapshots] == [8_000_050, None]
