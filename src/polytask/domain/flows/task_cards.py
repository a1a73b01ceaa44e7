"""Tasks of the caller's home workspace with what a task card shows (assignees as people, hours
logged, completion notes), and the changes a task card makes in one go (fields, actual hours,
completion notes): the TaskFlow surface's tasks. A flow: it spans tasks and spending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound
from polytask.core.pagination import PageRequest
from polytask.domain.flows.project_cards import PersonLine, people_by_id
from polytask.domain.projects.service import get_project_for
from polytask.domain.spending.figures import actual_minutes, minutes_to_hours, set_actual_hours
from polytask.domain.tasks.queries import TaskFilter, TaskView
from polytask.domain.tasks.records import TaskRecordView
from polytask.domain.tasks.schemas import TaskCreate, TaskUpdate
from polytask.domain.tasks.service import (
    create_task,
    delete_task,
    get_task_for,
    list_tasks_for,
    set_completion_notes,
    update_task,
)
from polytask.domain.workspaces.service import home_workspace_id
from polytask.models import Task


@dataclass(slots=True)
class TaskCard:
    view: TaskView | TaskRecordView
    assignees: list[PersonLine]
    actual_hours: Decimal
    completion_notes: str | None


@dataclass(slots=True)
class TaskPage:
    items: list[TaskCard]
    total: int | None


def cards_of(session: Session, views: Sequence[TaskView | TaskRecordView]) -> list[TaskCard]:
    """The tasks with their people, hours and notes: three statements for any number of tasks."""
    if not views:
        return []
    ids = [v.task.id for v in views]
    minutes = actual_minutes(session, ids)
    notes = dict(session.execute(select(Task.id, Task.completion_notes).where(Task.id.in_(ids))).all())
    people: dict[int, PersonLine] = {}
    for workspace_id in sorted({v.task.workspace_id for v in views}):
        wanted = [u for v in views if v.task.workspace_id == workspace_id for u in v.relations.assignee_ids]
        people.update(people_by_id(session, wanted, workspace_id))
    return [
        TaskCard(
            view=v,
            assignees=[people[u] for u in v.relations.assignee_ids if u in people],
            actual_hours=minutes_to_hours(minutes.get(v.task.id, 0)),
            completion_notes=notes.get(v.task.id),
        )
        for v in views
    ]


def _home_project(session: Session, actor: Actor, project_id: int) -> int:
    return get_project_for(session, actor, project_id, workspace_id=home_workspace_id(session, actor)).id


def _home_task(session: Session, actor: Actor, task_id: int) -> TaskRecordView:
    """The task if the actor may see it and it is in their home workspace, else NotFound."""
    view = get_task_for(session, actor, task_id)
    if view.task.workspace_id != home_workspace_id(session, actor):
        raise NotFound.of("task", task_id)
    return view


def list_task_cards(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    page: PageRequest,
    statuses: list[str] | None = None,
    priorities: list[str] | None = None,
    assignee_ids: list[int] | None = None,
) -> TaskPage:
    """A page of a home project's tasks in its manual order, filtered."""
    _home_project(session, actor, project_id)
    flt = TaskFilter(project_id=project_id, statuses=statuses, priorities=priorities, assignee_ids=assignee_ids)
    result = list_tasks_for(session, actor, flt=flt, page=page, sort=[])
    return TaskPage(cards_of(session, result.items), result.total)


def get_task_card(session: Session, actor: Actor, task_id: int) -> TaskCard:
    return cards_of(session, [_home_task(session, actor, task_id)])[0]


def create_task_card(session: Session, actor: Actor, *, project_id: int, data: TaskCreate) -> TaskCard:
    """Create a task in a home project."""
    view = create_task(session, actor, project_id=_home_project(session, actor, project_id), data=data)
    return cards_of(session, [view])[0]


def change_task_card(
    session: Session,
    actor: Actor,
    *,
    task_id: int,
    data: TaskUpdate,
    actual_hours: Decimal | None = None,
    completion_notes: str | None = None,
    notes_given: bool = False,
) -> TaskCard:
    """Change a home task's fields; `actual_hours` makes its logged time that much (the difference
    is a time entry by the actor); `completion_notes` replaces its notes when `notes_given`."""
    _home_task(session, actor, task_id)
    if data.model_fields_set:
        update_task(session, actor, task_id=task_id, data=data)
    if actual_hours is not None:
        set_actual_hours(session, actor, task_id=task_id, hours=actual_hours)
    if notes_given:
        set_completion_notes(session, actor, task_id=task_id, notes=completion_notes)
    return get_task_card(session, actor, task_id)


def delete_task_card(session: Session, actor: Actor, *, task_id: int) -> None:
    _home_task(session, actor, task_id)
    delete_task(session, actor, task_id=task_id)
