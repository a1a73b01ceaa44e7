"""GET /api/reports/projects, /users/productivity, /departments/workload, /budget-analysis: the
home workspace's reports (domain/reports), as the JSON envelope, a streamed CSV or a PDF
(`format=`), over the period `start_date`..`end_date`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, Generic, TypeVar

from fastapi import Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskflow import report_files
from polytask.api.taskflow.amount import Amount
from polytask.api.taskflow.errors import success_response
from polytask.api.taskflow.paths import PREFIX
from polytask.api.taskflow.period import EndDate, FormatParam, ReportFormat, StartDate, period_of, period_payload
from polytask.api.taskflow.policy import allow
from polytask.api.taskflow.render import PROJECT_STATUS_OUT
from polytask.api.taskflow.report_files import csv_attachment, filename_for, pdf_attachment, text_cell
from polytask.api.taskflow.report_model import Chart, PdfReport, Sheet
from polytask.api.taskflow.report_shapes import (
    REPORT_RESPONSES,
    BudgetReport,
    ProductivityReport,
    ProjectsReport,
    WorkloadReport,
)
from polytask.core.actor import Actor
from polytask.core.clock import isoformat, utcnow
from polytask.core.money import check_currency, format_minor
from polytask.core.settings import get_settings
from polytask.domain.reports.records import (
    After,
    BudgetAnalysis,
    BudgetLine,
    Period,
    ProductivityRow,
    ProjectRow,
    WorkloadRow,
)
from polytask.domain.reports.service import (
    budget_analysis,
    budget_lines,
    department_workload,
    projects_report,
    user_productivity,
)
from polytask.domain.workspaces.service import home_workspace_id

router = unit_router(prefix=f"{PREFIX}/reports", tags=["TaskFlow reports"])

R = TypeVar("R")


def _money(minor: int | None, currency: str) -> str:
    return "" if minor is None else format_minor(minor, currency)


def _amount(minor: int | None, currency: str) -> Amount | None:
    return None if minor is None else Amount(format_minor(minor, currency))


def _number(value: Decimal) -> Amount:
    return Amount(str(value))


def _period_text(period: Period) -> str:
    start = period.start.isoformat() if period.start else "the beginning"
    end = period.end.isoformat() if period.end else "today"
    return f"{start} to {end}"


@dataclass(frozen=True)
class Table(Generic[R]):
    """How one report's rows become a table: CSV columns and cells, the PDF's sheet."""

    name: str  # the file name's stem
    title: str
    columns: tuple[str, ...]
    cells: Callable[[R], Sequence[str]]
    key: Callable[[R], After]  # the row's place in the report's order, for the next chunk
    numeric: frozenset[int]


@dataclass(frozen=True)
class Read(Generic[R]):
    """What the request's unit of work found: who asked, where, over when, and the rows."""

    actor: Actor
    workspace_id: int
    period: Period
    rows: list[R]


# Reads one chunk (or, with limit=None, all) of a report's rows.
Reader = Callable[..., list[R]]


async def _read(
    request: Request,
    *,
    operation: str,
    scope: str,
    reader: Reader[R],
    start: date | None,
    end: date | None,
    limit: int | None,
) -> Read[R]:
    def work(session: Session, actor: Actor) -> Read[R]:
        allow(actor, operation)
        period = period_of(start, end)
        workspace_id = home_workspace_id(session, actor)
        rows = reader(session, actor, workspace_id=workspace_id, period=period, limit=limit)
        return Read(actor, workspace_id, period, rows)

    return await run_unit(request, work, scope=scope)


def _csv(request: Request, table: Table[R], read: Read[R], reader: Reader[R]) -> Response:
    def more(session: Session, after: After) -> list[R]:
        return reader(
            session,
            read.actor,
            workspace_id=read.workspace_id,
            period=read.period,
            after=after,
            limit=report_files.CHUNK,
        )

    return csv_attachment(
        request,
        filename=filename_for(table.name, read.period, "csv"),
        columns=table.columns,
        first=read.rows,
        read_more=more,
        key=table.key,
        cells=table.cells,
        chunk=report_files.CHUNK,
    )


async def _pdf(
    table: Table[R], period: Period, rows: list[R], chart: Chart | None, extra: Sequence[Sheet] = ()
) -> Response:
    report = PdfReport(
        title=table.title,
        period=_period_text(period),
        generated_at=isoformat(utcnow().replace(microsecond=0)) or "",
        chart=chart,
        sheets=[*extra, Sheet(table.title, table.columns, [table.cells(r) for r in rows], table.numeric)],
    )
    # Imported here: reportlab (about 7 MB of modules) is loaded by the first PDF, not by every server.
    from polytask.api.taskflow.report_pdf import render_pdf

    return await pdf_attachment(filename_for(table.name, period, "pdf"), partial(render_pdf, report))


async def _answer(
    request: Request,
    *,
    fmt: ReportFormat,
    operation: str,
    scope: str,
    table: Table[R],
    reader: Reader[R],
    start: date | None,
    end: date | None,
    chart: Callable[[list[R]], Chart],
    data: Callable[[list[R]], dict[str, Any]],
    message: str,
) -> Response:
    read = await _read(
        request,
        operation=operation,
        scope=scope,
        reader=reader,
        start=start,
        end=end,
        limit=report_files.CHUNK if fmt == "csv" else None,
    )
    if fmt == "csv":
        return _csv(request, table, read, reader)
    if fmt == "pdf":
        return await _pdf(table, read.period, read.rows, chart(read.rows))
    return success_response(request, message, {"period": period_payload(read.period), **data(read.rows)})


# --- projects ----------------------------------------------------------------------------------

PROJECTS = Table[ProjectRow](
    name="projects-report",
    title="Projects report",
    columns=(
        "project_id",
        "name",
        "status",
        "currency",
        "budget",
        "spent_budget",
        "remaining_budget",
        "hours_logged",
        "tasks_count",
        "completed_tasks",
        "progress",
        "open_risks",
    ),
    cells=lambda r: (
        str(r.project_id),
        text_cell(r.name),
        PROJECT_STATUS_OUT.get(r.status, r.status),
        r.currency,
        _money(r.budget_minor, r.currency),
        _money(r.spent_minor, r.currency),
        _money(None if r.budget_minor is None else r.budget_minor - r.spent_minor, r.currency),
        str(r.hours),
        str(r.tasks_count),
        str(r.completed_tasks),
        str(r.progress),
        str(r.open_risks),
    ),
    key=lambda r: (r.name, r.project_id),
    numeric=frozenset(range(4, 12)),
)


def _project_json(r: ProjectRow) -> dict[str, Any]:
    return {
        "project_id": r.project_id,
        "name": r.name,
        "status": PROJECT_STATUS_OUT.get(r.status, r.status),
        "currency": r.currency,
        "budget": _amount(r.budget_minor, r.currency),
        "spent_budget": _amount(r.spent_minor, r.currency),
        "remaining_budget": _amount(None if r.budget_minor is None else r.budget_minor - r.spent_minor, r.currency),
        "hours_logged": _number(r.hours),
        "tasks_count": r.tasks_count,
        "completed_tasks": r.completed_tasks,
        "progress": r.progress,
        "open_risks": r.open_risks,
    }


def _budget_chart(names: list[str], budgets: list[int], spent: list[int], currencies: set[str]) -> Chart:
    # Bars are drawn, not read: floats are fine here (the tables carry the exact amounts).
    unit = next(iter(currencies)) if len(currencies) == 1 else "each project's currency"
    return Chart(
        title="Budget vs spent per project",
        categories=names,
        series=[("Budget", [b / 100 for b in budgets]), ("Spent", [s / 100 for s in spent])],
        unit=unit,
    )


def _projects_chart(rows: list[ProjectRow]) -> Chart:
    return _budget_chart(
        [r.name for r in rows],
        [r.budget_minor or 0 for r in rows],
        [r.spent_minor for r in rows],
        {r.currency for r in rows},
    )


@router.get("/projects", operation_id="reports.projects", response_model=ProjectsReport, responses=REPORT_RESPONSES)
async def projects(
    request: Request, start_date: StartDate = None, end_date: EndDate = None, format: FormatParam = "json"
) -> Response:
    """Every project of your workspace by name: budget, spent and hours in the period, tasks,
    progress and open risks (now)."""
    return await _answer(
        request,
        fmt=format,
        operation="reports.projects",
        scope="projects:read",
        table=PROJECTS,
        reader=projects_report,
        start=start_date,
        end=end_date,
        chart=_projects_chart,
        data=lambda rows: {"projects": [_project_json(r) for r in rows]},
        message="Projects report generated",
    )


# --- productivity ------------------------------------------------------------------------------

PRODUCTIVITY = Table[ProductivityRow](
    name="productivity-report",
    title="User productivity report",
    columns=(
        "user_id",
        "username",
        "name",
        "department",
        "assigned_tasks",
        "completed_tasks",
        "completion_rate",
        "hours_worked",
    ),
    cells=lambda r: (
        str(r.user_id),
        text_cell(r.username),
        text_cell(r.name),
        text_cell(r.department or ""),
        str(r.assigned_tasks),
        str(r.completed_tasks),
        str(r.completion_rate),
        str(r.hours),
    ),
    key=lambda r: (r.name, r.user_id),
    numeric=frozenset(range(4, 8)),
)


def _productivity_json(r: ProductivityRow) -> dict[str, Any]:
    return {
        "user_id": r.user_id,
        "username": r.username,
        "name": r.name,
        "department": r.department,
        "assigned_tasks": r.assigned_tasks,
        "completed_tasks": r.completed_tasks,
        "completion_rate": _number(r.completion_rate),
        "hours_worked": _number(r.hours),
    }


def _productivity_chart(rows: list[ProductivityRow]) -> Chart:
    return Chart(
        title="Hours worked and tasks completed per person",
        categories=[r.name for r in rows],
        series=[
            ("Hours worked", [float(r.hours) for r in rows]),
            ("Tasks completed", [r.completed_tasks for r in rows]),
        ],
    )


@router.get(
    "/users/productivity",
    operation_id="reports.productivity",
    response_model=ProductivityReport,
    responses=REPORT_RESPONSES,
)
async def productivity(
    request: Request, start_date: StartDate = None, end_date: EndDate = None, format: FormatParam = "json"
) -> Response:
    """Each active member of your workspace by name: tasks assigned (now), completed in the period,
    completion rate, hours logged in the period."""
    return await _answer(
        request,
        fmt=format,
        operation="reports.productivity",
        scope="users:read",
        table=PRODUCTIVITY,
        reader=user_productivity,
        start=start_date,
        end=end_date,
        chart=_productivity_chart,
        data=lambda rows: {"users": [_productivity_json(r) for r in rows]},
        message="User productivity report generated",
    )


# --- workload ----------------------------------------------------------------------------------

WORKLOAD = Table[WorkloadRow](
    name="workload-report",
    title="Department workload report",
    columns=(
        "department_id",
        "name",
        "members_count",
        "open_tasks",
        "completed_tasks",
        "estimated_open_hours",
        "hours_worked",
    ),
    cells=lambda r: (
        str(r.department_id),
        text_cell(r.name),
        str(r.members_count),
        str(r.open_tasks),
        str(r.completed_tasks),
        str(r.estimated_open_hours),
        str(r.hours),
    ),
    key=lambda r: (r.name, r.department_id),
    numeric=frozenset(range(2, 7)),
)


def _workload_json(r: WorkloadRow) -> dict[str, Any]:
    return {
        "department_id": r.department_id,
        "name": r.name,
        "members_count": r.members_count,
        "open_tasks": r.open_tasks,
        "completed_tasks": r.completed_tasks,
        "estimated_open_hours": _number(r.estimated_open_hours),
        "hours_worked": _number(r.hours),
    }


def _workload_chart(rows: list[WorkloadRow]) -> Chart:
    return Chart(
        title="Hours per department",
        categories=[r.name for r in rows],
        series=[
            ("Hours worked", [float(r.hours) for r in rows]),
            ("Estimated open hours", [float(r.estimated_open_hours) for r in rows]),
        ],
        unit="h",
    )


@router.get(
    "/departments/workload",
    operation_id="reports.workload",
    response_model=WorkloadReport,
    responses=REPORT_RESPONSES,
)
async def workload(
    request: Request, start_date: StartDate = None, end_date: EndDate = None, format: FormatParam = "json"
) -> Response:
    """Each department of your workspace by name: members, open tasks and their estimated hours
    (now), tasks completed and hours logged in the period."""
    return await _answer(
        request,
        fmt=format,
        operation="reports.workload",
        scope="workspaces:read",
        table=WORKLOAD,
        reader=department_workload,
        start=start_date,
        end=end_date,
        chart=_workload_chart,
        data=lambda rows: {"departments": [_workload_json(r) for r in rows]},
        message="Department workload report generated",
    )


# --- budget analysis ---------------------------------------------------------------------------


def _breakdown(currency: str) -> Table[BudgetLine]:
    return Table[BudgetLine](
        name="budget-analysis",
        title="Budget analysis",
        columns=(
            "project_id",
            "project_name",
            "allocated_budget",
            "spent_budget",
            "remaining_budget",
            "variance_percentage",
        ),
        cells=lambda b: (
            str(b.project_id),
            text_cell(b.project_name),
            format_minor(b.allocated_minor, currency),
            format_minor(b.spent_minor, currency),
            format_minor(b.remaining_minor, currency),
            str(b.variance_percentage),
        ),
        key=lambda b: (b.project_name, b.project_id),
        numeric=frozenset(range(2, 6)),
    )


def _summary(found: BudgetAnalysis) -> dict[str, Any]:
    c = found.currency
    return {
        "total_allocated": Amount(format_minor(found.total_allocated_minor, c)),
        "total_spent": Amount(format_minor(found.total_spent_minor, c)),
        "remaining_budget": Amount(format_minor(found.remaining_minor, c)),
        "utilization_rate": _number(found.utilization_rate),
        "projects_over_budget": found.projects_over_budget,
        "projects_under_budget": found.projects_under_budget,
        "average_budget_variance": _number(found.average_budget_variance),
        "monthly_burn_rate": Amount(format_minor(found.monthly_burn_rate_minor, c)),
    }


def _line(b: BudgetLine, currency: str) -> dict[str, Any]:
    return {
        "project_id": b.project_id,
        "project_name": b.project_name,
        "allocated_budget": Amount(format_minor(b.allocated_minor, currency)),
        "spent_budget": Amount(format_minor(b.spent_minor, currency)),
        "remaining_budget": Amount(format_minor(b.remaining_minor, currency)),
        "variance_percentage": _number(b.variance_percentage),
    }


CurrencyParam = Query(
    None,
    description="The projects whose budget is in this ISO 4217 currency (default: the server's, "
    "POLYTASK_DEFAULT_CURRENCY)",
    examples=["USD"],
)


@router.get(
    "/budget-analysis",
    operation_id="reports.budget",
    response_model=BudgetReport,
    responses=REPORT_RESPONSES,
)
async def budget(
    request: Request,
    start_date: StartDate = None,
    end_date: EndDate = None,
    format: FormatParam = "json",
    currency: str | None = CurrencyParam,
) -> Response:
    """Budgets against spending in the period for your workspace's projects with a budget in one
    currency: totals, utilization, over/under budget, variance, monthly burn rate, and each project."""
    code = currency or get_settings().default_currency

    def read(session: Session, actor: Actor, **kwargs: Any) -> list[BudgetLine]:
        return budget_lines(session, actor, currency=code, **kwargs)

    table = _breakdown(code)
    if format == "csv":
        first = await _read(
            request,
            operation="reports.budget",
            scope="projects:read",
            reader=_checked(read, code),
            start=start_date,
            end=end_date,
            limit=report_files.CHUNK,
        )
        return _csv(request, table, first, read)

    def work(session: Session, actor: Actor) -> tuple[Period, BudgetAnalysis]:
        allow(actor, "reports.budget")
        period = period_of(start_date, end_date)
        check_currency(code)
        workspace_id = home_workspace_id(session, actor)
        return period, budget_analysis(session, actor, workspace_id=workspace_id, currency=code, period=period)

    period, found = await run_unit(request, work, scope="projects:read")
    if format == "pdf":
        lines = list(found.project_breakdown)
        summary = _summary(found)
        totals = Sheet(
            f"Summary ({code})",
            ("figure", "value"),
            [
                (name, summary[name].text if isinstance(summary[name], Amount) else str(summary[name]))
                for name in summary
            ],
            frozenset({1}),
        )
        chart = _budget_chart(
            [b.project_name for b in lines], [b.allocated_minor for b in lines], [b.spent_minor for b in lines], {code}
        )
        return await _pdf(table, period, lines, chart, extra=[totals])
    return success_response(
        request,
        "Budget analysis generated",
        {
            "period": period_payload(period),
            "currency": code,
            "budget_analysis": _summary(found),
            "project_breakdown": [_line(b, code) for b in found.project_breakdown],
        },
    )


def _checked(read: Reader[BudgetLine], code: str) -> Reader[BudgetLine]:
    """The reader, after a 422 naming `currency` for a malformed code."""

    def checked(session: Session, actor: Actor, **kwargs: Any) -> list[BudgetLine]:
        check_currency(code)
        return read(session, actor, **kwargs)

    return checked
