"""Saved views of a project's tasks: /v1/projects/{project_id}/views; `view=<id>` on task lists."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import list_parameters, reject_unknown, shape, whole_list_query
from polytask.api.v1.paths import ProjectId, ViewId
from polytask.api.v1.schemas import ERROR_RESPONSES, ViewDocument, ViewListDocument
from polytask.core.actor import Actor
from polytask.domain.fields.schemas import ViewCreate, ViewUpdate
from polytask.domain.tasks import views
from polytask.domain.tasks.views import VIEW_REGISTRY

router = unit_router(tags=["Saved views"], responses=ERROR_RESPONSES)

EXAMPLE_CREATE = {
    "name": "My urgent work",
    "filter": {"assignee": "me", "priority[gte]": "high", "status[ne]": "completed"},
    "sort": "due_date,-priority",
    "fields": "name,status,due_date,priority",
    "layout": "board",
}


@router.get(
    "/projects/{project_id}/views", response_model=ViewListDocument, openapi_extra=list_parameters(VIEW_REGISTRY)
)
@transactional("projects:read")
def list_views(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """The project's saved views, oldest first; filter by `name`, `layout`, `created_by_id`, ..."""
    q = whole_list_query(request.query_params, settings.max_page_size)
    shp = shape(request.query_params, "view", {})
    result = views.list_views(session, actor, project_id, page=q.page, sort=q.sort, tree=q.tree)
    return list_document(request, result, [resources.view(v) for v in result.items], shape=shp)


@router.post("/projects/{project_id}/views", response_model=ViewDocument, status_code=201)
@transactional("projects:write")
def create_view(
    project_id: ProjectId, session: Session, actor: Actor, data: ViewCreate = Body(examples=[EXAMPLE_CREATE])
) -> JSONAPIResponse:
    """Save a view. `filter` is an object of task-list parameters or an expression string; it
    is checked now, so a saved view always runs. Use it as `GET /v1/tasks?view=<id>`."""
    view = views.create_view(session, actor, project_id=project_id, data=data)
    return created(resources.view(view), f"/v1/projects/project_{project_id}/views/view_{view.id}")


@router.get("/projects/{project_id}/views/{view_id}", response_model=ViewDocument)
@transactional("projects:read")
def get_view(request: Request, project_id: ProjectId, view_id: ViewId, session: Session, actor: Actor) -> Response:
    """Get one saved view."""
    reject_unknown(request.query_params, {"fields"})
    found = views.get_view_for(session, actor, view_id, project_id=project_id)
    return document(resources.view(found), shape=shape(request.query_params, "view", {}))


@router.put("/projects/{project_id}/views/{view_id}", response_model=ViewDocument)
@router.patch("/projects/{project_id}/views/{view_id}", response_model=ViewDocument)
@transactional("projects:write")
def update_view(
    project_id: ProjectId,
    view_id: ViewId,
    session: Session,
    actor: Actor,
    data: ViewUpdate = Body(examples=[{"filter": "priority = urgent || due_date <= today", "layout": "table"}]),
) -> JSONAPIResponse:
    """Change the given parts of a view (a new `filter` replaces the old one)."""
    view = views.update_view(session, actor, project_id=project_id, view_id=view_id, data=data)
    return document(resources.view(view))


@router.delete("/projects/{project_id}/views/{view_id}", status_code=204)
@transactional("projects:write")
def delete_view(project_id: ProjectId, view_id: ViewId, session: Session, actor: Actor) -> Response:
    """Delete a saved view."""
    views.delete_view(session, actor, project_id=project_id, view_id=view_id)
    return no_content()
