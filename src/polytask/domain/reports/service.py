"""Stats and reports, each a few aggregate statements (the database adds; Python only rounds).

Scoping: a report covers one workspace; the caller needs the view_analytics permission there
(owners and admins by default), except for their own user stats. The period (start_date,
end_date, both included) filters time and expenses by the day they were spent on, and tasks
by the day they were created (user stats, department stats) or completed (productivity);
project task counts, progress and budgets are the state now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import NotFound
from polytask.core.ids import storable_key
from polytask.core.money import divide_rounded
from polytask.domain.departments.service import get_department_for
from polytask.domain.reports.records import (
    After,
    BudgetAnalysis,
    BudgetLine,
    DepartmentStats,
    Period,
    ProductivityRow,
    ProjectRow,
    UserStats,
    WorkloadRow,
    hours,
    percent,
    rounded,
)
from polytask.domain.spending.figures import expenses_by_project, project_figures, time_cost_by_project
from polytask.domain.workspaces.access import is_member, membership_for, require_flag
from polytask.models import Department, Expense, Membership, Project, Risk, Task, TaskAssignee, TimeEntry, User

_DONE = "completed"


def _analyst(session: Session, actor: Actor, workspace_id: int) -> Membership:
    membership = membership_for(session, actor, workspace_id)
    require_flag(membership, "view_analytics")
    return membership


def _days(column: Any, period: Period) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if period.start is not None:
        out.append(column >= period.start)
    if period.end_exclusive is not None:
        out.append(column < period.end_exclusive)
    return out


def _moments(column: Any, period: Period) -> list[ColumnElement[bool]]:
    """A timestamp column within the period's days (UTC)."""
    out: list[ColumnElement[bool]] = []
    if period.start is not None:
        out.append(column >= datetime.combine(period.start, time(), UTC))
    if period.end_exclusive is not None:
        out.append(column < datetime.combine(period.end_exclusive, time(), UTC))
    return out


def _month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    return first, following


def _after(name: Any, key: Any, after: After | None) -> list[ColumnElement[bool]]:
    """Rows past `after` in (name, id) order: the next chunk of a report read in chunks."""
    if after is None:
        return []
    return [or_(name > after[0], and_(name == after[0], key > after[1]))]


def _count_done(column: Any = Task.status) -> Any:
    return func.coalesce(func.sum(case((column == _DONE, 1), else_=0)), 0)


# --- one person ----------------------------------------------------------------------------


def user_stats(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    user_id: int,
    period: Period = Period(),
    today: date | None = None,
) -> UserStats:
    """One member's figures in a workspace: their projects, assigned tasks, logged hours (the
    period's, and this calendar month's), completion rate and hours per completed task."""
    mine = membership_for(session, actor, workspace_id)
    if user_id != actor.user_id:
        require_flag(mine, "view_analytics")
    # An id past 64 bits is nobody's (and no database can compare it).
    if not (storable_key(user_id) and is_member(session, workspace_id, user_id)):
        raise NotFound.of("user", user_id)
    month_start, month_end = _month_of(today or utcnow().date())

    assigned = (
        select(Task.id, Task.status, Task.project_id)
        .join(TaskAssignee, TaskAssignee.task_id == Task.id)
        .where(TaskAssignee.user_id == user_id, Task.workspace_id == workspace_id, *_moments(Task.created_at, period))
        .subquery()
    )
    total_tasks, completed = session.execute(select(func.count(), _count_done(assigned.c.status))).one()

    involved = or_(
        Project.created_by_id == user_id,
        Project.id.in_(
            select(Task.project_id)
            .join(TaskAssignee, TaskAssignee.task_id == Task.id)
            .where(TaskAssignee.user_id == user_id, Task.workspace_id == workspace_id)
        ),
    )
    total_projects, active_projects = session.execute(
        select(func.count(), func.coalesce(func.sum(case((Project.status == "active", 1), else_=0)), 0)).where(
            Project.workspace_id == workspace_id, involved
        )
    ).one()

    in_period = and_(*_days(TimeEntry.spent_on, period)) if _days(TimeEntry.spent_on, period) else None
    in_month = and_(TimeEntry.spent_on >= month_start, TimeEntry.spent_on < month_end)
    on_done_task = TimeEntry.task_id.in_(select(assigned.c.id).where(assigned.c.status == _DONE))
    period_minutes = TimeEntry.minutes if in_period is None else case((in_period, TimeEntry.minutes), else_=0)
    worked, this_month, on_done = session.execute(
        select(
            func.coalesce(func.sum(period_minutes), 0),
            func.coalesce(func.sum(case((in_month, TimeEntry.minutes), else_=0)), 0),
            func.coalesce(func.sum(case((on_done_task, TimeEntry.minutes), else_=0)), 0),
        ).where(TimeEntry.user_id == user_id, TimeEntry.workspace_id == workspace_id)
    ).one()
    completed = int(completed)
    return UserStats(
        total_projects=int(total_projects),
        active_projects=int(active_projects),
        total_tasks=int(total_tasks),
        completed_tasks=completed,
        pending_tasks=int(total_tasks) - completed,
        total_hours_worked=hours(int(worked)),
        this_month_hours=hours(int(this_month)),
        completion_rate=percent(completed, int(total_tasks)),
        avg_task_time=rounded(Decimal(int(on_done)) / 60 / completed, 1) if completed else Decimal("0.0"),
    )


# --- departments ---------------------------------------------------------------------------


def department_stats(
    session: Session, actor: Actor, *, department_id: int, period: Period = Period()
) -> DepartmentStats:
    """A department's members, the tasks assigned to them (created in the period), the hours
    they logged in it and the active projects they have tasks in."""
    department = get_department_for(session, actor, department_id)
    _analyst(session, actor, department.workspace_id)
    ws = department.workspace_id
    members = session.scalar(
        select(func.count()).where(Membership.workspace_id == ws, Membership.department_id == department_id)
    )
    in_department = select(Membership.user_id).where(
        Membership.workspace_id == ws, Membership.department_id == department_id
    )
    tasks = (
        select(Task.id, Task.status, Task.project_id)
        .where(
            Task.workspace_id == ws,
            Task.id.in_(select(TaskAssignee.task_id).where(TaskAssignee.user_id.in_(in_department))),
            *_moments(Task.created_at, period),
        )
        .subquery()
    )
    total, done = session.execute(select(func.count(), _count_done(tasks.c.status))).one()
    active = session.scalar(
        select(func.count(distinct(Project.id))).where(
            Project.id.in_(select(tasks.c.project_id)), Project.status == "active"
        )
    )
    minutes = session.scalar(
        select(func.coalesce(func.sum(TimeEntry.minutes), 0)).where(
            TimeEntry.workspace_id == ws, TimeEntry.user_id.in_(in_department), *_days(TimeEntry.spent_on, period)
        )
    )
    return DepartmentStats(
        department_id=department.id,
        name=department.name,
        members_count=int(members or 0),
        total_tasks=int(total),
        completed_tasks=int(done),
        pending_tasks=int(total) - int(done),
        completion_rate=percent(int(done), int(total)),
        total_hours=hours(int(minutes or 0)),
        active_projects=int(active or 0),
    )


def department_workload(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    period: Period = Period(),
    after: After | None = None,
    limit: int | None = None,
) -> list[WorkloadRow]:
    """Per department: members, open tasks and their estimated hours (now), tasks completed in
    the period and hours logged in it. Members in no department are left out. By name; `after`
    and `limit` read it a chunk at a time (the departments after that (name, id))."""
    _analyst(session, actor, workspace_id)
    departments = session.execute(
        select(Department.id, Department.name, func.count(Membership.id))
        .outerjoin(Membership, and_(Membership.department_id == Department.id, Membership.workspace_id == workspace_id))
        .where(Department.workspace_id == workspace_id, *_after(Department.name, Department.id, after))
        .group_by(Department.id, Department.name)
        .order_by(Department.name, Department.id)
        .limit(limit)
    ).all()
    chunk = [row[0] for row in departments]
    # Each (department, task) once, whichever of its members the task is assigned to.
    pairs = (
        select(Membership.department_id.label("department_id"), Task.id.label("task_id"))
        .join(TaskAssignee, TaskAssignee.user_id == Membership.user_id)
        .join(Task, and_(Task.id == TaskAssignee.task_id, Task.workspace_id == Membership.workspace_id))
        .where(Membership.workspace_id == workspace_id, Membership.department_id.in_(chunk))
        .distinct()
        .subquery()
    )
    completed_in_period = and_(Task.status == _DONE, *_moments(Task.completed_at, period))
    work = {
        dep: (int(open_), int(done), int(estimate or 0))
        for dep, open_, done, estimate in session.execute(
            select(
                pairs.c.department_id,
                func.coalesce(func.sum(case((Task.status != _DONE, 1), else_=0)), 0),
                func.coalesce(func.sum(case((completed_in_period, 1), else_=0)), 0),
                func.sum(case((Task.status != _DONE, Task.estimated_hours), else_=0)),
            )
            .join(Task, Task.id == pairs.c.task_id)
            .group_by(pairs.c.department_id)
        )
    }
    minutes = dict(
        session.execute(
            select(Membership.department_id, func.sum(TimeEntry.minutes))
            .join(
                Membership,
                and_(Membership.user_id == TimeEntry.user_id, Membership.workspace_id == TimeEntry.workspace_id),
            )
            .where(
                TimeEntry.workspace_id == workspace_id,
                Membership.department_id.in_(chunk),
                *_days(TimeEntry.spent_on, period),
            )
            .group_by(Membership.department_id)
        ).all()
    )
    rows = []
    for dep_id, name, members in departments:
        open_, done, estimate = work.get(dep_id, (0, 0, 0))
        rows.append(
            WorkloadRow(
                department_id=dep_id,
                name=name,
                members_count=int(members),
                open_tasks=open_,
                completed_tasks=done,
                estimated_open_hours=rounded(Decimal(estimate), 2),
                hours=hours(int(minutes.get(dep_id) or 0)),
            )
        )
    return rows


# --- people --------------------------------------------------------------------------------


def user_productivity(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    period: Period = Period(),
    after: After | None = None,
    limit: int | None = None,
) -> list[ProductivityRow]:
    """Per active member: tasks assigned (now), tasks completed in the period, the completion
    rate (completed in the period / assigned), hours logged in the period; by name (`after`,
    `limit`: a chunk of it)."""
    _analyst(session, actor, workspace_id)
    people = session.execute(
        select(User.id, User.username, User.name, func.coalesce(Membership.department, User.department))
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.is_active.is_(True), *_after(User.name, User.id, after))
        .order_by(User.name, User.id)
        .limit(limit)
    ).all()
    chunk = [row[0] for row in people]
    completed_in_period = and_(Task.status == _DONE, *_moments(Task.completed_at, period))
    tasks = {
        uid: (int(total), int(done))
        for uid, total, done in session.execute(
            select(
                TaskAssignee.user_id, func.count(), func.coalesce(func.sum(case((completed_in_period, 1), else_=0)), 0)
            )
            .join(Task, Task.id == TaskAssignee.task_id)
            .where(Task.workspace_id == workspace_id, TaskAssignee.user_id.in_(chunk))
            .group_by(TaskAssignee.user_id)
        )
    }
    minutes = dict(
        session.execute(
            select(TimeEntry.user_id, func.sum(TimeEntry.minutes))
            .where(
                TimeEntry.workspace_id == workspace_id, TimeEntry.user_id.in_(chunk), *_days(TimeEntry.spent_on, period)
            )
            .group_by(TimeEntry.user_id)
        ).all()
    )
    rows = []
    for uid, username, name, department in people:
        total, done = tasks.get(uid, (0, 0))
        rows.append(
            ProductivityRow(
                user_id=uid,
                username=username,
                name=name,
                department=department,
                assigned_tasks=total,
                completed_tasks=done,
                completion_rate=percent(done, total),
                hours=hours(int(minutes.get(uid) or 0)),
            )
        )
    return rows


# --- projects and budgets ------------------------------------------------------------------


def projects_report(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    period: Period = Period(),
    after: After | None = None,
    limit: int | None = None,
) -> list[ProjectRow]:
    """Every project of the workspace: budget, spent in the period, hours logged in it, task
    counts and progress (now), active risks; by name (`after`, `limit`: a chunk of it)."""
    _analyst(session, actor, workspace_id)
    projects = session.execute(
        select(Project.id, Project.name, Project.status, Project.currency, Project.budget_minor)
        .where(Project.workspace_id == workspace_id, *_after(Project.name, Project.id, after))
        .order_by(Project.name, Project.id)
        .limit(limit)
    ).all()
    ids = [row[0] for row in projects]
    figures = project_figures(session, ids, since=period.start, before=period.end_exclusive)
    risks = dict(
        session.execute(
            select(Risk.project_id, func.count())
            .where(Risk.project_id.in_(ids), Risk.status == "active")
            .group_by(Risk.project_id)
        ).all()
    )
    return [
        ProjectRow(
            project_id=pid,
            name=name,
            status=status,
            currency=currency,
            budget_minor=budget,
            spent_minor=figures[pid].spent_minor,
            tasks_count=figures[pid].tasks_count,
            completed_tasks=figures[pid].completed_tasks,
            progress=figures[pid].progress,
            hours=hours(figures[pid].minutes),
            open_risks=int(risks.get(pid, 0)),
        )
        for pid, name, status, currency, budget in projects
    ]


def _months(first: date, last: date) -> int:
    """Calendar months from first's to last's, both counted."""
    return max(1, (last.year - first.year) * 12 + last.month - first.month + 1)


def budget_lines(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    currency: str,
    period: Period = Period(),
    after: After | None = None,
    limit: int | None = None,
) -> list[BudgetLine]:
    """The budget analysis's project breakdown by name (`after`, `limit`: a chunk of it): each
    project with a budget in `currency`, its spending in the period against it."""
    _analyst(session, actor, workspace_id)
    projects = session.execute(
        select(Project.id, Project.name, Project.budget_minor)
        .where(
            Project.workspace_id == workspace_id,
            Project.currency == currency,
            Project.budget_minor.is_not(None),
            *_after(Project.name, Project.id, after),
        )
        .order_by(Project.name, Project.id)
        .limit(limit)
    ).all()
    ids = [row[0] for row in projects]
    # Spending only: the task counts project_figures also reads are not needed here.
    time_cost = time_cost_by_project(session, ids, since=period.start, before=period.end_exclusive)
    expenses = expenses_by_project(session, ids, since=period.start, before=period.end_exclusive)
    lines: list[BudgetLine] = []
    for pid, name, budget in projects:
        allocated = int(budget or 0)  # the WHERE keeps only projects with a budget
        spent = time_cost.get(pid, (0, 0))[1] + expenses.get(pid, 0)
        variance = Fraction(spent - allocated, allocated) * 100 if allocated else Fraction(0)
        lines.append(BudgetLine(pid, name, allocated, spent, allocated - spent, rounded(_decimal(variance), 1)))
    return lines


def budget_analysis(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    currency: str,
    period: Period = Period(),
    today: date | None = None,
) -> BudgetAnalysis:
    """Budgets against spending for the workspace's projects with a budget in `currency`.

    Spent counts the period's time and expenses. Over budget: spent > allocated; under: the
    rest. A project's variance is (spent - allocated) / allocated; the average is over projects
    with a non-zero budget. The burn rate spreads the total over the calendar months from the
    period's start (else the first day anything was spent) to its end (else today).
    """
    lines = budget_lines(session, actor, workspace_id=workspace_id, currency=currency, period=period)
    # The exact variances (not the rounded ones shown per line) make the average.
    variances = [
        Fraction(line.spent_minor - line.allocated_minor, line.allocated_minor) * 100
        for line in lines
        if line.allocated_minor
    ]
    over = sum(1 for line in lines if line.spent_minor > line.allocated_minor)
    total_allocated = sum(line.allocated_minor for line in lines)
    total_spent = sum(line.spent_minor for line in lines)
    first = period.start or _first_spending_day(session, [line.project_id for line in lines])
    last = period.end or today or utcnow().date()
    months = _months(first, last) if first is not None and first <= last else 1
    average = sum(variances, Fraction(0)) / len(variances) if variances else Fraction(0)
    return BudgetAnalysis(
        currency=currency,
        total_allocated_minor=total_allocated,
        total_spent_minor=total_spent,
        remaining_minor=total_allocated - total_spent,
        utilization_rate=rounded(_decimal(Fraction(total_spent * 100, total_allocated)), 2)
        if total_allocated
        else Decimal("0.00"),
        projects_over_budget=over,
        projects_under_budget=len(lines) - over,
        average_budget_variance=rounded(_decimal(average), 1),
        monthly_burn_rate_minor=divide_rounded(total_spent, months),
        months=months,
        project_breakdown=tuple(lines),
    )


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _first_spending_day(session: Session, project_ids: list[int]) -> date | None:
    if not project_ids:
        return None
    days = [
        session.scalar(select(func.min(TimeEntry.spent_on)).where(TimeEntry.project_id.in_(project_ids))),
        session.scalar(select(func.min(Expense.spent_on)).where(Expense.project_id.in_(project_ids))),
    ]
    found = [d for d in days if d is not None]
    return min(found) if found else None
