"""TaskFlow's shapes of domain objects (integer ids, as its doc shows them)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from polytask.api.taskflow.amount import Amount
from polytask.core.clock import isoformat
from polytask.core.money import format_minor
from polytask.domain.flows.people import PersonCard
from polytask.domain.flows.project_cards import PersonLine, ProjectCard
from polytask.domain.flows.task_cards import TaskCard

# TaskFlow's project states where they differ from the core's (docs/compat/taskflow.md).
PROJECT_STATUS_IN = {"cancelled": "archived"}
PROJECT_STATUS_OUT = {core: ours for ours, core in PROJECT_STATUS_IN.items()}


def money(minor: int | None, currency: str) -> Amount | None:
    return None if minor is None else Amount(format_minor(minor, currency))


def user_payload(user: Any, department: str | None = None) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "department": department,
    }


def user_out(card: PersonCard) -> dict[str, Any]:
    user = card.user
    return {
        **user_payload(user, card.department),
        "department_id": card.department_id,
        "name": user.name,
        "active": user.is_active,
        "created_at": isoformat(user.created_at),
        "updated_at": isoformat(user.updated_at),
    }


def _day(value: date | None) -> str | None:
    """A date as the doc shows its dates: midnight UTC."""
    return None if value is None else isoformat(datetime.combine(value, time()))


def person(line: PersonLine | Any) -> dict[str, Any]:
    return {"id": line.id, "username": line.username, "email": line.email}


def owner(line: PersonLine | None) -> dict[str, Any] | None:
    return None if line is None else {**person(line), "department": line.department}


def project_payload(card: ProjectCard) -> dict[str, Any]:
    p = card.project
    figures = card.figures
    body: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "budget": money(p.budget_minor, p.currency),
        "spent_budget": money(figures.spent_minor, p.currency),
        "currency": p.currency,
        "start_date": _day(p.start_date),
        "end_date": _day(p.due_date),
        "status": PROJECT_STATUS_OUT.get(p.status, p.status),
        "progress": figures.progress,
        "owner": owner(card.owner),
        "tasks_count": figures.tasks_count,
        "completed_tasks": figures.completed_tasks,
        "created_at": isoformat(p.created_at),
        "updated_at": isoformat(p.updated_at),
    }
    if card.tasks is not None:
        body["tasks"] = [
            {
                "id": t.id,
                "title": t.title,
                "status": t.status,
                "priority": t.priority,
                "assigned_to": person(t.assignees[0]) if t.assignees else None,
                "assignees": [person(a) for a in t.assignees],
            }
            for t in card.tasks
        ]
        body["risks"] = [
            {"id": r.id, "title": r.title, "severity": r.severity, "probability": r.probability, "status": r.status}
            for r in card.risks or []
        ]
    return body


def task_payload(card: TaskCard) -> dict[str, Any]:
    t = card.view.task
    assignees = [person(a) for a in card.assignees]
    return {
        "id": t.id,
        "project_id": t.project_id,
        "title": t.name,
        "description": t.description,
        "status": t.status,
        "priority": t.priority,
        "due_date": isoformat(t.due_date),
        "estimated_hours": t.estimated_hours,
        "actual_hours": float(card.actual_hours),
        "completion_notes": card.completion_notes,
        "assigned_to": assignees[0] if assignees else None,
        "assignees": assignees,
        "completed_at": isoformat(t.completed_at),
        "created_at": isoformat(t.created_at),
        "updated_at": isoformat(t.updated_at),
    }
