"""The policy table (api/taskflow/policy.py) as a role x operation matrix: every operation run by
every role, allowed from its lowest role up, a 403 naming both roles below it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from polytask.api.taskflow.policy import OWN, POLICY, ROLES
from polytask.core.db import Database
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


@dataclass(frozen=True)
class Setting:
    """What an operation acts on: the caller's own project and task, the caller, a teammate."""

    project: int
    task: int
    risk: int
    department: int
    me: int
    teammate: int


Call = Callable[[Setting], tuple[str, str, dict[str, Any] | None]]

# One request per policy operation; a new operation fails test_every_operation_has_a_request
# until it has its row here.
OPERATIONS: dict[str, Call] = {
    "projects.list": lambda s: ("GET", "/api/projects", None),
    "projects.show": lambda s: ("GET", f"/api/projects/{s.project}", None),
    "projects.create": lambda s: ("POST", "/api/projects", {"name": "Made in the matrix"}),
    "projects.update": lambda s: ("PUT", f"/api/projects/{s.project}", {"status": "on_hold"}),
    "projects.delete": lambda s: ("DELETE", f"/api/projects/{s.project}", None),
    "tasks.list": lambda s: ("GET", f"/api/projects/{s.project}/tasks", None),
    "tasks.show": lambda s: ("GET", f"/api/tasks/{s.task}", None),
    "tasks.create": lambda s: ("POST", f"/api/projects/{s.project}/tasks", {"title": "Made in the matrix"}),
    "tasks.update": lambda s: ("PUT", f"/api/tasks/{s.task}", {"status": "in_progress", "actual_hours": 1.5}),
    "tasks.assign": lambda s: ("POST", f"/api/tasks/{s.task}/assign", {"user_ids": [s.me]}),
    "tasks.delete": lambda s: ("DELETE", f"/api/tasks/{s.task}", None),
    "users.list": lambda s: ("GET", "/api/users", None),
    "users.show": lambda s: ("GET", f"/api/users/{s.teammate}", None),
    "users.create": lambda s: (
        "POST",
        "/api/users",
        {"username": f"new{s.me}", "email": f"new{s.me}@taskflow.com", "password": "securepassword123"},
    ),
    "users.update": lambda s: ("PUT", f"/api/users/{s.teammate}", {"role": "manager"}),
    "users.delete": lambda s: ("DELETE", f"/api/users/{s.teammate}", None),
    "users.stats": lambda s: ("GET", f"/api/users/{s.teammate}/stats", None),
    "departments.list": lambda s: ("GET", "/api/departments", None),
    "departments.show": lambda s: ("GET", f"/api/departments/{s.department}", None),
    "departments.create": lambda s: ("POST", "/api/departments", {"name": "Made in the matrix"}),
    "departments.stats": lambda s: ("GET", f"/api/departments/{s.department}/stats", None),
    "departments.update": lambda s: ("PUT", f"/api/departments/{s.department}", {"description": "Matrix"}),
    "departments.delete": lambda s: ("DELETE", f"/api/departments/{s.department}", None),
    "risks.list": lambda s: ("GET", f"/api/projects/{s.project}/risks", None),
    "risks.show": lambda s: ("GET", f"/api/risks/{s.risk}", None),
    "risks.create": lambda s: ("POST", f"/api/projects/{s.project}/risks", {"title": "Made in the matrix"}),
    "risks.update": lambda s: ("PUT", f"/api/risks/{s.risk}", {"status": "mitigated"}),
    "risks.delete": lambda s: ("DELETE", f"/api/risks/{s.risk}", None),
    "reports.projects": lambda s: ("GET", "/api/reports/projects", None),
    "reports.productivity": lambda s: ("GET", "/api/reports/users/productivity", None),
    "reports.workload": lambda s: ("GET", "/api/reports/departments/workload", None),
    "reports.budget": lambda s: ("GET", "/api/reports/budget-analysis", None),
}


def test_every_operation_has_a_request() -> None:
    assert set(OPERATIONS) == set(POLICY)


def _setting(client: httpx.Client, db: Database, me: Person) -> Setting:
    """A project, a task, a risk and a department of my own (made through /v1, which no TaskFlow role gates)."""
    project = make_project(client, me, name="Matrix")
    task = make_task(client, me, project, name="A task")
    made = client.post(f"/v1/workspaces/{me.workspace}/departments", json={"name": "Matrix"}, headers=me.headers)
    assert made.status_code == 201, made.text
    department = int(made.json()["data"]["id"].removeprefix("department_"))
    raised = client.post(f"/v1/projects/{project}/risks", json={"title": "Matrix"}, headers=me.headers)
    assert raised.status_code == 201, raised.text
    risk = int(raised.json()["data"]["id"].removeprefix("risk_"))
    teammate = make_person(db)
    join(db, me, teammate)
    return Setting(
        int(project.removeprefix("project_")),
        int(task["id"].removeprefix("task_")),
        risk,
        department,
        me.user_id,
        teammate.user_id,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(POLICY))
def test_role_x_operation(client: httpx.Client, db: Database, operation: str, role: str) -> None:
    me = make_person(db, role=role)
    method, path, body = OPERATIONS[operation](_setting(client, db, me))
    r = client.request(method, path, json=body, headers=me.headers)
    required = POLICY[operation]
    if ROLES.index(role) >= ROLES.index(required):
        assert r.status_code in (200, 201), (operation, role, r.text)
        assert r.json()["status"] == "success"
    else:
        assert r.status_code == 403, (operation, role, r.text)
        data = r.json()["data"]
        assert data == {"error_code": "PERMISSION_DENIED", "required_role": required, "current_role": role}


# The request of an OWN operation on the caller's own object.
OWN_OPERATIONS: dict[str, Call] = {
    "users.stats": lambda s: ("GET", f"/api/users/{s.me}/stats", None),
}


def test_every_own_operation_has_a_request() -> None:
    assert set(OWN_OPERATIONS) == set(OWN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(OWN))
def test_role_x_own_operation(client: httpx.Client, db: Database, operation: str, role: str) -> None:
    me = make_person(db, role=role)
    method, path, body = OWN_OPERATIONS[operation](_setting(client, db, me))
    r = client.request(method, path, json=body, headers=me.headers)
    required = OWN[operation]
    if ROLES.index(role) >= ROLES.index(required):
        assert r.status_code in (200, 201), (operation, role, r.text)
    else:
        assert r.status_code == 403, (operation, role, r.text)
        assert r.json()["data"]["required_role"] == required
