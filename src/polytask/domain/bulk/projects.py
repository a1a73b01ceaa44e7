"""Bulk project creation: several projects, each with its nested tasks, all or none."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, ValidationFailed
from polytask.domain.bulk.tasks import ItemErrors, check_count
from polytask.domain.projects.schemas import ProjectCreate
from polytask.domain.projects.service import create_project
from polytask.models import Project

MAX_PROJECTS = 100


def create_projects(session: Session, actor: Actor, *, workspace_id: int | None, items: list[Any]) -> list[Project]:
    """Create each project (through create_project, so with its events and nested tasks);
    any failure names the project's index and nothing is written."""
    check_count(items, collection="projects", maximum=MAX_PROJECTS)
    errors = ItemErrors("projects")
    parsed: list[ProjectCreate] = []
    for index, raw in enumerate(items):
        try:
            data = ProjectCreate.model_validate(raw)
        except ValidationError as exc:
            errors.add_pydantic(index, exc)
            continue
        if workspace_id is not None and data.workspace_id is not None and data.workspace_id != workspace_id:
            errors.add(
                index, "workspace_id", "does not match the request's workspace_id", f"workspace_{data.workspace_id}"
            )
        parsed.append(data)
    errors.raise_if_any()
    created: list[Project] = []
    for index, data in enumerate(parsed):
        try:
            created.append(create_project(session, actor, workspace_id=workspace_id or data.workspace_id, data=data))
        except (ValidationFailed, NotFound) as exc:
            if isinstance(exc, NotFound) and exc.details.get("resource") == "workspace":
                raise
            errors.add_domain(index, exc)
            errors.raise_if_any()
    return created
