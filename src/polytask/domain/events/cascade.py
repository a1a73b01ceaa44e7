"""Events for rows that a parent's deletion removes by foreign-key cascade.

Deleting a project removes its sections and tasks in the database without touching them
one by one; subscribers to `task.deleted` or `section.deleted` must still hear of each
one. So the parent's delete records one event per child first (with the parent in
`changes.deleted_with`), then its own. Comments go with their tasks silently: a
`task.deleted` covers them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.ids import render_id
from polytask.domain.events.payloads import SectionSnapshot
from polytask.domain.events.service import record_event, snapshot_of
from polytask.domain.tasks.queries import load_relations
from polytask.domain.tasks.rules import task_snapshot
from polytask.models import Section, Task

_CHUNK = 500
SECTION_FIELDS = tuple(SectionSnapshot.model_fields)


def record_project_children_deleted(session: Session, actor: Actor, *, project_id: int, workspace_id: int) -> int:
    """`task.deleted` for each task (subtasks before their parents), then `section.deleted`
    for each section of the project; returns how many events were recorded."""
    reason = {"deleted_with": render_id("project", project_id)}
    recorded = 0
    task_ids = list(session.scalars(select(Task.id).where(Task.project_id == project_id).order_by(Task.id.desc())))
    for start in range(0, len(task_ids), _CHUNK):
        chunk = task_ids[start : start + _CHUNK]
        relations = load_relations(session, chunk)
        tasks = {t.id: t for t in session.scalars(select(Task).where(Task.id.in_(chunk)))}
        for task_id in chunk:
            record_event(
                session,
                actor,
                type="task.deleted",
                resource_type="task",
                resource_id=task_id,
                workspace_id=workspace_id,
                changes=reason,
                snapshot=task_snapshot(tasks[task_id], relations[task_id]),
            )
            recorded += 1
    for section in session.scalars(select(Section).where(Section.project_id == project_id).order_by(Section.id)):
        record_event(
            session,
            actor,
            type="section.deleted",
            resource_type="section",
            resource_id=section.id,
            workspace_id=workspace_id,
            changes=reason,
            snapshot=snapshot_of(section, SECTION_FIELDS),
        )
        recorded += 1
    return recorded
