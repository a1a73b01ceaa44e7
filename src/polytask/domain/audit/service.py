"""Who did what: a workspace's audit log, the server-wide log, and a project's activity.

All three read the event log (one row per committed change, plus authentication events)
newest first by default, filtered by the query engine and paged by cursor.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import PermissionDenied
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.listing import run_list
from polytask.core.query.tree import named_ids
from polytask.domain.audit.queries import ACTIVITY_LIST, SERVER_AUDIT_LIST, WORKSPACE_AUDIT_LIST
from polytask.domain.projects.service import get_project_for
from polytask.domain.workspaces.access import membership_for, require_manager
from polytask.models import Event

SERVER_ADMIN = "admin"


def list_workspace_audit_for(
    session: Session, actor: Actor, *, workspace_id: int, page: PageRequest, sort: list[SortKey], tree: Node | None
) -> PageResult[Event]:
    """Every event of one workspace; for its owners and admins (members 403, others 404)."""
    require_manager(membership_for(session, actor, workspace_id))
    for _, pk in named_ids(tree, {"project_id": "project"}):
        get_project_for(session, actor, pk, workspace_id=workspace_id)  # NotFound for a foreign one
    base = select(Event).where(Event.workspace_id == workspace_id)
    return run_list(session, WORKSPACE_AUDIT_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def list_server_audit_for(
    session: Session, actor: Actor, *, page: PageRequest, sort: list[SortKey], tree: Node | None
) -> PageResult[Event]:
    """Every event of the server, those of no workspace (sign-ins, tokens) included; server admins only."""
    if actor.global_role != SERVER_ADMIN:
        raise PermissionDenied("The server-wide audit log is for server admins", {"required_role": SERVER_ADMIN})
    if actor.workspace_id is not None:
        raise PermissionDenied(
            "A credential bound to one workspace cannot read the server-wide audit log; use an unbound one",
            {"workspace_id": f"workspace_{actor.workspace_id}"},
        )
    base = select(Event)
    if actor.blocked_workspaces:
        # The admin's own workspaces that refuse the caller's address stay out, as everywhere.
        base = base.where(or_(Event.workspace_id.is_(None), Event.workspace_id.not_in(actor.blocked_workspaces)))
    return run_list(session, SERVER_AUDIT_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def list_project_activity_for(
    session: Session, actor: Actor, *, project_id: int, page: PageRequest, sort: list[SortKey], tree: Node | None
) -> PageResult[Event]:
    """The history of a project: the project itself and its tasks, sections, comments, views and
    custom fields; for anyone who can read the project."""
    project = get_project_for(session, actor, project_id)
    base = select(Event).where(Event.project_id == project.id, Event.workspace_id == project.workspace_id)
    return run_list(session, ACTIVITY_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)
