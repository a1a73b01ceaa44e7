"""Figures derived from spending and tasks, each one aggregate statement over many projects or
tasks at once (never a loop over rows): spent budget, progress and task counts, actual hours.

Time is valued at the member's current cost rate in the project's workspace
(memberships.cost_rate_minor, minor units per hour; none set: the time costs nothing). The
sum of minutes x rate is divided by 60 once per project, rounding half away from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import ValidationFailed
from polytask.core.money import divide_rounded
from polytask.core.statements import Prepared
from polytask.domain.spending.time_entries import hours_to_minutes, record_correction
from polytask.domain.tasks.queries import fetch_task_for
from polytask.domain.workspaces.access import require_write
from polytask.models import Expense, Membership, Task, TimeEntry


@dataclass(frozen=True, slots=True)
class ProjectFigures:
    """A project's derived numbers; money in minor units of the project's currency."""

    time_cost_minor: int = 0
    expenses_minor: int = 0
    minutes: int = 0
    tasks_count: int = 0
    completed_tasks: int = 0

    @property
    def spent_minor(self) -> int:
        return self.time_cost_minor + self.expenses_minor

    @property
    def progress(self) -> int:
        """Per cent of the project's tasks completed, rounded half up; 0 without tasks."""
        return divide_rounded(self.completed_tasks * 100, self.tasks_count) if self.tasks_count else 0


def _days(column: Any, since: date | None, before: date | None) -> list[ColumnElement[bool]]:
    """`column` (a date) from `since` (included) to `before` (excluded); open ends are no condition."""
    out: list[ColumnElement[bool]] = []
    if since is not None:
        out.append(column >= since)
    if before is not None:
        out.append(column < before)
    return out


def _time_cost(*where: ColumnElement[bool]) -> Any:
    rate = func.coalesce(Membership.cost_rate_minor, 0)
    return (
        select(TimeEntry.project_id, func.sum(TimeEntry.minutes), func.sum(TimeEntry.minutes * rate))
        .outerjoin(
            Membership,
            and_(Membership.workspace_id == TimeEntry.workspace_id, Membership.user_id == TimeEntry.user_id),
        )
        .where(*where)
        .group_by(TimeEntry.project_id)
    )


def _expenses(*where: ColumnElement[bool]) -> Any:
    return select(Expense.project_id, func.sum(Expense.amount_minor)).where(*where).group_by(Expense.project_id)


def _task_counts(*where: ColumnElement[bool]) -> Any:
    return select(Task.project_id, func.count()).where(*where).group_by(Task.project_id)


# Without a period (every project page asks so), compiled once: building these statements cost
# more than running them.
_IDS: Any = bindparam("ids", expanding=True)
_TIME_COST_ALL = Prepared(_time_cost(TimeEntry.project_id.in_(_IDS)), expanding="ids")
_EXPENSES_ALL = Prepared(_expenses(Expense.project_id.in_(_IDS)), expanding="ids")
_TASKS = Prepared(_task_counts(Task.project_id.in_(_IDS)), expanding="ids")
_DONE_TASKS = Prepared(_task_counts(Task.project_id.in_(_IDS), Task.status == "completed"), expanding="ids")


def time_cost_by_project(
    session: Session, project_ids: list[int], *, since: date | None = None, before: date | None = None
) -> dict[int, tuple[int, int]]:
    """{project id: (minutes, cost in minor units)} in one statement, for days in [since, before)."""
    if not project_ids:
        return {}
    if since is None and before is None:
        rows: Any = _TIME_COST_ALL.rows(session, {"ids": project_ids})
    else:
        stmt = _time_cost(TimeEntry.project_id.in_(project_ids), *_days(TimeEntry.spent_on, since, before))
        rows = session.execute(stmt)
    return {pid: (int(minutes or 0), divide_rounded(int(cost or 0), 60)) for pid, minutes, cost in rows}


def expenses_by_project(
    session: Session, project_ids: list[int], *, since: date | None = None, before: date | None = None
) -> dict[int, int]:
    """{project id: expenses in minor units} for days in [since, before)."""
    if not project_ids:
        return {}
    if since is None and before is None:
        rows: Any = _EXPENSES_ALL.rows(session, {"ids": project_ids})
    else:
        rows = session.execute(_expenses(Expense.project_id.in_(project_ids), *_days(Expense.spent_on, since, before)))
    return {pid: int(total or 0) for pid, total in rows}


def task_counts_by_project(session: Session, project_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{project id: (tasks, completed tasks)}; subtasks count as tasks.

    Two counts, each a walk of an index's entries, cost less than one that reads every task's
    status: with 1,000 tasks a project, 0.5 + 0.2 ms against 1.7 ms on SQLite."""
    if not project_ids:
        return {}
    done = {pid: int(count) for pid, count in _DONE_TASKS.rows(session, {"ids": project_ids})}
    return {pid: (int(total), done.get(pid, 0)) for pid, total in _TASKS.rows(session, {"ids": project_ids})}


# Every figure of a page of projects in ONE statement (on PostgreSQL each statement is a round
# trip): (project id, two numbers, kind), each part the statement it is on its own, padded.
# SQLite runs the parts one after another for several projects (core/statements.py Prepared).
_FIGURE_PARTS = [
    _time_cost(TimeEntry.project_id.in_(_IDS)).add_columns(literal("t")),
    _expenses(Expense.project_id.in_(_IDS)).add_columns(literal(0), literal("e")),
    _task_counts(Task.project_id.in_(_IDS)).add_columns(literal(0), literal("a")),
    _task_counts(Task.project_id.in_(_IDS), Task.status == "completed").add_columns(literal(0), literal("d")),
]
_FIGURES_ALL = Prepared(union_all(*_FIGURE_PARTS), expanding="ids", parts={"sqlite": _FIGURE_PARTS})


def project_figures(
    session: Session, project_ids: list[int], *, since: date | None = None, before: date | None = None
) -> dict[int, ProjectFigures]:
    """Spent budget, hours, progress and task counts of many projects: one statement without a
    period (every project page), three with one. Spending counts days in [since, before);
    task counts are the projects' tasks now."""
    if not project_ids:
        return {}
    if since is None and before is None:
        time: dict[int, tuple[int, int]] = {}
        spent: dict[int, int] = {}
        totals: dict[int, int] = {}
        completed: dict[int, int] = {}
        for pid, first, second, kind in _FIGURES_ALL.rows(session, {"ids": project_ids}):
            if kind == "t":
                time[pid] = (int(first or 0), divide_rounded(int(second or 0), 60))
            elif kind == "e":
                spent[pid] = int(first or 0)
            elif kind == "a":
                totals[pid] = int(first)
            else:
                completed[pid] = int(first)
        counts = {pid: (total, completed.get(pid, 0)) for pid, total in totals.items()}
    else:
        time = time_cost_by_project(session, project_ids, since=since, before=before)
        spent = expenses_by_project(session, project_ids, since=since, before=before)
        counts = task_counts_by_project(session, project_ids)
    out: dict[int, ProjectFigures] = {}
    for pid in project_ids:
        minutes, cost = time.get(pid, (0, 0))
        total, done = counts.get(pid, (0, 0))
        out[pid] = ProjectFigures(cost, spent.get(pid, 0), minutes, total, done)
    return out


def actual_minutes(session: Session, task_ids: list[int]) -> dict[int, int]:
    """{task id: minutes logged on it} (tasks with none are left out)."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(TimeEntry.task_id, func.sum(TimeEntry.minutes))
        .where(TimeEntry.task_id.in_(task_ids))
        .group_by(TimeEntry.task_id)
    )
    return {int(tid): int(minutes or 0) for tid, minutes in rows if tid is not None}


def minutes_to_hours(minutes: int) -> Decimal:
    """Minutes as hours with two places, half up (90 -> 1.50, 100 -> 1.67)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def set_actual_hours(session: Session, actor: Actor, *, task_id: int, hours: float | Decimal) -> TimeEntry | None:
    """Make the task's logged time `hours` (to the minute): the difference is recorded as an
    entry by the caller, dated today, negative when lowering it; None when nothing changes."""
    task, membership = fetch_task_for(session, actor, task_id)
    require_write(membership)
    if hours < 0:
        raise ValidationFailed.field("actual_hours", "must not be negative", hours)
    target = 0 if hours == 0 else hours_to_minutes(hours, "actual_hours")
    current = actual_minutes(session, [task.id]).get(task.id, 0)
    if target == current:
        return None
    return record_correction(
        session,
        actor,
        task=task,
        minutes=target - current,
        spent_on=utcnow().date(),
        note=f"actual hours set to {minutes_to_hours(target)}",
    )
