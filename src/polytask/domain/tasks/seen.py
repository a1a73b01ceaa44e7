"""Per-user "seen" flags: a task is seen by its creator, and by anyone once they open it.

Like an API key's last-used time, a read receipt is not a change to the task, so it records
no event (it would otherwise flood every feed with reads).
"""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.db import require_writable
from polytask.core.statements import Prepared
from polytask.domain.tasks.records import TaskRecord
from polytask.models import Task, TaskSeen

_SEEN = Prepared(
    select(TaskSeen.task_id).where(
        TaskSeen.task_id == bindparam("task_id", type_=Integer), TaskSeen.user_id == bindparam("user_id", type_=Integer)
    )
)


def mark_seen(session: Session, actor: Actor, *, task: Task | TaskRecord) -> None:
    """Record that the actor has seen the task; in a read unit, only a first look asks to write."""
    if task.created_by_id == actor.user_id or _SEEN.rows(session, {"task_id": task.id, "user_id": actor.user_id}):
        return
    require_writable(session)
    session.add(TaskSeen(task_id=task.id, user_id=actor.user_id))
    session.flush()
