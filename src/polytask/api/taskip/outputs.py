"""TaskIP's answers as closed schemas, for its OpenAPI document: each object render.py makes,
and the envelopes around one object or a page of them. The tests check every response the
suite sees against the document (tests/conftest.py), so a renderer and its schema cannot drift."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")
_CLOSED = ConfigDict(extra="forbid")


class Meta(BaseModel):
    model_config = _CLOSED
    current_page: int
    per_page: int
    total: int
    total_pages: int


class One(BaseModel, Generic[T]):
    model_config = _CLOSED
    success: Literal[True]
    data: T
    message: str
    meta: dict[str, int]


class Page(BaseModel, Generic[T]):
    model_config = _CLOSED
    success: Literal[True]
    data: list[T]
    message: str
    meta: Meta


class AttributeRef(BaseModel):
    model_config = _CLOSED
    id: int
    name: str
    color: str | None


class Attribute(BaseModel):
    model_config = _CLOSED
    id: int
    type: Literal["tag", "category"]
    name: str
    color: str | None
    created_at: datetime
    updated_at: datetime


class Container(BaseModel):
    model_config = _CLOSED
    id: int
    project_id: int
    name: str
    color: str | None
    order: float
    created_at: datetime
    updated_at: datetime


class EmptiedContainer(Container):
    moved_tasks: int


class Project(BaseModel):
    model_config = _CLOSED
    id: int
    uuid: str
    name: str
    title: str
    description: str
    status: str
    is_completed: bool
    priority: str | None
    category: AttributeRef | None
    tags: list[AttributeRef]
    start_date: date | None
    end_date: date | None
    budget: str | None
    currency: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class ProjectCounted(Project):
    tasks_count: int
    completed_tasks_count: int


class ProjectShown(ProjectCounted):
    containers: list[Container]


class Task(BaseModel):
    model_config = _CLOSED
    id: int
    project_id: int
    project_uuid: str
    container_id: int | None
    parent_id: int | None
    name: str
    title: str
    description: str
    status: str
    priority: str | None
    is_completed: bool
    order: float
    labels: list[str]
    assignees: list[int]
    start_date: datetime | None
    due_date: datetime | None
    estimated_hours: float | None
    completed_at: datetime | None
    completed_by: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class File(BaseModel):
    model_config = _CLOSED
    id: int
    name: str
    type: str
    content_type: str
    size: int
    sha256: str
    project_id: int | None
    task_id: int | None
    discussion_id: int | None
    uploaded_by: int | None
    created_at: datetime
    updated_at: datetime


class Document(BaseModel):
    model_config = _CLOSED
    id: int
    title: str | None
    description: str | None
    category: str | None
    file_name: str
    content_type: str
    size: int
    sha256: str
    project_id: int | None
    uploaded_by: int | None
    created_at: datetime
    updated_at: datetime


class Message(BaseModel):
    model_config = _CLOSED
    id: int
    discussion_id: int
    author_id: int | None
    body: str
    files: list[File]
    created_at: datetime
    updated_at: datetime


class Discussion(BaseModel):
    model_config = _CLOSED
    id: int
    project_id: int
    title: str
    body: str
    created_by: int | None
    files: list[File]
    created_at: datetime
    updated_at: datetime


class Activity(BaseModel):
    model_config = _CLOSED
    id: int
    type: str
    resource_type: str
    resource_id: int
    project_id: int | None
    actor_id: int | None
    changes: dict[str, Any]
    data: dict[str, Any]
    created_at: datetime
