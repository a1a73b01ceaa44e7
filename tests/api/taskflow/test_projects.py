"""GET/POST /api/projects, GET/PUT/DELETE /api/projects/{id} in the doc's shapes, over core
projects of the caller's home workspace (the same rows /v1 shows)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from polytask.core.actor import system_actor
from polytask.core.db import Database
from polytask.domain.risks.schemas import RiskCreate
from polytask.domain.risks.service import create_risk
from polytask.domain.spending.expenses import create_expense
from polytask.domain.spending.schemas import ExpenseCreate
from tests.factories.people import Person, join, make_person

SignedIn = Callable[..., tuple[Person, httpx.Client]]


def test_create_as_the_doc_shows_and_read_it_back(signed_in: SignedIn) -> None:
    boss, c = signed_in("admin", role="admin", department="Management")
    r = c.post(
        "/api/projects",
        json={
            "name": "Mobile App Development",
            "description": "Develop iOS and Android mobile applications",
            "budget": 75000.00,
            "start_date": "2025-07-01",
            "end_date": "2025-12-31",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "success"
    project = r.json()["data"]["project"]
    assert '"budget":75000.00,' in r.text  # the currency's places, as the doc writes it
    assert project == {
        "id": project["id"],
        "name": "Mobile App Development",
        "description": "Develop iOS and Android mobile applications",
        "budget": 75000.0,
        "spent_budget": 0.0,
        "currency": "USD",
        "start_date": "2025-07-01T00:00:00Z",
        "end_date": "2025-12-31T00:00:00Z",
        "status": "active",
        "progress": 0,
        "owner": {"id": boss.user_id, "username": "admin", "email": "admin@taskflow.com", "department": "Management"},
        "tasks_count": 0,
        "completed_tasks": 0,
        "created_at": project["created_at"],
        "updated_at": project["updated_at"],
    }
    assert isinstance(project["id"], int)
    shown = c.get(f"/api/projects/{project['id']}")
    assert shown.status_code == 200
    assert shown.json()["data"]["project"] == {**project, "tasks": [], "risks": [], "updated_at": project["updated_at"]}
    listed = c.get("/api/projects").json()["data"]["projects"]
    assert listed == [project]


@pytest.mark.parametrize(
    ("budget", "text"),
    [("50000.00", "50000.00"), ("0.1", "0.10"), (19.99, "19.99"), (1234567890123, "1234567890123.00"), (0, "0.00")],
)
def test_budgets_are_exact(signed_in: SignedIn, budget: object, text: str) -> None:
    _, c = signed_in("bea", role="manager")
    r = c.post("/api/projects", json={"name": "Money", "budget": budget})
    assert r.status_code == 201, r.text
    assert f'"budget":{text},' in r.text
    pid = r.json()["data"]["project"]["id"]
    assert f'"budget":{text},' in c.get(f"/api/projects/{pid}").text


@pytest.mark.parametrize("budget", [-1, "-0.01", "12.345", "lots", True, [1], {"amount": 1}, "1e5"])
def test_a_bad_budget_is_a_422_naming_it(signed_in: SignedIn, budget: object) -> None:
    _, c = signed_in("bo", role="manager")
    r = c.post("/api/projects", json={"name": "Money", "budget": budget})
    assert r.status_code == 422, r.text
    assert list(r.json()["data"]["errors"]) == ["budget"]
    assert c.get("/api/projects").json()["pagination"]["total"] == 0


def test_update_as_the_doc_shows(signed_in: SignedIn, client: httpx.Client, db: Database) -> None:
    boss, c = signed_in("max", role="manager")
    pid = c.post("/api/projects", json={"name": "Old", "budget": "100.00"}).json()["data"]["project"]["id"]
    r = c.put(f"/api/projects/{pid}", json={"name": "Updated Project Name", "budget": 80000.00, "status": "on_hold"})
    assert r.status_code == 200, r.text
    project = r.json()["data"]["project"]
    assert (project["name"], project["budget"], project["status"]) == ("Updated Project Name", 80000.0, "on_hold")
    # cancelled is the core's archived, both ways.
    assert c.put(f"/api/projects/{pid}", json={"status": "cancelled"}).json()["data"]["project"]["status"] == (
        "cancelled"
    )
    v1 = client.get(f"/v1/projects/project_{pid}", headers=boss.headers).json()["data"]["attributes"]
    assert v1["status"] == "archived"
    assert c.get("/api/projects", params={"status": "cancelled"}).json()["pagination"]["total"] == 1
    assert c.get("/api/projects", params={"status": "active"}).json()["pagination"]["total"] == 0
    # null budget: none; null name: refused.
    assert c.put(f"/api/projects/{pid}", json={"budget": None}).json()["data"]["project"]["budget"] is None
    for body, field in [
        ({"name": None}, "name"),
        ({"status": None}, "status"),
        ({"colour": "red"}, "colour"),
        ({"end_date": "later"}, "end_date"),
    ]:
        bad = c.put(f"/api/projects/{pid}", json=body)
        assert bad.status_code == 422, bad.text
        assert list(bad.json()["data"]["errors"]) == [field]


def test_figures_tasks_and_risks(signed_in: SignedIn, client: httpx.Client, db: Database) -> None:
    boss, c = signed_in("fay", role="manager")
    dev = make_person(db, email="dev@taskflow.com")
    join(db, boss, dev)
    pid = c.post("/api/projects", json={"name": "Figures", "budget": "1000.00"}).json()["data"]["project"]["id"]
    for name, status, people in [("One", "completed", [dev.user_id]), ("Two", "pending", []), ("Three", None, [])]:
        body = {"name": name, **({"status": status} if status else {}), "assignee_ids": [f"user_{u}" for u in people]}
        assert client.post(f"/v1/projects/project_{pid}/tasks", json=body, headers=boss.headers).status_code == 201
    with db.unit_of_work() as session:
        actor = system_actor(boss.user_id, "user")
        create_expense(session, actor, project_id=pid, data=ExpenseCreate(amount="250.50"))
        create_risk(
            session,
            actor,
            project_id=pid,
            data=RiskCreate(title="Budget Overrun", severity="medium", probability="low"),
        )
    project = c.get(f"/api/projects/{pid}").json()["data"]["project"]
    assert (project["tasks_count"], project["completed_tasks"], project["progress"]) == (3, 1, 33)
    assert project["spent_budget"] == 250.5
    assert [t["title"] for t in project["tasks"]] == ["One", "Two", "Three"]
    assert project["tasks"][0]["status"] == "completed"
    assert project["tasks"][0]["assigned_to"] == {"id": dev.user_id, "username": "dev", "email": "dev@taskflow.com"}
    assert project["tasks"][1]["assigned_to"] is None
    [risk] = project["risks"]
    assert risk == {
        "id": risk["id"],
        "title": "Budget Overrun",
        "severity": "medium",
        "probability": "low",
        "status": "active",
    }
    listed = c.get("/api/projects").json()["data"]["projects"][0]
    assert '"spent_budget":250.50,' in c.get("/api/projects").text
    assert (listed["tasks_count"], listed["progress"]) == (3, 33)
    assert "tasks" not in listed


def test_filters_and_delete(signed_in: SignedIn, db: Database) -> None:
    boss, c = signed_in("ada", role="admin")
    mine = c.post("/api/projects", json={"name": "Mine"}).json()["data"]["project"]["id"]
    assert c.get("/api/projects", params={"user_id": boss.user_id}).json()["pagination"]["total"] == 1
    assert c.get("/api/projects", params={"user_id": boss.user_id + 1000}).json()["pagination"]["total"] == 0
    r = c.delete(f"/api/projects/{mine}")
    assert r.status_code == 200, r.text
    assert r.json() == {**r.json(), "status": "success", "data": {}}
    assert c.get(f"/api/projects/{mine}").status_code == 404
    assert c.delete(f"/api/projects/{mine}").status_code == 404
