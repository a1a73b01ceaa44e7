"""Input shapes for templates (the content document itself: content.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from polytask.core.ids import ProjectRef, WorkspaceRef
from polytask.core.jsontypes import Omittable
from polytask.domain.templates.content import TemplateContent


class TemplateCreate(BaseModel):
    """From a project (`project_id`: its structure is copied) or written (`content`); neither
    makes an empty template."""

    model_config = ConfigDict(extra="forbid")

    workspace_id: WorkspaceRef | None = Field(
        default=None, description="Default: the project's workspace, else the key's, else your personal one."
    )
    project_id: ProjectRef | None = Field(default=None, description="Copy this project's structure.")
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=100_000)
    content: TemplateContent | None = Field(default=None, description="The document, written directly.")


class TemplateUpdate(BaseModel):
    """`content` replaces the whole document."""

    model_config = ConfigDict(extra="forbid")

    name: Omittable[str] = Field(default=None, min_length=1, max_length=300)
    description: Omittable[str] = Field(default=None, max_length=100_000)
    content: Omittable[TemplateContent] = None
