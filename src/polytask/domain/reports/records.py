"""The records reports return: plain values, money in minor units beside its currency, hours
and percentages as Decimals already rounded (hours to 2 places, rates to 1 or 2, as named)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from polytask.core.errors import ValidationFailed

_ZERO = Decimal(0)


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def hours(minutes: int) -> Decimal:
    """Minutes as hours, 2 places, half up."""
    return rounded(Decimal(minutes) / 60, 2)


def percent(part: int, whole: int, places: int = 1) -> Decimal:
    """part / whole as a percentage, half up; 0 when whole is 0."""
    return rounded(Decimal(part) * 100 / whole, places) if whole else rounded(_ZERO, places)


# Where a chunk of a report ends, as its rows are ordered: (name, id) of the last row read.
After = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Period:
    """Days from `start` to `end`, both included; either may be open."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValidationFailed.field("end_date", "must not be before start_date", self.end.isoformat())

    @property
    def end_exclusive(self) -> date | None:
        return None if self.end is None else self.end + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class UserStats:
    total_projects: int
    active_projects: int
    total_tasks: int
    completed_tasks: int
    pending_tasks: int
    total_hours_worked: Decimal
    this_month_hours: Decimal
    completion_rate: Decimal  # per cent, 1 place
    avg_task_time: Decimal  # hours per completed task, 1 place


@dataclass(frozen=True, slots=True)
class DepartmentStats:
    department_id: int
    name: str
    members_count: int
    total_tasks: int
    completed_tasks: int
    pending_tasks: int
    completion_rate: Decimal
    total_hours: Decimal
    active_projects: int


@dataclass(frozen=True, slots=True)
class ProjectRow:
    project_id: int
    name: str
    status: str
    currency: str
    budget_minor: int | None
    spent_minor: int
    tasks_count: int
    completed_tasks: int
    progress: int
    hours: Decimal
    open_risks: int


@dataclass(frozen=True, slots=True)
class ProductivityRow:
    user_id: int
    username: str
    name: str
    department: str | None
    assigned_tasks: int
    completed_tasks: int
    completion_rate: Decimal
    hours: Decimal


@dataclass(frozen=True, slots=True)
class WorkloadRow:
    department_id: int
    name: str
    members_count: int
    open_tasks: int
    completed_tasks: int
    estimated_open_hours: Decimal
    hours: Decimal


@dataclass(frozen=True, slots=True)
class BudgetLine:
    project_id: int
    project_name: str
    allocated_minor: int
    spent_minor: int
    remaining_minor: int
    variance_percentage: Decimal  # (spent - allocated) / allocated, per cent, 1 place


@dataclass(frozen=True, slots=True)
class BudgetAnalysis:
    currency: str
    total_allocated_minor: int
    total_spent_minor: int
    remaining_minor: int
    utilization_rate: Decimal  # per cent, 2 places
    projects_over_budget: int
    projects_under_budget: int
    average_budget_variance: Decimal  # per cent, 1 place
    monthly_burn_rate_minor: int
    months: int
    project_breakdown: tuple[BudgetLine, ...]
