"""Running an automation's actions: each one an ordinary domain operation, as the automation's
owner (events recorded like any change, marked with the automation as their credential)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import isoformat, utcnow
from polytask.core.errors import ValidationFailed
from polytask.core.ids import render_id
from polytask.domain.automations.schemas import (
    TASK_ACTIONS,
    Action,
    AddCommentAction,
    AddLabelAction,
    AssignAction,
    CompleteAction,
    CreateProjectFromTemplateAction,
    CreateTaskAction,
    MoveToSectionAction,
    SendMailAction,
    SendWebhookAction,
    UpdateFieldsAction,
)
from polytask.domain.mail.outbox import queue_mail
from polytask.domain.mail.templates import Rendered
from polytask.domain.members.people import resolve_people
from polytask.domain.projects.schemas import ProjectCreate
from polytask.domain.tasks import comments
from polytask.domain.tasks import service as tasks
from polytask.domain.tasks.schemas import CommentCreate, TaskUpdate
from polytask.domain.webhooks.outbox import enqueue_message
from polytask.models import Automation, Template, User

_ACTIONS: TypeAdapter[list[Action]] = TypeAdapter(list[Action])

# A project from a template is made by domain/flows/projects.py `create_project` (its fields,
# sections and tasks span aggregates), which no resource may import: whoever runs automations
# plugs it in (worker/automations.py, imported by the server and by `polytask worker`).
ProjectMaker = Callable[[Session, Actor, int, ProjectCreate], int]
_make_project: list[ProjectMaker] = []


def make_projects_with(maker: ProjectMaker) -> None:
    """Plug in the operation that makes a project from a template (its id returned)."""
    _make_project[:] = [maker]


@dataclass(frozen=True, slots=True)
class Trigger:
    """What a run reacts to: the event's resource (a comment's task is its task), or a payload."""

    kind: str
    event_id: int | None
    event_type: str | None
    resource_type: str | None
    resource_id: int | None
    task_id: int | None
    payload: dict[str, Any]


def parse_actions(stored: list[Any]) -> list[Action]:
    return _ACTIONS.validate_python(stored)


def owner_actor(session: Session, automation: Automation) -> Actor:
    """The automation's owner, bound to its workspace, with the automation as credential."""
    user = session.get(User, automation.owner_id) if automation.owner_id is not None else None
    if user is None or not user.is_active:
        raise ValidationFailed.field("owner_id", "the automation's owner is gone or deactivated")
    return Actor(
        user_id=user.id,
        global_role=user.role,
        credential_kind="automation",
        credential_id=automation.id,
        workspace_id=automation.workspace_id,
    )


def run_action(
    session: Session, actor: Actor, automation: Automation, action: Action, trigger: Trigger, *, mail_from: str
) -> dict[str, Any]:
    """Do one action; returns what was done (for the run's history)."""
    done: dict[str, Any] = {"type": action.type}
    if action.type in TASK_ACTIONS:
        if trigger.task_id is None:
            raise ValidationFailed.field("actions", f"{action.type} needs a task event as its trigger")
        task_id = trigger.task_id
        done["task_id"] = render_id("task", task_id)
        if isinstance(action, UpdateFieldsAction):
            tasks.update_task(session, actor, task_id=task_id, data=action.fields)
        elif isinstance(action, AssignAction):
            current = tasks.get_task_for(session, actor, task_id).relations.assignee_ids
            (user_id,) = resolve_people(session, automation.workspace_id, [action.assignee], "assignee")
            if user_id not in current:
                tasks.update_task(session, actor, task_id=task_id, data=TaskUpdate(assignee_ids=[*current, user_id]))
            done["assignee_id"] = render_id("user", user_id)
        elif isinstance(action, MoveToSectionAction):
            tasks.update_task(session, actor, task_id=task_id, data=TaskUpdate(section_id=action.section_id))
        elif isinstance(action, AddLabelAction):
            labels = tasks.get_task_for(session, actor, task_id).relations.labels
            if action.label not in labels:
                tasks.update_task(session, actor, task_id=task_id, data=TaskUpdate(labels=[*labels, action.label]))
        elif isinstance(action, AddCommentAction):
            comment = comments.add_comment(session, actor, task_id=task_id, data=CommentCreate(body=action.body))
            done["comment_id"] = render_id("comment", comment.id)
        elif isinstance(action, CompleteAction):
            tasks.complete_task(session, actor, task_id=task_id)
    elif isinstance(action, CreateTaskAction):
        created = tasks.create_task(
            session,
            actor,
            project_id=action.task.project_id or automation.project_id,
            data=action.task.model_copy(update={"project_id": None}),
        )
        done["task_id"] = render_id("task", created.task.id)
    elif isinstance(action, SendMailAction):
        (user_id,) = resolve_people(session, automation.workspace_id, [action.to], "to")
        address = session.scalar(select(User.email).where(User.id == user_id))
        assert address is not None
        text = f"{action.body}\n\n-- Sent by the automation \u201c{automation.name}\u201d"
        message = Rendered(
            kind="automation",
            subject=action.subject.replace("\r", " ").replace("\n", " "),
            text=text,
            html=f"<pre>{html.escape(text)}</pre>",
        )
        mail = queue_mail(session, to=address, message=message, sender=mail_from)
        done["mail_id"] = mail.message_id
    elif isinstance(action, SendWebhookAction):
        body = {
            "event": "automation.webhook",
            "timestamp": isoformat(utcnow()),
            "data": {
                "automation": {"id": render_id("automation", automation.id), "name": automation.name},
                "trigger": {
                    "kind": trigger.kind,
                    "event_id": None if trigger.event_id is None else render_id("event", trigger.event_id),
                    "event": trigger.event_type,
                },
                "payload": action.payload,
            },
        }
        delivery = enqueue_message(
            session, webhook_id=action.webhook_id, workspace_id=automation.workspace_id, body=body
        )
        done["delivery_id"] = render_id("webhook_delivery", delivery.id)
    elif isinstance(action, CreateProjectFromTemplateAction):
        if not _make_project:
            raise ValidationFailed.field("actions", f"{action.type} is not plugged in in this process")
        template = session.get(Template, action.template_id)
        if template is None or template.workspace_id != automation.workspace_id:
            raise ValidationFailed.field(
                "template_id", "the template is gone", render_id("template", action.template_id)
            )
        data = ProjectCreate(
            name=action.name or template.name,
            template_id=template.id,
            variables=action.variables,
            workspace_id=automation.workspace_id,
        )
        project_id = _make_project[0](session, actor, automation.workspace_id, data)
        done["project_id"] = render_id("project", project_id)
    else:
        raise ValidationFailed.field("actions", f"{action.type} is not available yet")
    return done
