"""GET/POST /api/projects/{project_id}/tasks, GET/PUT/DELETE /api/tasks/{id}, POST /api/tasks/{id}/assign."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from fastapi import Body, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskflow.errors import success_response
from polytask.api.taskflow.paging import PageNumber, PerPage, page_request, pagination
from polytask.api.taskflow.paths import PREFIX
from polytask.api.taskflow.policy import allow
from polytask.api.taskflow.render import task_payload
from polytask.api.taskflow.schemas import error
from polytask.api.taskflow.shapes import (
    AssignIn,
    Deleted,
    Priority,
    TaskCreateIn,
    TaskList,
    TaskOne,
    TaskStatus,
    TaskUpdateIn,
)
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.ids import MAX_KEY
from polytask.domain.flows.task_cards import (
    change_task_card,
    create_task_card,
    delete_task_card,
    get_task_card,
    list_task_cards,
)
from polytask.domain.tasks.schemas import TaskCreate, TaskUpdate

router = unit_router(prefix=PREFIX, tags=["TaskFlow tasks"])

_404_PROJECT = error("No such project in your workspace (NOT_FOUND)")
_404_TASK = error("No such task in your workspace (NOT_FOUND)")
_CREATE_EXAMPLE = {
    "title": "Create Database Schema",
    "description": "Design and implement database schema for the application",
    "priority": "high",
    "due_date": "2025-07-15",
    "estimated_hours": 8,
    "assigned_to": [2, 3],
}
_UPDATE_EXAMPLE = {
    "status": "completed",
    "actual_hours": 6,
    "completion_notes": "Task completed successfully with optimizations",
}
_ASSIGN_EXAMPLE = {"user_ids": [2, 3, 4], "estimated_hours": 8}
R = TypeVar("R")


def _as(field: str, work: Callable[[], R]) -> R:
    """The domain names assignees `assignee_id`; TaskFlow's clients sent them as `field`."""
    try:
        return work()
    except ValidationFailed as exc:
        if exc.details.get("field") == "assignee_id":
            raise ValidationFailed(exc.message.replace("assignee_id", field), {**exc.details, "field": field}) from exc
        raise


@router.get(
    "/projects/{project_id}/tasks", operation_id="tasks.list", response_model=TaskList, responses={404: _404_PROJECT}
)
async def list_tasks(
    request: Request,
    project_id: int,
    page: PageNumber = 1,
    per_page: PerPage = 10,
    status: TaskStatus | None = Query(None, description="Only tasks in this state"),
    priority: Priority | None = Query(None, description="Only tasks of this priority"),
    assigned_to: int | None = Query(None, ge=1, le=MAX_KEY, description="Only tasks assigned to this user"),
) -> Response:
    """A project's tasks, in the project's order."""

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        allow(actor, "tasks.list")
        result = list_task_cards(
            session,
            actor,
            project_id=project_id,
            page=page_request(page, per_page),
            statuses=[status] if status else None,
            priorities=[priority] if priority else None,
            assignee_ids=[assigned_to] if assigned_to else None,
        )
        return [task_payload(c) for c in result.items], pagination(result, page, per_page)

    items, paging = await run_unit(request, work, scope="tasks:read")
    return success_response(request, "Tasks retrieved", {"tasks": items}, pagination=paging)


@router.post(
    "/projects/{project_id}/tasks",
    operation_id="tasks.create",
    status_code=201,
    response_model=TaskOne,
    responses={201: {"description": "Created"}, 404: _404_PROJECT},
)
async def create(request: Request, project_id: int, body: TaskCreateIn = Body(examples=[_CREATE_EXAMPLE])) -> Response:
    """Create a task in the project; `assigned_to` lists the assignees' user ids."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "tasks.create")
        data = TaskCreate(
            name=body.title,
            description=body.description,
            priority=body.priority,
            status=body.status,
            due_date=body.due_date,
            estimated_hours=body.estimated_hours,
            assignee_ids=list(body.assigned_to),
        )
        card = _as("assigned_to", lambda: create_task_card(session, actor, project_id=project_id, data=data))
        return task_payload(card)

    task = await run_unit(request, work, scope="tasks:write")
    return success_response(request, "Task created successfully", {"task": task}, 201)


@router.get("/tasks/{id}", operation_id="tasks.show", response_model=TaskOne, responses={404: _404_TASK})
async def show(request: Request, id: int) -> Response:
    """One task."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "tasks.show")
        return task_payload(get_task_card(session, actor, id))

    task = await run_unit(request, work, scope="tasks:read")
    return success_response(request, "Task retrieved", {"task": task})


@router.put("/tasks/{id}", operation_id="tasks.update", response_model=TaskOne, responses={404: _404_TASK})
async def update(request: Request, id: int, body: TaskUpdateIn = Body(examples=[_UPDATE_EXAMPLE])) -> Response:
    """Change the fields given; `actual_hours` sets the hours logged on it (the difference is
    recorded as your time entry), `completion_notes` what was said when it was done."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "tasks.update")
        given = body.model_fields_set
        names = {"title": "name", "assigned_to": "assignee_ids"}
        changes = {
            names.get(k, k): getattr(body, k)
            for k in ("title", "description", "status", "priority", "due_date", "estimated_hours", "assigned_to")
            if k in given
        }
        hours = None if body.actual_hours is None else Decimal(str(body.actual_hours))
        card = _as(
            "assigned_to",
            lambda: change_task_card(
                session,
                actor,
                task_id=id,
                data=TaskUpdate.model_validate(changes),
                actual_hours=hours,
                completion_notes=body.completion_notes,
                notes_given="completion_notes" in given,
            ),
        )
        return task_payload(card)

    task = await run_unit(request, work, scope="tasks:write")
    return success_response(request, "Task updated successfully", {"task": task})


@router.post("/tasks/{id}/assign", operation_id="tasks.assign", response_model=TaskOne, responses={404: _404_TASK})
async def assign(
    request: Request, id: int, body: AssignIn = Body(examples=[{"user_ids": [2, 3, 4], "estimated_hours": 8}])
) -> Response:
    """Make these users the task's assignees (replacing the ones it had), and set its estimate when given."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "tasks.assign")
        changes: dict[str, Any] = {"assignee_ids": list(body.user_ids)}
        if body.estimated_hours is not None:
            changes["estimated_hours"] = body.estimated_hours
        card = _as(
            "user_ids",
            lambda: change_task_card(session, actor, task_id=id, data=TaskUpdate.model_validate(changes)),
        )
        return task_payload(card)

    task = await run_unit(request, work, scope="tasks:write")
    return success_response(request, "Task assigned successfully", {"task": task})


@router.delete("/tasks/{id}", operation_id="tasks.delete", response_model=Deleted, responses={404: _404_TASK})
async def delete(request: Request, id: int) -> Response:
    """Delete the task with its subtasks and comments."""

    def work(session: Session, actor: Actor) -> None:
        allow(actor, "tasks.delete")
        delete_task_card(session, actor, task_id=id)

    await run_unit(request, work, scope="tasks:write")
    return success_response(request, "Task deleted successfully", {})
