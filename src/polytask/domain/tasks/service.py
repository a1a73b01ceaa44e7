"""Tasks: the named operations every surface calls."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey, parse_sort
from polytask.core.query import Node, conjunction
from polytask.core.query.listing import run_list
from polytask.core.query.tree import conditions, named_ids
from polytask.core.statements import PreparedWrite
from polytask.domain.events.service import diff, record_event
from polytask.domain.fields.service import ProjectLike, ProjectRef, check_values, fields_apply, task_field_resolver
from polytask.domain.members.people import resolve_people
from polytask.domain.projects.service import (
    check_project_for,
    get_project_and_membership,
    get_project_for,
    home_project,
    look_at_project,
    project_look,
)
from polytask.domain.tasks.created import ValidTask, write_tasks
from polytask.domain.tasks.imports import import_tasks as import_tasks
from polytask.domain.tasks.queries import (
    NARROWING_FIELDS,
    TASK_LIST,
    TASK_PAGE,
    TaskFilter,
    TaskView,
    fetch_task_for,
    filtered_tasks,
    load_relations,
    narrows,
    read_task_for,
    task_list_base,
    views_of,
)
from polytask.domain.tasks.records import TASK_COLUMNS, TaskRecord, TaskRecordView, TaskRelations
from polytask.domain.tasks.rules import (
    after_position,
    check_dependencies,
    check_parent,
    check_section,
    descendant_ids,
    last_position,
    next_position,
    task_snapshot,
)
from polytask.domain.tasks.schemas import TaskCreate, TaskUpdate, _TaskFields
from polytask.domain.tasks.views import view_tree
from polytask.domain.workspaces.access import membership_for, require_write, require_write_role
from polytask.models import Project, SavedView, Task, TaskAssignee, TaskDependency, TaskLabel, User

# --- lookups ---------------------------------------------------------------------------------


def get_task_for(session: Session, actor: Actor, task_id: int, *, project_id: int | None = None) -> TaskRecordView:
    """The task with its relations, or NotFound (also when it isn't in `project_id`); a record
    for reading and rendering (queries.read_task_for), not an ORM object to change."""
    return read_task_for(session, actor, task_id, project_id=project_id)


def list_tasks_for(
    session: Session,
    actor: Actor,
    *,
    flt: TaskFilter,
    page: PageRequest,
    sort: list[SortKey],
    tree: Node | None = None,
    view: SavedView | None = None,
    search: str | None = None,
) -> PageResult[TaskRecordView]:
    """Tasks the actor can see, filtered (named filters and the query engine's tree),
    sorted (ties broken by id) and paged. A saved `view` adds its filter, its project and,
    when `sort` is empty, its sort. `search` keeps tasks whose name, description or comments
    contain every word, best matches first unless `sort` says otherwise."""
    if view is not None:
        tree = conjunction([n for n in (view_tree(view), tree) if n is not None])
        flt.project_id = view.project_id
        sort = sort or parse_sort(view.sort, None)
    # A project's page of tasks proves the caller sees the project when it holds any: its rows
    # passed the same visibility rule. Only an empty page needs the project looked up (404 for
    # one the caller cannot see, 403 behind an IP allowlist). Custom fields and search read
    # the project's definitions and comments first, so those look it up before anything else.
    if flt.project_uuid is not None and (search is not None or _names_custom_fields(tree, sort)):
        # Search and custom fields read the project first: by id, as any list does.
        flt.project_id, flt.project_uuid = home_project(session, actor, flt.project_uuid)[0], None
    project_unchecked = flt.project_id is not None
    if project_unchecked and (search is not None or _names_custom_fields(tree, sort)):
        check_project_for(session, actor, cast(int, flt.project_id))
        project_unchecked = False
    if flt.workspace_id is not None:
        membership_for(session, actor, flt.workspace_id)
    workspace_wide = (
        search is None and not narrows(flt) and not any(c.field in NARROWING_FIELDS for c in conditions(tree))
    )
    base, params = task_list_base(actor, flt, workspace_wide=workspace_wide, base=TASK_PAGE)
    result = run_list(
        session,
        TASK_LIST,
        actor=actor,
        base=base,
        params=params,
        page=page,
        sort=sort,
        tree=tree,
        search=search,
        custom=task_field_resolver(session, actor, flt.project_id),
        # Manual order only means something inside one project.
        default_sort=[SortKey("position")] if flt.project_id is not None or flt.project_uuid is not None else None,
        check=lambda: _check_named_containers(session, actor, tree),
    )
    if project_unchecked and not result.items:
        check_project_for(session, actor, cast(int, flt.project_id))
    if flt.project_uuid is not None and not result.items:
        home_project(session, actor, flt.project_uuid)  # NotFound for one the caller cannot see
    return result


def _names_custom_fields(tree: Node | None, sort: list[SortKey]) -> bool:
    prefix = "custom_fields."
    return any(c.field.startswith(prefix) for c in conditions(tree)) or any(k.field.startswith(prefix) for k in sort)


def _check_named_containers(session: Session, actor: Actor, tree: Node | None) -> None:
    """Naming a project or workspace the caller cannot see is a 404, as it is in a path."""
    for field, pk in named_ids(tree, {"project_id": "project", "workspace_id": "workspace"}):
        if field == "project_id":
            get_project_for(session, actor, pk)
        else:
            membership_for(session, actor, pk)


# Bulk operations compile filter objects with the same check (domain/bulk/operations.py).
check_named_containers = _check_named_containers


# --- validation helpers ----------------------------------------------------------------------


def _set_relations(
    session: Session,
    task: Task | TaskRecord,
    *,
    assignees: list[int] | None,
    labels: list[str] | None,
    deps: list[int] | None,
    new: bool = False,
) -> None:
    """Replace the given relations (None: leave as is); a `new` task has none to delete."""
    if assignees is not None:
        if not new:
            session.execute(delete(TaskAssignee).where(TaskAssignee.task_id == task.id))
        session.add_all(TaskAssignee(task_id=task.id, user_id=u, position=i) for i, u in enumerate(assignees))
    if labels is not None:
        if not new:
            session.execute(delete(TaskLabel).where(TaskLabel.task_id == task.id))
        session.add_all(TaskLabel(task_id=task.id, label=label) for label in labels)
    if deps is not None:
        if not new:
            session.execute(delete(TaskDependency).where(TaskDependency.task_id == task.id))
        session.add_all(TaskDependency(task_id=task.id, depends_on_id=d) for d in deps)


def _apply_status(task: Task | TaskRecord, actor: Actor, status: str) -> None:
    """Keep completed_at/completed_by in step with the status."""
    if status == task.status:
        return
    task.status = status
    if status == "completed":
        task.completed_at = utcnow()
        task.completed_by_id = actor.user_id
        task.progress = 100
    elif task.completed_at is not None:
        task.completed_at = None
        task.completed_by_id = None


# --- writes ----------------------------------------------------------------------------------


def create_task(session: Session, actor: Actor, *, project_id: int | None = None, data: TaskCreate) -> TaskRecordView:
    """Create a task in a project (from the path, or `project_id` in the body)."""
    if project_id is None:
        if data.project_id is None:
            raise ValidationFailed.field("project_id", "is required")
        project_id = data.project_id
    elif data.project_id is not None and data.project_id != project_id:
        raise ValidationFailed.field("project_id", "does not match the project in the path", data.project_id)
    workspace_id, role, defined, last = look_at_project(session, actor, project_id, _CREATE_LOOK)
    require_write_role(role)
    project = ProjectRef(project_id, workspace_id)
    check_section(session, project.id, data.section_id)
    check_parent(session, None, project.id, data.parent_id)
    people = data.people()
    assignees = resolve_people(session, project.workspace_id, people, "assignee_id") if people else []
    deps = check_dependencies(session, None, project.workspace_id, data.dependencies or [])
    custom = check_values(session, project, data.custom_fields or {}, current=None, defined=bool(defined))
    # The same writer as a bulk create: the row, its relations and its events, no ORM object.
    item = ValidTask(0, data, project, assignees=assignees, deps=deps, custom=custom)
    positions = {project_id: after_position(last)}
    return write_tasks(session, actor, [item], {workspace_id: role}, positions=positions)[0]


# A create's first look, one statement (on PostgreSQL each was a round trip): the caller's
# access to the project and role, whether any custom field applies, and its last position.
_CREATE_LOOK = project_look(fields_apply(Project.workspace_id, Project.id), last_position(Project.id))


def update_task(
    session: Session, actor: Actor, *, task_id: int, data: TaskUpdate, project_id: int | None = None
) -> TaskView | TaskRecordView:
    """Change the fields given in `data` (PUT and PATCH alike are partial updates).

    The task is read as a record by one prepared statement and its changed columns written by
    one UPDATE (no ORM object: loading and flushing one cost more than the statements); a
    move to another project takes `_update_task_object`, which moves its subtasks too.
    """
    # The row, the caller's role and the relations in one statement (on PostgreSQL a
    # statement for the relations was a round trip more).
    read = read_task_for(session, actor, task_id, project_id=project_id)
    task, role, current = read.task, cast(str, read.role), read.relations
    require_write_role(role)
    given = data.model_fields_set
    if "project_id" in given and data.project_id is None:
        raise ValidationFailed.field("project_id", "cannot be null")
    if data.project_id is not None and data.project_id != task.project_id:
        return _update_task_object(session, actor, task_id=task_id, data=data)
    before = task_snapshot(task, current)
    stored = [getattr(task, name) for name in _CHANGEABLE]
    # The task's row already proved access to its project.
    _apply_fields(session, actor, task, ProjectRef(task.project_id, task.workspace_id), data, given)
    relations = _replace_relations(session, task, data, given, current)
    after = task_snapshot(task, relations)
    changes = diff(before, after)
    if changes:
        task.updated_at = utcnow()
        values: dict[str, Any] = {
            name: getattr(task, name)
            for name, was in zip(_CHANGEABLE, stored, strict=True)
            if getattr(task, name) != was
        }
        values["updated_at"] = task.updated_at
        _task_update(tuple(values)).run(session, {**values, "task_id": task.id})
        held = session.identity_map.get(Session.identity_key(Task, task.id))
        if held is not None:
            session.expire(held)  # an ORM copy loaded earlier in this unit reads the new row
        _record_update(session, actor, task, before, after, changes)
    return TaskRecordView(task, relations, role)


_TASKS = cast(Table, Task.__table__)
# The columns an update may change (a move changes project_id through the ORM path).
_FIXED = frozenset({"id", "workspace_id", "project_id", "created_by_id", "created_at", "updated_at"})
_CHANGEABLE = tuple(name for name in TASK_COLUMNS if name not in _FIXED)


_TASK_UPDATES: dict[tuple[str, ...], PreparedWrite] = {}


def _task_update(columns: tuple[str, ...]) -> PreparedWrite:
    """The UPDATE of these columns of one task, compiled once (a few shapes are common: only
    the columns given change, so the search index is rewritten only for a new name or text)."""
    found = _TASK_UPDATES.get(columns)
    if found is None:
        stmt = update(_TASKS).where(_TASKS.c.id == bindparam("task_id")).values({c: bindparam(c) for c in columns})
        found = PreparedWrite(stmt)
        if len(_TASK_UPDATES) < 512:  # 14 columns make many sets; the common few stay
            _TASK_UPDATES[columns] = found
    return found


def _replace_relations(
    session: Session, task: Task | TaskRecord, data: TaskUpdate, given: set[str], current: TaskRelations
) -> TaskRelations:
    """Write the relations `data` gives (assignees, labels, dependencies); the task's relations after."""
    people = data.people()
    assignees = resolve_people(session, task.workspace_id, people, "assignee_id") if people is not None else None
    deps = (
        check_dependencies(session, task.id, task.workspace_id, data.dependencies or [])
        if "dependencies" in given
        else None
    )
    labels = (data.labels or []) if "labels" in given else None
    _set_relations(session, task, assignees=assignees, labels=labels, deps=deps)
    return TaskRelations(
        assignee_ids=assignees if assignees is not None else current.assignee_ids,
        labels=labels if labels is not None else current.labels,
        dependency_ids=deps if deps is not None else current.dependency_ids,
    )


def _update_task_object(
    session: Session, actor: Actor, *, task_id: int, data: TaskUpdate, project_id: int | None = None
) -> TaskView:
    """`update_task` through the ORM object: a move to another project (with its subtasks)."""
    task, membership = fetch_task_for(session, actor, task_id)
    if project_id is not None and task.project_id != project_id:
        raise NotFound.of("task", task_id)
    view = TaskView(task, load_relations(session, [task.id])[task.id], membership.role)
    require_write(membership)
    before = task_snapshot(task, view.relations)
    given = data.model_fields_set
    if "project_id" in given and data.project_id is None:
        raise ValidationFailed.field("project_id", "cannot be null")
    if data.project_id is not None and data.project_id != task.project_id:
        move_task(session, actor, task=task, to_project_id=data.project_id)
    # The task's row already proved access to its project (and move_task to a new one).
    _apply_fields(session, actor, task, ProjectRef(task.project_id, task.workspace_id), data, given)
    relations = _replace_relations(session, task, data, given, view.relations)
    after = task_snapshot(task, relations)
    changes = diff(before, after)
    if changes:
        task.updated_at = utcnow()
        session.flush()
        _record_update(session, actor, task, before, after, changes)
    return TaskView(task, relations, membership.role)


def _record_update(
    session: Session,
    actor: Actor,
    task: Task | TaskRecord,
    before: dict[str, Any],
    after: dict[str, Any],
    changes: dict[str, Any],
) -> None:
    """The update's event: `task.completed` when it completed the task, else `task.updated`."""
    became_completed = before["status"] != "completed" and task.status == "completed"
    record_event(
        session,
        actor,
        type="task.completed" if became_completed else "task.updated",
        resource_type="task",
        resource_id=task.id,
        workspace_id=task.workspace_id,
        changes=changes,
        snapshot=after,
    )


_NULLABLE = {"priority", "due_date", "start_date", "estimated_hours", "section_id", "parent_id"}
_REQUIRED = {"name", "status", "progress", "position", "description"}


def _apply_fields(
    session: Session, actor: Actor, task: Task | TaskRecord, project: ProjectLike, data: _TaskFields, given: set[str]
) -> None:
    for field in _NULLABLE | _REQUIRED:
        if field not in given or field == "status":
            continue
        value = getattr(data, field)
        if value is None and field in _REQUIRED:
            raise ValidationFailed.field(field, "cannot be null")
        if field == "section_id":
            check_section(session, project.id, value)
        if field == "parent_id":
            check_parent(session, task, project.id, value)
        setattr(task, field, value)
    if "status" in given:
        if data.status is None:
            raise ValidationFailed.field("status", "cannot be null")
        _apply_status(task, actor, data.status)
        if "progress" in given and data.progress is not None:
            task.progress = data.progress
    if "custom_fields" in given and data.custom_fields is not None:
        task.custom_fields = check_values(session, project, data.custom_fields, current=task.custom_fields)


def replace_custom_value(session: Session, actor: Actor, task: Task, key: str, value: Any) -> None:
    """Set (or with None remove) one custom value as a field's definition changes; one event."""
    before = dict(task.custom_fields)
    after = {k: v for k, v in {**before, key: value}.items() if v is not None}
    if after == before:
        return
    task.custom_fields = after
    task.updated_at = utcnow()
    session.flush()
    record_event(
        session,
        actor,
        type="task.updated",
        resource_type="task",
        resource_id=task.id,
        workspace_id=task.workspace_id,
        changes={"custom_fields": {"from": before, "to": after}},
        snapshot=task_snapshot(task, load_relations(session, [task.id])[task.id]),
    )


def move_task(session: Session, actor: Actor, *, task: Task, to_project_id: int) -> None:
    """Move a task, and its subtasks, to another project of the same workspace."""
    target, membership = get_project_and_membership(session, actor, to_project_id)
    require_write(membership)
    if target.workspace_id != task.workspace_id:
        raise ValidationFailed.field("project_id", "tasks can only move within their workspace", to_project_id)
    subtask_ids = descendant_ids(session, task.id)
    relations = load_relations(session, subtask_ids)
    subtasks = list(session.scalars(select(Task).where(Task.id.in_(subtask_ids))))
    before = {t.id: task_snapshot(t, relations[t.id]) for t in subtasks}
    for moved in [task, *subtasks]:
        moved.project_id = target.id
        moved.section_id = None
    parent = session.get(Task, task.parent_id) if task.parent_id else None
    if parent is not None and parent.project_id != target.id:
        task.parent_id = None
    task.position = next_position(session, target.id)
    # The moved task's own event comes from the caller; its subtasks changed project too.
    for sub in subtasks:
        after = task_snapshot(sub, relations[sub.id])
        record_event(
            session,
            actor,
            type="task.updated",
            resource_type="task",
            resource_id=sub.id,
            workspace_id=sub.workspace_id,
            changes=diff(before[sub.id], after),
            snapshot=after,
        )


def delete_task(session: Session, actor: Actor, *, task_id: int, project_id: int | None = None) -> None:
    """Delete a task with its subtasks and comments; one event per deleted task."""
    task, membership = fetch_task_for(session, actor, task_id)
    if project_id is not None and task.project_id != project_id:
        raise NotFound.of("task", task_id)
    require_write(membership)
    doomed = [task.id, *descendant_ids(session, task.id)]
    relations = load_relations(session, doomed)
    snapshots = {
        t.id: task_snapshot(t, relations[t.id]) for t in session.scalars(select(Task).where(Task.id.in_(doomed)))
    }
    workspace_id = task.workspace_id
    session.execute(delete(Task).where(Task.id.in_(doomed)))
    session.expunge(task)
    for doomed_id in reversed(doomed):
        record_event(
            session,
            actor,
            type="task.deleted",
            resource_type="task",
            resource_id=doomed_id,
            workspace_id=workspace_id,
            snapshot=snapshots[doomed_id],
        )


def complete_task(session: Session, actor: Actor, *, task_id: int) -> TaskView | TaskRecordView:
    """Mark a task completed (a no-op when it already is)."""
    return update_task(session, actor, task_id=task_id, data=TaskUpdate(status="completed"))


def assignees_of_projects(session: Session, project_ids: list[int]) -> list[User]:
    """Distinct people assigned to any task of these projects."""
    if not project_ids:
        return []
    assigned = (
        select(TaskAssignee.user_id).join(Task, Task.id == TaskAssignee.task_id).where(Task.project_id.in_(project_ids))
    )
    return list(session.scalars(select(User).where(User.id.in_(assigned)).order_by(User.id)))


def views_by_ids(session: Session, actor: Actor, task_ids: list[int]) -> list[TaskView]:
    """Visible tasks among these ids (for includes); invisible ones are simply absent."""
    if not task_ids:
        return []
    tasks = list(session.scalars(filtered_tasks(actor, TaskFilter()).where(Task.id.in_(task_ids))))
    return views_of(session, tasks)


def uncomplete_task(session: Session, actor: Actor, *, task_id: int) -> TaskView | TaskRecordView:
    """Reopen a completed task (back to pending); a no-op for an open task."""
    view = get_task_for(session, actor, task_id)
    if view.task.status != "completed":
        return view
    return update_task(session, actor, task_id=task_id, data=TaskUpdate(status="pending"))


def set_task_due_date(session: Session, actor: Actor, *, task_id: int, due: date) -> TaskView | TaskRecordView:
    """Due at the start of that day (UTC)."""
    return update_task(session, actor, task_id=task_id, data=TaskUpdate(due_date=_midnight(due)))


def set_task_start_date(session: Session, actor: Actor, *, task_id: int, start: date) -> TaskView | TaskRecordView:
    """Start (a.k.a. delay) date: until then the task is put off."""
    return update_task(session, actor, task_id=task_id, data=TaskUpdate(start_date=_midnight(start)))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def set_completion_notes(session: Session, actor: Actor, *, task_id: int, notes: str | None) -> None:
    """Set what was said when the task was done (TaskFlow's `completion_notes`; None clears it):
    a task.updated event whose changes name the field (the snapshot does not carry it)."""
    task, membership = fetch_task_for(session, actor, task_id)
    require_write(membership)
    if task.completion_notes == notes:
        return
    changes = {"completion_notes": {"from": task.completion_notes, "to": notes}}
    task.completion_notes = notes
    task.updated_at = utcnow()
    session.flush()
    relations = load_relations(session, [task.id])[task.id]
    record_event(
        session,
        actor,
        type="task.updated",
        resource_type="task",
        resource_id=task.id,
        workspace_id=task.workspace_id,
        changes=changes,
        snapshot=task_snapshot(task, relations),
    )
