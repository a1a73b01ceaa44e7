"""Who sees an event in the changes feed and the event stream: the one visibility rule for the
event log read by members (the workspace audit log is its managers' whole log, audit/)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

from polytask.core.actor import Actor
from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Event

MEMBER_RESOURCES = (
    "task",
    "project",
    "project_attribute",
    "section",
    "comment",
    "view",
    "custom_field",
    "workspace",
    "member",
    "invite",
    # Behind TaskFlow: every member reads them through /v1 as well.
    "time_entry",
    "expense",
    "risk",
    "department",
    # Files, project discussions and documents: every member reads them.
    "file",
    "discussion",
    "document",
    # Import jobs: any member who may write imports, and reads the outcome.
    "import",
    "template",
)
MANAGER_RESOURCES = ("webhook", "list", "automation")

_MEMBERS: WorkspaceRows[Event] = WorkspaceRows(Event, "event", key=Event.id, workspace=Event.workspace_id, among=True)
_MANAGERS: WorkspaceRows[Event] = WorkspaceRows(
    Event, "event", key=Event.id, workspace=Event.workspace_id, managers=True
)


def visible_events(actor: Actor) -> ColumnElement[bool]:
    """Events of the resources every member sees, in the actor's visible workspaces, and those
    only managers see, in the workspaces the actor manages."""
    return or_(
        and_(Event.resource_type.in_(MEMBER_RESOURCES), _MEMBERS.visible(actor)),
        and_(Event.resource_type.in_(MANAGER_RESOURCES), _MANAGERS.visible(actor)),
    )
