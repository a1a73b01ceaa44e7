"""GET/POST /api/users, GET/PUT/DELETE /api/users/{id}: the people you share a workspace with."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Query, Request
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
from polytask.api.taskflow.render import user_out
from polytask.api.taskflow.report_shapes import UserStatsOne
from polytask.api.taskflow.schemas import error
from polytask.api.taskflow.shapes import Role, UserCreateIn, UserList, UserOne, UserUpdateIn
from polytask.core.actor import Actor
from polytask.core.errors import Conflict, ValidationFailed
from polytask.core.ids import MAX_KEY
from polytask.domain.flows.people import change_person, create_teammate, get_person, list_people
from polytask.domain.reports.service import user_stats
from polytask.domain.users.schemas import UserCreate
from polytask.domain.workspaces.service import home_workspace_id

router = unit_router(prefix=f"{PREFIX}/users", tags=["TaskFlow users"])

_404 = error("Nobody with this id shares a workspace with you (NOT_FOUND)")
_CREATE_EXAMPLE = {
    "username": "newuser",
    "email": "newuser@taskflow.com",
    "password": "securepassword123",
    "role": "user",
    "department_id": 2,
}
# The doc's validation example words it so.
_TAKEN = {"email": "Email address is already registered", "username": "Username is already taken"}


@router.get("", operation_id="users.list", response_model=UserList)
async def list_users(
    request: Request,
    page: PageNumber = 1,
    per_page: PerPage = 10,
    role: Role | None = Query(None, description="Only people with this role"),
    department_id: int | None = Query(None, ge=1, le=MAX_KEY, description="Only this department's people"),
    active: bool | None = Query(None, description="Only active (true) or deactivated (false) accounts"),
) -> Response:
    """The people you share a workspace with, oldest account first."""

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        allow(actor, "users.list")
        result, cards = list_people(
            session, actor, page=page_request(page, per_page), role=role, department_id=department_id, active=active
        )
        return [user_out(c) for c in cards], pagination(result, page, per_page)

    items, paging = await run_unit(request, work, scope="users:read")
    return success_response(request, "Users retrieved", {"users": items}, pagination=paging)


@router.post(
    "",
    operation_id="users.create",
    status_code=201,
    response_model=UserOne,
    responses={201: {"description": "Created"}},
)
async def create(request: Request, body: UserCreateIn = Body(examples=[_CREATE_EXAMPLE])) -> Response:
    """Create an account that works in your workspace (a member there, in `department_id`)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "users.create")
        data = UserCreate(
            email=body.email, username=body.username, name=body.name, password=body.password, role=body.role
        )
        try:
            card = create_teammate(session, actor, data=data, department_id=body.department_id)
        except Conflict as exc:
            field = str(exc.details.get("field", "email"))
            raise ValidationFailed("Validation failed", {"errors": {field: [_TAKEN.get(field, exc.message)]}}) from exc
        return user_out(card)

    user = await run_unit(request, work, scope="users:write")
    return success_response(request, "User created successfully", {"user": user}, 201)


@router.get("/{id}", operation_id="users.show", response_model=UserOne, responses={404: _404})
async def show(request: Request, id: int) -> Response:
    """One person you share a workspace with."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "users.show")
        return user_out(get_person(session, actor, id))

    user = await run_unit(request, work, scope="users:read")
    return success_response(request, "User retrieved", {"user": user})


@router.put("/{id}", operation_id="users.update", response_model=UserOne, responses={404: _404})
async def update(request: Request, id: int, body: UserUpdateIn) -> Response:
    """Change someone's role, department (in your workspace), name, or whether the account is active."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "users.update")
        for field in ("role", "active", "name"):
            if field in body.model_fields_set and getattr(body, field) is None:
                raise ValidationFailed.field(field, "cannot be null")
        card = change_person(
            session,
            actor,
            user_id=id,
            role=body.role,
            active=body.active,
            name=body.name,
            department_id=body.department_id,
            department_given="department_id" in body.model_fields_set,
        )
        return user_out(card)

    user = await run_unit(request, work, scope="users:write")
    return success_response(request, "User updated successfully", {"user": user})


@router.delete("/{id}", operation_id="users.delete", response_model=UserOne, responses={404: _404})
async def deactivate(request: Request, id: int) -> Response:
    """Deactivate the account (it can no longer sign in; its sessions end); nothing is deleted."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "users.delete")
        return user_out(change_person(session, actor, user_id=id, active=False))

    user = await run_unit(request, work, scope="users:write")
    return success_response(request, "User deactivated", {"user": user})


@router.get(
    "/{id}/stats",
    operation_id="users.stats",
    response_model=UserStatsOne,
    responses={404: error("Nobody with this id works in your workspace (NOT_FOUND)")},
)
async def stats(request: Request, id: int, start_date: StartDate = None, end_date: EndDate = None) -> Response:
    """Someone's figures in your workspace: projects, tasks, hours (in the period), completion rate.
    Your own need the `user` role; someone else's `manager`."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "users.stats", own=id == actor.user_id)
        period = period_of(start_date, end_date)
        found = user_stats(session, actor, workspace_id=home_workspace_id(session, actor), user_id=id, period=period)
        return {
            "total_projects": found.total_projects,
            "active_projects": found.active_projects,
            "total_tasks": found.total_tasks,
            "completed_tasks": found.completed_tasks,
            "pending_tasks": found.pending_tasks,
            "total_hours_worked": Amount(str(found.total_hours_worked)),
            "this_month_hours": Amount(str(found.this_month_hours)),
            "completion_rate": Amount(str(found.completion_rate)),
            "avg_task_time": Amount(str(found.avg_task_time)),
        }

    found = await run_unit(request, work, scope="users:read")
    return success_response(request, "User statistics retrieved", {"user_stats": found})
