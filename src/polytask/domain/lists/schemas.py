"""Input shapes for lists and the read models every surface renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from polytask.domain.tasks.records import TaskRecord
from polytask.models import Task, TaskList


class ListCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=100_000)


class ListUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=100_000)


@dataclass(frozen=True, slots=True)
class TaskCounts:
    """active + complete + delayed = total; overdue and unseen are counted across them."""

    active: int = 0
    complete: int = 0
    delayed: int = 0
    overdue: int = 0
    unseen: int = 0

    @property
    def total(self) -> int:
        return self.active + self.complete + self.delayed


@dataclass(slots=True)
class ListCard:
    """A list as its reader sees it: collaborators and counts included."""

    task_list: TaskList
    collaborator_emails: list[str] = field(default_factory=list)
    counts: TaskCounts = field(default_factory=TaskCounts)


@dataclass(frozen=True, slots=True)
class EmailLink:
    """An email thread linked to a task, as cards show it."""

    sender: str
    subject: str
    gmail_thread_id: str


@dataclass(slots=True)
class TaskCard:
    """A task as one user sees it: their lists, its collaborators, linked emails, seen or not."""

    task: Task | TaskRecord
    owner: bool
    seen: bool
    list_ids: list[int] = field(default_factory=list)
    collaborator_emails: list[str] = field(default_factory=list)
    emails: list[EmailLink] = field(default_factory=list)
