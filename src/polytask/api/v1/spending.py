"""What projects spend: /v1/projects/{id}/time-entries, /v1/time-entries/{id},
/v1/projects/{id}/expenses, /v1/expenses/{id}."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, page_request, reject_unknown, shape
from polytask.api.v1.paths import ExpenseId, ProjectId, TimeEntryId
from polytask.api.v1.schemas import (
    ERROR_RESPONSES,
    ExpenseDocument,
    ExpenseListDocument,
    TimeEntryDocument,
    TimeEntryListDocument,
)
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.spending import expenses, time_entries
from polytask.domain.spending.schemas import ExpenseCreate, ExpenseUpdate, TimeEntryCreate, TimeEntryUpdate

router = unit_router(tags=["Time entries and expenses"], responses=ERROR_RESPONSES)


@router.get(
    "/projects/{project_id}/time-entries",
    response_model=TimeEntryListDocument,
    openapi_extra=list_parameters(time_entries.TIME_ENTRY_FIELDS_REGISTRY, path=("project_id",)),
)
@transactional("projects:read")
def list_time_entries(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """A project's time entries, newest day first; filter by `user_id`, `task_id`, `spent_on`, `minutes`."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST, forbidden={"project_id"})
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = time_entries.list_time_entries(
        session, actor, project_id=project_id, page=page, sort=parse_sort(params.get("sort"), None), tree=tree
    )
    shp = shape(params, "time_entry", {})
    return list_document(request, result, [resources.time_entry(e) for e in result.items], shape=shp)


@router.post("/projects/{project_id}/time-entries", response_model=TimeEntryDocument, status_code=201)
@transactional("projects:write")
def create_time_entry(
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    data: TimeEntryCreate = Body(examples=[{"hours": 1.5, "spent_on": "2026-07-01", "note": "Schema review"}]),
) -> JSONAPIResponse:
    """Log time on a project (your own; someone else's with the manage_users permission)."""
    entry = time_entries.create_time_entry(session, actor, project_id=project_id, data=data)
    return created(resources.time_entry(entry), f"/v1/time-entries/time_entry_{entry.id}")


@router.get("/time-entries/{time_entry_id}", response_model=TimeEntryDocument)
@transactional("projects:read")
def get_time_entry(request: Request, time_entry_id: TimeEntryId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Get one time entry."""
    reject_unknown(request.query_params, {"fields"})
    entry = time_entries.get_time_entry_for(session, actor, time_entry_id)
    return document(resources.time_entry(entry), shape=shape(request.query_params, "time_entry", {}))


@router.patch("/time-entries/{time_entry_id}", response_model=TimeEntryDocument)
@router.put("/time-entries/{time_entry_id}", response_model=TimeEntryDocument)
@transactional("projects:write")
def update_time_entry(
    time_entry_id: TimeEntryId,
    session: Session,
    actor: Actor,
    data: TimeEntryUpdate = Body(examples=[{"minutes": 120, "note": "Schema review and fixes"}]),
) -> JSONAPIResponse:
    """Change an entry's time, day, task or note (its person, its author, or a manager of people)."""
    return document(
        resources.time_entry(time_entries.update_time_entry(session, actor, entry_id=time_entry_id, data=data))
    )


@router.delete("/time-entries/{time_entry_id}", status_code=204)
@transactional("projects:write")
def delete_time_entry(time_entry_id: TimeEntryId, session: Session, actor: Actor) -> Response:
    """Delete a time entry (its person, its author, or a manager of people)."""
    time_entries.delete_time_entry(session, actor, entry_id=time_entry_id)
    return no_content()


@router.get(
    "/projects/{project_id}/expenses",
    response_model=ExpenseListDocument,
    openapi_extra=list_parameters(expenses.EXPENSE_FIELDS_REGISTRY, path=("project_id",)),
)
@transactional("projects:read")
def list_expenses(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """A project's expenses, newest first; filter by `category`, `spent_on`, `amount_minor`, `created_by`."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST, forbidden={"project_id"})
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = expenses.list_expenses(
        session, actor, project_id=project_id, page=page, sort=parse_sort(params.get("sort"), None), tree=tree
    )
    shp = shape(params, "expense", {})
    return list_document(request, result, [resources.expense(x) for x in result.items], shape=shp)


@router.post("/projects/{project_id}/expenses", response_model=ExpenseDocument, status_code=201)
@transactional("projects:write")
def create_expense(
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    data: ExpenseCreate = Body(
        examples=[{"amount": "1250.00", "spent_on": "2026-07-01", "category": "software", "note": "Licences"}]
    ),
) -> JSONAPIResponse:
    """Record an expense on a project, in the project's currency."""
    expense = expenses.create_expense(session, actor, project_id=project_id, data=data)
    return created(resources.expense(expense), f"/v1/expenses/expense_{expense.id}")


@router.get("/expenses/{expense_id}", response_model=ExpenseDocument)
@transactional("projects:read")
def get_expense(request: Request, expense_id: ExpenseId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Get one expense."""
    reject_unknown(request.query_params, {"fields"})
    found = expenses.get_expense_for(session, actor, expense_id)
    return document(resources.expense(found), shape=shape(request.query_params, "expense", {}))


@router.patch("/expenses/{expense_id}", response_model=ExpenseDocument)
@router.put("/expenses/{expense_id}", response_model=ExpenseDocument)
@transactional("projects:write")
def update_expense(
    expense_id: ExpenseId,
    session: Session,
    actor: Actor,
    data: ExpenseUpdate = Body(examples=[{"amount": "1300.00"}]),
) -> JSONAPIResponse:
    """Correct an expense (its author, or a member with the manage_users permission)."""
    return document(resources.expense(expenses.update_expense(session, actor, expense_id=expense_id, data=data)))


@router.delete("/expenses/{expense_id}", status_code=204)
@transactional("projects:write")
def delete_expense(expense_id: ExpenseId, session: Session, actor: Actor) -> Response:
    """Delete an expense (its author, or a member with the manage_users permission)."""
    expenses.delete_expense(session, actor, expense_id=expense_id)
    return no_content()
