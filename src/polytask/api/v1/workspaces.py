"""/v1/workspaces: list, create, get, update, delete."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, page_request, reject_unknown, shape
from polytask.api.v1.paths import WorkspaceId
from polytask.api.v1.schemas import ERROR_RESPONSES, WorkspaceDocument, WorkspaceListDocument
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.workspaces import service
from polytask.domain.workspaces.schemas import WorkspaceCreate, WorkspaceUpdate

router = unit_router(tags=["Workspaces"], responses=ERROR_RESPONSES)

EXAMPLE_CREATE = {
    "name": "Marketing Campaigns",
    "description": "Q1 marketing initiatives",
    "settings": {"default_view": "board", "timezone": "America/New_York"},
}


@router.get(
    "/workspaces",
    response_model=WorkspaceListDocument,
    openapi_extra=list_parameters(service.WORKSPACE_FIELDS_REGISTRY),
)
@transactional("workspaces:read")
def list_workspaces(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """List the workspaces you belong to; filter with `name[icontains]=`, `created_at[gte]=`, `filter=`."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST)
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    sort = parse_sort(params.get("sort"), None)
    shp = shape(params, "workspace", {})
    result = service.list_workspaces_for(session, actor, page=page, sort=sort, tree=tree)
    return list_document(request, result, [resources.workspace(w) for w in result.items], shape=shp)


@router.post("/workspaces", response_model=WorkspaceDocument, status_code=201)
@transactional("workspaces:write")
def create_workspace(
    session: Session, actor: Actor, data: WorkspaceCreate = Body(examples=[EXAMPLE_CREATE])
) -> JSONAPIResponse:
    """Create a workspace; you become its owner."""
    workspace = service.create_workspace(session, actor, data=data)
    return created(resources.workspace(workspace), f"/v1/workspaces/workspace_{workspace.id}")


@router.get("/workspaces/{workspace_id}", response_model=WorkspaceDocument)
@transactional("workspaces:read")
def get_workspace(request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor) -> Response:
    """Get one workspace."""
    reject_unknown(request.query_params, {"fields"})
    workspace = service.get_workspace_for(session, actor, workspace_id)
    return document(resources.workspace(workspace), shape=shape(request.query_params, "workspace", {}))


@router.put("/workspaces/{workspace_id}", response_model=WorkspaceDocument)
@router.patch("/workspaces/{workspace_id}", response_model=WorkspaceDocument)
@transactional("workspaces:write")
def update_workspace(
    workspace_id: WorkspaceId,
    session: Session,
    actor: Actor,
    data: WorkspaceUpdate = Body(examples=[{"name": "Updated Marketing Campaigns", "settings": {"theme": "dark"}}]),
) -> JSONAPIResponse:
    """Update name, description or settings; settings merge key by key. Owners and admins."""
    workspace = service.update_workspace(session, actor, workspace_id=workspace_id, data=data)
    return document(resources.workspace(workspace))


@router.delete("/workspaces/{workspace_id}", status_code=204)
@transactional("workspaces:write")
def delete_workspace(workspace_id: WorkspaceId, session: Session, actor: Actor) -> Response:
    """Delete a workspace and everything in it. Owners only."""
    service.delete_workspace(session, actor, workspace_id=workspace_id)
    return no_content()
