"""The shapes of TaskFlow's stats and reports (closed, like shapes.py's): user stats exactly as
taskflow-pro-api.md shows them, the budget analysis in its shape, and the other reports'.

Amounts and hours are written as exact numbers (`50000.00`, `156.50`), never through a float."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from polytask.api.taskflow.shapes import ProjectStatus, data_of, envelope

_CLOSED = ConfigDict(extra="forbid")
_MONEY = "Exact, with the currency's places (50000.00)"


class PeriodOut(BaseModel):
    model_config = _CLOSED

    start_date: str | None = Field(description="First day included (null: open)", examples=["2025-01-01"])
    end_date: str | None = Field(description="Last day included (null: open)", examples=["2025-06-30"])


class UserStatsOut(BaseModel):
    model_config = _CLOSED

    total_projects: int = Field(description="Projects they created or have a task in", examples=[5])
    active_projects: int = Field(examples=[2])
    total_tasks: int = Field(description="Tasks assigned to them (created in the period)", examples=[23])
    completed_tasks: int = Field(examples=[18])
    pending_tasks: int = Field(examples=[5])
    total_hours_worked: float = Field(description="Hours they logged in the period, two places", examples=[156.5])
    this_month_hours: float = Field(description="Hours logged this calendar month (UTC)", examples=[32.0])
    completion_rate: float = Field(description="Per cent, one place", examples=[78.3])
    avg_task_time: float = Field(description="Hours logged per completed task, one place", examples=[6.8])


class ProjectReportRow(BaseModel):
    model_config = _CLOSED

    project_id: int = Field(examples=[1])
    name: str = Field(examples=["Website Redesign"])
    status: ProjectStatus
    currency: str = Field(examples=["USD"])
    budget: float | None = Field(description=_MONEY, examples=[50000.00])
    spent_budget: float = Field(description="Time and expenses in the period", examples=[32500.00])
    remaining_budget: float | None = Field(description="budget - spent_budget (null without a budget)")
    hours_logged: float = Field(description="Hours logged in the period, two places", examples=[120.5])
    tasks_count: int = Field(examples=[15])
    completed_tasks: int = Field(examples=[10])
    progress: int = Field(ge=0, le=100, examples=[65])
    open_risks: int = Field(description="Its risks in status active", examples=[1])


class ProductivityRow(BaseModel):
    model_config = _CLOSED

    user_id: int = Field(examples=[2])
    username: str = Field(examples=["designer"])
    name: str = Field(examples=["Dana Designer"])
    department: str | None = Field(examples=["Design"])
    assigned_tasks: int = Field(description="Tasks assigned to them now", examples=[12])
    completed_tasks: int = Field(description="Of those, completed in the period", examples=[9])
    completion_rate: float = Field(description="completed / assigned, per cent, one place", examples=[75.0])
    hours_worked: float = Field(description="Hours logged in the period, two places", examples=[64.25])


class WorkloadRow(BaseModel):
    model_config = _CLOSED

    department_id: int = Field(examples=[3])
    name: str = Field(examples=["Engineering"])
    members_count: int = Field(examples=[4])
    open_tasks: int = Field(description="Tasks of its members not completed (now)", examples=[7])
    completed_tasks: int = Field(description="Completed in the period", examples=[11])
    estimated_open_hours: float = Field(description="Estimated hours of the open tasks", examples=[42.0])
    hours_worked: float = Field(description="Hours its members logged in the period", examples=[156.5])


class BudgetSummary(BaseModel):
    model_config = _CLOSED

    total_allocated: float = Field(examples=[500000.00])
    total_spent: float = Field(examples=[324750.00])
    remaining_budget: float = Field(examples=[175250.00])
    utilization_rate: float = Field(description="Per cent, two places", examples=[64.95])
    projects_over_budget: int = Field(examples=[2])
    projects_under_budget: int = Field(examples=[8])
    average_budget_variance: float = Field(description="Per cent, one place", examples=[-12.3])
    monthly_burn_rate: float = Field(description="Spent per calendar month of the period", examples=[54125.00])


class BudgetBreakdownRow(BaseModel):
    model_config = _CLOSED

    project_id: int = Field(examples=[1])
    project_name: str = Field(examples=["Website Redesign"])
    allocated_budget: float = Field(examples=[50000.00])
    spent_budget: float = Field(examples=[32500.00])
    remaining_budget: float = Field(examples=[17500.00])
    variance_percentage: float = Field(examples=[-35.0])


_REPORT_FILES: dict[str, Any] = {
    "description": "The report: the JSON envelope, or with `format=csv` a CSV attachment (streamed), "
    "or with `format=pdf` a PDF document (title, period, tables, a chart)",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    },
}
# The `responses` entry of a report route: its 200 may also be a CSV or a PDF.
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {200: _REPORT_FILES}

UserStatsOne = envelope("UserStatsOne", data_of("UserStatsData", user_stats=UserStatsOut))
ProjectsReport = envelope(
    "ProjectsReport", data_of("ProjectsReportData", period=PeriodOut, projects=list[ProjectReportRow])
)
ProductivityReport = envelope(
    "ProductivityReport", data_of("ProductivityReportData", period=PeriodOut, users=list[ProductivityRow])
)
WorkloadReport = envelope(
    "WorkloadReport", data_of("WorkloadReportData", period=PeriodOut, departments=list[WorkloadRow])
)
BudgetReport = envelope(
    "BudgetReport",
    data_of(
        "BudgetReportData",
        period=PeriodOut,
        currency=str,
        budget_analysis=BudgetSummary,
        project_breakdown=list[BudgetBreakdownRow],
    ),
)
