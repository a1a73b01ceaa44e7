"""Tasks as the list model sees them: created into a list, opened (and so seen) by a user."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.domain.events.service import record_update, snapshot_of
from polytask.domain.lists.queries import task_cards
from polytask.domain.lists.schemas import TaskCard
from polytask.domain.lists.service import (
    HOME_PROJECT_NAME,
    LIST_FIELDS,
    ensure_flagship,
    get_list_for,
    put_task_in_list,
)
from polytask.domain.projects.schemas import ProjectCreate
from polytask.domain.projects.service import create_project
from polytask.domain.tasks.queries import fetch_task_for
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.tasks.seen import mark_seen
from polytask.domain.tasks.service import create_task
from polytask.models import Project, Task


def home_project_id(session: Session, actor: Actor, workspace_id: int) -> int:
    """The project that stores the tasks a user creates into lists, made on first use."""
    flagship = ensure_flagship(session, actor, workspace_id)
    # Lock the row (PostgreSQL) so two first creates don't both make a home project.
    session.refresh(flagship, with_for_update=True)
    if flagship.project_id is not None and session.get(Project, flagship.project_id) is not None:
        return flagship.project_id
    before = snapshot_of(flagship, LIST_FIELDS)
    project = create_project(
        session,
        actor,
        workspace_id=workspace_id,
        data=ProjectCreate(name=HOME_PROJECT_NAME, description="Tasks created in lists through the Taskforce API"),
    )
    flagship.project_id = project.id
    record_update(
        session,
        actor,
        resource_type="list",
        resource_id=flagship.id,
        workspace_id=workspace_id,
        before=before,
        after=snapshot_of(flagship, LIST_FIELDS),
    )
    return project.id


def create_task_in_list(session: Session, actor: Actor, *, list_id: int, data: TaskCreate) -> Task:
    """Create a task (through the one create_task) and append it to a list."""
    task_list = get_list_for(session, actor, list_id, write=True)
    project_id = home_project_id(session, actor, task_list.workspace_id)
    view = create_task(session, actor, project_id=project_id, data=data)
    put_task_in_list(session, actor, task_list=task_list, task=view.task)
    return view.task


def open_task(session: Session, actor: Actor, *, task_id: int) -> TaskCard:
    """One task as the actor sees it; opening it marks it seen for them."""
    task, _membership = fetch_task_for(session, actor, task_id)
    mark_seen(session, actor, task=task)
    return task_cards(session, actor, task.workspace_id, [task])[0]
