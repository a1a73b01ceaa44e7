"""/v1 audit logs (a workspace's, the server's) and a project's activity, from the event log."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1.documents import list_document
from polytask.api.v1.params import LIST_CONTROLS, filter_tree, list_parameters, page_request, shape
from polytask.api.v1.paths import ProjectId, WorkspaceId
from polytask.api.v1.render import Resource, resource, rid, ts
from polytask.api.v1.schemas import ERROR_RESPONSES, AuditEventListDocument
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, parse_sort
from polytask.core.query import Node
from polytask.core.scopes import AUDIT_READ
from polytask.core.settings import Settings
from polytask.domain.audit import service
from polytask.domain.audit.queries import ACTIVITY_FIELDS, SERVER_AUDIT_FIELDS, WORKSPACE_AUDIT_FIELDS, render_ref

router = unit_router(tags=["Audit"], responses=ERROR_RESPONSES)

# List controls these lists do not take (they would otherwise be read as unknown filters).
_NOT_TAKEN = ("include", "view", "search")


def _event(e: Any, *, audit: bool) -> Resource:
    attributes: dict[str, Any] = {
        "type": e.type,
        "occurred_at": ts(e.occurred_at),
        "workspace_id": rid("workspace", e.workspace_id),
        "project_id": rid("project", e.project_id),
        "resource_type": e.resource_type,
        "resource_id": render_ref(e.resource_type, e.resource_id),
        "actor_id": rid("user", e.actor_user_id),
    }
    if audit:
        attributes["credential_kind"] = e.credential_kind
        attributes["credential_id"] = render_ref(e.credential_kind, e.credential_id)
        attributes["client_ip"] = e.client_ip
    attributes["changes"] = e.changes or None
    attributes["snapshot"] = e.snapshot or None
    return resource("event", e.id, attributes)


def _query(params: QueryParams, settings: Settings) -> tuple[PageRequest, Node | None, Any]:
    for name in _NOT_TAKEN:
        if name in params:
            raise ValidationFailed(
                f"Unknown query parameter '{name}'", {"field": name, "issue": "not taken by event lists"}
            )
    tree = filter_tree(params, reserved=LIST_CONTROLS)
    paging = params
    if not any(name in params for name in ("cursor", "offset", "page", "per_page")):
        # Cursor paging by default: the log only grows, and counting it is what gets slow.
        paging = QueryParams([*params.multi_items(), ("cursor", "")])
    page = page_request(paging, default=settings.default_page_size, maximum=settings.max_page_size)
    return page, tree, parse_sort(params.get("sort"), None)


def _render(request: Request, result: PageResult[Any], *, audit: bool) -> Response:
    shp = shape(request.query_params, "event", {})
    return list_document(request, result, [_event(e, audit=audit) for e in result.items], shape=shp)


@router.get(
    "/workspaces/{workspace_id}/audit-log",
    response_model=AuditEventListDocument,
    openapi_extra=list_parameters(WORKSPACE_AUDIT_FIELDS),
)
@transactional(AUDIT_READ)
def list_workspace_audit_log(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """Who did what in this workspace: every event with its actor, credential and address,
    newest first. Owners and admins only. Filters: `type` (e.g. `type[startswith]=task.`),
    `actor_id`, `credential_kind`, `credential_id`, `client_ip`, `resource_type`,
    `resource_id`, `project_id`, `occurred_at` (e.g. `occurred_at[gte]=now-7d`), `id`."""
    page, tree, sort = _query(request.query_params, settings)
    result = service.list_workspace_audit_for(
        session, actor, workspace_id=workspace_id, page=page, sort=sort, tree=tree
    )
    return _render(request, result, audit=True)


@router.get("/audit-log", response_model=AuditEventListDocument, openapi_extra=list_parameters(SERVER_AUDIT_FIELDS))
@transactional(AUDIT_READ)
def list_server_audit_log(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """The server-wide log for server admins (global role `admin`): every workspace's events and
    those of no workspace (sign-ins, tokens). Same filters as a workspace's log, plus `workspace_id`."""
    page, tree, sort = _query(request.query_params, settings)
    result = service.list_server_audit_for(session, actor, page=page, sort=sort, tree=tree)
    return _render(request, result, audit=True)


@router.get(
    "/projects/{project_id}/activity",
    response_model=AuditEventListDocument,
    openapi_extra=list_parameters(ACTIVITY_FIELDS),
)
@transactional("projects:read")
def list_project_activity(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """The project's history (the project and its tasks, sections, comments, views and custom
    fields), newest first. Filters: `type`, `actor_id` (`me`), `occurred_at`, `resource_type`,
    `resource_id`, `id`."""
    page, tree, sort = _query(request.query_params, settings)
    result = service.list_project_activity_for(session, actor, project_id=project_id, page=page, sort=sort, tree=tree)
    return _render(request, result, audit=False)
