"""A small shop of data for reports, made through /v1: three people (two departments with cost
rates), four projects (budgets in USD and EUR), tasks, time entries, expenses and risks."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from polytask.core.db import Database
from polytask.core.ids import parse_id
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


@dataclass
class Shop:
    alice: Person  # the owner: no cost rate
    bob: Person  # Engineering, 50.00 an hour
    carol: Person  # QA, 80.00 an hour
    ws: int
    projects: dict[str, int]
    tasks: dict[str, int]
    departments: dict[str, int]


def _pk(kind: str, rendered: str) -> int:
    pk = parse_id(kind, rendered)
    assert pk is not None
    return pk


def build(client: httpx.Client, db: Database, *, owner_role: str = "user") -> Shop:
    """The shop, owned by Alice (with this server-wide role); Bob and Carol are her teammates."""
    alice = make_person(db, name="Alice", role=owner_role)
    bob, carol = make_person(db, name="Bob"), make_person(db, name="Carol")
    join(db, alice, bob)
    join(db, alice, carol)
    h = alice.headers
    departments = {}
    for name, person, rate in (("Engineering", bob, "50.00"), ("QA", carol, "80")):
        r = client.post(f"/v1/workspaces/{alice.workspace}/departments", json={"name": name}, headers=h)
        departments[name] = r.json()["data"]["id"]
        r = client.patch(
            f"/v1/workspaces/{alice.workspace}/users/{person.id}",
            json={"department_id": departments[name], "cost_rate": rate},
            headers=h,
        )
        assert r.status_code == 200, r.text
    projects = {
        "P1": make_project(client, alice, name="P1", budget={"amount": "1000.00"}),
        "P2": make_project(client, alice, name="P2", budget={"amount": "500"}),
        "P3": make_project(client, alice, name="P3", status="on_hold"),
        "P4": make_project(client, alice, name="P4", budget={"amount": "100", "currency": "EUR"}),
    }
    tasks = {}
    for key, project, people, estimate in (
        ("t1", "P1", [bob], None),
        ("t2", "P1", [bob], 4),
        ("t3", "P1", [carol], None),
        ("t4", "P1", [bob, carol], 2),
        ("t5", "P2", [carol], 3),
    ):
        tasks[key] = make_task(
            client,
            alice,
            projects[project],
            name=key,
            assignee_ids=[p.id for p in people],
            estimated_hours=estimate,
        )["id"]
    for key in ("t1", "t3"):
        r = client.patch(f"/v1/tasks/{tasks[key]}", json={"status": "completed"}, headers=h)
        assert r.status_code == 200, r.text
    for who, project, task, minutes, day in (
        (bob, "P1", "t1", 90, "2026-05-10"),  # 90 x 50.00 / 60 = 75.00
        (bob, "P1", "t2", 30, "2026-06-02"),  # 25.00
        (carol, "P1", "t3", 120, "2026-06-15"),  # 160.00
        (carol, "P2", "t5", 45, "2026-06-20"),  # 45 x 80 / 60 = 60.00
        (alice, "P1", None, 60, "2026-06-01"),  # no rate: 0.00
    ):
        body = {"minutes": minutes, "spent_on": day, **({"task_id": tasks[task]} if task else {})}
        r = client.post(f"/v1/projects/{projects[project]}/time-entries", json=body, headers=who.headers)
        assert r.status_code == 201, r.text
    for project, amount, day in (("P1", "800.00", "2026-06-05"), ("P2", "100.00", "2026-05-20")):
        r = client.post(
            f"/v1/projects/{projects[project]}/expenses", json={"amount": amount, "spent_on": day}, headers=h
        )
        assert r.status_code == 201, r.text
    for status in ("active", "closed"):
        r = client.post(f"/v1/projects/{projects['P1']}/risks", json={"title": "R", "status": status}, headers=h)
        assert r.status_code == 201, r.text
    return Shop(
        alice,
        bob,
        carol,
        alice.workspace_pk,
        {k: _pk("project", v) for k, v in projects.items()},
        {k: _pk("task", v) for k, v in tasks.items()},
        {k: _pk("department", v) for k, v in departments.items()},
    )
