"""A project made from a template: an ordinary project, written by the ordinary operations.

`create_project` (flows/projects.py) calls `prepare` before the project is written (the
template's own attributes fill what the request left out; its dates count from the start
date) and `fill` after: field definitions (`custom_field.created`), sections
(`section.created`), saved views (`view.created`), then the tasks one depth at a time
through the bulk writer (domain/tasks/created.py `write_tasks`: a few multi-row statements
per depth, one `task.created` each), so a template of thousands of tasks costs a handful of
round trips, and last the project's automations (`automation.created`; for a workspace
manager only). Everything runs in the request's transaction: any failure leaves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import Conflict, NotFound, ValidationFailed
from polytask.core.ids import render_id
from polytask.core.settings import get_settings
from polytask.domain.automations.schemas import AutomationCreate
from polytask.domain.automations.service import Limits, create_automation
from polytask.domain.fields.schemas import FieldDefinitionCreate, ViewCreate
from polytask.domain.fields.service import add_definition, check_values, definitions_for
from polytask.domain.projects import service as projects
from polytask.domain.projects.schemas import ProjectCreate, SectionCreate
from polytask.domain.tasks.created import ValidTask, write_tasks
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.tasks.views import create_view
from polytask.domain.templates.content import TemplateContent, TemplateTask, automation_body, substitute
from polytask.domain.templates.service import get_template_for, template_content
from polytask.domain.workspaces.access import MANAGERS, default_workspace_id, role_in
from polytask.domain.workspaces.service import workspace_zone
from polytask.models import Project


@dataclass(frozen=True, slots=True)
class Plan:
    """A template to apply: its content, the day its offsets count from, the variables."""

    template_id: int
    content: TemplateContent
    start: date
    variables: dict[str, str]


def prepare(
    session: Session, actor: Actor, *, workspace_id: int | None, data: ProjectCreate
) -> tuple[ProjectCreate, Plan]:
    """The template the request names (NotFound unless it is one of the target workspace's),
    and the project's attributes with the template's filling what the request left out."""
    assert data.template_id is not None
    template = get_template_for(session, actor, data.template_id)
    target = workspace_id or data.workspace_id or actor.workspace_id or default_workspace_id(session, actor.user_id)
    if target != template.workspace_id:
        raise NotFound.of("template", data.template_id)
    content = template_content(template)
    start = data.start_date or _today_in(session, template.workspace_id)
    variables = dict(data.variables or {})
    given = data.model_fields_set
    own = content.project
    update: dict[str, Any] = {
        "name": _text(data.name, variables, "name", 300),
        "start_date": start + timedelta(days=own.start_offset_days or 0),
        "settings": {**own.settings, **data.settings, "template_id": render_id("template", template.id)},
        "custom_fields": {**own.custom_fields, **data.custom_fields},
    }
    if "type" not in given:
        update["type"] = own.type
    if "description" not in given:
        update["description"] = _text(own.description, variables, "description", 100_000)
    if "priority" not in given and own.priority is not None:
        update["priority"] = own.priority
    if "due_date" not in given and own.due_offset_days is not None:
        update["due_date"] = start + timedelta(days=own.due_offset_days)
    return data.model_copy(update=update), Plan(template.id, content, start, variables)


def fill(session: Session, actor: Actor, project: Project, plan: Plan) -> None:
    """Add the template's fields, sections, views and tasks to the new project."""
    content, variables = plan.content, plan.variables
    try:
        existing = {d.key for d in definitions_for(session, project)}
        for n, defn in enumerate(content.fields):
            if defn.key in existing:  # a workspace-wide field of the same key already applies
                continue
            body = defn.model_dump(exclude_none=True)
            add_definition(
                session, actor, project, FieldDefinitionCreate.model_validate({**body, "position": float(n)})
            )
        sections: dict[str, int] = {}
        for n, sec in enumerate(content.sections):
            name = _text(sec.name, variables, f"sections[{n}].name", 200)
            made = projects.create_section(
                session,
                actor,
                project_id=project.id,
                data=SectionCreate(name=name, color=sec.color, position=float((n + 1) * 1024)),
            )
            sections[sec.key] = made.id
        for view in content.views:
            create_view(session, actor, project_id=project.id, data=ViewCreate.model_validate(view.model_dump()))
        _write_tasks(session, actor, project, content.tasks, sections, plan)
        # After the tasks: the template's own tasks set off none of them. Automations are for
        # the workspace's managers (they run as their owner); anyone else gets the project
        # without them.
        if content.automations and role_in(session, actor, project.workspace_id) in MANAGERS:
            settings = get_settings()
            limits = Limits(settings.automation_max_per_workspace, settings.automation_max_actions)
            for automation in content.automations:
                create_automation(
                    session,
                    actor,
                    workspace_id=None,
                    project_id=project.id,
                    data=_automation(automation_body(automation, sections), plan.template_id),
                    limits=limits,
                )
    except (ValidationFailed, Conflict) as exc:
        if str(exc.details.get("field", "")).startswith(("variables", "template_id")):
            raise
        raise ValidationFailed.field(
            "template_id", f"the template cannot be applied: {exc.message}", render_id("template", plan.template_id)
        ) from None


def _write_tasks(
    session: Session,
    actor: Actor,
    project: Project,
    top: list[TemplateTask],
    sections: dict[str, int],
    plan: Plan,
) -> None:
    """The tasks one depth at a time: each depth's parents exist (with their ids) before it."""
    role = projects.get_project_and_membership(session, actor, project.id)[1].role
    midnight = datetime.combine(plan.start, time(0), UTC)
    # Read once for every task (a template's tasks all live in this one project).
    definitions = {d.key: d for d in definitions_for(session, project)}
    defaults = any(d.default_value is not None for d in definitions.values())
    level: list[tuple[int | None, TemplateTask]] = [(None, t) for t in top]
    position = 0.0
    while level:
        items: list[ValidTask] = []
        for parent_id, t in level:
            position += 1024.0
            try:
                data = TaskCreate(
                    name=_text(t.name, plan.variables, "tasks.name", 500),
                    description=_text(t.description, plan.variables, "tasks.description", 100_000),
                    status=t.status,
                    priority=t.priority,
                    section_id=None if t.section is None else sections[t.section],
                    parent_id=parent_id,
                    labels=t.labels or None,
                    progress=t.progress,
                    estimated_hours=t.estimated_hours,
                    start_date=_at(midnight, t.start_offset_minutes),
                    due_date=_at(midnight, t.due_offset_minutes),
                    position=position,
                )
            except ValidationError as exc:
                raise ValidationFailed.field(
                    "template_id", f"a task cannot be made: {exc.errors()[0]['msg']}"
                ) from None
            item = ValidTask(len(items), data, project)
            if t.custom_fields or defaults:
                item.custom = check_values(session, project, t.custom_fields, current=None, definitions=definitions)
            items.append(item)
        views = write_tasks(session, actor, items, {project.workspace_id: role})
        level = [(v.task.id, sub) for v, (_, t) in zip(views, level, strict=True) for sub in t.subtasks]


def _at(midnight: datetime, minutes: int | None) -> datetime | None:
    return None if minutes is None else midnight + timedelta(minutes=minutes)


def _text(text: str, variables: dict[str, str], field: str, limit: int) -> str:
    out = substitute(text, variables)
    if len(out) > limit:
        raise ValidationFailed.field("variables", f"make {field} longer than {limit} characters")
    return out


def _today_in(session: Session, workspace_id: int) -> date:
    """Today in the workspace's time zone (domain/workspaces/service.py `workspace_zone`)."""
    return utcnow().astimezone(workspace_zone(session, workspace_id)[1]).date()


def _automation(body: dict[str, Any], template_id: int) -> AutomationCreate:
    """A stored automation as a create body (checked when the template was saved; a 422
    naming the template should the rules have changed since)."""
    try:
        return AutomationCreate.model_validate(body)
    except ValidationError as exc:
        raise ValidationFailed.field(
            "template_id",
            f"an automation of the template cannot be made: {exc.errors()[0]['msg']}",
            render_id("template", template_id),
        ) from None
