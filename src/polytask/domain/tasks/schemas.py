"""Input shapes for tasks and comments."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from polytask.core.dates import FlexibleDateTime
from polytask.core.ids import ProjectRef, SectionRef, TaskRef
from polytask.core.jsontypes import JsonFloat, JsonInt, Omittable

TaskStatus = Literal["pending", "in_progress", "blocked", "completed", "cancelled"]
Priority = Literal["low", "medium", "high", "urgent"]
TASK_STATUSES: tuple[str, ...] = TaskStatus.__args__  # type: ignore[attr-defined]
PRIORITIES: tuple[str, ...] = Priority.__args__  # type: ignore[attr-defined]

# A person may be named by id (user_5), username or email; resolved against the workspace.
PersonRef = str | int


def _labels(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    cleaned: list[str] = []
    for value in values:
        label = value.strip()
        if not label:
            raise ValueError("labels cannot be empty")
        if len(label) > 100:
            raise ValueError("labels are at most 100 characters")
        if label not in cleaned:
            cleaned.append(label)
    return cleaned


class _TaskFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=100_000)
    status: TaskStatus | None = None
    priority: Priority | None = None
    assignee_id: PersonRef | None = None
    assignee: PersonRef | list[PersonRef] | None = None
    assignee_ids: list[PersonRef] | None = Field(default=None, max_length=50)
    due_date: FlexibleDateTime | None = None
    start_date: FlexibleDateTime | None = None
    progress: JsonInt | None = Field(default=None, ge=0, le=100)
    estimated_hours: JsonFloat | None = Field(default=None, ge=0, le=100_000)
    section_id: SectionRef | None = None
    parent_id: TaskRef | None = None
    dependencies: list[TaskRef] | None = Field(default=None, max_length=100)
    labels: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict[str, Any] | None = None
    position: JsonFloat | None = None

    _clean_labels = field_validator("labels")(_labels)

    def people(self) -> list[PersonRef] | None:
        """All the ways of naming assignees folded into one list (None: not given)."""
        given = self.model_fields_set
        if not given & {"assignee_id", "assignee", "assignee_ids"}:
            return None
        people: list[PersonRef] = []
        if self.assignee_ids:
            people.extend(self.assignee_ids)
        if isinstance(self.assignee, list):
            people.extend(self.assignee)
        elif self.assignee is not None:
            people.append(self.assignee)
        if self.assignee_id is not None:
            people.insert(0, self.assignee_id)
        return list(dict.fromkeys(people))


class TaskCreate(_TaskFields):
    project_id: ProjectRef | None = None
    name: str = Field(min_length=1, max_length=500)


class TaskUpdate(_TaskFields):
    project_id: Omittable[ProjectRef] = None
    name: Omittable[str] = Field(default=None, min_length=1, max_length=500)
    # A create takes null for these as "the default"; an update refuses it (service.py _REQUIRED).
    description: Omittable[str] = Field(default=None, max_length=100_000)
    status: Omittable[TaskStatus] = None
    progress: Omittable[JsonInt] = Field(default=None, ge=0, le=100)
    position: Omittable[JsonFloat] = None


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=50_000)


class CommentUpdate(CommentCreate):
    pass


class EmailLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gmail_thread_id: str = Field(min_length=1, max_length=200)
    subject: str = Field(default="", max_length=1000)
    sender: str = Field(default="", max_length=320)
