"""GET/POST /api/projects, GET/PUT/DELETE /api/projects/{id}: core projects of the caller's home workspace."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskflow.errors import success_response
from polytask.api.taskflow.paging import PageNumber, PerPage, page_request, pagination
from polytask.api.taskflow.paths import PREFIX
from polytask.api.taskflow.policy import allow
from polytask.api.taskflow.render import PROJECT_STATUS_IN, project_payload
from polytask.api.taskflow.schemas import error
from polytask.api.taskflow.shapes import (
    MONEY_TEXT,
    Deleted,
    ProjectIn,
    ProjectList,
    ProjectOne,
    ProjectShown,
    ProjectStatus,
    ProjectUpdateIn,
)
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.ids import MAX_KEY
from polytask.core.money import format_minor, to_minor
from polytask.core.settings import get_settings
from polytask.domain.flows.project_cards import cards_of, get_project_card, list_project_cards
from polytask.domain.flows.projects import create_project, delete_project, update_project
from polytask.domain.projects.schemas import Budget, ProjectCreate, ProjectUpdate
from polytask.domain.workspaces.service import home_workspace_id

router = unit_router(prefix=f"{PREFIX}/projects", tags=["TaskFlow projects"])

_404 = error("No such project in your workspace (NOT_FOUND)")
_CREATE_EXAMPLE = {
    "name": "Mobile App Development",
    "description": "Develop iOS and Android mobile applications",
    "budget": 75000.00,
    "start_date": "2025-07-01",
    "end_date": "2025-12-31",
}


def _core_status(status: str) -> str:
    return PROJECT_STATUS_IN.get(status, status)


def _budget(value: object, currency: str) -> Budget | None:
    """The doc's `budget` (a number or a decimal string) as the domain's exact amount; a
    negative, inexact or malformed one is a 422 naming `budget`."""
    if value is None:
        return None
    if isinstance(value, str) and not MONEY_TEXT.fullmatch(value):
        raise ValidationFailed.field("budget", "must be an amount such as 50000.00 or '50000.00'")
    minor = to_minor(value, currency, "budget")
    return Budget(amount=format_minor(minor, currency))


@router.get("", operation_id="projects.list", response_model=ProjectList)
async def list_projects(
    request: Request,
    page: PageNumber = 1,
    per_page: PerPage = 10,
    status: ProjectStatus | None = Query(None, description="Only projects in this state"),
    user_id: int | None = Query(None, ge=1, le=MAX_KEY, description="Only projects this user owns"),
) -> Response:
    """The projects of your workspace, oldest first."""

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        allow(actor, "projects.list")
        result = list_project_cards(
            session,
            actor,
            page=page_request(page, per_page),
            statuses=[_core_status(status)] if status else None,
            owner_id=user_id,
        )
        return [project_payload(c) for c in result.items], pagination(result, page, per_page)

    items, paging = await run_unit(request, work, scope="projects:read")
    return success_response(request, "Projects retrieved", {"projects": items}, pagination=paging)


@router.post(
    "",
    operation_id="projects.create",
    status_code=201,
    response_model=ProjectOne,
    responses={201: {"description": "Created"}},
)
async def create(request: Request, body: ProjectIn = Body(examples=[_CREATE_EXAMPLE])) -> Response:
    """Create a project in your workspace; you are its owner."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "projects.create")
        data = ProjectCreate(
            name=body.name,
            description=body.description,
            budget=_budget(body.budget, get_settings().default_currency),
            status=_core_status(body.status),
            start_date=body.start_date,
            due_date=body.end_date,
        )
        project = create_project(session, actor, workspace_id=home_workspace_id(session, actor), data=data)
        return project_payload(cards_of(session, [project])[0])

    project = await run_unit(request, work, scope="projects:write")
    return success_response(request, "Project created successfully", {"project": project}, 201)


@router.get("/{id}", operation_id="projects.show", response_model=ProjectShown, responses={404: _404})
async def show(request: Request, id: int) -> Response:
    """One project with its owner, its first tasks and its risks."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "projects.show")
        return project_payload(get_project_card(session, actor, id, with_tasks=True))

    project = await run_unit(request, work, scope="projects:read")
    return success_response(request, "Project retrieved", {"project": project})


@router.put("/{id}", operation_id="projects.update", response_model=ProjectOne, responses={404: _404})
async def update(request: Request, id: int, body: ProjectUpdateIn) -> Response:
    """Change the fields given (a partial update)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "projects.update")
        given = body.model_fields_set
        changes: dict[str, Any] = {k: getattr(body, k) for k in ("name", "description", "start_date") if k in given}
        if "end_date" in given:
            changes["due_date"] = body.end_date
        if "budget" in given:
            changes["budget"] = _budget(body.budget, get_settings().default_currency)
        if "status" in given:
            if body.status is None:
                raise ValidationFailed.field("status", "cannot be null")
            changes["status"] = _core_status(body.status)
        project = update_project(
            session,
            actor,
            project_id=id,
            data=ProjectUpdate.model_validate(changes),
            workspace_id=home_workspace_id(session, actor),
        )
        return project_payload(cards_of(session, [project])[0])

    project = await run_unit(request, work, scope="projects:write")
    return success_response(request, "Project updated successfully", {"project": project})


@router.delete("/{id}", operation_id="projects.delete", response_model=Deleted, responses={404: _404})
async def delete(request: Request, id: int) -> Response:
    """Delete the project with its tasks."""

    def work(session: Session, actor: Actor) -> None:
        allow(actor, "projects.delete")
        delete_project(session, actor, project_id=id, workspace_id=home_workspace_id(session, actor))

    await run_unit(request, work, scope="projects:write")
    return success_response(request, "Project deleted successfully", {})
