"""Projects, in the flat form (/v1/projects) and nested under a workspace."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import includes, resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, one, page_request, reject_unknown, shape
from polytask.api.v1.paths import ProjectId, WorkspaceId
from polytask.api.v1.schemas import ERROR_RESPONSES, ProjectDocument, ProjectListDocument
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.flows import projects as flows
from polytask.domain.projects import service
from polytask.domain.projects.schemas import ProjectCreate, ProjectUpdate

router = unit_router(tags=["Projects"], responses=ERROR_RESPONSES)

EXAMPLE_CREATE: dict[str, Any] = {
    "name": "Website Redesign",
    "description": "Complete overhaul of company website",
    "type": "kanban",
    "custom_fields": {
        "budget": {"type": "number", "required": True},
        "priority": {"type": "dropdown", "options": ["low", "medium", "high"]},
    },
}
EXAMPLE_UPDATE = {"name": "Website Redesign 2024", "settings": {"due_date": "2024-06-30"}}
# What a project list reads itself (it has no saved views); every other parameter is a filter.
_CONTROLS = FILTERED_LIST | {"include", "search"}


def _list_parameters(path: tuple[str, ...] = ()) -> dict[str, Any]:
    return list_parameters(
        service.PROJECT_FIELDS_REGISTRY, path=path, custom_fields=True, search=True, include=includes.PROJECT_INCLUDES
    )


def _list(
    request: Request, session: Session, actor: Actor, settings: SettingsDep, workspace_id: int | None
) -> Response:
    params = request.query_params
    tree = filter_tree(params, reserved=_CONTROLS, forbidden={"workspace_id"} if workspace_id is not None else ())
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    sort = parse_sort(params.get("sort"), None)
    shp = shape(params, "project", includes.PROJECT_INCLUDES)
    result = service.list_projects_for(
        session, actor, workspace_id=workspace_id, page=page, sort=sort, tree=tree, search=one(params, "search")
    )
    included = includes.for_projects(session, actor, result.items, shp.include) if shp.include else []
    return list_document(request, result, [resources.project(p) for p in result.items], shape=shp, included=included)


def _show(
    request: Request, session: Session, actor: Actor, project_id: int, workspace_id: int | None = None
) -> Response:
    reject_unknown(request.query_params, {"fields", "include"})
    shp = shape(request.query_params, "project", includes.PROJECT_INCLUDES)
    project = service.get_project_for(session, actor, project_id, workspace_id=workspace_id)
    included = includes.for_projects(session, actor, [project], shp.include) if shp.include else []
    return document(resources.project(project), shape=shp, included=included)


@router.get("/projects", response_model=ProjectListDocument, openapi_extra=_list_parameters())
@transactional("projects:read")
def list_projects(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """List every project you can see; filter by `workspace_id`, `type`, `status`."""
    return _list(request, session, actor, settings, None)


@router.post("/projects", response_model=ProjectDocument, status_code=201)
@transactional("projects:write")
def create_project(
    session: Session,
    actor: Actor,
    data: ProjectCreate = Body(examples=[{"name": "Customer Onboarding", "workspace_id": "workspace_1"}]),
) -> JSONAPIResponse:
    """Create a project in `workspace_id` (default: the key's workspace, else your personal one)."""
    project = flows.create_project(session, actor, workspace_id=None, data=data)
    return created(resources.project(project), f"/v1/projects/project_{project.id}")


@router.get("/projects/{project_id}", response_model=ProjectDocument)
@transactional("projects:read")
def get_project(request: Request, project_id: ProjectId, session: Session, actor: Actor) -> Response:
    """Get a project; `include=tasks,assignees,sections,workspace,members` adds related objects."""
    return _show(request, session, actor, project_id)


@router.put("/projects/{project_id}", response_model=ProjectDocument)
@router.patch("/projects/{project_id}", response_model=ProjectDocument)
@transactional("projects:write")
def update_project(
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    data: ProjectUpdate = Body(examples=[EXAMPLE_UPDATE]),
) -> JSONAPIResponse:
    """Update the given fields; settings and custom fields merge key by key."""
    project = flows.update_project(session, actor, project_id=project_id, data=data)
    return document(resources.project(project))


@router.delete("/projects/{project_id}", status_code=204)
@transactional("projects:write")
def delete_project(project_id: ProjectId, session: Session, actor: Actor) -> Response:
    """Delete a project with its tasks. Its creator, or a workspace owner or admin."""
    flows.delete_project(session, actor, project_id=project_id)
    return no_content()


@router.get(
    "/workspaces/{workspace_id}/projects",
    response_model=ProjectListDocument,
    openapi_extra=_list_parameters(("workspace_id",)),
)
@transactional("projects:read")
def list_workspace_projects(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """List the projects of one workspace."""
    return _list(request, session, actor, settings, workspace_id)


@router.post("/workspaces/{workspace_id}/projects", response_model=ProjectDocument, status_code=201)
@transactional("projects:write")
def create_workspace_project(
    workspace_id: WorkspaceId,
    session: Session,
    actor: Actor,
    data: ProjectCreate = Body(examples=[EXAMPLE_CREATE]),
) -> JSONAPIResponse:
    """Create a project in this workspace."""
    project = flows.create_project(session, actor, workspace_id=workspace_id, data=data)
    return created(resources.project(project), f"/v1/projects/project_{project.id}")


@router.get("/workspaces/{workspace_id}/projects/{project_id}", response_model=ProjectDocument)
@transactional("projects:read")
def get_workspace_project(
    request: Request, workspace_id: WorkspaceId, project_id: ProjectId, session: Session, actor: Actor
) -> Response:
    """Get a project of this workspace."""
    return _show(request, session, actor, project_id, workspace_id)


@router.put("/workspaces/{workspace_id}/projects/{project_id}", response_model=ProjectDocument)
@router.patch("/workspaces/{workspace_id}/projects/{project_id}", response_model=ProjectDocument)
@transactional("projects:write")
def update_workspace_project(
    workspace_id: WorkspaceId,
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    data: ProjectUpdate = Body(examples=[EXAMPLE_UPDATE]),
) -> JSONAPIResponse:
    """Update a project of this workspace."""
    project = flows.update_project(session, actor, project_id=project_id, data=data, workspace_id=workspace_id)
    return document(resources.project(project))


@router.delete("/workspaces/{workspace_id}/projects/{project_id}", status_code=204)
@transactional("projects:write")
def delete_workspace_project(
    workspace_id: WorkspaceId, project_id: ProjectId, session: Session, actor: Actor
) -> Response:
    """Delete a project of this workspace."""
    flows.delete_project(session, actor, project_id=project_id, workspace_id=workspace_id)
    return no_content()
