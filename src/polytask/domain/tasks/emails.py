"""Email threads (Gmail thread ids) linked to tasks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.domain.events.service import record_event
from polytask.domain.tasks.queries import fetch_task_for
from polytask.domain.tasks.schemas import EmailLinkCreate
from polytask.domain.workspaces.access import require_write
from polytask.models import TaskEmailLink


def _find(session: Session, task_id: int, thread_id: str) -> TaskEmailLink | None:
    return session.scalar(
        select(TaskEmailLink).where(TaskEmailLink.task_id == task_id, TaskEmailLink.gmail_thread_id == thread_id)
    )


def add_email_link(session: Session, actor: Actor, *, task_id: int, data: EmailLinkCreate) -> TaskEmailLink:
    """Connect a Gmail thread to a task; linking it again updates its subject and sender."""
    task, membership = fetch_task_for(session, actor, task_id)
    require_write(membership)
    thread_id = data.gmail_thread_id.strip()
    link = _find(session, task.id, thread_id)
    if link is None:
        link = TaskEmailLink(task_id=task.id, gmail_thread_id=thread_id, added_by_id=actor.user_id)
        session.add(link)
    elif link.subject == data.subject and link.sender == data.sender:
        return link
    link.subject = data.subject
    link.sender = data.sender
    session.flush()
    record_event(
        session,
        actor,
        type="task.email_linked",
        resource_type="task",
        resource_id=task.id,
        workspace_id=task.workspace_id,
        project_id=task.project_id,
        snapshot={"gmail_thread_id": thread_id, "subject": data.subject, "sender": data.sender},
    )
    return link


def remove_email_link(session: Session, actor: Actor, *, task_id: int, gmail_thread_id: str) -> None:
    """Disconnect a thread from a task (a no-op when it was not linked)."""
    task, membership = fetch_task_for(session, actor, task_id)
    require_write(membership)
    link = _find(session, task.id, gmail_thread_id.strip())
    if link is None:
        return
    session.delete(link)
    session.flush()
    record_event(
        session,
        actor,
        type="task.email_unlinked",
        resource_type="task",
        resource_id=task.id,
        workspace_id=task.workspace_id,
        project_id=task.project_id,
        snapshot={"gmail_thread_id": link.gmail_thread_id},
    )
