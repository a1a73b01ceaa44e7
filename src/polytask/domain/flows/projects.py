"""Projects with what comes inside them: inline field definitions and tasks."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, ValidationFailed
from polytask.domain.bulk.tasks import ItemErrors, check_count
from polytask.domain.fields.service import define_from_project_spec
from polytask.domain.projects import service as projects
from polytask.domain.projects.schemas import ProjectCreate, ProjectUpdate, split_custom_fields
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.tasks.service import create_task
from polytask.models import Project

MAX_PROJECTS = 100


def create_project(session: Session, actor: Actor, *, workspace_id: int | None, data: ProjectCreate) -> Project:
    """Create a project with the field definitions given inline in `custom_fields` and its `tasks`."""
    definitions, values = split_custom_fields(data.custom_fields)
    alone = data.model_copy(update={"custom_fields": values, "tasks": []})
    project = projects.create_project(session, actor, workspace_id=workspace_id, data=alone)
    if definitions:
        define_from_project_spec(session, actor, project, definitions)
    for index, raw in enumerate(data.tasks):
        try:
            task_data = TaskCreate.model_validate(raw)
        except ValueError as exc:
            raise ValidationFailed(
                f"Invalid task at index {index}", {"field": f"tasks[{index}]", "issue": str(exc)}
            ) from exc
        create_task(session, actor, project_id=project.id, data=task_data)
    return project


def update_project(
    session: Session, actor: Actor, *, project_id: int, data: ProjectUpdate, workspace_id: int | None = None
) -> Project:
    """Change the fields given in `data`; settings and custom fields merge key by key, and field
    definitions given inline in `custom_fields` are added to the project."""
    definitions, _values = split_custom_fields(data.custom_fields or {})
    with projects.changing_project(session, actor, project_id=project_id, workspace_id=workspace_id) as project:
        projects.apply_project_update(project, data)
        if definitions:
            define_from_project_spec(session, actor, project, definitions)
    return project


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
