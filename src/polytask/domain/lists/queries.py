"""Read side of lists: which lists and tasks a user has, counts, and the cards surfaces render."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import as_utc, utcnow
from polytask.core.statements import Prepared
from polytask.domain.lists.access import visible_list_ids
from polytask.domain.lists.schemas import EmailLink, ListCard, TaskCard, TaskCounts
from polytask.domain.tasks.records import TaskRecord
from polytask.models import (
    Task,
    TaskAssignee,
    TaskEmailLink,
    TaskList,
    TaskListCollaborator,
    TaskListItem,
    TaskSeen,
    User,
)

# Tasks in these states count as "complete" (cancelled work is closed work too).
CLOSED_STATUSES = ("completed", "cancelled")


def my_task_ids(actor: Actor, workspace_id: int) -> Select[int]:
    """The user's tasks: created by them, shared with them, or in one of their lists."""
    assigned = select(TaskAssignee.task_id).where(TaskAssignee.user_id == actor.user_id)
    listed = select(TaskListItem.task_id).where(TaskListItem.list_id.in_(visible_list_ids(actor, workspace_id)))
    return select(Task.id).where(
        Task.workspace_id == workspace_id,
        or_(Task.created_by_id == actor.user_id, Task.id.in_(assigned), Task.id.in_(listed)),
    )


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    today = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return today, today + timedelta(days=1)


def _conditions(actor: Actor) -> dict[str, ColumnElement[bool]]:
    today, tomorrow = _day_bounds(utcnow())
    complete = Task.status.in_(CLOSED_STATUSES)
    open_ = Task.status.not_in(CLOSED_STATUSES)
    # A start date after today means the task is put off ("delayed") until then.
    delayed = and_(open_, Task.start_date.is_not(None), Task.start_date >= tomorrow)
    active = and_(open_, or_(Task.start_date.is_(None), Task.start_date < tomorrow))
    seen = or_(
        Task.created_by_id == actor.user_id,
        exists().where(TaskSeen.task_id == Task.id, TaskSeen.user_id == actor.user_id),
    )
    return {
        "active": active,
        "complete": complete,
        "delayed": delayed,
        "overdue": and_(active, Task.due_date.is_not(None), Task.due_date < today),
        "unseen": and_(open_, ~seen),
    }


def _sums(actor: Actor) -> list[Any]:
    return [
        func.coalesce(func.sum(case((cond, 1), else_=0)), 0).label(name) for name, cond in _conditions(actor).items()
    ]


def task_counts_of(session: Session, actor: Actor, task_ids: Select[int]) -> TaskCounts:
    row = session.execute(select(*_sums(actor)).where(Task.id.in_(task_ids))).one()
    return TaskCounts(*(int(v) for v in row))


def list_counts(session: Session, actor: Actor, list_ids: list[int]) -> dict[int, TaskCounts]:
    if not list_ids:
        return {}
    stmt = (
        select(TaskListItem.list_id, *_sums(actor))
        .join(Task, Task.id == TaskListItem.task_id)
        .where(TaskListItem.list_id.in_(list_ids))
        .group_by(TaskListItem.list_id)
    )
    return {row[0]: TaskCounts(*(int(v) for v in row[1:])) for row in session.execute(stmt)}


def is_active(task: Task, now: datetime | None = None) -> bool:
    """Neither closed nor put off past today."""
    if task.status in CLOSED_STATUSES:
        return False
    start = as_utc(task.start_date)
    return start is None or start < _day_bounds(now or utcnow())[1]


def list_cards(session: Session, actor: Actor, lists: list[TaskList]) -> list[ListCard]:
    ids = [lst.id for lst in lists]
    emails: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(TaskListCollaborator.list_id, User.email)
            .join(User, User.id == TaskListCollaborator.user_id)
            .where(TaskListCollaborator.list_id.in_(ids))
            .order_by(TaskListCollaborator.added_at, User.id)
        )
        for list_id, email in rows:
            emails[list_id].append(email)
    counts = list_counts(session, actor, ids)
    return [ListCard(lst, emails[lst.id], counts.get(lst.id, TaskCounts())) for lst in lists]


_USER = bindparam("user_id", type_=Integer)
_WORKSPACE = bindparam("workspace_id", type_=Integer)
_TASK_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
# The four things a Taskforce task card adds to the task, for many tasks at once, in ONE
# statement (on PostgreSQL each statement is a round trip): rows of (kind, task id, three
# text values, two sort keys), each part padded to the same columns.
_NO_TEXT = cast(null(), String)
_NO_NUMBER = cast(null(), Integer)
_CARD_ARMS = [
    select(literal("l"), TaskListItem.task_id, _NO_TEXT, _NO_TEXT, _NO_TEXT, TaskListItem.list_id, _NO_NUMBER).where(
        TaskListItem.task_id.in_(_TASK_IDS),
        TaskListItem.list_id.in_(
            select(TaskList.id).where(
                TaskList.workspace_id == _WORKSPACE,
                or_(
                    TaskList.owner_id == _USER,
                    TaskList.id.in_(select(TaskListCollaborator.list_id).where(TaskListCollaborator.user_id == _USER)),
                ),
            )
        ),
    ),
    select(literal("p"), TaskAssignee.task_id, User.email, _NO_TEXT, _NO_TEXT, TaskAssignee.position, User.id)
    .join(User, User.id == TaskAssignee.user_id)
    .where(TaskAssignee.task_id.in_(_TASK_IDS)),
    select(
        literal("e"),
        TaskEmailLink.task_id,
        TaskEmailLink.sender,
        TaskEmailLink.subject,
        TaskEmailLink.gmail_thread_id,
        TaskEmailLink.id,
        _NO_NUMBER,
    ).where(TaskEmailLink.task_id.in_(_TASK_IDS)),
    select(literal("s"), TaskSeen.task_id, _NO_TEXT, _NO_TEXT, _NO_TEXT, _NO_NUMBER, _NO_NUMBER).where(
        TaskSeen.task_id.in_(_TASK_IDS), TaskSeen.user_id == _USER
    ),
]
# SQLite reads the arms one after another for several tasks (core/statements.py Prepared).
_CARD_PARTS = Prepared(union_all(*_CARD_ARMS), expanding="ids", parts={"sqlite": _CARD_ARMS})
_CARD_CHUNK = 500


def task_cards(session: Session, actor: Actor, workspace_id: int, tasks: Sequence[Task | TaskRecord]) -> list[TaskCard]:
    """Everything the Taskforce task shape needs, in a fixed number of prepared statements."""
    ids = [t.id for t in tasks]
    lists: dict[int, list[int]] = defaultdict(list)
    people: dict[int, list[str]] = defaultdict(list)
    links: dict[int, list[EmailLink]] = defaultdict(list)
    seen: set[int] = set()
    if ids:
        rows: list[list[Any]] = []
        # In chunks: a user's whole task list (Taskforce's GET /api/v1/tasks) bound its ids
        # four times in one statement, past the drivers' limits on parameters (psycopg 65,535;
        # SQLite as built here 250,000): a 500 from 16,384 tasks on PostgreSQL and 62,501 on
        # SQLite. Statements are compiled per list length, so the lengths stay bounded too.
        for start in range(0, len(ids), _CARD_CHUNK):
            chunk = ids[start : start + _CARD_CHUNK]
            rows += _CARD_PARTS.rows(session, {"ids": chunk, "user_id": actor.user_id, "workspace_id": workspace_id})
        # Each kind in its own order: lists by id, people by position then user id, e-mail
        # links by id (a NULL key sorts as 0: only seen rows have none).
        rows.sort(key=lambda r: (r[5] or 0, r[6] or 0))
        for kind, task_id, first, second, third, order, _ in rows:
            if kind == "l":
                lists[task_id].append(order)
            elif kind == "p":
                people[task_id].append(first)
            elif kind == "e":
                links[task_id].append(EmailLink(first, second, third))
            else:
                seen.add(task_id)
    return [
        TaskCard(
            task=t,
            owner=t.created_by_id == actor.user_id,
            seen=t.created_by_id == actor.user_id or t.id in seen,
            list_ids=lists[t.id],
            collaborator_emails=people[t.id],
            emails=links[t.id],
        )
        for t in tasks
    ]
