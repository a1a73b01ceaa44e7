"""Who reaches a Taskforce list: the one visibility rule for lists (in the actor's home
workspace, which the caller checks with membership_for: lists they own or collaborate on)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound
from polytask.core.ids import storable_key
from polytask.models import TaskList, TaskListCollaborator


def visible_lists(actor: Actor, workspace_id: int) -> ColumnElement[bool]:
    """Lists of the workspace the actor owns or collaborates on, as a predicate over task_lists."""
    shared = select(TaskListCollaborator.list_id).where(TaskListCollaborator.user_id == actor.user_id)
    return and_(TaskList.workspace_id == workspace_id, or_(TaskList.owner_id == actor.user_id, TaskList.id.in_(shared)))


def visible_list_ids(actor: Actor, workspace_id: int) -> Select[int]:
    return select(TaskList.id).where(visible_lists(actor, workspace_id))


def list_in(session: Session, actor: Actor, workspace_id: int, list_id: int) -> TaskList:
    """The list, in one statement, when the actor sees it in `workspace_id`; else NotFound."""
    found = (
        session.scalar(select(TaskList).where(TaskList.id == list_id, visible_lists(actor, workspace_id)))
        if storable_key(list_id)
        else None
    )
    if found is None:
        raise NotFound(f"List {list_id} was not found", {"resource": "list", "id": str(list_id)})
    return found
