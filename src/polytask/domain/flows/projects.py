"""Projects with what comes inside them: inline field definitions and tasks.

Deleting a project removes its sections and tasks in the database without touching them
one by one; subscribers to `task.deleted` or `section.deleted` must still hear of each
one. So `delete_project` records one event per child first (with the project in
`changes.deleted_with`), then the project's own. Comments go with their tasks silently: a
`task.deleted` covers them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.ids import render_id
from polytask.domain.bulk.tasks import ItemErrors, check_count
from polytask.domain.events.service import record_event, snapshot_of
from polytask.domain.fields.service import define_from_project_spec
from polytask.domain.flows import templates
from polytask.domain.projects import service as projects
from polytask.domain.projects.attributes import change_tags, resolve_attributes
from polytask.domain.projects.schemas import ProjectCreate, ProjectUpdate, split_custom_fields
from polytask.domain.tasks.queries import load_relations
from polytask.domain.tasks.rules import task_snapshot
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.tasks.service import create_task
from polytask.domain.workspaces.service import home_workspace_id
from polytask.models import Project, Section, Task

MAX_PROJECTS = 100
_CHUNK = 500


def create_project(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int | None,
    data: ProjectCreate,
    category: int | str | None = None,
    tags: Sequence[int | str] = (),
) -> Project:
    """Create a project with the field definitions given inline in `custom_fields` and its
    `tasks`, from `template_id` when given (flows/templates.py); `category` and `tags` name
    project attributes by id or name (a new name is added to the workspace's vocabulary)."""
    plan: templates.Plan | None = None
    if data.template_id is not None:
        data, plan = templates.prepare(session, actor, workspace_id=workspace_id, data=data)
    elif data.variables is not None:
        raise ValidationFailed.field("variables", "fill a template's placeholders: give them with template_id")
    definitions, values = split_custom_fields(data.custom_fields)
    alone = data.model_copy(update={"custom_fields": values, "tasks": []})
    if category is not None:
        home = workspace_id or data.workspace_id or home_workspace_id(session, actor)
        chosen = resolve_attributes(
            session, workspace_id=home, kind="category", refs=[category], field="category_id", create=actor
        )
        alone = alone.model_copy(update={"category_id": chosen[0].id, "workspace_id": home})
    project = projects.create_project(session, actor, workspace_id=workspace_id, data=alone)
    if tags:
        change_tags(session, actor, project_ids=[project.id], workspace_id=project.workspace_id, tags=tags)
    if plan is not None:
        templates.fill(session, actor, project, plan)
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
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    data: ProjectUpdate,
    workspace_id: int | None = None,
    category: int | str | None = None,
    tags: Sequence[int | str] | None = None,
) -> Project:
    """Change the fields given in `data`; settings and custom fields merge key by key, and field
    definitions given inline in `custom_fields` are added to the project. `category` (when not
    None) and `tags` (when not None: replaces them) name project attributes by id or name."""
    definitions, _values = split_custom_fields(data.custom_fields or {})
    with projects.changing_project(session, actor, project_id=project_id, workspace_id=workspace_id) as project:
        if category is not None:
            chosen = resolve_attributes(
                session,
                workspace_id=project.workspace_id,
                kind="category",
                refs=[category],
                field="category_id",
                create=actor,
            )
            data = data.model_copy(update={"category_id": chosen[0].id})
        projects.apply_project_update(project, data)
        if definitions:
            define_from_project_spec(session, actor, project, definitions)
    if tags is not None:
        change_tags(session, actor, project_ids=[project.id], workspace_id=project.workspace_id, tags=tags)
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


def delete_project(session: Session, actor: Actor, *, project_id: int, workspace_id: int | None = None) -> None:
    """Delete a project with its sections, tasks and comments (each task and section with its own event)."""
    project = projects.project_to_delete(session, actor, project_id=project_id, workspace_id=workspace_id)
    _record_children_deleted(session, actor, project_id=project.id, workspace_id=project.workspace_id)
    projects.remove_project(session, actor, project)


def _record_children_deleted(session: Session, actor: Actor, *, project_id: int, workspace_id: int) -> int:
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
            snapshot=snapshot_of(section, projects.SECTION_FIELDS),
        )
        recorded += 1
    return recorded
