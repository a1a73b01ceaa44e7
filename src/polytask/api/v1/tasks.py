"""Tasks, in the flat form (/v1/tasks) and nested under a project."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.v1 import includes, resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import PAGING, SHAPING, many, one, page_request, reject_unknown, shape
from polytask.api.v1.paths import ProjectId, TaskId
from polytask.api.v1.schemas import ERROR_RESPONSES, TaskDocument, TaskListDocument
from polytask.core.actor import Actor
from polytask.core.dates import is_date_only, parse_datetime
from polytask.core.errors import ValidationFailed
from polytask.core.ids import parse_id
from polytask.core.pagination import parse_sort
from polytask.domain.tasks import service
from polytask.domain.tasks.queries import TASK_SORTS, TaskFilter, end_of_day_bound
from polytask.domain.tasks.schemas import PRIORITIES, TASK_STATUSES, TaskCreate, TaskUpdate

router = APIRouter(tags=["Tasks"], responses=ERROR_RESPONSES)

FILTERS = frozenset(
    {
        "project_id",
        "workspace_id",
        "section_id",
        "parent_id",
        "assignee",
        "assignee_id",
        "status",
        "priority",
        "labels",
        "label",
        "due_before",
        "due_after",
        "completed_after",
        "completed_before",
        "updated_before",
    }
)
EXAMPLE_CREATE: dict[str, Any] = {
    "name": "Design homepage mockups",
    "description": "Create 3 different homepage designs",
    "assignee_id": "user_1",
    "due_date": "2024-02-10T17:00:00Z",
    "custom_fields": {"priority": "high", "estimated_hours": 8, "tags": ["design", "homepage"]},
}
EXAMPLE_UPDATE = {"status": "in_progress", "dependencies": ["task_1"], "progress": 25}


def _ids(params: QueryParams, name: str, kind: str, actor: Actor) -> list[int] | None:
    values = many(params, name)
    if values is None:
        return None
    out = []
    for value in values:
        pk = actor.user_id if kind == "user" and value == "me" else parse_id(kind, value)
        if pk is None:
            raise ValidationFailed.field(name, f"must be a {kind} id", value)
        out.append(pk)
    return out


def _single_id(params: QueryParams, name: str, kind: str) -> int | None:
    raw = one(params, name)
    if raw is None:
        return None
    pk = parse_id(kind, raw)
    if pk is None:
        raise ValidationFailed.field(name, f"must be a {kind} id", raw)
    return pk


def _choices(params: QueryParams, name: str, allowed: tuple[str, ...]) -> list[str] | None:
    values = many(params, name)
    for value in values or []:
        if value not in allowed:
            raise ValidationFailed.field(name, f"must be one of {', '.join(allowed)}", value)
    return values


def _date(params: QueryParams, name: str, *, upper: bool = False) -> Any:
    raw = one(params, name)
    if raw is None:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError as exc:
        raise ValidationFailed.field(name, str(exc), raw) from None
    return end_of_day_bound(value) if upper and is_date_only(raw) else value


def task_filter(params: QueryParams, actor: Actor, project_id: int | None) -> TaskFilter:
    """Translate the named query filters into the domain's filter."""
    assignees = _ids(params, "assignee", "user", actor)
    assignee_ids = _ids(params, "assignee_id", "user", actor)
    if assignees is not None or assignee_ids is not None:
        assignees = [*(assignees or []), *(assignee_ids or [])]
    labels = many(params, "labels")
    single_label = many(params, "label")
    if single_label is not None:
        labels = [*(labels or []), *single_label]
    return TaskFilter(
        project_id=project_id if project_id is not None else _single_id(params, "project_id", "project"),
        workspace_id=_single_id(params, "workspace_id", "workspace"),
        section_id=_single_id(params, "section_id", "section"),
        parent_id=_single_id(params, "parent_id", "task"),
        assignee_ids=assignees,
        statuses=_choices(params, "status", TASK_STATUSES),
        priorities=_choices(params, "priority", PRIORITIES),
        labels=labels,
        due_before=_date(params, "due_before", upper=True),
        due_after=_date(params, "due_after"),
        completed_after=_date(params, "completed_after"),
        completed_before=_date(params, "completed_before", upper=True),
        updated_before=_date(params, "updated_before", upper=True),
    )


def _list(request: Request, session: Session, actor: Actor, settings: SettingsDep, project_id: int | None) -> Response:
    params = request.query_params
    allowed = PAGING | SHAPING | FILTERS
    reject_unknown(params, allowed if project_id is None else allowed - {"project_id"})
    flt = task_filter(params, actor, project_id)
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    sort = parse_sort(params.get("sort"), TASK_SORTS)
    shp = shape(params, "task", includes.TASK_INCLUDES)
    result = service.list_tasks_for(session, actor, flt=flt, page=page, sort=sort)
    included = includes.for_tasks(session, actor, result.items, shp.include) if shp.include else []
    return list_document(request, result, [resources.task(v) for v in result.items], shape=shp, included=included)


def _show(request: Request, session: Session, actor: Actor, task_id: int, project_id: int | None) -> Response:
    params = request.query_params
    if params:
        reject_unknown(params, {"fields", "include"})
    shp = shape(params, "task", includes.TASK_INCLUDES)
    view = service.get_task_for(session, actor, task_id, project_id=project_id)
    included = includes.for_tasks(session, actor, [view], shp.include) if shp.include else []
    return document(resources.task(view), shape=shp, included=included)


@router.get("/tasks", response_model=TaskListDocument)
@transactional("tasks:read")
def list_tasks(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """List tasks across projects. Filters: `project_id`, `assignee`, `status`, `priority`, `labels`,
    `due_before`, `due_after`, `completed_after` and more; a date-only upper bound includes that day."""
    return _list(request, session, actor, settings, None)


@router.post("/tasks", response_model=TaskDocument, status_code=201)
@transactional("tasks:write")
def create_task(
    session: Session,
    actor: Actor,
    data: TaskCreate = Body(examples=[{"name": "API Test Task", "project_id": "project_1"}]),
) -> JSONAPIResponse:
    """Create a task in the project named by `project_id`."""
    view = service.create_task(session, actor, data=data)
    return created(resources.task(view), f"/v1/tasks/task_{view.task.id}")


@router.get("/tasks/{task_id}", response_model=TaskDocument)
@transactional("tasks:read")
def get_task(request: Request, task_id: TaskId, session: Session, actor: Actor) -> Response:
    """Get a task; `include=project,assignees,section,parent,dependencies` adds related objects."""
    return _show(request, session, actor, task_id, None)


@router.put("/tasks/{task_id}", response_model=TaskDocument)
@router.patch("/tasks/{task_id}", response_model=TaskDocument)
@transactional("tasks:write")
def update_task(
    task_id: TaskId, session: Session, actor: Actor, data: TaskUpdate = Body(examples=[EXAMPLE_UPDATE])
) -> JSONAPIResponse:
    """Update the given fields (PUT is a partial update too). Setting `status: completed` completes it."""
    view = service.update_task(session, actor, task_id=task_id, data=data)
    return document(resources.task(view))


@router.delete("/tasks/{task_id}", status_code=204)
@transactional("tasks:write")
def delete_task(task_id: TaskId, session: Session, actor: Actor) -> Response:
    """Delete a task with its subtasks and comments."""
    service.delete_task(session, actor, task_id=task_id)
    return no_content()


@router.get("/projects/{project_id}/tasks", response_model=TaskListDocument)
@transactional("tasks:read")
def list_project_tasks(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """List a project's tasks (manual order unless `sort` is given)."""
    return _list(request, session, actor, settings, project_id)


@router.post("/projects/{project_id}/tasks", response_model=TaskDocument, status_code=201)
@transactional("tasks:write")
def create_project_task(
    project_id: ProjectId, session: Session, actor: Actor, data: TaskCreate = Body(examples=[EXAMPLE_CREATE])
) -> JSONAPIResponse:
    """Create a task in this project."""
    view = service.create_task(session, actor, project_id=project_id, data=data)
    return created(resources.task(view), f"/v1/tasks/task_{view.task.id}")


@router.get("/projects/{project_id}/tasks/{task_id}", response_model=TaskDocument)
@transactional("tasks:read")
def get_project_task(
    request: Request, project_id: ProjectId, task_id: TaskId, session: Session, actor: Actor
) -> Response:
    """Get a task of this project."""
    return _show(request, session, actor, task_id, project_id)


@router.put("/projects/{project_id}/tasks/{task_id}", response_model=TaskDocument)
@router.patch("/projects/{project_id}/tasks/{task_id}", response_model=TaskDocument)
@transactional("tasks:write")
def update_project_task(
    project_id: ProjectId,
    task_id: TaskId,
    session: Session,
    actor: Actor,
    data: TaskUpdate = Body(examples=[EXAMPLE_UPDATE]),
) -> JSONAPIResponse:
    """Update a task of this project."""
    view = service.update_task(session, actor, task_id=task_id, data=data, project_id=project_id)
    return document(resources.task(view))


@router.delete("/projects/{project_id}/tasks/{task_id}", status_code=204)
@transactional("tasks:write")
def delete_project_task(project_id: ProjectId, task_id: TaskId, session: Session, actor: Actor) -> Response:
    """Delete a task of this project."""
    service.delete_task(session, actor, task_id=task_id, project_id=project_id)
    return no_content()
