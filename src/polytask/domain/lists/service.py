"""Lists: the named operations (create, rename, share, fill, reorder, delete) every surface calls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.db import require_writable
from polytask.core.errors import NotFound, PermissionDenied, ValidationFailed
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.lists.access import list_in, visible_lists
from polytask.domain.lists.queries import (
    is_active,
    list_cards,
    my_task_ids,
    task_cards,
    task_counts_of,
)
from polytask.domain.lists.schemas import ListCard, ListCreate, ListUpdate, TaskCard, TaskCounts
from polytask.domain.members.people import resolve_people
from polytask.domain.tasks.queries import fetch_task_for
from polytask.domain.workspaces.access import membership_for, require_write
from polytask.domain.workspaces.service import home_workspace_id
from polytask.models import Project, Task, TaskList, TaskListCollaborator, TaskListItem, User

LIST_FIELDS = ("name", "description", "flagship", "owner_id", "project_id")
FLAGSHIP_NAME = "Tasks"
HOME_PROJECT_NAME = "Taskforce"


def _record(session: Session, actor: Actor, task_list: TaskList, type: str, **snapshot: Any) -> None:
    record_event(
        session,
        actor,
        type=type,
        resource_type="list",
        resource_id=task_list.id,
        workspace_id=task_list.workspace_id,
        snapshot=snapshot or snapshot_of(task_list, LIST_FIELDS),
    )


# --- lookups ---------------------------------------------------------------------------------


_FLAGSHIP = select(TaskList).where(
    TaskList.workspace_id == bindparam("workspace_id"),
    TaskList.owner_id == bindparam("owner_id"),
    TaskList.flagship.is_(True),
)


def ensure_flagship(session: Session, actor: Actor, workspace_id: int) -> TaskList:
    """The actor's default list in the workspace, created the first time it is needed."""
    params = {"workspace_id": workspace_id, "owner_id": actor.user_id}
    flagship = session.scalar(_FLAGSHIP, params)
    if flagship is not None:
        return flagship
    require_writable(session)  # a read request that gets here runs again as a write
    flagship = TaskList(
        workspace_id=workspace_id, owner_id=actor.user_id, name=FLAGSHIP_NAME, description="", flagship=True
    )
    try:
        with session.begin_nested():
            session.add(flagship)
            session.flush()
    except IntegrityError:
        # A concurrent first request made it (the unique index allows one): use theirs.
        existing = session.scalar(_FLAGSHIP, params)
        if existing is None:
            raise
        return existing
    _record(session, actor, flagship, "list.created")
    return flagship


def home_project_of(session: Session, actor: Actor, workspace_id: int) -> tuple[TaskList, int | None]:
    """The actor's flagship list, locked, and the project that stores the tasks they create
    into lists (None before the first one, or once that project is deleted)."""
    flagship = ensure_flagship(session, actor, workspace_id)
    # Lock the row (PostgreSQL) so two first creates don't both make a home project.
    session.refresh(flagship, with_for_update=True)
    if flagship.project_id is not None and session.get(Project, flagship.project_id) is not None:
        return flagship, flagship.project_id
    return flagship, None


def set_home_project(session: Session, actor: Actor, *, flagship: TaskList, project_id: int) -> None:
    """Point the flagship list at the project that stores the tasks created into lists."""
    before = snapshot_of(flagship, LIST_FIELDS)
    flagship.project_id = project_id
    record_update(
        session,
        actor,
        resource_type="list",
        resource_id=flagship.id,
        workspace_id=flagship.workspace_id,
        before=before,
        after=snapshot_of(flagship, LIST_FIELDS),
    )


def _home(session: Session, actor: Actor, *, write: bool = False) -> int:
    workspace_id = home_workspace_id(session, actor)
    membership = membership_for(session, actor, workspace_id)
    if write:
        require_write(membership)
    return workspace_id


def get_list_for(session: Session, actor: Actor, list_id: int, *, write: bool = False) -> TaskList:
    """A list the actor owns or collaborates on, in their workspace; else NotFound."""
    workspace_id = _home(session, actor, write=write)
    return list_in(session, actor, workspace_id, list_id)


def list_lists_for(session: Session, actor: Actor) -> list[ListCard]:
    """The actor's lists (flagship first), with collaborators and task counts."""
    workspace_id = _home(session, actor)
    ensure_flagship(session, actor, workspace_id)
    lists = list(
        session.scalars(
            select(TaskList).where(visible_lists(actor, workspace_id)).order_by(TaskList.flagship.desc(), TaskList.id)
        )
    )
    return list_cards(session, actor, lists)


def get_list_card(session: Session, actor: Actor, *, list_id: int) -> ListCard:
    return list_cards(session, actor, [get_list_for(session, actor, list_id)])[0]


def list_tasks_of_list(session: Session, actor: Actor, *, list_id: int) -> list[TaskCard]:
    """The list's tasks in the list's order."""
    task_list = get_list_for(session, actor, list_id)
    tasks = list(
        session.scalars(
            select(Task)
            .join(TaskListItem, TaskListItem.task_id == Task.id)
            .where(TaskListItem.list_id == task_list.id)
            .order_by(TaskListItem.position, Task.id)
        )
    )
    return task_cards(session, actor, task_list.workspace_id, tasks)


def list_my_tasks(session: Session, actor: Actor) -> list[TaskCard]:
    """Every task belonging to the actor in their workspace, oldest first."""
    workspace_id = _home(session, actor)
    tasks = list(session.scalars(select(Task).where(Task.id.in_(my_task_ids(actor, workspace_id))).order_by(Task.id)))
    return task_cards(session, actor, workspace_id, tasks)


def count_my_tasks(session: Session, actor: Actor) -> TaskCounts:
    workspace_id = _home(session, actor)
    return task_counts_of(session, actor, my_task_ids(actor, workspace_id))


# --- list writes -----------------------------------------------------------------------------


def create_list(session: Session, actor: Actor, *, data: ListCreate) -> TaskList:
    """A new list owned by the actor."""
    workspace_id = _home(session, actor, write=True)
    ensure_flagship(session, actor, workspace_id)
    task_list = TaskList(
        workspace_id=workspace_id, owner_id=actor.user_id, name=data.name, description=data.description, flagship=False
    )
    session.add(task_list)
    session.flush()
    _record(session, actor, task_list, "list.created")
    return task_list


def update_list(session: Session, actor: Actor, *, list_id: int, data: ListUpdate) -> TaskList:
    """Rename or describe a list; only the fields given change."""
    if data.name is None and data.description is None:
        raise ValidationFailed("Give a name and/or a description", {"field": "name", "issue": "is required"})
    task_list = get_list_for(session, actor, list_id, write=True)
    before = snapshot_of(task_list, LIST_FIELDS)
    if data.name is not None:
        task_list.name = data.name
    if data.description is not None:
        task_list.description = data.description
    record_update(
        session,
        actor,
        resource_type="list",
        resource_id=task_list.id,
        workspace_id=task_list.workspace_id,
        before=before,
        after=snapshot_of(task_list, LIST_FIELDS),
    )
    return task_list


def get_list_to_delete(session: Session, actor: Actor, *, list_id: int) -> tuple[TaskList, list[int]]:
    """A list the actor may delete (their own, not the flagship) and its tasks that are in no other list."""
    task_list = get_list_for(session, actor, list_id, write=True)
    if task_list.flagship:
        raise PermissionDenied("The flagship list cannot be deleted", {"list_id": list_id, "flagship": True})
    if task_list.owner_id != actor.user_id:
        raise PermissionDenied("Only the list's owner can delete it", {"list_id": list_id})
    task_ids = list(session.scalars(select(TaskListItem.task_id).where(TaskListItem.list_id == task_list.id)))
    elsewhere = set(
        session.scalars(
            select(TaskListItem.task_id).where(TaskListItem.task_id.in_(task_ids), TaskListItem.list_id != task_list.id)
        )
    )
    return task_list, [t for t in task_ids if t not in elsewhere]


def finish_list_deletion(session: Session, actor: Actor, *, task_list: TaskList, deleted_task_ids: list[int]) -> None:
    """Remove a list whose own tasks are gone (flows.lists.delete_list); its list.deleted event names them."""
    snapshot = snapshot_of(task_list, LIST_FIELDS)
    list_id = task_list.id
    workspace_id = task_list.workspace_id
    session.execute(delete(TaskListItem).where(TaskListItem.list_id == list_id))
    session.execute(delete(TaskList).where(TaskList.id == list_id))
    session.expunge(task_list)
    record_event(
        session,
        actor,
        type="list.deleted",
        resource_type="list",
        resource_id=list_id,
        workspace_id=workspace_id,
        snapshot={**snapshot, "deleted_task_ids": deleted_task_ids},
    )


def _member_by_email(session: Session, workspace_id: int, email: str) -> User:
    [user_id] = resolve_people(session, workspace_id, [email], "email")
    user = session.get(User, user_id)
    assert user is not None
    return user


def add_list_collaborator(session: Session, actor: Actor, *, list_id: int, email: str) -> None:
    """Share a list with a member of the workspace, named by email."""
    task_list = get_list_for(session, actor, list_id, write=True)
    user = _member_by_email(session, task_list.workspace_id, email)
    if user.id == task_list.owner_id or session.get(TaskListCollaborator, (task_list.id, user.id)) is not None:
        return
    session.add(TaskListCollaborator(list_id=task_list.id, user_id=user.id))
    session.flush()
    _record(session, actor, task_list, "list.collaborator_added", user_id=user.id, email=user.email)


def remove_list_collaborator(session: Session, actor: Actor, *, list_id: int, email: str) -> None:
    """Stop sharing a list with someone; a no-op when they were not a collaborator."""
    task_list = get_list_for(session, actor, list_id, write=True)
    row = session.scalar(
        select(TaskListCollaborator)
        .join(User, User.id == TaskListCollaborator.user_id)
        .where(TaskListCollaborator.list_id == task_list.id, func.lower(User.email) == email.strip().lower())
    )
    if row is None:
        return
    user_id = row.user_id
    session.delete(row)
    session.flush()
    _record(session, actor, task_list, "list.collaborator_removed", user_id=user_id, email=email.strip().lower())


# --- list contents ---------------------------------------------------------------------------


def _next_position(session: Session, list_id: int) -> float:
    last = session.scalar(select(func.max(TaskListItem.position)).where(TaskListItem.list_id == list_id))
    return (last or 0.0) + 1024.0


def put_task_in_list(session: Session, actor: Actor, *, task_list: TaskList, task_id: int) -> None:
    """Append a task to a list (already there: nothing changes)."""
    if session.get(TaskListItem, (task_list.id, task_id)) is not None:
        return
    session.add(TaskListItem(list_id=task_list.id, task_id=task_id, position=_next_position(session, task_list.id)))
    session.flush()
    _record(session, actor, task_list, "list.task_added", task_id=task_id)


def add_task_to_list(session: Session, actor: Actor, *, task_id: int, list_id: int) -> None:
    """Put a task the actor can see into one of their lists; a task may be in several lists."""
    task, membership = fetch_task_for(session, actor, task_id)
    require_write(membership)
    task_list = get_list_for(session, actor, list_id, write=True)
    if task.workspace_id != task_list.workspace_id:
        raise NotFound(f"List {list_id} was not found", {"resource": "list", "id": str(list_id)})
    put_task_in_list(session, actor, task_list=task_list, task_id=task.id)


def remove_task_from_list(session: Session, actor: Actor, *, task_id: int, list_id: int) -> None:
    """Take a task out of a list; the task itself stays (a no-op when it was not in the list)."""
    task, membership = fetch_task_for(session, actor, task_id)
    require_write(membership)
    task_list = get_list_for(session, actor, list_id, write=True)
    item = session.get(TaskListItem, (task_list.id, task.id))
    if item is None:
        return
    session.delete(item)
    session.flush()
    _record(session, actor, task_list, "list.task_removed", task_id=task.id)


def reorder_list_tasks(session: Session, actor: Actor, *, list_id: int, task_ids: list[int]) -> list[int]:
    """Put the list's active tasks in the given order; active tasks not named follow, in their
    current order. Named tasks that are completed or delayed keep their place. Returns the new
    order of the active tasks."""
    task_list = get_list_for(session, actor, list_id, write=True)
    rows = list(
        session.execute(
            select(TaskListItem, Task)
            .join(Task, Task.id == TaskListItem.task_id)
            .where(TaskListItem.list_id == task_list.id)
            .order_by(TaskListItem.position, Task.id)
        )
    )
    in_list = {task.id for _item, task in rows}
    unknown = [t for t in task_ids if t not in in_list]
    if unknown:
        raise ValidationFailed.field("task_ids", "these tasks are not in the list", unknown)
    active = {task.id: item for item, task in rows if is_active(task)}
    named = [t for t in dict.fromkeys(task_ids) if t in active]
    order = named + [t for t in active if t not in named]
    # Active tasks take the slots active tasks held, so the others keep their places.
    slots = sorted(item.position for item in active.values())
    changed = False
    for position, task_id in zip(slots, order, strict=True):
        if active[task_id].position != position:
            active[task_id].position = position
            changed = True
    # Equal positions (e.g. imported rows) would make the order ambiguous: spread them out.
    if len(set(slots)) != len(slots):
        base = slots[0] if slots else 0.0
        for index, task_id in enumerate(order):
            active[task_id].position = base + index * 1024.0
        changed = True
    if changed:
        session.flush()
        _record(session, actor, task_list, "list.reordered", task_ids=order)
    return order
