"""Bulk endpoints: many tasks (or projects with their tasks) in one request, all or none."""

from __future__ import annotations

from typing import Any

from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field, StrictBool, create_model
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.paths import ProjectId
from polytask.api.v1.schemas import ERROR_RESPONSES, _ProjectResource, _TaskResource
from polytask.core.actor import Actor
from polytask.core.db import require_thread
from polytask.core.errors import ValidationFailed
from polytask.core.gcpause import collector_paused
from polytask.core.ids import ProjectRef, WorkspaceRef
from polytask.core.jsontext import dumps
from polytask.domain.bulk import operations, tasks
from polytask.domain.bulk.operations import BulkOperation
from polytask.domain.flows import projects
from polytask.domain.tasks.created import NewTaskView

router = unit_router(tags=["Bulk"], responses=ERROR_RESPONSES)
_CLOSED = ConfigDict(extra="forbid")


class BulkTasks(BaseModel):
    """Either `tasks` (create) or `operations` (update/delete by filter)."""

    model_config = ConfigDict(extra="forbid")

    tasks: list[Any] | None = Field(default=None, description="Tasks to create, each as for POST /v1/tasks.")
    operations: list[BulkOperation] | None = Field(default=None, max_length=100)
    dry_run: StrictBool = Field(default=False, description="With `operations`: report the counts, change nothing.")


class FlatBulkTasks(BulkTasks):
    """POST /v1/tasks/bulk: as BulkTasks, and a `project_id` for the tasks that name none."""

    project_id: ProjectRef | None = Field(
        default=None,
        description="With `tasks`: the project of every task that names no `project_id` of its own "
        "(a task's own wins). A task with neither is a 422 pointing at it (`/tasks/<index>/project_id`).",
    )


class BulkProjects(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workspace_id: WorkspaceRef | None = None
    projects: list[Any] = Field(description="Projects as for POST /v1/projects, each with optional `tasks`.")


class BulkCreatedMeta(BaseModel):
    model_config = _CLOSED

    created: int


class OperationResult(BaseModel):
    model_config = _CLOSED

    index: int
    operation: str
    matched: int
    updated: int | None = None
    deleted: int | None = Field(default=None, description="Tasks removed, subtasks of matched tasks included.")
    task_ids: list[str]


TaskBulkDocument = create_model(
    "TaskBulkDocument",
    __config__=_CLOSED,
    data=(list[_TaskResource], ...),  # type: ignore[valid-type]
    meta=(BulkCreatedMeta, ...),
)


class BulkResultMeta(BaseModel):
    model_config = _CLOSED

    created: int | None = Field(default=None, description="With `tasks`: how many were created.")
    dry_run: bool | None = Field(default=None, description="With `operations`.")


BulkTasksDocument = create_model(
    "BulkTasksDocument",
    __config__=_CLOSED,
    __doc__="With `tasks`: the created tasks; with `operations`: one result per operation.",
    data=(list[_TaskResource] | list[OperationResult], ...),  # type: ignore[valid-type,arg-type]
    meta=(BulkResultMeta, ...),
)
ProjectBulkDocument = create_model(
    "ProjectBulkDocument",
    __config__=_CLOSED,
    data=(list[_ProjectResource], ...),  # type: ignore[valid-type]
    meta=(BulkCreatedMeta, ...),
)

EXAMPLE_TASKS = {
    "tasks": [
        {"name": "Task 1", "assignee_id": "user_1"},
        {"name": "Task 2", "assignee_id": "user_1"},
        {"name": "Task 3", "assignee_id": "user_1"},
    ]
}
EXAMPLE_FLAT = {
    "tasks": [
        {"name": "Design mockups", "assignee": "user_1", "project_id": "project_1"},
        {"name": "Write documentation", "assignee": "user_1", "project_id": "project_1"},
    ]
}
EXAMPLE_TOP_LEVEL = {
    "project_id": "project_1",
    "tasks": [
        {"name": "Design mockups", "assignee": "user_1"},
        {"name": "Code review", "assignee": "user_2", "project_id": "project_2"},
    ],
}
EXAMPLE_OPERATIONS = {
    "operations": [
        {"operation": "update", "filter": {"assignee_id": "user_1"}, "data": {"assignee_id": "user_2"}},
        {"operation": "delete", "filter": {"status": "cancelled", "updated_before": "2023-01-01"}},
    ]
}
EXAMPLE_PROJECTS = {
    "projects": [
        {
            "name": "Q1 Marketing",
            "type": "kanban",
            "tasks": [{"name": "Social Media Campaign", "assignee_id": "user_1"}],
        },
        {"name": "Q1 Sales", "type": "list", "tasks": [{"name": "Lead Generation", "assignee_id": "user_1"}]},
    ]
}


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def _created_tasks(views: list[NewTaskView], status: int = 201) -> Response:
    return _json({"data": [resources.task(v) for v in views], "meta": {"created": len(views)}}, status)


@router.post("/projects/{project_id}/tasks/bulk", response_model=TaskBulkDocument, status_code=201)
@transactional("tasks:write")
def bulk_create_project_tasks(
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: BulkTasks = Body(examples=[EXAMPLE_TASKS]),
) -> Response:
    """Create up to POLYTASK_BULK_MAX_TASKS tasks in this project, all or none; a 422 lists
    every failing item by `index` in `details.errors`."""
    require_thread()  # up to thousands of items: never on the event loop
    if data.tasks is None or data.operations is not None:
        raise ValidationFailed.field("tasks", "is required (operations belong to POST /v1/tasks/bulk)")
    # Thousands of short-lived objects: the collector would rescan them again and again.
    with collector_paused():
        views = tasks.create_tasks(
            session, actor, project_id=project_id, items=data.tasks, maximum=settings.bulk_max_tasks
        )
        return _created_tasks(views)


@router.post("/tasks/bulk", response_model=BulkTasksDocument, status_code=200)
@transactional("tasks:write")
def bulk_tasks(
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: FlatBulkTasks = Body(examples=[EXAMPLE_FLAT, EXAMPLE_TOP_LEVEL, EXAMPLE_OPERATIONS]),
) -> Response:
    """With `tasks`: create them, all or none, each in its own `project_id` or else in the
    top-level `project_id` (a task with neither is a 422). With `operations`:
    update or delete the tasks each filter matches, in order, all or none; `dry_run` reports the
    counts without changing anything. Both answer 200 (one route, one success status)."""
    require_thread()  # up to thousands of items: never on the event loop
    if (data.tasks is None) == (data.operations is None):
        raise ValidationFailed.field("body", "give exactly one of 'tasks' or 'operations'")
    if data.tasks is not None:
        with collector_paused():
            views = tasks.create_tasks(
                session,
                actor,
                project_id=None,
                items=data.tasks,
                maximum=settings.bulk_max_tasks,
                default_project_id=data.project_id,
            )
            return _created_tasks(views, 200)
    assert data.operations is not None
    if data.project_id is not None:
        raise ValidationFailed.field("project_id", "goes with 'tasks' (an operation's filter names its project)")
    if not data.operations:
        raise ValidationFailed.field("operations", "must hold at least one operation")
    results = operations.run_operations(
        session, actor, operations=data.operations, dry_run=data.dry_run, maximum=settings.bulk_max_tasks
    )
    return _json({"data": results, "meta": {"dry_run": data.dry_run}}, 200)


@router.post("/workspaces/bulk/projects", response_model=ProjectBulkDocument, status_code=201)
@transactional("projects:write")
def bulk_create_projects(
    session: Session, actor: Actor, data: BulkProjects = Body(examples=[EXAMPLE_PROJECTS])
) -> Response:
    """Create projects with their nested `tasks`, all or none, in `workspace_id` (default: the
    key's workspace, else your personal one)."""
    require_thread()  # up to thousands of items: never on the event loop
    created = projects.create_projects(session, actor, workspace_id=data.workspace_id, items=data.projects)
    return _json({"data": [resources.project(p) for p in created], "meta": {"created": len(created)}}, 201)
