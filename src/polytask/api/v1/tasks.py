"""Tasks, in the flat form (/v1/tasks) and nested under a project."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import includes, resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import filter_tree, list_parameters, one, one_id, page_request, reject_unknown, shape
from polytask.api.v1.paths import ProjectId, TaskId
from polytask.api.v1.schemas import ERROR_RESPONSES, TaskDocument, TaskListDocument
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.tasks import service, views
from polytask.domain.tasks.queries import TASK_FIELDS, TaskFilter
from polytask.domain.tasks.schemas import TaskCreate, TaskUpdate

router = unit_router(tags=["Tasks"], responses=ERROR_RESPONSES)

EXAMPLE_CREATE: dict[str, Any] = {
    "name": "Design homepage mockups",
    "description": "Create 3 different homepage designs",
    "assignee_id": "user_1",
    "due_date": "2024-02-10T17:00:00Z",
    "custom_fields": {"priority": "high", "estimated_hours": 8, "tags": ["design", "homepage"]},
}
EXAMPLE_UPDATE = {"status": "in_progress", "dependencies": ["task_1"], "progress": 25}


def _list_parameters(path: tuple[str, ...] = ()) -> dict[str, Any]:
    return list_parameters(
        TASK_FIELDS, path=path, custom_fields=True, search=True, view=True, include=includes.TASK_INCLUDES
    )


def _list(request: Request, session: Session, actor: Actor, settings: SettingsDep, project_id: int | None) -> Response:
    params = request.query_params
    tree = filter_tree(params, forbidden={"project_id"} if project_id is not None else ())
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    view_id = one_id(params, "view", "view")
    view = views.get_view_for(session, actor, view_id, project_id=project_id) if view_id is not None else None
    if view is not None and view.fields and "fields" not in params and "fields[task]" not in params:
        # The view's field selection applies unless the request names its own.
        params = QueryParams([*params.multi_items(), ("fields", view.fields)])
    sort = parse_sort(params.get("sort"), None)
    shp = shape(params, "task", includes.TASK_INCLUDES)
    flt = TaskFilter(project_id=project_id)
    result = service.list_tasks_for(
        session, actor, flt=flt, page=page, sort=sort, tree=tree, view=view, search=one(params, "search")
    )
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


@router.get("/tasks", response_model=TaskListDocument, openapi_extra=_list_parameters())
@transactional("tasks:read")
def list_tasks(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """List tasks across projects. Any task field filters, with operators (`due_date[gte]=`,
    `labels[in]=a,b`, `custom_fields.estimated_hours[gte]=8`), or an expression in `filter=`;
    `view=<id>` applies a saved view. See docs/compat/native.md for the whole language."""
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


@router.get(
    "/projects/{project_id}/tasks", response_model=TaskListDocument, openapi_extra=_list_parameters(("project_id",))
)
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
