"""Tasks as the list model sees them: opened (and so seen) by a user."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.domain.lists.queries import task_cards
from polytask.domain.lists.schemas import TaskCard
from polytask.domain.tasks.queries import read_task_record_for
from polytask.domain.tasks.seen import mark_seen


def open_task(session: Session, actor: Actor, *, task_id: int) -> TaskCard:
    """One task as the actor sees it; opening it marks it seen for them."""
    task, _role = read_task_record_for(session, actor, task_id)
    mark_seen(session, actor, task=task)
    return task_cards(session, actor, task.workspace_id, [task])[0]
