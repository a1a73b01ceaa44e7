"""Writing new tasks: their rows, relations and events, and what the response shows.

The one way a task comes into being: a single create (domain/tasks/service.py
`create_task`) writes a list of one, a bulk create (domain/bulk/tasks.py) ten thousand.
Everything is computed once per task from the validated input: the stored row (through
`RowWriter`, core/rowwriter.py, on the session's own connection and transaction), the
event snapshot serialised once (a task created completed shares it between its
`task.created` and `task.completed` events), and a plain record for the response (no ORM
object is built, flushed or refreshed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from operator import attrgetter
from typing import Any

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import isoformat, utcnow
from polytask.core.rowwriter import RowWriter
from polytask.domain.events.catalog import declared
from polytask.domain.events.service import EVENT_COLUMNS, jsonable, track_inserted_event_ids
from polytask.domain.fields.service import ProjectLike
from polytask.domain.tasks.records import TASK_COLUMNS, TaskRecord, TaskRecordView, TaskRelations
from polytask.domain.tasks.rules import RELATION_FIELDS, SNAPSHOT_FIELDS, next_position
from polytask.domain.tasks.schemas import TaskCreate


@dataclass(slots=True)
class ValidTask:
    """One task to create that passed validation, with its references resolved (`index`:
    its place in the request)."""

    index: int
    data: TaskCreate
    project: ProjectLike
    assignees: list[int] = field(default_factory=list)
    deps: list[int] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


# A just-written task is rendered from a plain record, like a task the read lane fetched.
NewTask = TaskRecord
NewTaskView = TaskRecordView
_TASK_COLUMNS = TASK_COLUMNS
_EVENT_COLUMNS = ("id", *EVENT_COLUMNS)


def write_tasks(
    session: Session,
    actor: Actor,
    items: list[ValidTask],
    roles: dict[int, str],
    *,
    positions: dict[int, float] | None = None,
) -> list[NewTaskView]:
    """Insert the tasks, their assignees, labels and dependencies, and one `task.created`
    event per task (plus `task.completed` for those created completed). `positions`: the
    next free position of each project, when the caller read it already (else read here)."""
    now = utcnow()
    stamp = isoformat(now)
    # Each item's (project id, workspace id), read once per project object: the items of a
    # bulk request share one ORM Project, whose attribute reads cost about 3% of the request.
    refs: dict[int, tuple[int, int]] = {}
    for i in items:
        if id(i.project) not in refs:
            refs[id(i.project)] = (i.project.id, i.project.workspace_id)
    places = [refs[id(i.project)] for i in items]
    if positions is None:
        positions = {pid: next_position(session, pid) for pid in sorted({pid for pid, _ in places})}
    else:
        positions = dict(positions)  # the caller's stays as it was
    writer = RowWriter(session)
    # One `task.created` per task, and a `task.completed` for each created completed.
    completed_count = sum((i.data.status or "pending") == "completed" for i in items)
    reserved = writer.reserve_ids({"tasks": len(items), "events": len(items) + completed_count})
    ids, event_ids = reserved["tasks"], reserved["events"]
    stored_now = writer.timestamp(now)
    empty_json = writer.json({})
    by = actor.user_id

    task_rows: list[tuple[Any, ...]] = []
    links: list[tuple[int, int, int]] = []
    labels: list[tuple[int, str]] = []
    deps: list[tuple[int, int]] = []
    # (type, task id, workspace id, project id, snapshot JSON) per event, in id order.
    events: list[tuple[str, int, int, int, str]] = []
    views: list[NewTaskView] = []
    created_type, completed_type = declared("task.created"), declared("task.completed")
    for task_id, item, (project_id, workspace_id) in zip(ids, items, places, strict=True):
        data = item.data
        status = data.status or "pending"
        completed = status == "completed"
        if data.position is not None:
            position = data.position
        else:
            position = positions[project_id]
            positions[project_id] += 1024.0
        progress = data.progress if data.progress is not None else 100 if completed else 0
        task = NewTask(
            id=task_id,
            workspace_id=workspace_id,
            project_id=project_id,
            section_id=data.section_id,
            parent_id=data.parent_id,
            name=data.name,
            description=data.description or "",
            status=status,
            priority=data.priority,
            due_date=data.due_date,
            start_date=data.start_date,
            progress=progress,
            estimated_hours=data.estimated_hours,
            completed_at=now if completed else None,
            completed_by_id=by if completed else None,
            position=position,
            custom_fields=item.custom,
            created_by_id=by,
            created_at=now,
            updated_at=now,
        )
        task_rows.append(
            (
                task_id,
                task.workspace_id,
                task.project_id,
                task.section_id,
                task.parent_id,
                task.name,
                task.description,
                status,
                task.priority,
                writer.timestamp(task.due_date),
                writer.timestamp(task.start_date),
                progress,
                task.estimated_hours,
                stored_now if completed else None,
                task.completed_by_id,
                position,
                writer.json(item.custom) if item.custom else empty_json,
                by,
                stored_now,
                stored_now,
            )
        )
        task_labels = list(data.labels or [])
        if item.assignees:
            links += [(task_id, u, n) for n, u in enumerate(item.assignees)]
        if task_labels:
            labels += [(task_id, label) for label in task_labels]
        if item.deps:
            deps += [(task_id, d) for d in item.deps]
        rel = TaskRelations(assignee_ids=item.assignees, labels=task_labels, dependency_ids=item.deps)
        snapshot = writer.json(_snapshot(task, rel, stamp))
        events.append((created_type, task_id, workspace_id, project_id, snapshot))
        if completed:
            events.append((completed_type, task_id, workspace_id, project_id, snapshot))
        views.append(NewTaskView(task, rel, roles.get(task.workspace_id)))

    # What every event row of this request shares (record_event trims the address the same way).
    client_ip = actor.client_ip[:64] if actor.client_ip else None
    tail = (by, actor.credential_kind, actor.credential_id, client_ip, stored_now, empty_json)
    event_rows = [
        (event_id, kind, "task", task_id, workspace_id, project_id, *tail, snapshot)
        for event_id, (kind, task_id, workspace_id, project_id, snapshot) in zip(event_ids, events, strict=True)
    ]
    widest = max(
        len(task_rows) * len(_TASK_COLUMNS),
        len(links) * 3,
        len(labels) * 2,
        len(deps) * 2,
        len(event_rows) * len(_EVENT_COLUMNS),
    )
    # A few rows (a single create) go out in one round trip on PostgreSQL.
    with writer.together(widest):
        writer.insert("tasks", _TASK_COLUMNS, task_rows)
        writer.insert("task_assignees", ("task_id", "user_id", "position"), links)
        writer.insert("task_labels", ("task_id", "label"), labels)
        writer.insert("task_dependencies", ("task_id", "depends_on_id"), deps)
        writer.insert("events", _EVENT_COLUMNS, event_rows)
    # The events' ids go to the commit-time consumers (the webhook outbox, the live stream).
    track_inserted_event_ids(session, event_ids, workspace_ids={ws for _, ws in places})
    return views


# _snapshot's plan, worked out once: the snapshot's keys in order, the fields read straight
# from the record (one attrgetter call), and those of them that hold datetimes.
_SNAPSHOT_ORDER: dict[str, Any] = dict.fromkeys(SNAPSHOT_FIELDS)
_OWN_FIELDS = tuple(
    n for n in SNAPSHOT_FIELDS if n not in RELATION_FIELDS and n not in ("completed_at", "custom_fields")
)
_read_own = attrgetter(*_OWN_FIELDS)
_DATE_FIELDS = tuple(f.name for f in dataclass_fields(NewTask) if f.name in _OWN_FIELDS and "datetime" in str(f.type))
_RELATIONS = tuple(RELATION_FIELDS.items())


def _snapshot(task: NewTask, rel: TaskRelations, stamp: str | None) -> dict[str, Any]:
    """task_snapshot's content (domain/tasks/rules.py), read from the record, in its order: a
    bulk create makes ten thousand of these, and a loop over the fields cost 8% of it."""
    snap = _SNAPSHOT_ORDER.copy()
    snap.update(zip(_OWN_FIELDS, _read_own(task), strict=True))
    for name in _DATE_FIELDS:
        value = snap[name]
        if value is not None:
            snap[name] = isoformat(value)
    snap["completed_at"] = stamp if task.completed_at is not None else None  # the stored form
    snap["custom_fields"] = jsonable(task.custom_fields) if task.custom_fields else {}
    for name, attribute in _RELATIONS:
        snap[name] = list(getattr(rel, attribute))
    return snap
