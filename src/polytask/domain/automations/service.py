"""Automations of a workspace (or one of its projects): create, list, read, change, delete."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import NotFound, QuotaExceeded, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Boolean, Choice, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.automations import conditions as cond
from polytask.domain.automations import runner, schedules
from polytask.domain.automations.access import AUTOMATIONS
from polytask.domain.automations.schemas import (
    AssignAction,
    AutomationCreate,
    AutomationUpdate,
    CreateProjectFromTemplateAction,
    CreateTaskAction,
    EventTrigger,
    MoveToSectionAction,
    ScheduleTrigger,
    SendMailAction,
    SendWebhookAction,
    UpdateFieldsAction,
)
from polytask.domain.events.payloads import AutomationSnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.members.people import resolve_people
from polytask.domain.projects.access import PROJECTS
from polytask.domain.workspaces.access import default_workspace_id, membership_for, require_manager
from polytask.domain.workspaces.service import workspace_zone
from polytask.models import Automation, Project, Section, Template, Webhook

AUTOMATION_FIELDS = tuple(AutomationSnapshot.model_fields)
TRIGGER_KINDS = ("event", "schedule", "webhook")
AUTOMATION_FIELDS_REGISTRY = Registry.of(
    "automation",
    [
        Field("id", Ref("automation"), expr=Automation.id),
        Field("name", Text(), expr=Automation.name),
        Field("enabled", Boolean(), expr=Automation.enabled),
        Field("trigger_kind", Choice(TRIGGER_KINDS), expr=Automation.trigger_kind),
        Field("event", Text(), expr=Automation.event_type),
        Field("project_id", Ref("project"), expr=Automation.project_id),
        Field("owner_id", Ref("user"), expr=Automation.owner_id),
        Field("created_at", Moment(), expr=Automation.created_at),
        Field("updated_at", Moment(), expr=Automation.updated_at),
    ],
)
AUTOMATION_LIST: ListSpec[Automation] = ListSpec("automation", AUTOMATION_FIELDS_REGISTRY, Automation.id)
_DEFAULT_SORT = [SortKey("id")]


@dataclass(frozen=True, slots=True)
class Issued:
    """An automation and, for an incoming-URL trigger made just now, its token (shown once)."""

    automation: Automation
    hook_token: str | None = None


def hook_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Limits:
    """The workspace limits (settings: automation_max_per_workspace, automation_max_actions)."""

    max_automations: int
    max_actions: int


def _check_actions(
    session: Session, workspace_id: int, project_id: int | None, actions: list[Any], limits: Limits
) -> None:
    """Every action names things of the automation's workspace (422 naming `actions[i].<field>`)."""
    if len(actions) > limits.max_actions:
        raise ValidationFailed.field("actions", f"at most {limits.max_actions} actions per automation", len(actions))
    for i, action in enumerate(actions):
        at = f"actions[{i}]"
        if isinstance(action, CreateProjectFromTemplateAction):
            _template_in(session, workspace_id, action.template_id, f"{at}.template_id")
        if isinstance(action, CreateTaskAction):
            target = action.task.project_id or project_id
            if target is None:
                raise ValidationFailed.field(f"{at}.task.project_id", "is required (the automation has no project)")
            _project_in(session, workspace_id, target, f"{at}.task.project_id")
            if action.task.section_id is not None:
                _section_in(session, workspace_id, target, action.task.section_id, f"{at}.task.section_id")
            people = action.task.people()
            if people:
                resolve_people(session, workspace_id, people, f"{at}.task.assignee_id")
        elif isinstance(action, UpdateFieldsAction):
            for name in sorted(action.fields.model_fields_set & _NOT_NULL):
                if getattr(action.fields, name) is None:
                    raise ValidationFailed.field(f"{at}.fields.{name}", "cannot be null")
            if action.fields.project_id is not None:
                _project_in(session, workspace_id, action.fields.project_id, f"{at}.fields.project_id")
        elif isinstance(action, AssignAction):
            resolve_people(session, workspace_id, [action.assignee], f"{at}.assignee")
        elif isinstance(action, MoveToSectionAction):
            _section_in(session, workspace_id, project_id, action.section_id, f"{at}.section_id")
        elif isinstance(action, SendMailAction):
            resolve_people(session, workspace_id, [action.to], f"{at}.to")
        elif isinstance(action, SendWebhookAction):
            found = session.scalar(
                select(Webhook.id).where(Webhook.id == action.webhook_id, Webhook.workspace_id == workspace_id)
            )
            if found is None:
                raise ValidationFailed.field(
                    f"{at}.webhook_id", "is not a webhook of the automation's workspace", action.webhook_id
                )


# A task update's fields that refuse null (Omittable in domain/tasks/schemas.py TaskUpdate).
_NOT_NULL = frozenset({"project_id", "name", "description", "status", "progress", "position"})


def _project_in(session: Session, workspace_id: int, project_id: int, field: str) -> None:
    found = session.scalar(select(Project.id).where(Project.id == project_id, Project.workspace_id == workspace_id))
    if found is None:
        raise ValidationFailed.field(field, "is not a project of the automation's workspace", project_id)


def _template_in(session: Session, workspace_id: int, template_id: int, field: str) -> None:
    query = select(Template.id).where(Template.id == template_id, Template.workspace_id == workspace_id)
    if session.scalar(query) is None:
        raise ValidationFailed.field(field, "is not a template of the automation's workspace", template_id)


def _section_in(session: Session, workspace_id: int, project_id: int | None, section_id: int, field: str) -> None:
    query = (
        select(Section.id)
        .join(Project, Project.id == Section.project_id)
        .where(Section.id == section_id, Project.workspace_id == workspace_id)
    )
    if project_id is not None:
        query = query.where(Section.project_id == project_id)
    if session.scalar(query) is None:
        where = "the automation's project" if project_id is not None else "the automation's workspace"
        raise ValidationFailed.field(field, f"is not a section of {where}", section_id)


def _next_run(session: Session, automation: Automation) -> datetime:
    """A schedule's next time after now, its cron read in the workspace's time zone."""
    zone = workspace_zone(session, automation.workspace_id)[1]
    return schedules.next_after(automation.trigger, utcnow(), zone)


def _apply_trigger(session: Session, automation: Automation, trigger: Any) -> str | None:
    """Store the trigger; returns a new incoming-URL token when one was made."""
    automation.trigger = trigger.model_dump(mode="json", exclude_none=True)
    automation.trigger_kind = trigger.kind
    automation.event_type = trigger.event if isinstance(trigger, EventTrigger) else None
    token = None
    if trigger.kind == "webhook":
        if automation.hook_digest is None:
            token = "ahk_" + secrets.token_urlsafe(32)
            automation.hook_digest = hook_digest(token)
    else:
        automation.hook_digest = None
    if isinstance(trigger, ScheduleTrigger):
        automation.next_run_at = _next_run(session, automation)
    else:
        automation.next_run_at = None
    return token


def _check_conditions(automation: Automation) -> None:
    if automation.conditions is None:
        return
    if automation.trigger_kind != "event" or automation.event_type is None:
        raise ValidationFailed.field("conditions", "apply to event triggers only")
    cond.parse(automation.conditions, automation.event_type)


def create_automation(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int | None,
    project_id: int | None,
    data: AutomationCreate,
    limits: Limits,
    default_workspace: bool = False,
) -> Issued:
    """Create an automation in a workspace (owners and admins); it runs as its creator.
    `default_workspace`: without a workspace or project, the credential's or the caller's default one."""
    if project_id is None:
        project_id = data.project_id
    elif data.project_id is not None and data.project_id != project_id:
        raise ValidationFailed.field("project_id", "does not match the project in the path", data.project_id)
    if project_id is not None:
        project, _membership = PROJECTS.get_for(session, actor, project_id)
        if workspace_id is not None and project.workspace_id != workspace_id:
            raise ValidationFailed.field("project_id", "is not a project of this workspace", project_id)
        workspace_id = project.workspace_id
    if workspace_id is None and default_workspace:
        workspace_id = actor.workspace_id or default_workspace_id(session, actor.user_id)
    if workspace_id is None:
        raise ValidationFailed.field("workspace_id", "is required")
    require_manager(membership_for(session, actor, workspace_id))
    count = session.scalar(select(func.count()).select_from(Automation).where(Automation.workspace_id == workspace_id))
    if (count or 0) >= limits.max_automations:
        raise QuotaExceeded(
            f"A workspace may have at most {limits.max_automations} automations",
            {"limit": limits.max_automations, "resource": "automations"},
        )
    _check_actions(session, workspace_id, project_id, data.actions, limits)
    automation = Automation(
        workspace_id=workspace_id,
        project_id=project_id,
        owner_id=actor.user_id,
        name=data.name,
        enabled=data.enabled,
        conditions=data.conditions,
        actions=[a.model_dump(mode="json", exclude_unset=True) for a in data.actions],
    )
    token = _apply_trigger(session, automation, data.trigger)
    _check_conditions(automation)
    session.add(automation)
    session.flush()
    record_event(
        session,
        actor,
        type="automation.created",
        resource_type="automation",
        resource_id=automation.id,
        workspace_id=workspace_id,
        snapshot=snapshot_of(automation, AUTOMATION_FIELDS),
    )
    return Issued(automation, token)


def get_automation_for(session: Session, actor: Actor, automation_id: int) -> Automation:
    """The automation, or NotFound when it is missing or in a workspace you can't see."""
    return AUTOMATIONS.get_for(session, actor, automation_id)[0]


def list_automations(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int | None = None,
    project_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[Automation]:
    """Automations of the workspaces you own or administer (one workspace's, or one project's)."""
    base = select(Automation).where(AUTOMATIONS.visible(actor))
    if workspace_id is not None:
        require_manager(membership_for(session, actor, workspace_id))
        base = base.where(Automation.workspace_id == workspace_id)
    if project_id is not None:
        project, membership = PROJECTS.get_for(session, actor, project_id)
        require_manager(membership)
        base = base.where(Automation.project_id == project.id)
    return run_list(session, AUTOMATION_LIST, actor=actor, base=base, page=page, sort=sort or _DEFAULT_SORT, tree=tree)


def update_automation(
    session: Session, actor: Actor, *, automation_id: int, data: AutomationUpdate, limits: Limits
) -> Issued:
    """Change the given fields; `enabled` switches it on or off."""
    automation = get_automation_for(session, actor, automation_id)
    before = snapshot_of(automation, AUTOMATION_FIELDS)
    given = data.model_fields_set
    for name in ("name", "enabled", "trigger", "actions"):
        if name in given and getattr(data, name) is None:
            raise ValidationFailed.field(name, "cannot be null")
    if data.name is not None:
        automation.name = data.name
    if data.enabled is not None:
        automation.enabled = data.enabled
    if data.actions is not None:
        _check_actions(session, automation.workspace_id, automation.project_id, data.actions, limits)
        automation.actions = [a.model_dump(mode="json", exclude_unset=True) for a in data.actions]
    token = None
    if data.trigger is not None:
        token = _apply_trigger(session, automation, data.trigger)
    elif data.enabled and automation.trigger_kind == "schedule":
        automation.next_run_at = _next_run(session, automation)
    if "conditions" in given:
        automation.conditions = data.conditions
    _check_conditions(automation)
    automation.updated_at = utcnow()
    record_update(
        session,
        actor,
        resource_type="automation",
        resource_id=automation.id,
        workspace_id=automation.workspace_id,
        before=before,
        after=snapshot_of(automation, AUTOMATION_FIELDS),
    )
    return Issued(automation, token)


def delete_automation(session: Session, actor: Actor, *, automation_id: int) -> None:
    """Delete an automation with its run history."""
    automation = get_automation_for(session, actor, automation_id)
    snapshot = snapshot_of(automation, AUTOMATION_FIELDS)
    workspace_id = automation.workspace_id
    session.delete(automation)
    session.flush()
    record_event(
        session,
        actor,
        type="automation.deleted",
        resource_type="automation",
        resource_id=automation_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )


def fire_hook(session: Session, token: str, payload: dict[str, Any]) -> int:
    """A POST to an automation's incoming URL: queue a run with the body as its payload (its id)."""
    return runner.queue_hook_run(session, automation_for_hook(session, token), payload).id


def automation_for_hook(session: Session, token: str) -> Automation:
    """The enabled automation whose incoming URL carries `token`; NotFound otherwise."""
    if len(token) > 200:
        raise NotFound("No such trigger URL", {"resource_type": "automation_hook"})
    found = session.scalar(
        select(Automation).where(Automation.hook_digest == hook_digest(token), Automation.trigger_kind == "webhook")
    )
    if found is None or not found.enabled:
        raise NotFound("No such trigger URL", {"resource_type": "automation_hook"})
    return found
