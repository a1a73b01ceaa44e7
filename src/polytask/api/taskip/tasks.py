"""TaskIP's Task Management and Task Labels & Assignees groups: `/project/{uuid}/task...`.

A TaskIP task is a core task of the project (`container_id` is its section). Every change
goes through the core's task operations, so it records the same events (`task.created`,
`task.updated`, `task.completed`) that `/v1` and Taskforce changes do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskip import outputs as out
from polytask.api.taskip import render
from polytask.api.taskip.envelope import no_content, ok
from polytask.api.taskip.outputs import One, Page
from polytask.api.taskip.paging import meta_of
from polytask.api.taskip.paths import PREFIX
from polytask.api.taskip.projects import _TASK_DOCS, TASK_FILTERS, TASK_SORTS
from polytask.api.taskip.query import list_args, parameters
from polytask.api.taskip.shapes import (
    CORE_NAMES,
    AssigneeIn,
    CompleteIn,
    ContainerMoveIn,
    LabelIn,
    PriorityIn,
    TaskIn,
    TaskOrderIn,
    TaskUpdateIn,
    core_model,
)
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.domain.flows.containers import order_tasks
from polytask.domain.projects.service import home_project, is_project_uuid
from polytask.domain.tasks.queries import TaskFilter
from polytask.domain.tasks.schemas import TaskCreate, TaskUpdate
from polytask.domain.tasks.service import create_task, delete_task, get_task_for, list_tasks_for, update_task

router = unit_router(prefix=f"{PREFIX}/project/{{uuid}}/task", tags=["TaskIP tasks"])

R = TypeVar("R")
# TaskIP's body names -> the core's.
_NAMES = {"container_id": "section_id", "assignees": "assignee_ids", "order": "position"}


def _project(session: Session, actor: Actor, ref: str) -> tuple[int, str]:
    """(id, uuid) of the project the path names, in the key's home workspace; NotFound otherwise."""
    return home_project(session, actor, ref)


def _named(work: Callable[[], R]) -> R:
    """The core names assignees `assignee_id` and sections `section_id`; TaskIP's clients
    sent them as `assignees` and `container_id`."""
    try:
        return work()
    except ValidationFailed as exc:
        found = str(exc.details.get("field", ""))
        if found in CORE_NAMES:
            renamed = CORE_NAMES[found]
            raise ValidationFailed(exc.message.replace(found, renamed), {**exc.details, "field": renamed}) from exc
        raise


@router.get(
    "", operation_id="tasks.list", response_model=Page[out.Task], openapi_extra={"parameters": parameters(_TASK_DOCS)}
)
async def list_tasks(request: Request, uuid: str) -> Response:
    """The project's tasks, in the board's order unless sorted."""
    args = list_args(request.query_params, filters=TASK_FILTERS, sortable=TASK_SORTS)

    # By uuid (what TaskIP's clients send) the project is narrowed inside the page's own
    # statement, and looked up only when the page is empty (404 for one the key cannot see).
    by_uuid = is_project_uuid(uuid)

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        if by_uuid:
            flt, project_uuid = TaskFilter(project_uuid=uuid.lower()), uuid.lower()
        else:
            project_id, project_uuid = _project(session, actor, uuid)
            flt = TaskFilter(project_id=project_id)
        result = list_tasks_for(
            session,
            actor,
            flt=flt,
            page=args.request,
            sort=args.sort,
            tree=args.tree,
            search=args.search,
        )
        return [render.task(v, project_uuid) for v in result.items], meta_of(result, args.page, args.limit)

    items, meta = await run_unit(request, work, scope="tasks:read")
    return ok(request, items, "Tasks retrieved successfully", meta=meta)


@router.post("", operation_id="tasks.create", response_model=One[out.Task], status_code=201)
async def create(request: Request, uuid: str, body: TaskIn) -> Response:
    """Create a task in the project (in a container when `container_id` is given)."""
    fields = {_NAMES.get(k, k): getattr(body, k) for k in body.model_fields_set}
    fields["name"] = body.name
    data = core_model(TaskCreate, fields)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        project_id, project_uuid = _project(session, actor, uuid)
        return render.task(_named(lambda: create_task(session, actor, project_id=project_id, data=data)), project_uuid)

    task = await run_unit(request, work, scope="tasks:write")
    return ok(request, task, "Task created successfully", 201)


@router.post("/change-order", operation_id="tasks.change_order", response_model=One[list[out.Task]])
async def change_order(request: Request, uuid: str, body: TaskOrderIn) -> Response:
    """Put these tasks in this order (the board's drag and drop); with `container_id` they
    also move into that container. Answers the tasks in their new order."""

    def work(session: Session, actor: Actor) -> list[dict[str, Any]]:
        project_id, project_uuid = _project(session, actor, uuid)
        order_tasks(session, actor, project_id=project_id, task_ids=body.task_ids, section_id=body.container_id)
        return [
            render.task(get_task_for(session, actor, t, project_id=project_id), project_uuid) for t in body.task_ids
        ]

    tasks = await run_unit(request, work, scope="tasks:write")
    return ok(request, tasks, "Task order updated successfully")


@router.get("/{id}", operation_id="tasks.show", response_model=One[out.Task])
async def show(request: Request, uuid: str, id: int) -> Response:
    """One task of the project."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        project_id, project_uuid = _project(session, actor, uuid)
        return render.task(get_task_for(session, actor, id, project_id=project_id), project_uuid)

    task = await run_unit(request, work, scope="tasks:read")
    return ok(request, task, "Task retrieved successfully")


def _change(request: Request, uuid: str, task_id: int, fields: dict[str, Any]) -> Any:
    data = core_model(TaskUpdate, fields)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        project_id, project_uuid = _project(session, actor, uuid)
        view = _named(lambda: update_task(session, actor, task_id=task_id, data=data, project_id=project_id))
        return render.task(view, project_uuid)

    return run_unit(request, work, scope="tasks:write")


@router.put("/{id}", operation_id="tasks.update", response_model=One[out.Task])
async def update(request: Request, uuid: str, id: int, body: TaskUpdateIn) -> Response:
    """Change the fields given (a partial update); `labels` and `assignees` replace the task's."""
    fields = {_NAMES.get(k, k): getattr(body, k) for k in body.model_fields_set}
    for field in ("name", "status", "description"):
        if field in fields and fields[field] is None:
            raise ValidationFailed.field(field, "cannot be null")
    task = await _change(request, uuid, id, fields)
    return ok(request, task, "Task updated successfully")


@router.delete("/{id}", operation_id="tasks.delete", status_code=204)
async def delete(request: Request, uuid: str, id: int) -> Response:
    """Delete the task with its subtasks, comments and files."""

    def work(session: Session, actor: Actor) -> None:
        project_id, _ = _project(session, actor, uuid)
        delete_task(session, actor, task_id=id, project_id=project_id)

    await run_unit(request, work, scope="tasks:write")
    return no_content()


@router.post("/{id}/change-container", operation_id="tasks.change_container", response_model=One[out.Task])
async def change_container(request: Request, uuid: str, id: int, body: ContainerMoveIn) -> Response:
    """Move the task into another container of the project (null: out of every container)."""
    fields: dict[str, Any] = {"section_id": body.container_id}
    if body.order is not None:
        fields["position"] = body.order
    task = await _change(request, uuid, id, fields)
    return ok(request, task, "Task container updated successfully")


@router.post("/{id}/change-priority", operation_id="tasks.change_priority", response_model=One[out.Task])
async def change_priority(request: Request, uuid: str, id: int, body: PriorityIn) -> Response:
    """Set the task's priority (null: none)."""
    task = await _change(request, uuid, id, {"priority": body.priority})
    return ok(request, task, "Task priority updated successfully")


@router.post("/{id}/mark-as-complete", operation_id="tasks.mark_as_complete", response_model=One[out.Task])
async def mark_as_complete(request: Request, uuid: str, id: int, body: CompleteIn | None = None) -> Response:
    """Complete the task (records `task.completed`); `{"is_completed": false}` reopens it."""
    done = True if body is None else body.is_completed
    task = await _change(request, uuid, id, {"status": "completed" if done else "pending"})
    return ok(request, task, "Task marked as complete" if done else "Task reopened")


def _labels_given(body: LabelIn | None, request: Request) -> list[str]:
    labels = list(body.labels or []) if body is not None else []
    if body is not None and body.label:
        labels.append(body.label)
    labels += request.query_params.getlist("label")
    labels = [label.strip() for label in labels if label.strip()]
    for label in labels:
        if len(label) > 100:
            raise ValidationFailed.field("label", "is at most 100 characters", label)
    if not labels:
        raise ValidationFailed.field("label", "is required (`label`, or `labels` as a list)")
    return labels


def _relation(request: Request, uuid: str, task_id: int, change: Any) -> Any:
    """Read the task's labels or assignees and write them back changed, in one unit."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        project_id, project_uuid = _project(session, actor, uuid)
        current = get_task_for(session, actor, task_id, project_id=project_id).relations
        data = core_model(TaskUpdate, change(current))
        view = _named(lambda: update_task(session, actor, task_id=task_id, data=data, project_id=project_id))
        return render.task(view, project_uuid)

    return run_unit(request, work, scope="tasks:write")


@router.post("/{id}/label", operation_id="tasks.add_label", response_model=One[out.Task])
async def add_label(request: Request, uuid: str, id: int, body: LabelIn) -> Response:
    """Add a label (or `labels`) to the task; one it has already is kept once."""
    given = _labels_given(body, request)
    task = await _relation(request, uuid, id, lambda rel: {"labels": [*rel.labels, *given]})
    return ok(request, task, "Label added successfully")


@router.delete("/{id}/label", operation_id="tasks.remove_label", response_model=One[out.Task])
async def remove_label(request: Request, uuid: str, id: int, body: LabelIn | None = None) -> Response:
    """Remove a label from the task: in the body, or as `?label=`. A label it lacks is a no-op."""
    given = set(_labels_given(body, request))
    task = await _relation(request, uuid, id, lambda rel: {"labels": [x for x in rel.labels if x not in given]})
    return ok(request, task, "Label removed successfully")


def _users_given(body: AssigneeIn | None, request: Request) -> list[int]:
    users = list(body.user_ids or []) if body is not None else []
    if body is not None and body.user_id is not None:
        users.append(body.user_id)
    for raw in request.query_params.getlist("user_id"):
        if not raw.isdigit():
            raise ValidationFailed.field("user_id", "must be a user id", raw)
        users.append(int(raw))
    if not users:
        raise ValidationFailed.field("user_id", "is required (`user_id`, or `user_ids` as a list)")
    return users


@router.post("/{id}/assignee", operation_id="tasks.add_assignee", response_model=One[out.Task])
async def add_assignee(request: Request, uuid: str, id: int, body: AssigneeIn) -> Response:
    """Assign a member of the workspace (`user_id`, or `user_ids`) to the task."""
    given = _users_given(body, request)
    task = await _relation(
        request, uuid, id, lambda rel: {"assignee_ids": list(dict.fromkeys([*rel.assignee_ids, *given]))}
    )
    return ok(request, task, "Assignee added successfully")


@router.delete("/{id}/assignee", operation_id="tasks.remove_assignee", response_model=One[out.Task])
async def remove_assignee(request: Request, uuid: str, id: int, body: AssigneeIn | None = None) -> Response:
    """Unassign a user from the task: in the body, or as `?user_id=`."""
    given = set(_users_given(body, request))
    task = await _relation(
        request, uuid, id, lambda rel: {"assignee_ids": [u for u in rel.assignee_ids if u not in given]}
    )
    return ok(request, task, "Assignee removed successfully")
