"""Workspaces, the tenant: create, list, read, update, delete."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied, ValidationFailed
from polytask.core.keycache import forget_verified_keys
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import WorkspaceSnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.workspaces.access import (
    WORKSPACES,
    address_allowed,
    default_workspace_id,
    membership_for,
    require_manager,
    require_role,
)
from polytask.domain.workspaces.schemas import NAME_MAX, WorkspaceCreate, WorkspaceUpdate, settings_dict
from polytask.models import Membership, User, Workspace

WORKSPACE_FIELDS = tuple(WorkspaceSnapshot.model_fields)  # what its events carry (events/payloads.py)
WORKSPACE_FIELDS_REGISTRY = Registry.of(
    "workspace",
    [
        Field("id", Ref("workspace"), expr=Workspace.id),
        Field("name", Text(), expr=Workspace.name),
        Field("description", Text(), expr=Workspace.description, sortable=False),
        Field("created_by", Ref("user"), expr=Workspace.created_by_id),
        Field("created_at", Moment(), expr=Workspace.created_at),
        Field("updated_at", Moment(), expr=Workspace.updated_at),
    ],
)
WORKSPACE_LIST: ListSpec[Workspace] = ListSpec("workspace", WORKSPACE_FIELDS_REGISTRY, Workspace.id)


def _create(session: Session, actor: Actor | None, *, owner_id: int, data: WorkspaceCreate) -> Workspace:
    workspace = Workspace(
        name=data.name,
        description=data.description,
        settings=settings_dict(data.settings),
        created_by_id=owner_id,
    )
    session.add(workspace)
    session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner_id, role="owner", permissions={}))
    session.flush()
    record_event(
        session,
        actor,
        type="workspace.created",
        resource_type="workspace",
        resource_id=workspace.id,
        workspace_id=workspace.id,
        snapshot=snapshot_of(workspace, WORKSPACE_FIELDS),
    )
    return workspace


def create_personal_workspace(session: Session, actor: Actor | None, *, owner: User) -> Workspace:
    """The workspace every new user starts with."""
    suffix = "'s workspace"
    # A name may be as long as a workspace's whole name may be: cut it to leave room for the suffix.
    name = (owner.name or owner.username)[: NAME_MAX - len(suffix)].rstrip()
    return _create(session, actor, owner_id=owner.id, data=WorkspaceCreate(name=f"{name}{suffix}"))


def create_workspace(session: Session, actor: Actor, *, data: WorkspaceCreate) -> Workspace:
    """Create a workspace owned by the actor."""
    if actor.workspace_id is not None:
        # A credential bound to one workspace could never see the new one.
        raise PermissionDenied(
            "A credential bound to one workspace cannot create workspaces", {"credential": "workspace-bound"}
        )
    return _create(session, actor, owner_id=actor.user_id, data=data)


def get_workspace_for(session: Session, actor: Actor, workspace_id: int) -> Workspace:
    """The workspace if the actor is a member of it, else NotFound."""
    return WORKSPACES.get_for(session, actor, workspace_id)[0]


def list_workspaces_for(
    session: Session, actor: Actor, *, page: PageRequest, sort: list[SortKey], tree: Node | None = None
) -> PageResult[Workspace]:
    """Workspaces the actor belongs to, filtered by the query engine."""
    base = select(Workspace).where(WORKSPACES.visible(actor))
    return run_list(session, WORKSPACE_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def update_workspace(session: Session, actor: Actor, *, workspace_id: int, data: WorkspaceUpdate) -> Workspace:
    """Change name, description or settings (settings merge key by key)."""
    membership = membership_for(session, actor, workspace_id)
    require_manager(membership)
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    before = snapshot_of(workspace, WORKSPACE_FIELDS)
    if data.name is not None:
        workspace.name = data.name
    if data.description is not None:
        workspace.description = data.description
    if data.settings is not None:
        workspace.settings = {**workspace.settings, **settings_dict(data.settings)}
    if data.security is not None:
        networks = data.security.ip_whitelisting
        if networks and not address_allowed(actor.client_ip, [str(n) for n in networks]):
            raise ValidationFailed(
                "This allowlist would lock you out: your address is not on it",
                {
                    "field": "security.ip_whitelisting",
                    "issue": "does not include your address",
                    "provided_value": actor.client_ip,
                },
            )
        workspace.security = {"ip_whitelisting": [str(n) for n in networks]}
        workspace.ip_allowlist_enabled = bool(networks)
        # Cached keys of its members skipped the allowlist lookup: drop them.
        forget_verified_keys(session)
    record_update(
        session,
        actor,
        resource_type="workspace",
        resource_id=workspace.id,
        workspace_id=workspace.id,
        before=before,
        after=snapshot_of(workspace, WORKSPACE_FIELDS),
    )
    return workspace


def delete_workspace(session: Session, actor: Actor, *, workspace_id: int) -> None:
    """Delete a workspace and everything in it; owners only."""
    membership = membership_for(session, actor, workspace_id)
    require_role(membership, "owner")
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    snapshot = snapshot_of(workspace, WORKSPACE_FIELDS)
    session.execute(delete(Workspace).where(Workspace.id == workspace_id))
    record_event(
        session,
        actor,
        type="workspace.deleted",
        resource_type="workspace",
        resource_id=workspace_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )
    session.expunge(workspace)


def home_workspace_id(session: Session, actor: Actor) -> int:
    """The workspace a single-tenant surface acts in: the credential's, else the user's default."""
    workspace_id = actor.workspace_id or default_workspace_id(session, actor.user_id)
    if workspace_id is None:
        raise NotFound("You have no workspace to work in", {"resource": "workspace"})
    return workspace_id


def workspace_zone(session: Session, workspace_id: int) -> tuple[str, ZoneInfo]:
    """The workspace's time zone (its settings' `timezone`, an IANA name) and its name; UTC
    when it has none. A zone validated when set but missing from this server's tz database
    falls back to UTC too. Used wherever a day or a wall-clock time is the workspace's:
    analytics buckets, a template's start day, automation schedules."""
    settings = session.scalar(select(Workspace.settings).where(Workspace.id == workspace_id)) or {}
    name = settings.get("timezone") if isinstance(settings, dict) else None
    if isinstance(name, str) and name:
        try:
            return name, ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return "UTC", ZoneInfo("UTC")
