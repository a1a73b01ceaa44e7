"""Checks every task write applies, and the task snapshot written into events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, ScalarSelect, bindparam, func, select
from sqlalchemy.orm import Session

from polytask.core.errors import ValidationFailed
from polytask.core.statements import Prepared
from polytask.domain.events.payloads import TaskSnapshot
from polytask.domain.events.service import jsonable
from polytask.domain.tasks.records import TaskRecord, TaskRelations
from polytask.models import Section, Task, TaskDependency

# A task's fields as its events carry them (the audit log's snapshot, webhook payloads,
# /v1/events), in payload order: declared once, by the payload model (events/payloads.py).
# The native output (api/v1/outputs.py) names each as an attribute's `source`;
# tests/architecture/test_outputs.py holds the two together.
SNAPSHOT_FIELDS = tuple(TaskSnapshot.model_fields)
# Those read from the task's relations (snapshot key -> TaskRelations attribute); the rest
# are the row's own.
RELATION_FIELDS = {"assignee_ids": "assignee_ids", "labels": "labels", "dependencies": "dependency_ids"}


def task_snapshot(task: Task | TaskRecord, relations: TaskRelations) -> dict[str, Any]:
    return {
        f: list(getattr(relations, RELATION_FIELDS[f])) if f in RELATION_FIELDS else jsonable(getattr(task, f))
        for f in SNAPSHOT_FIELDS
    }


def check_section(session: Session, project_id: int, section_id: int | None) -> None:
    if section_id is None:
        return
    section = session.get(Section, section_id)
    if section is None or section.project_id != project_id:
        raise ValidationFailed.field("section_id", "is not a section of this project", section_id)


def check_parent(session: Session, task: Task | TaskRecord | None, project_id: int, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = session.get(Task, parent_id)
    if parent is None or parent.project_id != project_id:
        raise ValidationFailed.field("parent_id", "is not a task of this project", parent_id)
    if task is None:
        return
    # Walk up from the new parent; meeting the task itself would make a loop.
    cursor: Task | None = parent
    while cursor is not None:
        if cursor.id == task.id:
            raise ValidationFailed.field("parent_id", "would make the task its own ancestor", parent_id)
        cursor = session.get(Task, cursor.parent_id) if cursor.parent_id else None


def check_dependencies(session: Session, task_id: int | None, workspace_id: int, deps: list[int]) -> list[int]:
    deps = list(dict.fromkeys(deps))
    if task_id is not None and task_id in deps:
        raise ValidationFailed.field("dependencies", "a task cannot depend on itself", task_id)
    if deps:
        found = set(session.scalars(select(Task.id).where(Task.id.in_(deps), Task.workspace_id == workspace_id)))
        missing = [d for d in deps if d not in found]
        if missing:
            raise ValidationFailed.field("dependencies", "unknown task ids", [f"task_{m}" for m in missing])
    if task_id is None or not deps:
        return deps
    # Breadth-first over what the prerequisites depend on; reaching this task means a cycle.
    seen: set[int] = set()
    frontier = set(deps)
    while frontier:
        if task_id in frontier:
            raise ValidationFailed.field("dependencies", "would create a dependency cycle", deps)
        seen |= frontier
        frontier = (
            set(session.scalars(select(TaskDependency.depends_on_id).where(TaskDependency.task_id.in_(frontier))))
            - seen
        )
    return deps


def last_position(project_id: Any) -> ScalarSelect[Any]:
    """The highest task position in a project (`project_id`: a parameter or an outer query's
    column); NULL for a project without tasks."""
    return select(func.max(Task.position)).where(Task.project_id == project_id).scalar_subquery()


def after_position(last: float | None) -> float:
    """The position a task appended after `last` (last_position's value) takes."""
    return float(last or 0.0) + 1024.0


_LAST_POSITION = Prepared(select(last_position(bindparam("project_id", type_=Integer))))


def next_position(session: Session, project_id: int) -> float:
    return after_position(_LAST_POSITION.rows(session, {"project_id": project_id})[0][0])


def descendant_ids(session: Session, task_id: int) -> list[int]:
    found: list[int] = []
    frontier = [task_id]
    while frontier:
        frontier = list(session.scalars(select(Task.id).where(Task.parent_id.in_(frontier))))
        found.extend(frontier)
    return found
