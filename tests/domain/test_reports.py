"""Stats and reports (domain/reports) over data made through /v1, each figure checked against
the hand computation written beside it; and set_actual_hours (domain/spending/figures.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from polytask.core.actor import system_actor
from polytask.core.db import Database
from polytask.core.errors import NotFound, PermissionDenied, ValidationFailed
from polytask.domain.reports import service as reports
from polytask.domain.reports.records import Period
from polytask.domain.spending.figures import actual_minutes, project_figures, set_actual_hours
from polytask.models import Event
from tests.factories.people import make_person
from tests.factories.shop import build

TODAY = date(2026, 6, 20)
JUNE = Period(date(2026, 6, 1), date(2026, 6, 30))


def test_project_figures_value_time_at_cost_rates(client: httpx.Client, db: Database) -> None:
    shop = build(client, db)
    p1, p2, p3 = shop.projects["P1"], shop.projects["P2"], shop.projects["P3"]
    with db.unit_of_work(readonly=True) as session:
        figures = project_figures(session, [p1, p2, p3])
    # P1: 75.00 + 25.00 + 160.00 + 0.00 of time, 800.00 of expenses.
    assert (figures[p1].time_cost_minor, figures[p1].expenses_minor, figures[p1].spent_minor) == (
        26_000,
        80_000,
        106_000,
    )
    assert (figures[p1].minutes, figures[p1].tasks_count, figures[p1].completed_tasks, figures[p1].progress) == (
        300,
        4,
        2,
        50,
    )
    assert (figures[p2].spent_minor, figures[p2].progress) == (16_000, 0)  # 60.00 + 100.00
    assert (figures[p3].spent_minor, figures[p3].tasks_count, figures[p3].progress) == (0, 0, 0)


def test_user_stats(client: httpx.Client, db: Database) -> None:
    shop = build(client, db)
    with db.unit_of_work(readonly=True) as session:
        bob = reports.user_stats(
            session, system_actor(shop.bob.user_id, "user"), workspace_id=shop.ws, user_id=shop.bob.user_id, today=TODAY
        )
        carol = reports.user_stats(
            session,
            system_actor(shop.alice.user_id, "user"),
            workspace_id=shop.ws,
            user_id=shop.carol.user_id,
            today=TODAY,
        )
        alice = reports.user_stats(
            session,
            system_actor(shop.alice.user_id, "user"),
            workspace_id=shop.ws,
            user_id=shop.alice.user_id,
            today=TODAY,
        )
    # Bob: t1 (done), t2, t4; in P1 only; 90 + 30 minutes, 30 of them in June; 90 on his done task.
    assert bob == reports.UserStats(
        total_projects=1,
        active_projects=1,
        total_tasks=3,
        completed_tasks=1,
        pending_tasks=2,
        total_hours_worked=Decimal("2.00"),
        this_month_hours=Decimal("0.50"),
        completion_rate=Decimal("33.3"),
        avg_task_time=Decimal("1.5"),
    )
    # Carol: t3 (done), t4, t5 in P1 and P2; 120 + 45 minutes, all in June; 120 on t3.
    assert (carol.total_projects, carol.active_projects, carol.total_tasks, carol.completed_tasks) == (2, 2, 3, 1)
    assert (carol.total_hours_worked, carol.this_month_hours, carol.avg_task_time) == (
        Decimal("2.75"),
        Decimal("2.75"),
        Decimal("2.0"),
    )
    # Alice created the four projects (P3 on hold), has no tasks, logged an hour.
    assert (alice.total_projects, alice.active_projects, alice.total_tasks, alice.completion_rate) == (
        4,
        3,
        0,
        Decimal("0.0"),
    )
    assert (alice.total_hours_worked, alice.avg_task_time) == (Decimal("1.00"), Decimal("0.0"))
    with db.unit_of_work(readonly=True) as session:
        june = reports.user_stats(
            session,
            system_actor(shop.bob.user_id, "user"),
            workspace_id=shop.ws,
            user_id=shop.bob.user_id,
            period=JUNE,
            today=TODAY,
        )
    assert june.total_hours_worked == Decimal("0.50")


def test_department_stats_and_workload(client: httpx.Client, db: Database) -> None:
    shop = build(client, db)
    owner = system_actor(shop.alice.user_id, "user")
    with db.unit_of_work(readonly=True) as session:
        eng = reports.department_stats(session, owner, department_id=shop.departments["Engineering"])
        qa = reports.department_stats(session, owner, department_id=shop.departments["QA"])
        workload = reports.department_workload(session, owner, workspace_id=shop.ws)
        june = reports.department_workload(session, owner, workspace_id=shop.ws, period=JUNE)
    # Engineering = Bob: t1, t2, t4 (t1 done), 2.00 hours, P1 active.
    assert (eng.members_count, eng.total_tasks, eng.completed_tasks, eng.pending_tasks) == (1, 3, 1, 2)
    assert (eng.completion_rate, eng.total_hours, eng.active_projects) == (Decimal("33.3"), Decimal("2.00"), 1)
    # QA = Carol: t3, t4, t5 (t3 done), 2.75 hours, P1 and P2.
    assert (qa.total_tasks, qa.completed_tasks, qa.total_hours, qa.active_projects) == (3, 1, Decimal("2.75"), 2)
    # Open: Engineering t2 (4 h) + t4 (2 h); QA t4 (2 h) + t5 (3 h).
    assert [
        (w.name, w.members_count, w.open_tasks, w.completed_tasks, w.estimated_open_hours, w.hours) for w in workload
    ] == [
        ("Engineering", 1, 2, 1, Decimal("6.00"), Decimal("2.00")),
        ("QA", 1, 2, 1, Decimal("5.00"), Decimal("2.75")),
    ]
    assert [w.hours for w in june] == [Decimal("0.50"), Decimal("2.75")]


def test_productivity_and_projects_report(client: httpx.Client, db: Database) -> None:
    shop = build(client, db)
    owner = system_actor(shop.alice.user_id, "user")
    with db.unit_of_work(readonly=True) as session:
        people = reports.user_productivity(session, owner, workspace_id=shop.ws)
        projects = reports.projects_report(session, owner, workspace_id=shop.ws)
        june = reports.projects_report(session, owner, workspace_id=shop.ws, period=JUNE)
    assert [
        (p.name, p.department, p.assigned_tasks, p.completed_tasks, p.completion_rate, p.hours) for p in people
    ] == [
        ("Alice", None, 0, 0, Decimal("0.0"), Decimal("1.00")),
        ("Bob", "Engineering", 3, 1, Decimal("33.3"), Decimal("2.00")),
        ("Carol", "QA", 3, 1, Decimal("33.3"), Decimal("2.75")),
    ]
    rows = {r.name: r for r in projects}
    assert [r.name for r in projects] == ["P1", "P2", "P3", "P4"]
    p1 = rows["P1"]
    assert (p1.budget_minor, p1.spent_minor, p1.tasks_count, p1.completed_tasks, p1.progress) == (
        100_000,
        106_000,
        4,
        2,
        50,
    )
    assert (p1.hours, p1.open_risks, p1.currency) == (Decimal("5.00"), 1, "USD")
    assert (rows["P2"].spent_minor, rows["P2"].hours, rows["P4"].currency) == (16_000, Decimal("0.75"), "EUR")
    # June leaves out Bob's May 10 hour and a half (75.00) and P2's May expense (100.00).
    assert {r.name: r.spent_minor for r in june} == {"P1": 98_500, "P2": 6_000, "P3": 0, "P4": 0}


def test_budget_analysis(client: httpx.Client, db: Database) -> None:
    shop = build(client, db)
    owner = system_actor(shop.alice.user_id, "user")
    with db.unit_of_work(readonly=True) as session:
        whole = reports.budget_analysis(session, owner, workspace_id=shop.ws, currency="USD", today=date(2026, 6, 30))
        june = reports.budget_analysis(session, owner, workspace_id=shop.ws, currency="USD", period=JUNE)
    # USD projects with a budget: P1 (1000.00, spent 1060.00) and P2 (500.00, spent 160.00).
    assert (whole.total_allocated_minor, whole.total_spent_minor, whole.remaining_minor) == (150_000, 122_000, 28_000)
    assert whole.utilization_rate == Decimal("81.33")  # 1220 / 1500
    assert (whole.projects_over_budget, whole.projects_under_budget) == (1, 1)
    assert whole.average_budget_variance == Decimal("-31.0")  # (6.0 + -68.0) / 2
    assert (whole.months, whole.monthly_burn_rate_minor) == (2, 61_000)  # May 10 to June 30: two months
    assert [
        (b.project_name, b.allocated_minor, b.spent_minor, b.remaining_minor, b.variance_percentage)
        for b in whole.project_breakdown
    ] == [
        ("P1", 100_000, 106_000, -6_000, Decimal("6.0")),
        ("P2", 50_000, 16_000, 34_000, Decimal("-68.0")),
    ]
    # June: P1 985.00 (-1.5 %), P2 60.00 (-88 %); one month.
    assert (june.total_spent_minor, june.utilization_rate, june.projects_over_budget) == (104_500, Decimal("69.67"), 0)
    assert (june.average_budget_variance, june.months, june.monthly_burn_rate_minor) == (Decimal("-44.8"), 1, 104_500)


def test_reports_need_view_analytics_and_a_member(client: httpx.Client, db: Database) -> None:
    shop = build(client, db)
    mallory = make_person(db)
    bob = system_actor(shop.bob.user_id, "user")
    with db.unit_of_work(readonly=True) as session:
        for call in (
            lambda: reports.projects_report(session, bob, workspace_id=shop.ws),
            lambda: reports.budget_analysis(session, bob, workspace_id=shop.ws, currency="USD"),
            lambda: reports.department_stats(session, bob, department_id=shop.departments["QA"]),
            lambda: reports.user_stats(session, bob, workspace_id=shop.ws, user_id=shop.carol.user_id),
        ):
            with pytest.raises(PermissionDenied):
                call()
        with pytest.raises(NotFound):
            reports.user_productivity(session, system_actor(mallory.user_id, "user"), workspace_id=shop.ws)
        with pytest.raises(NotFound):
            reports.user_stats(
                session, system_actor(shop.alice.user_id, "user"), workspace_id=shop.ws, user_id=mallory.user_id
            )


def test_reports_read_in_chunks_give_the_whole(client: httpx.Client, db: Database) -> None:
    shop = build(client, db)
    owner = system_actor(shop.alice.user_id, "user")
    reads: list[tuple[Callable[..., list[Any]], Callable[[Any], tuple[str, int]]]] = [
        (reports.projects_report, lambda r: (r.name, r.project_id)),
        (reports.user_productivity, lambda r: (r.name, r.user_id)),
        (reports.department_workload, lambda r: (r.name, r.department_id)),
        (functools.partial(reports.budget_lines, currency="USD"), lambda r: (r.project_name, r.project_id)),
    ]
    with db.unit_of_work(readonly=True) as session:
        for read, key in reads:
            whole = read(session, owner, workspace_id=shop.ws, period=JUNE)
            assert len(whole) >= 2
            chunked: list[Any] = []
            after = None
            while got := read(session, owner, workspace_id=shop.ws, period=JUNE, after=after, limit=1):
                assert len(got) == 1
                chunked += got
                after = key(got[-1])
            assert chunked == whole


def test_set_actual_hours_records_the_difference(client: httpx.Client, db: Database) -> None:
    shop = build(client, db)
    t2 = shop.tasks["t2"]  # Bob logged 30 minutes on it
    alice = system_actor(shop.alice.user_id, "user")
    with db.unit_of_work() as session:
        entry = set_actual_hours(session, alice, task_id=t2, hours=1.5)
        assert entry is not None
        assert (entry.minutes, entry.user_id) == (60, shop.alice.user_id)
    with db.unit_of_work() as session:
        lower = set_actual_hours(session, alice, task_id=t2, hours=Decimal("0.25"))
        assert lower is not None
        assert lower.minutes == -75
        assert set_actual_hours(session, alice, task_id=t2, hours=0.25) is None
    with db.unit_of_work(readonly=True) as session:
        assert actual_minutes(session, [t2]) == {t2: 15}
        created = session.scalars(select(Event.type).where(Event.resource_type == "time_entry")).all()
    assert created.count("time_entry.created") == 5 + 2
    mallory = make_person(db)
    with db.unit_of_work() as session, pytest.raises(NotFound):
        set_actual_hours(session, system_actor(mallory.user_id, "user"), task_id=t2, hours=1)


def test_a_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Period(date(2026, 6, 30), date(2026, 6, 1))
    assert refused.value.details["field"] == "end_date"
    assert Period(date(2026, 6, 1), date(2026, 6, 1)).end_exclusive == date(2026, 6, 2)
