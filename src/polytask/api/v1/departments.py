"""Departments: /v1/workspaces/{id}/departments, /v1/departments/{id}."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, page_request, reject_unknown, shape
from polytask.api.v1.paths import DepartmentId, WorkspaceId
from polytask.api.v1.schemas import ERROR_RESPONSES, DepartmentDocument, DepartmentListDocument
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.departments import service
from polytask.domain.departments.schemas import DepartmentCreate, DepartmentUpdate

router = unit_router(tags=["Departments"], responses=ERROR_RESPONSES)


@router.get(
    "/workspaces/{workspace_id}/departments",
    response_model=DepartmentListDocument,
    openapi_extra=list_parameters(service.DEPARTMENT_FIELDS_REGISTRY, path=("workspace_id",)),
)
@transactional("workspaces:read")
def list_departments(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """A workspace's departments by name; filter by `name`, `head_user_id`."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST, forbidden={"workspace_id"})
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_departments(
        session, actor, workspace_id=workspace_id, page=page, sort=parse_sort(params.get("sort"), None), tree=tree
    )
    shp = shape(params, "department", {})
    return list_document(request, result, [resources.department(d) for d in result.items], shape=shp)


@router.post("/workspaces/{workspace_id}/departments", response_model=DepartmentDocument, status_code=201)
@transactional("workspaces:write")
def create_department(
    workspace_id: WorkspaceId,
    session: Session,
    actor: Actor,
    data: DepartmentCreate = Body(
        examples=[{"name": "Quality Assurance", "description": "Software testing and quality control department"}]
    ),
) -> JSONAPIResponse:
    """Add a department (needs the manage_users permission)."""
    department = service.create_department(session, actor, workspace_id=workspace_id, data=data)
    return created(resources.department(department), f"/v1/departments/department_{department.id}")


@router.get("/departments/{department_id}", response_model=DepartmentDocument)
@transactional("workspaces:read")
def get_department(request: Request, department_id: DepartmentId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Get one department."""
    reject_unknown(request.query_params, {"fields"})
    found = service.get_department_for(session, actor, department_id)
    return document(resources.department(found), shape=shape(request.query_params, "department", {}))


@router.patch("/departments/{department_id}", response_model=DepartmentDocument)
@router.put("/departments/{department_id}", response_model=DepartmentDocument)
@transactional("workspaces:write")
def update_department(
    department_id: DepartmentId,
    session: Session,
    actor: Actor,
    data: DepartmentUpdate = Body(examples=[{"name": "QA", "head_user_id": "user_2"}]),
) -> JSONAPIResponse:
    """Rename a department, describe it, or change its head (needs manage_users)."""
    return document(
        resources.department(service.update_department(session, actor, department_id=department_id, data=data))
    )


@router.delete("/departments/{department_id}", status_code=204)
@transactional("workspaces:write")
def delete_department(department_id: DepartmentId, session: Session, actor: Actor) -> Response:
    """Delete a department; its members stay, with no department (needs manage_users)."""
    service.delete_department(session, actor, department_id=department_id)
    return no_content()
