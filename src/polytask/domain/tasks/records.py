"""Tasks as plain records: what reads by prepared statement (queries.py) and bulk creates return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class TaskRelations:
    assignee_ids: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    dependency_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class TaskRecord:
    """A task's stored values as a plain record, read by the renderers like a Task's attributes.

    Reads through prepared statements (domain/tasks/queries.py) and bulk creates
    (domain/tasks/created.py) return it: ORM objects cost more than the statements that
    produce them."""

    id: int
    workspace_id: int
    project_id: int
    section_id: int | None
    parent_id: int | None
    name: str
    description: str
    status: str
    priority: str | None
    due_date: datetime | None
    start_date: datetime | None
    progress: int
    estimated_hours: float | None
    completed_at: datetime | None
    completed_by_id: int | None
    position: float
    custom_fields: dict[str, Any]
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class TaskRecordView:
    """A task record with its relations, shaped like TaskView for the renderers."""

    task: TaskRecord
    relations: TaskRelations
    role: str | None = None


# The columns of a TaskRecord, in its fields' order (also the bulk writer's insert order).
TASK_COLUMNS = (
    "id",
    "workspace_id",
    "project_id",
    "section_id",
    "parent_id",
    "name",
    "description",
    "status",
    "priority",
    "due_date",
    "start_date",
    "progress",
    "estimated_hours",
    "completed_at",
    "completed_by_id",
    "position",
    "custom_fields",
    "created_by_id",
    "created_at",
    "updated_at",
)
