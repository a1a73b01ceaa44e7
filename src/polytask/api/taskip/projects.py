"""TaskIP's Project Management group: `/project` and its actions, the dashboard and project
activity feeds (from the event log), and every task the key can see (`/project/all-tasks/list`).

A TaskIP project is a core project of the key's home workspace: the same object `/v1` and
Taskforce show. `{id}` paths take the integer id or the uuid; `{uuid}` paths the uuid or the id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskip import outputs as out
from polytask.api.taskip import render
from polytask.api.taskip.envelope import no_content, ok
from polytask.api.taskip.outputs import One, Page
from polytask.api.taskip.paging import meta_of, page_of, page_request
from polytask.api.taskip.paths import PREFIX
from polytask.api.taskip.query import list_args, parameters
from polytask.api.taskip.shapes import (
    ActivityIn,
    AllTasksIn,
    CategoryIn,
    PriorityIn,
    ProjectIn,
    ProjectStatusIn,
    ProjectUpdateIn,
    core_model,
)
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.money import to_minor
from polytask.core.query.tree import Condition, Node, conjunction
from polytask.core.settings import get_settings
from polytask.domain.changes.feed import list_activity_for
from polytask.domain.flows.projects import create_project, delete_project, update_project
from polytask.domain.projects.attributes import categories_of, change_category, tags_of
from polytask.domain.projects.schemas import Budget, ProjectCreate, ProjectUpdate
from polytask.domain.projects.service import (
    get_project_for,
    home_project,
    list_projects_for,
    list_sections,
    projects_by_ids,
    task_counts,
)
from polytask.domain.tasks.queries import TaskFilter
from polytask.domain.tasks.service import list_tasks_for
from polytask.domain.workspaces.service import home_workspace_id

router = unit_router(prefix=f"{PREFIX}/project", tags=["TaskIP projects"])

PROJECT_FILTERS = {
    "status": "status",
    "priority": "priority",
    "category_id": "category_id",
}
PROJECT_SORTS = {
    "name": "name",
    "title": "name",
    "status": "status",
    "priority": "priority",
    "start_date": "start_date",
    "end_date": "due_date",
    "due_date": "due_date",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "id": "id",
}
TASK_FILTERS = {
    "status": "status",
    "priority": "priority",
    "container_id": "section_id",
    "assignee_id": "assignee",
    "label": "label",
}
TASK_SORTS = {
    "name": "name",
    "title": "name",
    "status": "status",
    "priority": "priority",
    "due_date": "due_date",
    "start_date": "start_date",
    "order": "position",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "id": "id",
}
_PROJECT_DOCS = {
    "status": "active, on_hold, completed or archived (a,b: either)",
    "priority": "low, medium, high or urgent",
    "category_id": "A category's id",
}
_TASK_DOCS = {
    "status": "pending, in_progress, blocked, completed or cancelled (a,b: either)",
    "priority": "low, medium, high or urgent",
    "container_id": "Only tasks of this container",
    "assignee_id": "Only tasks assigned to this user",
    "label": "Only tasks with this label",
}


# A core ProjectCreate field's TaskIP name, where they differ.
_TASKIP_NAMES = {"due_date": "end_date"}


def _budget(value: object) -> Budget | None:
    if value is None:
        return None
    currency = get_settings().default_currency
    to_minor(value, currency, "budget")  # a 422 naming `budget` for a negative or inexact amount
    return Budget.model_validate({"amount": value, "currency": currency})


def projects_data(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    tags = tags_of(session, [p.id for p in rows])
    categories = categories_of(session, [p.category_id for p in rows if p.category_id is not None])
    return [
        render.project(p, tags[p.id], categories.get(p.category_id) if p.category_id is not None else None)
        for p in rows
    ]


def project_data(session: Session, project: Any, *, full: bool = False) -> dict[str, Any]:
    data = projects_data(session, [project])[0]
    if full:
        counts = task_counts(session, [project.id])[project.id]
        data["tasks_count"] = counts["total"]
        data["completed_tasks_count"] = counts["completed"]
    return data


@router.get(
    "",
    operation_id="projects.list",
    response_model=Page[out.Project],
    openapi_extra={"parameters": parameters({**_PROJECT_DOCS})},
)
async def list_projects(request: Request) -> Response:
    """The projects of your workspace, oldest first unless sorted; `search` matches the name and description."""
    args = list_args(request.query_params, filters=PROJECT_FILTERS, sortable=PROJECT_SORTS)

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        result = list_projects_for(
            session,
            actor,
            workspace_id=home_workspace_id(session, actor),
            page=args.request,
            sort=args.sort,
            tree=args.tree,
            search=args.search,
        )
        return projects_data(session, result.items), meta_of(result, args.page, args.limit)

    items, meta = await run_unit(request, work, scope="projects:read")
    return ok(request, items, "Projects retrieved successfully", meta=meta)


@router.post("", operation_id="projects.create", response_model=One[out.ProjectCounted], status_code=201)
async def create(request: Request, body: ProjectIn) -> Response:
    """Create a project in your workspace."""

    fields: dict[str, Any] = {
        "name": body.name,
        "description": body.description,
        "status": body.status,
        "priority": body.priority,
        "start_date": body.start_date,
        "due_date": body.end_date,
        "budget": _budget(body.budget),
    }
    if body.template_id is not None:
        # The template fills what the request left out, so only the fields it gave go on.
        given = body.model_fields_set
        fields = {k: v for k, v in fields.items() if k == "name" or _TASKIP_NAMES.get(k, k) in given}
        fields["template_id"] = body.template_id
    data = core_model(ProjectCreate, fields)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        project = create_project(
            session,
            actor,
            workspace_id=home_workspace_id(session, actor),
            data=data,
            category=body.category_id,
            tags=body.tags,
        )
        return project_data(session, project, full=True)

    project = await run_unit(request, work, scope="projects:write")
    return ok(request, project, "Project created successfully", 201)


# Literal paths before `/{id}`: `dashboard` and `all-tasks` are not project ids.
@router.post("/dashboard/activity", operation_id="projects.dashboard_activity", response_model=Page[out.Activity])
async def dashboard_activity(request: Request, body: ActivityIn | None = None) -> Response:
    """What happened in your workspace, newest first (the event log: projects, tasks,
    containers, comments, ...). `type` keeps one event type; `date_from`/`date_to` bound the day."""
    return await _activity(request, body or ActivityIn(), None)


def _activity_tree(body: ActivityIn) -> Node | None:
    nodes: list[Node] = []
    if body.type:
        nodes.append(Condition("type", "eq", (body.type,), "type", split=False))
    if body.date_from:
        nodes.append(Condition("occurred_at", "gte", (body.date_from.isoformat(),), "date_from", split=False))
    if body.date_to:
        nodes.append(Condition("occurred_at", "lte", (body.date_to.isoformat(),), "date_to", split=False))
    return conjunction(nodes)


async def _activity(request: Request, body: ActivityIn, project_ref: str | None) -> Response:
    params = request.query_params
    page, limit = page_of(params.get("page", body.page), params.get("limit", body.limit))
    tree = _activity_tree(body)

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        workspace_id = home_workspace_id(session, actor)
        project_id = None if project_ref is None else home_project(session, actor, project_ref)[0]
        result = list_activity_for(
            session,
            actor,
            workspace_id=workspace_id,
            project_id=project_id,
            page=page_request(page, limit),
            tree=tree,
        )
        return [render.activity(e) for e in result.items], meta_of(result, page, limit)

    items, meta = await run_unit(request, work, scope="projects:read", readonly=True)
    return ok(request, items, "Activities retrieved successfully", meta=meta)


@router.post(
    "/all-tasks/list",
    operation_id="projects.all_tasks",
    response_model=Page[out.Task],
    openapi_extra={"parameters": parameters({**_TASK_DOCS, "project_uuid": "Only tasks of this project"})},
)
async def all_tasks(request: Request, body: AllTasksIn | None = None) -> Response:
    """Every task of your workspace's projects, filtered and paged: the filters in the JSON
    body or as query parameters (the query's win)."""
    given = {**(body or AllTasksIn()).model_dump(exclude_none=True), **dict(request.query_params)}
    args = list_args(given, filters=TASK_FILTERS, sortable=TASK_SORTS)
    project_ref = given.get("project_uuid")

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        workspace_id = home_workspace_id(session, actor)
        flt = TaskFilter(workspace_id=workspace_id)
        if project_ref is not None:
            flt.project_id = home_project(session, actor, str(project_ref))[0]
        result = list_tasks_for(
            session, actor, flt=flt, page=args.request, sort=args.sort, tree=args.tree, search=args.search
        )
        uuids = _uuids(session, actor, {v.task.project_id for v in result.items})
        return [render.task(v, uuids[v.task.project_id]) for v in result.items], meta_of(result, args.page, args.limit)

    items, meta = await run_unit(request, work, scope="tasks:read", readonly=True)
    return ok(request, items, "Tasks retrieved successfully", meta=meta)


def _uuids(session: Session, actor: Actor, project_ids: set[int]) -> dict[int, str]:
    return {p.id: p.uuid for p in projects_by_ids(session, actor, sorted(project_ids))}


@router.get("/{id}", operation_id="projects.show", response_model=One[out.ProjectShown])
async def show(request: Request, id: str) -> Response:
    """One project with its containers (board columns, in order) and task counts."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        project = get_project_for(session, actor, home_project(session, actor, id)[0])
        data = project_data(session, project, full=True)
        data["containers"] = [render.container(s) for s in list_sections(session, actor, project_id=project.id)]
        return data

    project = await run_unit(request, work, scope="projects:read")
    return ok(request, project, "Project retrieved successfully")


def _update(request: Request, ref: str, changes: dict[str, Any], *, category: Any = None, tags: Any = None) -> Any:
    data = core_model(ProjectUpdate, changes)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        workspace_id = home_workspace_id(session, actor)
        project = update_project(
            session,
            actor,
            project_id=home_project(session, actor, ref)[0],
            data=data,
            workspace_id=workspace_id,
            category=category,
            tags=tags,
        )
        return project_data(session, project, full=True)

    return run_unit(request, work, scope="projects:write")


@router.put("/{id}", operation_id="projects.update", response_model=One[out.ProjectCounted])
async def update(request: Request, id: str, body: ProjectUpdateIn) -> Response:
    """Change the fields given (a partial update); `tags` replaces the project's tags."""
    given = body.model_fields_set
    changes: dict[str, Any] = {
        k: getattr(body, k) for k in ("name", "description", "start_date", "priority") if k in given
    }
    for field in ("name", "status"):
        if field in given and getattr(body, field) is None:
            raise ValidationFailed.field(field, "cannot be null")
    if "status" in given:
        changes["status"] = body.status
    if "end_date" in given:
        changes["due_date"] = body.end_date
    if "budget" in given:
        changes["budget"] = _budget(body.budget)
    category = body.category_id if "category_id" in given else None
    if "category_id" in given and body.category_id is None:
        changes["category_id"] = None
    project = await _update(request, id, changes, category=category, tags=body.tags if "tags" in given else None)
    return ok(request, project, "Project updated successfully")


@router.delete("/{id}", operation_id="projects.delete", status_code=204)
async def delete(request: Request, id: str) -> Response:
    """Delete the project with its containers, tasks, comments and files."""

    def work(session: Session, actor: Actor) -> None:
        workspace_id = home_workspace_id(session, actor)
        delete_project(
            session,
            actor,
            project_id=home_project(session, actor, id)[0],
            workspace_id=workspace_id,
        )

    await run_unit(request, work, scope="projects:write")
    return no_content()


@router.post("/{uuid}/activity", operation_id="projects.activity", response_model=Page[out.Activity])
async def project_activity(request: Request, uuid: str, body: ActivityIn | None = None) -> Response:
    """What happened in this project, newest first (its own events, its tasks', containers', comments')."""
    return await _activity(request, body or ActivityIn(), uuid)


@router.post("/{uuid}/change-priority", operation_id="projects.change_priority", response_model=One[out.ProjectCounted])
async def change_priority(request: Request, uuid: str, body: PriorityIn) -> Response:
    """Set the project's priority (null: none)."""
    project = await _update(request, uuid, {"priority": body.priority})
    return ok(request, project, "Project priority updated successfully")


@router.post("/{uuid}/change-status", operation_id="projects.change_status", response_model=One[out.ProjectCounted])
async def change_status(request: Request, uuid: str, body: ProjectStatusIn) -> Response:
    """Set the project's status; `completed` records `project.completed`."""
    project = await _update(request, uuid, {"status": body.status})
    return ok(request, project, "Project status updated successfully")


@router.post("/{uuid}/change-category", operation_id="projects.change_category", response_model=One[out.ProjectCounted])
async def change_category_of(request: Request, uuid: str, body: CategoryIn) -> Response:
    """Give the project a category by id or name (a new name is added), or none (null)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        workspace_id = home_workspace_id(session, actor)
        project_id = home_project(session, actor, uuid)[0]
        change_category(session, actor, project_ids=[project_id], workspace_id=workspace_id, category=body.category_id)
        return project_data(session, get_project_for(session, actor, project_id), full=True)

    project = await run_unit(request, work, scope="projects:write")
    return ok(request, project, "Project category updated successfully")
