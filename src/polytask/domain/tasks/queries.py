"""Read-side helpers for tasks: access-checked fetch, relations in bulk, list filters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    String,
    any_,
    bindparam,
    case,
    cast,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import ARRAY

from polytask.core.actor import Actor
from polytask.core.errors import NotFound
from polytask.core.ids import storable_key
from polytask.core.query.fields import Choice, Field, Moment, Number, Ref, Registry, Text
from polytask.core.query.listing import ListSpec
from polytask.core.statements import IdsJSON, Prepared, dialect_name
from polytask.domain.projects.service import home_project_id_of
from polytask.domain.search import search_source
from polytask.domain.tasks.access import TASKS
from polytask.domain.tasks.records import TASK_COLUMNS, TaskRecord, TaskRecordView, TaskRelations
from polytask.domain.tasks.schemas import PRIORITIES, TASK_STATUSES
from polytask.domain.workspaces.access import (
    Viewer,
    reach_params,
    require_allowed_address,
    viewer_of,
    viewer_params,
)
from polytask.models import Membership, Task, TaskAssignee, TaskDependency, TaskLabel

PRIORITY_RANK = case({"low": 1, "medium": 2, "high": 3, "urgent": 4}, value=Task.priority, else_=None)
TASK_SORTS = {
    "due_date": Task.due_date,
    "start_date": Task.start_date,
    "created_at": Task.created_at,
    "updated_at": Task.updated_at,
    "completed_at": Task.completed_at,
    "name": Task.name,
    "status": Task.status,
    "priority": PRIORITY_RANK,
    "position": Task.position,
    "progress": Task.progress,
}


def _assigned(values: list[object] | None) -> object:
    stmt = select(TaskAssignee.task_id).where(TaskAssignee.task_id == Task.id)
    if values is not None:
        stmt = stmt.where(TaskAssignee.user_id.in_(values))
    return stmt.exists()


def _labelled(values: list[object] | None) -> object:
    stmt = select(TaskLabel.task_id).where(TaskLabel.task_id == Task.id)
    if values is not None:
        stmt = stmt.where(TaskLabel.label.in_(values))
    return stmt.exists()


def _moments(*names: str) -> list[Field]:
    return [Field(n, Moment(), expr=getattr(Task, n)) for n in names]


# Every field a task list filters and sorts on, whatever the surface.
TASK_FIELDS = Registry.of(
    "task",
    [
        Field("id", Ref("task"), expr=Task.id),
        Field("name", Text(), expr=Task.name),
        Field("description", Text(), expr=Task.description, sortable=False),
        Field("status", Choice(TASK_STATUSES), expr=Task.status),
        Field("priority", Choice(PRIORITIES, ordered=True), expr=Task.priority),
        *_moments("due_date", "start_date", "created_at", "updated_at", "completed_at"),
        Field("progress", Number(integer=True), expr=Task.progress),
        Field("estimated_hours", Number(), expr=Task.estimated_hours),
        Field("position", Number(), expr=Task.position),
        Field("project_id", Ref("project"), expr=Task.project_id),
        Field("workspace_id", Ref("workspace"), expr=Task.workspace_id),
        Field("section_id", Ref("section"), expr=Task.section_id),
        Field("parent_id", Ref("task"), expr=Task.parent_id),
        Field("created_by", Ref("user"), expr=Task.created_by_id),
        Field("completed_by", Ref("user"), expr=Task.completed_by_id),
        Field("assignee", Ref("user"), any_of=_assigned),
        Field("assignee_id", Ref("user"), any_of=_assigned),
        Field("labels", Text(), any_of=_labelled),
        Field("label", Text(), any_of=_labelled),
        # The named filters of the guide and the developer API.
        Field("due_before", Moment(), expr=Task.due_date, implied_op="before"),
        Field("due_after", Moment(), expr=Task.due_date, implied_op="gte"),
        Field("completed_after", Moment(), expr=Task.completed_at, implied_op="gte"),
        Field("completed_before", Moment(), expr=Task.completed_at, implied_op="before"),
        Field("updated_before", Moment(), expr=Task.updated_at, implied_op="before"),
        Field("updated_after", Moment(), expr=Task.updated_at, implied_op="gte"),
    ],
)


@dataclass(slots=True)
class TaskView:
    """A task with the relations every surface renders."""

    task: Task
    relations: TaskRelations
    role: str | None = None


_TASK_FOR = TASKS.by_id(select(Task, Membership))
_TASK_READ = Prepared(TASKS.by_id(select(*(getattr(Task, name) for name in TASK_COLUMNS), Membership.role)))


def _access(actor: Actor, task_id: int) -> dict[str, int]:
    if not storable_key(task_id):
        raise NotFound.of("task", task_id)
    return reach_params(actor, task_id)


def read_task_for(session: Session, actor: Actor, task_id: int, *, project_id: int | None = None) -> TaskRecordView:
    """The task with its relations and the actor's role, as a record read by one prepared
    statement (core/statements.py; its relations as JSON arrays of correlated subqueries:
    on PostgreSQL a second statement is a second round trip); NotFound when invisible or
    not in `project_id`. For reading and rendering, and for an update's first look."""
    rows = _TASK_READ_WHOLE.rows(session, _access(actor, task_id))
    if not rows:
        raise NotFound.of("task", task_id)
    *values, role, assignees, labels, deps = rows[0]
    record = TaskRecord(*values)
    require_allowed_address(actor, record.workspace_id)
    if project_id is not None and record.project_id != project_id:
        raise NotFound.of("task", task_id)
    # In group_relations' order: assignees by position (then id as text), labels, dependencies by id as text.
    relations = TaskRelations(
        [user for _, user in sorted(assignees, key=_position_then_text)] if assignees else [],
        sorted(labels) if labels else [],
        sorted(deps, key=str) if deps else [],
    )
    return TaskRecordView(record, relations, role)


def _position_then_text(pair: Sequence[Any]) -> tuple[Any, str]:
    return pair[0], str(pair[1])


def read_task_record_for(session: Session, actor: Actor, task_id: int) -> tuple[TaskRecord, str]:
    """The task's own values and the actor's role in its workspace; else NotFound."""
    rows = _TASK_READ.rows(session, _access(actor, task_id))
    if not rows:
        raise NotFound.of("task", task_id)
    *values, role = rows[0]
    record = TaskRecord(*values)
    require_allowed_address(actor, record.workspace_id)
    return record, role


def fetch_task_for(session: Session, actor: Actor, task_id: int) -> tuple[Task, Membership]:
    """The task and the actor's membership in its workspace, in one query; else NotFound."""
    row = session.execute(_TASK_FOR, _access(actor, task_id)).first()
    if row is None:
        raise NotFound.of("task", task_id)
    require_allowed_address(actor, row[0].workspace_id)
    return row[0], row[1]


class _JsonList(FunctionElement[Any]):
    """A JSON array of its columns (several: an array of arrays) over a subquery's rows."""

    type = IdsJSON()
    inherit_cache = True
    name = "json_list"


@compiles(_JsonList, "sqlite")
def _json_list_sqlite(element: _JsonList, compiler: Any, **kw: Any) -> str:
    args = list(element.clauses)
    inner = (
        compiler.process(args[0], **kw) if len(args) == 1 else f"json_array({compiler.process(element.clauses, **kw)})"
    )
    return f"json_group_array({inner})"


@compiles(_JsonList)
def _json_list_default(element: _JsonList, compiler: Any, **kw: Any) -> str:
    args = list(element.clauses)
    inner = (
        compiler.process(args[0], **kw)
        if len(args) == 1
        else f"json_build_array({compiler.process(element.clauses, **kw)})"
    )
    return f"json_agg({inner})"


def _related(*columns: Any, link: Any) -> Any:
    return select(_JsonList(*columns)).where(link == Task.id).scalar_subquery()


# One task, the caller's role, and its relations (JSON arrays; NULL when there are none).
_TASK_READ_WHOLE = Prepared(
    TASKS.by_id(
        select(
            *(getattr(Task, name) for name in TASK_COLUMNS),
            Membership.role,
            _related(TaskAssignee.position, TaskAssignee.user_id, link=TaskAssignee.task_id),
            _related(TaskLabel.label, link=TaskLabel.task_id),
            _related(TaskDependency.depends_on_id, link=TaskDependency.task_id),
        )
    )
)


_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_IDS_ARRAY: BindParameter[Any] = bindparam("ids", type_=ARRAY(Integer))


def _relation_arms(among: Callable[[Any], Any]) -> list[Any]:
    """Assignees, labels and dependencies of some tasks as (task id, kind, value, order) rows,
    one SELECT each; `among(column)` says which tasks."""
    return [
        select(
            TaskAssignee.task_id,
            literal("a").label("kind"),
            cast(TaskAssignee.user_id, String).label("value"),
            TaskAssignee.position.label("ord"),
        ).where(among(TaskAssignee.task_id)),
        select(TaskLabel.task_id, literal("l"), TaskLabel.label, literal(0)).where(among(TaskLabel.task_id)),
        select(TaskDependency.task_id, literal("d"), cast(TaskDependency.depends_on_id, String), literal(0)).where(
            among(TaskDependency.task_id)
        ),
    ]


def _relations(among: Callable[[Any], Any]) -> Any:
    """All three relations of some tasks in one round trip."""
    return union_all(*_relation_arms(among))


# PostgreSQL: one round trip, the ids as one array. SQLite: one statement for one task (an
# equality); for several, each relation by itself (`_SQLITE_RELATIONS`).
_RELATIONS_READ = Prepared(
    _relations(lambda column: column.in_(_IDS)),
    expanding="ids",
    arrays={"postgresql": _relations(lambda column: column == any_(_IDS_ARRAY))},
)
_RELATIONS_CHUNK = 100

# SQLite, several tasks: three SELECTs of the stored columns alone. Each arm of the UNION ALL
# with an IN list of several values cost about 40 us more than the same SELECT alone, and
# the union's constant and cast columns (a kind, a value as text) about 25 us more for a page
# of 50 tasks, and about as much again in Python to sort and convert them back (bench/paired.py,
# list-filter: 0.96 of the CPU of the union's arms run one by one, quartiles 0.85-1.05).
_SQLITE_RELATIONS = (
    Prepared(
        select(TaskAssignee.task_id, TaskAssignee.user_id, TaskAssignee.position).where(TaskAssignee.task_id.in_(_IDS)),
        expanding="ids",
    ),
    Prepared(select(TaskLabel.task_id, TaskLabel.label).where(TaskLabel.task_id.in_(_IDS)), expanding="ids"),
    Prepared(
        select(TaskDependency.task_id, TaskDependency.depends_on_id).where(TaskDependency.task_id.in_(_IDS)),
        expanding="ids",
    ),
)


def load_relations(session: Session, task_ids: list[int]) -> dict[int, TaskRelations]:
    """Assignees, labels and dependencies of many tasks in a single round trip on PostgreSQL,
    three statements on SQLite (prepared statements; pending changes are flushed first)."""
    if not task_ids:
        return defaultdict(TaskRelations)
    chunks = [task_ids[start : start + _RELATIONS_CHUNK] for start in range(0, len(task_ids), _RELATIONS_CHUNK)]
    # In chunks: a statement is compiled once per list length, so lengths stay bounded.
    if len(task_ids) > 1 and dialect_name(session) == "sqlite":
        assignees, labels, deps = (
            [row for ids in chunks for row in read.rows(session, {"ids": ids})] for read in _SQLITE_RELATIONS
        )
        return _grouped(assignees, labels, deps)
    return group_relations([row for ids in chunks for row in _RELATIONS_READ.rows(session, {"ids": ids})])


def _grouped(assignees: list[Any], labels: list[Any], deps: list[Any]) -> dict[int, TaskRelations]:
    """The three relations' rows as each task's relations, in group_relations' order."""
    result: dict[int, TaskRelations] = defaultdict(TaskRelations)
    # Assignees by position (then id as text, as the union's rows sort), labels by label,
    # dependencies by id as text (the union's value column is text on both engines).
    for task_id, user_id, _position in sorted(assignees, key=lambda r: (r[0], r[2], str(r[1]))):
        result[task_id].assignee_ids.append(user_id)
    for task_id, label in sorted(labels):
        result[task_id].labels.append(label)
    for task_id, depends_on in sorted(deps, key=lambda r: (r[0], str(r[1]))):
        result[task_id].dependency_ids.append(depends_on)
    return result


def group_relations(rows: Iterable[Sequence[Any]]) -> dict[int, TaskRelations]:
    """(task id, kind, value, order) rows of _RELATIONS as each task's relations, in order."""
    result: dict[int, TaskRelations] = defaultdict(TaskRelations)
    for task_id, kind, value, _ord in sorted(rows, key=lambda r: (r[0], r[1], r[3], r[2])):
        rel = result[task_id]
        if kind == "a":
            rel.assignee_ids.append(int(value))
        elif kind == "l":
            rel.labels.append(value)
        else:
            rel.dependency_ids.append(int(value))
    return result


def views_of(session: Session, tasks: list[Task]) -> list[TaskView]:
    relations = load_relations(session, [t.id for t in tasks])
    return [TaskView(t, relations[t.id]) for t in tasks]


@dataclass(slots=True)
class TaskFilter:
    """The named filters of the native task list (the full query language comes later)."""

    project_id: int | None = None
    # A project of the caller's home workspace by uuid (TaskIP's paths), narrowed inside the
    # list's own statement (domain/projects/service.py home_project_id_of).
    project_uuid: str | None = None
    workspace_id: int | None = None
    section_id: int | None = None
    parent_id: int | None = None
    top_level_only: bool = False
    assignee_ids: list[int] | None = None
    statuses: list[str] | None = None
    priorities: list[str] | None = None
    labels: list[str] | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    completed_after: datetime | None = None
    completed_before: datetime | None = None
    updated_before: datetime | None = None


# Filters that pick out few tasks through an index of their own (or a subquery): with one of
# them, a list must not be steered onto the workspace's due-date index (see filtered_tasks).
NARROWING_FIELDS = frozenset(
    {"id", "project_id", "section_id", "parent_id", "assignee", "assignee_id", "label", "labels"}
)


def narrows(flt: TaskFilter) -> bool:
    return any(
        v is not None
        for v in (flt.project_id, flt.project_uuid, flt.section_id, flt.parent_id, flt.assignee_ids, flt.labels)
    )


def filtered_tasks(
    actor: Actor, flt: TaskFilter, *, workspace_wide: bool = False, base: Select[Any] | None = None
) -> Select[Any]:
    """Tasks the actor may see, narrowed by `flt`.

    `workspace_wide` (the list has no narrowing filter) writes the visibility rule so that a
    bound credential's list walks ix_tasks_workspace_due in order (`TASKS.visible`).
    Otherwise it stays `workspace_id IN (...)`: SQLite plans without statistics, and offered
    the workspace equality beside a project filter it walks the whole workspace by due date
    instead of the project's index (0.2 ms -> 50 ms at 100k tasks). `base` is the SELECT to
    narrow (default: Task entities), e.g. TASK_PAGE built once."""
    visible = TASKS.visible(actor) if workspace_wide else TASKS.among_visible(actor)
    return _narrowed((select(Task) if base is None else base).where(visible), flt, _literal, actor)


def task_list_base(
    actor: Actor, flt: TaskFilter, *, workspace_wide: bool, base: Select[Any]
) -> tuple[Select[Any], dict[str, Any]]:
    """`filtered_tasks` as a statement shared by every list of the same shape, and the values
    of its parameters for this one.

    The statement names the actor's values and the filter's as bound parameters (the rules
    are the same functions, given a Viewer and parameters instead of an Actor and values), so
    it is built once per shape (who is bound or blocked, which filters are set) instead of
    once per request: building it cost a list about a tenth of its CPU."""
    viewer = viewer_of(actor)
    named = tuple(name for name in _NARROWING if getattr(flt, name) is not None)
    key = (viewer, named, flt.top_level_only, workspace_wide, id(base))
    stmt = _LIST_BASES.get(key)
    if stmt is None:
        visible = TASKS.visible(viewer) if workspace_wide else TASKS.among_visible(viewer)
        stmt = _narrowed(base.where(visible), flt, _parameter, viewer)
        if len(_LIST_BASES) >= 256:
            _LIST_BASES.clear()  # shapes are few; bounded all the same
        _LIST_BASES[key] = stmt
    params = viewer_params(actor)
    for name in named:
        value = getattr(flt, name)
        params[f"flt_{name}"] = list(value) if isinstance(value, (list, tuple, set, frozenset)) else value
    return stmt, params


# The filters of TaskFilter that take a value (top_level_only is part of the shape).
_NARROWING = (
    "project_id",
    "project_uuid",
    "workspace_id",
    "section_id",
    "parent_id",
    "assignee_ids",
    "statuses",
    "priorities",
    "labels",
    "due_before",
    "due_after",
    "completed_after",
    "completed_before",
    "updated_before",
)
_LISTS = frozenset({"assignee_ids", "statuses", "priorities", "labels"})
_LIST_BASES: dict[tuple[Any, ...], Select[Any]] = {}


def _literal(_name: str, value: Any) -> Any:
    return value


def _parameter(name: str, _value: Any) -> Any:
    return bindparam(f"flt_{name}", expanding=name in _LISTS)


def _narrowed(stmt: Select[Any], flt: TaskFilter, value: Callable[[str, Any], Any], who: Actor | Viewer) -> Select[Any]:
    """`stmt` narrowed by the filters `flt` sets, each compared with `value(name, its value)`:
    the value itself, or a bound parameter named after it (task_list_base)."""
    if flt.project_id is not None:
        stmt = stmt.where(Task.project_id == value("project_id", flt.project_id))
    if flt.project_uuid is not None:
        stmt = stmt.where(Task.project_id == home_project_id_of(who, value("project_uuid", flt.project_uuid)))
    if flt.workspace_id is not None:
        stmt = stmt.where(Task.workspace_id == value("workspace_id", flt.workspace_id))
    if flt.section_id is not None:
        stmt = stmt.where(Task.section_id == value("section_id", flt.section_id))
    if flt.parent_id is not None:
        stmt = stmt.where(Task.parent_id == value("parent_id", flt.parent_id))
    elif flt.top_level_only:
        stmt = stmt.where(Task.parent_id.is_(None))
    if flt.assignee_ids is not None:
        assigned = select(TaskAssignee.task_id).where(TaskAssignee.user_id.in_(value("assignee_ids", flt.assignee_ids)))
        stmt = stmt.where(Task.id.in_(assigned))
    if flt.statuses is not None:
        stmt = stmt.where(Task.status.in_(value("statuses", flt.statuses)))
    if flt.priorities is not None:
        stmt = stmt.where(Task.priority.in_(value("priorities", flt.priorities)))
    if flt.labels is not None:
        labelled = select(TaskLabel.task_id).where(TaskLabel.label.in_(value("labels", flt.labels)))
        stmt = stmt.where(Task.id.in_(labelled))
    if flt.due_before is not None:
        stmt = stmt.where(Task.due_date < value("due_before", flt.due_before))
    if flt.due_after is not None:
        stmt = stmt.where(Task.due_date >= value("due_after", flt.due_after))
    if flt.completed_after is not None:
        stmt = stmt.where(Task.completed_at >= value("completed_after", flt.completed_after))
    if flt.completed_before is not None:
        stmt = stmt.where(Task.completed_at < value("completed_before", flt.completed_before))
    if flt.updated_before is not None:
        stmt = stmt.where(Task.updated_at < value("updated_before", flt.updated_before))
    return stmt


# What a task list selects: the task's own columns, read into records (no ORM objects).
TASK_SELECT = tuple(getattr(Task, name) for name in TASK_COLUMNS)
# The SELECT of them, built once: selecting 20 columns afresh cost each page about 30 us.
TASK_PAGE = select(*TASK_SELECT)


def records_of(session: Session, rows: list[Any]) -> list[TaskRecordView]:
    """A page of TASK_SELECT rows as records with their relations (one more statement)."""
    records = [TaskRecord(*row) for row in rows]
    relations = load_relations(session, [r.id for r in records])
    return [TaskRecordView(r, relations[r.id]) for r in records]


# Across projects a task list is in creation order (ties by id); list_tasks_for puts one
# project's tasks in their manual order. Its base selects TASK_SELECT.
TASK_LIST = ListSpec("task", TASK_FIELDS, Task.id, search=search_source("task"), load=records_of, columns=True)


def end_of_day_bound(value: datetime) -> datetime:
    """A date-only upper bound includes that whole day."""
    return value + timedelta(days=1)
