"""A board's columns with their tasks: moving every task of a section to another, deleting a
section that holds tasks, and putting a project's tasks in a given order (TaskIP's
containers). A flow: it spans sections (projects) and tasks; every moved task records its own
`task.updated`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import Conflict, NotFound, ValidationFailed
from polytask.domain.projects.service import delete_section, get_section_for
from polytask.domain.tasks.schemas import TaskUpdate
from polytask.domain.tasks.service import get_task_for, update_task
from polytask.models import Task


def _tasks_in(session: Session, project_id: int, section_id: int) -> list[int]:
    stmt = (
        select(Task.id)
        .where(Task.project_id == project_id, Task.section_id == section_id)
        .order_by(Task.position, Task.id)
    )
    return list(session.scalars(stmt))


def move_section_tasks(
    session: Session, actor: Actor, *, project_id: int, section_id: int, to_section_id: int | None, field: str
) -> int:
    """Move every task of the section to `to_section_id` (None: out of any section); returns
    how many moved. The target must be another section of the same project (a 422 naming
    `field`)."""
    get_section_for(session, actor, project_id=project_id, section_id=section_id)
    if to_section_id is not None:
        if to_section_id == section_id:
            raise ValidationFailed.field(field, "must be another container than the one emptied", to_section_id)
        try:
            get_section_for(session, actor, project_id=project_id, section_id=to_section_id)
        except NotFound:
            raise ValidationFailed.field(field, "is not a container of this project", to_section_id) from None
    moved = _tasks_in(session, project_id, section_id)
    for task_id in moved:
        update_task(session, actor, task_id=task_id, data=TaskUpdate(section_id=to_section_id), project_id=project_id)
    return len(moved)


def delete_section_with_tasks(
    session: Session, actor: Actor, *, project_id: int, section_id: int, move_to: int | None, field: str
) -> None:
    """Delete a section. Its tasks move to `move_to` first; a section that still holds tasks and
    is given no target is refused (409), so no task loses its column silently."""
    get_section_for(session, actor, project_id=project_id, section_id=section_id)
    if move_to is not None:
        move_section_tasks(
            session, actor, project_id=project_id, section_id=section_id, to_section_id=move_to, field=field
        )
    elif _tasks_in(session, project_id, section_id):
        raise Conflict(
            "The container still holds tasks: give another container to move them to",
            {"field": field, "issue": "is required while the container holds tasks"},
        )
    delete_section(session, actor, project_id=project_id, section_id=section_id)


def order_tasks(
    session: Session, actor: Actor, *, project_id: int, task_ids: list[int], section_id: int | None = None
) -> None:
    """Give these tasks of the project consecutive positions in this order (a board's drag and
    drop); with `section_id` they also move into that section. Unknown or foreign ids are a 422
    naming the index; no task changes then (the unit rolls back)."""
    if section_id is not None:
        try:
            get_section_for(session, actor, project_id=project_id, section_id=section_id)
        except NotFound:
            raise ValidationFailed.field("container_id", "is not a container of this project", section_id) from None
    seen: set[int] = set()
    for index, task_id in enumerate(task_ids):
        if task_id in seen:
            raise ValidationFailed.field(f"task_ids[{index}]", "is named twice", task_id)
        seen.add(task_id)
        try:
            get_task_for(session, actor, task_id, project_id=project_id)
        except NotFound:
            raise ValidationFailed.field(f"task_ids[{index}]", "is not a task of this project", task_id) from None
    for rank, task_id in enumerate(task_ids, start=1):
        fields = {"position": rank * 1024.0}
        if section_id is not None:
            fields["section_id"] = section_id
        update_task(session, actor, task_id=task_id, data=TaskUpdate.model_validate(fields), project_id=project_id)
