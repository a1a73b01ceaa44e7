"""Reading a calendar feed by its token: the feed's owner's access as it is now (a user removed
from a workspace stops seeing its tasks; a project feed whose creator lost the project, or an
owner who was deactivated, answers NotFound like an unknown token), at most MAX_EVENTS due
dates, open tasks only, from RECENT_DAYS ago on, soonest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import NotFound, PermissionDenied
from polytask.domain.calendars.service import TOKEN_PREFIX, digest
from polytask.domain.projects.access import PROJECTS
from polytask.domain.tasks.access import TASKS
from polytask.domain.workspaces.access import blocked_workspaces
from polytask.models import CalendarFeed, Project, Task, TaskAssignee, User

# The most events one answer carries (a calendar shows what is near; the list is never read whole).
MAX_EVENTS = 1000
# Overdue open tasks stay in the feed this long after their due date.
RECENT_DAYS = 90
MAX_TOKEN = 100
# Done or dropped: no longer due.
CLOSED = ("completed", "cancelled")


@dataclass(frozen=True, slots=True)
class DueTask:
    id: int
    name: str
    description: str
    due_date: datetime
    updated_at: datetime
    status: str
    priority: str | None
    project_id: int
    project_name: str


@dataclass(frozen=True, slots=True)
class FeedContent:
    name: str
    tasks: list[DueTask]


def _feed_and_owner(session: Session, token: str) -> tuple[CalendarFeed, User]:
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN:
        raise NotFound("No such calendar feed", {"resource": "calendar_feed"})
    found = session.execute(
        select(CalendarFeed, User)
        .join(User, User.id == CalendarFeed.user_id)
        .where(CalendarFeed.token_hash == digest(token), User.is_active.is_(True))
    ).first()
    if found is None:
        raise NotFound("No such calendar feed", {"resource": "calendar_feed"})
    return found[0], found[1]


def read_feed(session: Session, token: str, *, client_ip: str | None) -> FeedContent:
    """The feed's due dates as its owner may see them now; NotFound for an unknown token."""
    feed, owner = _feed_and_owner(session, token)
    # The owner, acting through the feed: held to the feed's workspace when it has one, and to
    # the workspaces' IP allowlists as seen from the address fetching it.
    actor = Actor(
        user_id=owner.id,
        global_role=owner.role,
        credential_id=feed.id,
        credential_kind="calendar_feed",
        workspace_id=feed.workspace_id,
        client_ip=client_ip,
        blocked_workspaces=blocked_workspaces(session, owner.id, client_ip),
    )
    stmt: Any = (
        select(
            Task.id,
            Task.name,
            Task.description,
            Task.due_date,
            Task.updated_at,
            Task.status,
            Task.priority,
            Task.project_id,
            Project.name,
        )
        .join(Project, Project.id == Task.project_id)
        .where(TASKS.visible(actor), Task.due_date.is_not(None), Task.status.not_in(CLOSED))
        .where(Task.due_date >= utcnow() - timedelta(days=RECENT_DAYS))
    )
    if feed.kind == "project":
        assert feed.project_id is not None
        try:
            project, _ = PROJECTS.get_for(session, actor, feed.project_id)
        except (NotFound, PermissionDenied):
            raise NotFound("No such calendar feed", {"resource": "calendar_feed"}) from None
        name = feed.name or project.name
        stmt = stmt.where(Task.project_id == project.id)
    else:
        name = feed.name or f"{owner.name}'s tasks"
        stmt = stmt.where(exists().where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id == owner.id))
    rows = session.execute(stmt.order_by(Task.due_date, Task.id).limit(MAX_EVENTS)).all()
    return FeedContent(name, [DueTask(*row) for row in rows])
