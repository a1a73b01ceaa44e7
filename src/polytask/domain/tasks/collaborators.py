"""Collaborators on a task, named by email: they are the task's assignees."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.domain.members.people import resolve_people
from polytask.domain.tasks.schemas import TaskUpdate
from polytask.domain.tasks.service import get_task_for, update_task
from polytask.models import User


def add_task_collaborator(session: Session, actor: Actor, *, task_id: int, email: str) -> None:
    """Share a task with a member of its workspace (an unknown email is a 422)."""
    view = get_task_for(session, actor, task_id)
    [user_id] = resolve_people(session, view.task.workspace_id, [email], "email")
    current = view.relations.assignee_ids
    if user_id in current:
        return
    update_task(session, actor, task_id=task_id, data=TaskUpdate(assignee_ids=[*current, user_id]))


def remove_task_collaborator(session: Session, actor: Actor, *, task_id: int, email: str) -> None:
    """Unshare a task; a no-op when the email is not a collaborator."""
    view = get_task_for(session, actor, task_id)
    wanted = email.strip().lower()
    keep = [
        uid
        for uid in view.relations.assignee_ids
        if (user := session.get(User, uid)) is None or user.email.lower() != wanted
    ]
    if len(keep) != len(view.relations.assignee_ids):
        update_task(session, actor, task_id=task_id, data=TaskUpdate(assignee_ids=keep))
