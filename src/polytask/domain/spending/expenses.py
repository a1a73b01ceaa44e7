"""Expenses: money a project spent besides people's time, in the project's currency."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import ValidationFailed
from polytask.core.money import check_currency, to_minor
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Number, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import ExpenseSnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.projects.access import rows_in_project
from polytask.domain.spending.access import EXPENSES, require_own_or_manager, writable_project
from polytask.domain.spending.schemas import ExpenseCreate, ExpenseUpdate
from polytask.domain.workspaces.access import require_write
from polytask.models import Expense, Project

EXPENSE_FIELDS = tuple(ExpenseSnapshot.model_fields)
EXPENSE_FIELDS_REGISTRY = Registry.of(
    "expense",
    [
        Field("id", Ref("expense"), expr=Expense.id),
        Field("project_id", Ref("project"), expr=Expense.project_id),
        Field("amount_minor", Number(integer=True), expr=Expense.amount_minor),
        Field("category", Text(caseless=True), expr=Expense.category),
        Field("spent_on", Moment("date"), expr=Expense.spent_on),
        Field("created_by", Ref("user"), expr=Expense.created_by_id),
        Field("created_at", Moment(), expr=Expense.created_at),
        Field("updated_at", Moment(), expr=Expense.updated_at),
    ],
)
EXPENSE_LIST: ListSpec[Expense] = ListSpec(
    "expense", EXPENSE_FIELDS_REGISTRY, Expense.id, default_sort=(SortKey("spent_on", descending=True),)
)


def _currency(given: str | None, project_currency: str) -> str:
    """One currency per project (no exchange rates here): the project's, or a 422."""
    if given is None:
        return project_currency
    check_currency(given)
    if given != project_currency:
        raise ValidationFailed.field("currency", f"must be the project's currency ({project_currency})", given)
    return given


def get_expense_for(session: Session, actor: Actor, expense_id: int) -> Expense:
    """The expense if the actor may see its project, else NotFound."""
    return EXPENSES.get_for(session, actor, expense_id)[0]


def list_expenses(
    session: Session,
    actor: Actor,
    *,
    project_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[Expense]:
    """A project's expenses (or all the actor sees), newest first unless sorted."""
    base = rows_in_project(session, actor, EXPENSES, project_id=project_id)
    return run_list(session, EXPENSE_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def create_expense(session: Session, actor: Actor, *, project_id: int, data: ExpenseCreate) -> Expense:
    """Record an expense on a project (any member who may write)."""
    project, _membership = writable_project(session, actor, project_id)
    currency = _currency(data.currency, project.currency)
    expense = Expense(
        workspace_id=project.workspace_id,
        project_id=project.id,
        amount_minor=to_minor(data.amount, currency, "amount"),
        currency=currency,
        spent_on=data.spent_on or utcnow().date(),
        category=data.category.strip() or "other",
        note=data.note,
        created_by_id=actor.user_id,
    )
    session.add(expense)
    session.flush()
    record_event(
        session,
        actor,
        type="expense.created",
        resource_type="expense",
        resource_id=expense.id,
        workspace_id=expense.workspace_id,
        snapshot=snapshot_of(expense, EXPENSE_FIELDS),
    )
    return expense


def update_expense(session: Session, actor: Actor, *, expense_id: int, data: ExpenseUpdate) -> Expense:
    """Correct an expense: its author, or a member with the manage_users permission."""
    expense, membership = EXPENSES.get_for(session, actor, expense_id)
    require_write(membership)
    require_own_or_manager(membership, expense.created_by_id)
    before = snapshot_of(expense, EXPENSE_FIELDS)
    given = data.model_fields_set
    for field in ("amount", "currency", "spent_on", "category", "note"):
        if field in given and getattr(data, field) is None:
            raise ValidationFailed.field(field, "cannot be null")
    if data.currency is not None:
        project = session.get(Project, expense.project_id)
        assert project is not None  # the expense's foreign key holds it
        expense.currency = _currency(data.currency, project.currency)
    if data.amount is not None:
        expense.amount_minor = to_minor(data.amount, expense.currency, "amount")
    if data.spent_on is not None:
        expense.spent_on = data.spent_on
    if data.category is not None:
        expense.category = data.category.strip() or "other"
    if data.note is not None:
        expense.note = data.note
    record_update(
        session,
        actor,
        resource_type="expense",
        resource_id=expense.id,
        workspace_id=expense.workspace_id,
        before=before,
        after=snapshot_of(expense, EXPENSE_FIELDS),
    )
    return expense


def delete_expense(session: Session, actor: Actor, *, expense_id: int) -> None:
    """Remove an expense: its author, or a member with the manage_users permission."""
    expense, membership = EXPENSES.get_for(session, actor, expense_id)
    require_write(membership)
    require_own_or_manager(membership, expense.created_by_id)
    snapshot = snapshot_of(expense, EXPENSE_FIELDS)
    workspace_id = expense.workspace_id
    session.execute(delete(Expense).where(Expense.id == expense_id))
    session.expunge(expense)
    record_event(
        session,
        actor,
        type="expense.deleted",
        resource_type="expense",
        resource_id=expense_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )
