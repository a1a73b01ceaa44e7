"""The export document (format `polytask`, version 1): what an export writes and every import
reads. Each parser (parsers.py) turns its file into this shape, so one importer (importer.py)
creates projects from any source.

References between objects of one document are the `ref` strings the document gives them
(an export writes the objects' public ids: `task_42`, `section_3`); people are referred to by
email, username or id and matched to members of the target workspace on import.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT = "polytask"
VERSION = 1
# The import's limits: a file larger than the upload limit is a 413 before it is parsed.
MAX_PROJECTS = 100
MAX_TASKS = 50_000


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonDoc(_Closed):
    """Someone named by the document: matched by email, then username, then id."""

    id: str | None = None
    email: str | None = None
    username: str | None = None
    name: str | None = None

    def refs(self) -> list[str]:
        return [r for r in (self.email, self.username, self.id) if r]


class CommentDoc(_Closed):
    body: str = Field(min_length=1, max_length=50_000)
    author: PersonDoc | None = None
    created_at: str | None = None


class TaskDoc(_Closed):
    ref: str = Field(min_length=1, max_length=100)
    parent: str | None = None
    section: str | None = None
    name: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=100_000)
    status: str = "pending"
    priority: str | None = None
    due_date: str | None = None
    start_date: str | None = None
    progress: int | None = None
    estimated_hours: float | None = None
    assignees: list[PersonDoc] = Field(default_factory=list, max_length=50)
    labels: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    dependencies: list[str] = Field(default_factory=list, max_length=100)
    comments: list[CommentDoc] = Field(default_factory=list)
    # Where the row came from in the source file (1-based), for the report.
    row: int | None = None


class SectionDoc(_Closed):
    ref: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    position: float | None = None
    color: str | None = None


class FieldDoc(_Closed):
    key: str
    name: str
    type: str
    required: bool = False
    default_value: Any = None
    options: list[Any] = Field(default_factory=list)
    position: float | None = None
    currency: str | None = None


class ViewDoc(_Closed):
    name: str
    filter: dict[str, Any] | str = Field(default_factory=dict)
    sort: str | None = None
    fields: str | None = None
    layout: str = "list"


class ProjectDoc(_Closed):
    ref: str | None = None
    name: str = Field(min_length=1, max_length=300)
    description: str = ""
    type: str = "list"
    status: str = "active"
    priority: str | None = None
    start_date: str | None = None
    due_date: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    fields: list[FieldDoc] = Field(default_factory=list)
    sections: list[SectionDoc] = Field(default_factory=list)
    views: list[ViewDoc] = Field(default_factory=list)
    tasks: list[TaskDoc] = Field(default_factory=list)


class WorkspaceDoc(_Closed):
    id: str | None = None
    name: str | None = None


class ExportDocument(_Closed):
    format: Literal["polytask"]
    version: Literal[1]
    exported_at: str | None = None
    workspace: WorkspaceDoc | None = None
    projects: list[ProjectDoc] = Field(max_length=MAX_PROJECTS)
