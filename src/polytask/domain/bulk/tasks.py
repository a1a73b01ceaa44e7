"""Bulk task creation: validate every item first, then insert them all in a few statements.

All or none: any invalid item makes the whole request a 422 whose `details.errors` names
each failing item by its `index` in the request. Each created task still gets its own
`task.created` event (and `task.completed` when created completed), as a single create does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import isoformat, utcnow
from polytask.core.errors import NotFound, ValidationFailed
from polytask.domain.bulk.writer import RowWriter
from polytask.domain.events.service import jsonable, track_inserted_event_ids
from polytask.domain.fields.service import check_values, definitions_for
from polytask.domain.projects.service import get_project_for
from polytask.domain.tasks.queries import TaskRelations, TaskView
from polytask.domain.tasks.rules import (
    SCALAR_FIELDS,
    check_dependencies,
    check_parent,
    check_section,
    next_position,
    resolve_people,
)
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.workspaces.access import membership_for, require_write
from polytask.models import Membership, Project, Task


@dataclass(slots=True)
class _Item:
    index: int
    data: TaskCreate
    project: Project
    assignees: list[int] = field(default_factory=list)
    deps: list[int] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


class ItemErrors:
    """Errors collected per item index, raised together as one 422."""

    def __init__(self, collection: str) -> None:
        self.collection = collection
        self.items: list[dict[str, Any]] = []

    def add(self, index: int, field: str, issue: str, value: Any = None) -> None:
        item: dict[str, Any] = {"index": index, "field": field, "issue": issue}
        if value is not None and isinstance(value, str | int | float | bool):
            item["provided_value"] = value
        self.items.append(item)

    def add_domain(self, index: int, error: ValidationFailed | NotFound) -> None:
        details = error.details
        name = str(details.get("field") or details.get("resource") or "item")
        self.add(index, name, str(details.get("issue") or error.message), details.get("provided_value"))

    def add_pydantic(self, index: int, error: ValidationError) -> None:
        for err in error.errors():
            name = ".".join(str(p) for p in err.get("loc", ()) if not str(p).startswith(("list[", "function-")))
            kind = err.get("type", "")
            issue = "unknown field" if kind == "extra_forbidden" else "is required" if kind == "missing" else err["msg"]
            self.add(index, name or "item", str(issue), err.get("input") if kind != "missing" else None)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        where = f"{self.collection}[{first['index']}].{first['field']}"
        raise ValidationFailed(
            f"Invalid value for '{where}': {first['issue']} ({len(self.items)} error(s); nothing was written)",
            {**first, "field": where, "errors": self.items},
        )


def check_count(items: list[Any], *, collection: str, maximum: int) -> None:
    if not items:
        raise ValidationFailed.field(collection, "must hold at least one item")
    if len(items) > maximum:
        raise ValidationFailed.field(collection, f"holds {len(items)} items; at most {maximum} per request")


def create_tasks(
    session: Session, actor: Actor, *, project_id: int | None, items: list[Any], maximum: int
) -> list[TaskView]:
    """Create many tasks at once, all or none; each item may name its own `project_id`."""
    check_count(items, collection="tasks", maximum=maximum)
    errors = ItemErrors("tasks")
    parsed: list[tuple[int, TaskCreate]] = []
    for index, raw in enumerate(items):
        try:
            parsed.append((index, TaskCreate.model_validate(raw)))
        except ValidationError as exc:
            errors.add_pydantic(index, exc)
    errors.raise_if_any()

    projects: dict[int, Project] = {}
    memberships: dict[int, Membership] = {}
    valid: list[_Item] = []
    for index, data in parsed:
        target = project_id if project_id is not None else data.project_id
        if target is None:
            errors.add(index, "project_id", "is required")
            continue
        if project_id is not None and data.project_id is not None and data.project_id != project_id:
            errors.add(index, "project_id", "does not match the project in the path", f"project_{data.project_id}")
            continue
        project = projects.get(target)
        if project is None:
            try:
                project = get_project_for(session, actor, target)
            except NotFound:
                if project_id is not None:
                    raise  # the path's own project: a 404 like every nested route
                errors.add(index, "project_id", "was not found", f"project_{target}")
                continue
            projects[target] = project
            if project.workspace_id not in memberships:
                membership = membership_for(session, actor, project.workspace_id)
                require_write(membership)
                memberships[project.workspace_id] = membership
        valid.append(_Item(index, data, project))
    errors.raise_if_any()

    _resolve_people(session, valid, errors)
    defined = {pid: bool(definitions_for(session, p)) for pid, p in projects.items()}
    for item in valid:
        index, data, project = item.index, item.data, item.project
        try:
            check_section(session, project.id, data.section_id)
            check_parent(session, None, project.id, data.parent_id)
            if data.dependencies:
                item.deps = check_dependencies(session, None, project.workspace_id, data.dependencies)
            if data.custom_fields or defined[project.id]:
                item.custom = check_values(session, project, data.custom_fields or {}, current=None)
        except ValidationFailed as exc:
            errors.add_domain(index, exc)
    errors.raise_if_any()
    return _insert(session, actor, valid, {p.workspace_id: memberships[p.workspace_id].role for p in projects.values()})


def _resolve_people(session: Session, items: list[_Item], errors: ItemErrors) -> None:
    """Resolve each distinct person reference once per workspace, not once per task."""
    cache: dict[tuple[int, str], int | ValidationFailed] = {}
    for item in items:
        people = item.data.people()
        if not people:
            continue
        resolved: list[int] = []
        for ref in people:
            key = (item.project.workspace_id, str(ref))
            if key not in cache:
                try:
                    cache[key] = resolve_people(session, item.project.workspace_id, [ref], "assignee_id")[0]
                except ValidationFailed as exc:
                    cache[key] = exc
            found = cache[key]
            if isinstance(found, ValidationFailed):
                errors.add_domain(item.index, found)
                break
            if found not in resolved:
                resolved.append(found)
        item.assignees = resolved


_TASK_COLUMNS = (
    "id",
    "workspace_id",
    "project_id",
    "section_id",
    "parent_id",
    "name",
    "description",
    "status",
    "priority",
    "due_date",
    "start_date",
    "progress",
    "estimated_hours",
    "completed_at",
    "completed_by_id",
    "position",
    "custom_fields",
    "created_by_id",
    "created_at",
    "updated_at",
)
_EVENT_COLUMNS = (
    "id",
    "type",
    "resource_type",
    "resource_id",
    "workspace_id",
    "project_id",
    "actor_user_id",
    "credential_kind",
    "credential_id",
    "client_ip",
    "occurred_at",
    "changes",
    "snapshot",
)


def _insert(session: Session, actor: Actor, items: list[_Item], roles: dict[int, str]) -> list[TaskView]:
    now = utcnow()
    stamp = isoformat(now)
    positions = {p.id: next_position(session, p.id) for p in {i.project.id: i.project for i in items}.values()}
    writer = RowWriter(session)
    ids = writer.reserve_ids("tasks", len(items))
    stored_now = writer.timestamp(now)
    empty_json = writer.json({})
    client_ip = actor.client_ip[:64] if actor.client_ip else None
    event_head = ("task", actor.user_id, actor.credential_kind, actor.credential_id, client_ip, stored_now, empty_json)

    task_rows: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    labels: list[tuple[Any, ...]] = []
    deps: list[tuple[Any, ...]] = []
    # (type, task id, workspace id, project id, snapshot JSON) per event, in id order.
    events: list[tuple[str, int, int, int, str]] = []
    views: list[TaskView] = []
    for task_id, item in zip(ids, items, strict=True):
        data, project = item.data, item.project
        status = data.status or "pending"
        completed = status == "completed"
        if data.position is not None:
            position = data.position
        else:
            position = positions[project.id]
            positions[project.id] += 1024.0
        progress = 100 if completed else 0
        if data.progress is not None:
            progress = data.progress
        row = {
            "id": task_id,
            "workspace_id": project.workspace_id,
            "project_id": project.id,
            "section_id": data.section_id,
            "parent_id": data.parent_id,
            "name": data.name,
            "description": data.description or "",
            "status": status,
            "priority": data.priority,
            "due_date": data.due_date,
            "start_date": data.start_date,
            "progress": progress,
            "estimated_hours": data.estimated_hours,
            "completed_at": now if completed else None,
            "completed_by_id": actor.user_id if completed else None,
            "position": position,
            "custom_fields": item.custom,
            "created_by_id": actor.user_id,
            "created_at": now,
            "updated_at": now,
        }
        task_rows.append(
            (
                task_id,
                project.workspace_id,
                project.id,
                data.section_id,
                data.parent_id,
                data.name,
                row["description"],
                status,
                data.priority,
                writer.timestamp(data.due_date),
                writer.timestamp(data.start_date),
                progress,
                data.estimated_hours,
                stored_now if completed else None,
                row["completed_by_id"],
                position,
                writer.json(item.custom) if item.custom else empty_json,
                actor.user_id,
                stored_now,
                stored_now,
            )
        )
        task_labels = list(item.data.labels or [])
        links += [(task_id, u, n) for n, u in enumerate(item.assignees)]
        labels += [(task_id, label) for label in task_labels]
        deps += [(task_id, d) for d in item.deps]
        rel = TaskRelations(assignee_ids=item.assignees, labels=task_labels, dependency_ids=item.deps)
        # One JSON text serves both events of a task created completed.
        snapshot = writer.json(_snapshot(row, rel, stamp))
        events.append(("task.created", task_id, project.workspace_id, project.id, snapshot))
        if completed:
            events.append(("task.completed", task_id, project.workspace_id, project.id, snapshot))
        views.append(TaskView(_detached(row), rel, roles.get(project.workspace_id)))

    writer.insert("tasks", _TASK_COLUMNS, task_rows)
    writer.insert("task_assignees", ("task_id", "user_id", "position"), links)
    writer.insert("task_labels", ("task_id", "label"), labels)
    writer.insert("task_dependencies", ("task_id", "depends_on_id"), deps)
    event_ids = writer.reserve_ids("events", len(events))
    writer.insert(
        "events",
        _EVENT_COLUMNS,
        [
            (event_id, kind, event_head[0], task_id, workspace_id, project_id, *event_head[1:], snapshot)
            for event_id, (kind, task_id, workspace_id, project_id, snapshot) in zip(event_ids, events, strict=True)
        ],
    )
    # The events' ids go to the commit-time consumers (the webhook outbox, the live stream).
    track_inserted_event_ids(session, event_ids)
    return views


def _detached(row: dict[str, Any]) -> Task:
    """A Task object for rendering, built without the ORM's per-attribute bookkeeping.

    Rows went in through Core (one executemany); a Task built this way is never added
    to the session, it only carries the values for the response.
    """
    task: Task = Task.__mapper__.class_manager.new_instance()
    task.__dict__.update(row)
    return task


def _snapshot(row: dict[str, Any], rel: TaskRelations, stamp: str | None) -> dict[str, Any]:
    """task_snapshot's shape, computed from the row (dates as ISO strings)."""
    snap = {f: row[f] for f in SCALAR_FIELDS}
    for name in ("due_date", "start_date"):
        if snap[name] is not None:
            snap[name] = isoformat(snap[name])
    snap.update(
        completed_at=stamp if row["completed_at"] is not None else None,
        completed_by_id=row["completed_by_id"],
        custom_fields=jsonable(row["custom_fields"]),
        assignee_ids=list(rel.assignee_ids),
        labels=list(rel.labels),
        dependencies=list(rel.dependency_ids),
    )
    return snap


def _event(actor: Actor, kind: str, row: dict[str, Any], snapshot: dict[str, Any], now: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "resource_type": "task",
        "resource_id": row["id"],
        "workspace_id": row["workspace_id"],
        "project_id": row["project_id"],
        "actor_user_id": actor.user_id,
        "credential_kind": actor.credential_kind,
        "credential_id": actor.credential_id,
        "client_ip": actor.client_ip,
        "occurred_at": now,
        "changes": {},
        "snapshot": snapshot,
    }
