"""Time entries: minutes a member spent on a project (and maybe one of its tasks)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Number, Ref, Registry
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import TimeEntrySnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.projects.access import rows_in_project
from polytask.domain.spending.access import TIME_ENTRIES, require_own_or_manager, writable_project
from polytask.domain.spending.schemas import MAX_ENTRY_MINUTES, TimeEntryCreate, TimeEntryUpdate
from polytask.domain.workspaces.access import member_field, require_write
from polytask.models import Task, TimeEntry

TIME_ENTRY_FIELDS = tuple(TimeEntrySnapshot.model_fields)
TIME_ENTRY_FIELDS_REGISTRY = Registry.of(
    "time_entry",
    [
        Field("id", Ref("time_entry"), expr=TimeEntry.id),
        Field("project_id", Ref("project"), expr=TimeEntry.project_id),
        Field("task_id", Ref("task"), expr=TimeEntry.task_id),
        Field("user_id", Ref("user"), expr=TimeEntry.user_id),
        Field("minutes", Number(integer=True), expr=TimeEntry.minutes),
        Field("spent_on", Moment("date"), expr=TimeEntry.spent_on),
        Field("created_at", Moment(), expr=TimeEntry.created_at),
        Field("updated_at", Moment(), expr=TimeEntry.updated_at),
    ],
)
# Newest work first: what a timesheet shows.
TIME_ENTRY_LIST: ListSpec[TimeEntry] = ListSpec(
    "time_entry", TIME_ENTRY_FIELDS_REGISTRY, TimeEntry.id, default_sort=(SortKey("spent_on", descending=True),)
)


def hours_to_minutes(hours: float | Decimal, field: str = "hours") -> int:
    """Hours (a JSON number) as whole minutes, half up: 1.5 -> 90, 0.01 -> 1."""
    minutes = int((Decimal(str(hours)) * 60).to_integral_value(rounding=ROUND_HALF_UP))
    if minutes < 1:
        raise ValidationFailed.field(field, "must be at least one minute (0.0084 hours)", hours)
    return minutes


def _minutes_of(minutes: int | None, hours: float | None) -> int | None:
    if minutes is not None and hours is not None:
        raise ValidationFailed.field("hours", "give either minutes or hours, not both")
    if hours is not None:
        return min(hours_to_minutes(hours), MAX_ENTRY_MINUTES)
    return minutes


def _task_of_project(session: Session, project_id: int, task_id: int | None) -> int | None:
    if task_id is None:
        return None
    found = session.scalar(select(Task.id).where(Task.id == task_id, Task.project_id == project_id))
    if found is None:
        raise ValidationFailed.field("task_id", "is not a task of this project", task_id)
    return task_id


def get_time_entry_for(session: Session, actor: Actor, entry_id: int) -> TimeEntry:
    """The entry if the actor may see its project, else NotFound."""
    return TIME_ENTRIES.get_for(session, actor, entry_id)[0]


def list_time_entries(
    session: Session,
    actor: Actor,
    *,
    project_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[TimeEntry]:
    """A project's time entries (or all the actor sees), filterable by user, task and day."""
    base = rows_in_project(session, actor, TIME_ENTRIES, project_id=project_id)
    return run_list(session, TIME_ENTRY_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def _record_created(session: Session, actor: Actor, entry: TimeEntry) -> TimeEntry:
    session.add(entry)
    session.flush()
    record_event(
        session,
        actor,
        type="time_entry.created",
        resource_type="time_entry",
        resource_id=entry.id,
        workspace_id=entry.workspace_id,
        snapshot=snapshot_of(entry, TIME_ENTRY_FIELDS),
    )
    return entry


def create_time_entry(session: Session, actor: Actor, *, project_id: int, data: TimeEntryCreate) -> TimeEntry:
    """Log time on a project: one's own, or anyone's with the manage_users permission."""
    project, membership = writable_project(session, actor, project_id)
    minutes = _minutes_of(data.minutes, data.hours)
    if minutes is None:
        raise ValidationFailed.field("minutes", "is required (or give hours)")
    user_id = actor.user_id if data.user_id is None else data.user_id
    if user_id != actor.user_id:
        require_own_or_manager(membership)
        member_field(session, project.workspace_id, user_id, "user_id")
    entry = TimeEntry(
        workspace_id=project.workspace_id,
        project_id=project.id,
        task_id=_task_of_project(session, project.id, data.task_id),
        user_id=user_id,
        minutes=minutes,
        spent_on=data.spent_on or utcnow().date(),
        note=data.note,
        created_by_id=actor.user_id,
    )
    return _record_created(session, actor, entry)


def record_correction(
    session: Session, actor: Actor, *, task: Task, minutes: int, spent_on: date, note: str
) -> TimeEntry:
    """An entry by the caller that may be negative (setting a task's actual hours lower); the
    caller of this function has checked write access to the task."""
    entry = TimeEntry(
        workspace_id=task.workspace_id,
        project_id=task.project_id,
        task_id=task.id,
        user_id=actor.user_id,
        minutes=minutes,
        spent_on=spent_on,
        note=note,
        created_by_id=actor.user_id,
    )
    return _record_created(session, actor, entry)


def update_time_entry(session: Session, actor: Actor, *, entry_id: int, data: TimeEntryUpdate) -> TimeEntry:
    """Change an entry's time, day, task or note: its person, its author, or a manager of people."""
    entry, membership = TIME_ENTRIES.get_for(session, actor, entry_id)
    require_write(membership)
    require_own_or_manager(membership, entry.user_id, entry.created_by_id)
    before = snapshot_of(entry, TIME_ENTRY_FIELDS)
    given = data.model_fields_set
    for field in ("minutes", "hours", "spent_on", "note"):
        if field in given and getattr(data, field) is None:
            raise ValidationFailed.field(field, "cannot be null")
    minutes = _minutes_of(data.minutes, data.hours)
    if minutes is not None:
        entry.minutes = minutes
    if data.spent_on is not None:
        entry.spent_on = data.spent_on
    if data.note is not None:
        entry.note = data.note
    if "task_id" in given:
        entry.task_id = _task_of_project(session, entry.project_id, data.task_id)
    record_update(
        session,
        actor,
        resource_type="time_entry",
        resource_id=entry.id,
        workspace_id=entry.workspace_id,
        before=before,
        after=snapshot_of(entry, TIME_ENTRY_FIELDS),
    )
    return entry


def delete_time_entry(session: Session, actor: Actor, *, entry_id: int) -> None:
    """Remove an entry: its person, its author, or a manager of people."""
    entry, membership = TIME_ENTRIES.get_for(session, actor, entry_id)
    require_write(membership)
    require_own_or_manager(membership, entry.user_id, entry.created_by_id)
    snapshot = snapshot_of(entry, TIME_ENTRY_FIELDS)
    workspace_id = entry.workspace_id
    session.execute(delete(TimeEntry).where(TimeEntry.id == entry_id))
    session.expunge(entry)
    record_event(
        session,
        actor,
        type="time_entry.deleted",
        resource_type="time_entry",
        resource_id=entry_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )
