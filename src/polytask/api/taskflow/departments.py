"""GET/POST /api/departments, GET/PUT/DELETE /api/departments/{id} and its stats: the departments
of the caller's home workspace (the same rows /v1 shows)."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskflow.amount import Amount
from polytask.api.taskflow.errors import success_response
from polytask.api.taskflow.paging import PageNumber, PerPage, page_request, pagination
from polytask.api.taskflow.paths import PREFIX
from polytask.api.taskflow.period import EndDate, StartDate, period_of
from polytask.api.taskflow.policy import allow
from polytask.api.taskflow.schemas import error
from polytask.api.taskflow.shapes import (
    Deleted,
    DepartmentIn,
    DepartmentList,
    DepartmentOne,
    DepartmentStatsOne,
    DepartmentUpdateIn,
)
from polytask.core.actor import Actor
from polytask.core.clock import isoformat
from polytask.domain.departments.schemas import DepartmentCreate, DepartmentUpdate
from polytask.domain.departments.service import (
    create_department,
    delete_department,
    get_department_for,
    list_departments,
    update_department,
)
from polytask.domain.reports.service import department_stats
from polytask.domain.workspaces.service import home_workspace_id

router = unit_router(prefix=f"{PREFIX}/departments", tags=["TaskFlow departments"])

_404 = error("No such department in your workspace (NOT_FOUND)")
_CREATE_EXAMPLE = {"name": "Quality Assurance", "description": "Software testing and quality control department"}


def department_payload(department: Any) -> dict[str, Any]:
    return {
        "id": department.id,
        "name": department.name,
        "description": department.description,
        "created_at": isoformat(department.created_at),
        "updated_at": isoformat(department.updated_at),
    }


@router.get("", operation_id="departments.list", response_model=DepartmentList)
async def list_all(request: Request, page: PageNumber = 1, per_page: PerPage = 10) -> Response:
    """The departments of your workspace, by name."""

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        allow(actor, "departments.list")
        result = list_departments(
            session, actor, workspace_id=home_workspace_id(session, actor), page=page_request(page, per_page)
        )
        return [department_payload(d) for d in result.items], pagination(result, page, per_page)

    items, paging = await run_unit(request, work, scope="workspaces:read")
    return success_response(request, "Departments retrieved", {"departments": items}, pagination=paging)


@router.post(
    "",
    operation_id="departments.create",
    status_code=201,
    response_model=DepartmentOne,
    responses={201: {"description": "Created"}},
)
async def create(request: Request, body: DepartmentIn = Body(examples=[_CREATE_EXAMPLE])) -> Response:
    """Add a department to your workspace (its name unique there, ignoring case)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "departments.create")
        data = DepartmentCreate(name=body.name, description=body.description)
        department = create_department(session, actor, workspace_id=home_workspace_id(session, actor), data=data)
        return department_payload(department)

    department = await run_unit(request, work, scope="workspaces:write")
    return success_response(request, "Department created successfully", {"department": department}, 201)


@router.get("/{id}", operation_id="departments.show", response_model=DepartmentOne, responses={404: _404})
async def show(request: Request, id: int) -> Response:
    """One department (an addition to the doc)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "departments.show")
        workspace_id = home_workspace_id(session, actor)
        return department_payload(get_department_for(session, actor, id, workspace_id=workspace_id))

    department = await run_unit(request, work, scope="workspaces:read")
    return success_response(request, "Department retrieved", {"department": department})


@router.put("/{id}", operation_id="departments.update", response_model=DepartmentOne, responses={404: _404})
async def update(
    request: Request, id: int, body: DepartmentUpdateIn = Body(examples=[{"description": "Testing and QA"}])
) -> Response:
    """Rename or describe a department (an addition to the doc; the fields given)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "departments.update")
        get_department_for(session, actor, id, workspace_id=home_workspace_id(session, actor))
        changes = {field: getattr(body, field) for field in body.model_fields_set}
        department = update_department(session, actor, department_id=id, data=DepartmentUpdate.model_validate(changes))
        return department_payload(department)

    department = await run_unit(request, work, scope="workspaces:write")
    return success_response(request, "Department updated successfully", {"department": department})


@router.delete("/{id}", operation_id="departments.delete", response_model=Deleted, responses={404: _404})
async def delete(request: Request, id: int) -> Response:
    """Delete a department (an addition to the doc): its members stay, in no department."""

    def work(session: Session, actor: Actor) -> None:
        allow(actor, "departments.delete")
        get_department_for(session, actor, id, workspace_id=home_workspace_id(session, actor))
        delete_department(session, actor, department_id=id)

    await run_unit(request, work, scope="workspaces:write")
    return success_response(request, "Department deleted successfully", {})


@router.get("/{id}/stats", operation_id="departments.stats", response_model=DepartmentStatsOne, responses={404: _404})
async def stats(request: Request, id: int, start_date: StartDate = None, end_date: EndDate = None) -> Response:
    """Its members, the tasks assigned to them (created in the period), the hours they logged in it,
    the active projects they work on."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "departments.stats")
        period = period_of(start_date, end_date)
        # Only a department of the home workspace (404 otherwise, like the show).
        get_department_for(session, actor, id, workspace_id=home_workspace_id(session, actor))
        found = department_stats(session, actor, department_id=id, period=period)
        return {
            "department_id": found.department_id,
            "name": found.name,
            "members_count": found.members_count,
            "total_tasks": found.total_tasks,
            "completed_tasks": found.completed_tasks,
            "pending_tasks": found.pending_tasks,
            "completion_rate": Amount(str(found.completion_rate)),
            "total_hours": Amount(str(found.total_hours)),
            "active_projects": found.active_projects,
        }

    found = await run_unit(request, work, scope="workspaces:read")
    return success_response(request, "Department statistics retrieved", {"stats": found})
