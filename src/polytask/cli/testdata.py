"""`scripts/generate_test_data.py`: plausible TaskFlow data in a server's database.

taskflow-pro-api.md says `python scripts/generate_test_data.py --projects 10 --tasks 50 --users
20`. The data goes through the same domain operations the API calls (departments, teammates,
cost rates, projects with budgets, tasks with estimates and assignees, time entries, expenses,
risks), into the database the server uses (POLYTASK_DATABASE_URL, else the data directory's
SQLite file: what `make run` serves), all in one transaction: an error leaves nothing behind.
It acts as an admin of the server (`--owner`, else the first admin; on an empty database it
creates one as `polytask serve` would) in that admin's home workspace, the workspace TaskFlow
shows them and the accounts it creates. Deterministic for a given `--seed`.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor, system_actor
from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.migrate import upgrade
from polytask.core.pagination import PageRequest
from polytask.core.settings import get_settings
from polytask.domain.departments.schemas import DepartmentCreate
from polytask.domain.departments.service import create_department, list_departments
from polytask.domain.flows.people import create_teammate
from polytask.domain.flows.projects import create_project
from polytask.domain.flows.task_cards import change_task_card, create_task_card
from polytask.domain.members.schemas import MemberUpdate
from polytask.domain.members.service import update_member
from polytask.domain.projects.schemas import Budget, ProjectCreate
from polytask.domain.risks.schemas import RiskCreate
from polytask.domain.risks.service import create_risk
from polytask.domain.spending.expenses import create_expense
from polytask.domain.spending.schemas import ExpenseCreate, TimeEntryCreate
from polytask.domain.spending.time_entries import create_time_entry
from polytask.domain.tasks.schemas import TaskCreate, TaskUpdate
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import bootstrap_admin, find_user_by_login
from polytask.domain.workspaces.service import home_workspace_id
from polytask.models import User

# The most of any one kind a run makes: enough for any demo, small enough to finish in minutes.
MOST = 10_000

DEPARTMENTS = {
    "Engineering": "Builds and runs the product",
    "Design": "Product, interface and brand design",
    "Marketing": "Campaigns, content and events",
    "Sales": "New business and renewals",
    "Finance": "Budgets, payroll and reporting",
    "Operations": "Facilities, IT and vendors",
    "Quality Assurance": "Software testing and quality control",
}
FIRST = ["olivia", "liam", "emma", "noah", "ava", "lucas", "mia", "ethan", "sofia", "mateo", "amara", "kenji"]
LAST = ["martin", "garcia", "chen", "okafor", "silva", "novak", "haddad", "kowalski", "tanaka", "brown"]
PROJECTS = [
    ("Website Redesign", "Complete redesign of company website"),
    ("Mobile App Development", "Develop iOS and Android mobile applications"),
    ("Data Warehouse Migration", "Move reporting to the new warehouse"),
    ("Customer Portal", "Self-service portal for customers"),
    ("Payment Gateway Upgrade", "Move to the new payment provider's API"),
    ("Onboarding Revamp", "Shorter, friendlier onboarding for new accounts"),
    ("Security Audit", "External audit and the fixes it asks for"),
    ("Marketing Automation", "Campaign workflows and lead scoring"),
    ("Office Relocation", "Move the team to the new office"),
    ("Analytics Dashboard", "Real-time KPIs for management"),
]
TASKS = [
    "Create Database Schema",
    "Design Mockups",
    "Write API Documentation",
    "Set up CI Pipeline",
    "User Interviews",
    "Implement Login Flow",
    "Load Testing",
    "Accessibility Review",
    "Migrate Legacy Data",
    "Prepare Launch Plan",
    "Fix Reported Bugs",
    "Vendor Evaluation",
]
RISKS = [
    ("Technical Complexity Risk", "schedule", "Engage senior developers and provide additional training"),
    ("Budget Overrun", "budget", "Weekly budget reviews with finance"),
    ("Key Person Dependency", "scope", "Pair on critical work and document decisions"),
    ("Vendor Delay", "schedule", "Agree penalties and keep a second supplier warm"),
    ("Scope Creep", "scope", "Change requests go through the steering group"),
]
EXPENSES = ["software", "hardware", "travel", "contractors", "training"]
LEVELS = ["low", "medium", "high", "critical"]


@dataclass
class Plan:
    projects: int
    tasks: int
    users: int
    password: str
    seed: int
    owner: str | None = None
    database_url: str | None = None


@dataclass
class Made:
    departments: int = 0
    users: list[str] = field(default_factory=list)
    projects: int = 0
    tasks: int = 0
    time_entries: int = 0
    expenses: int = 0
    risks: int = 0


class ProgressBar:
    """A one-line text progress bar on a terminal (elsewhere, a line every tenth of the way)."""

    def __init__(self, total: int, out: IO[str], width: int = 30) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.out = out
        self.width = width
        self.tty = out.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        filled = self.width * self.done // self.total
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {label}"
        if self.tty:
            self.out.write(f"\r{line[:100]:<100}")
            if self.done == self.total:
                self.out.write("\n")
        elif self.done == self.total or 10 * self.done // self.total > 10 * (self.done - 1) // self.total:
            self.out.write(line + "\n")  # not a terminal: a line every tenth of the way
        self.out.flush()


def _count(name: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, not {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"{name} cannot be negative (got {value})")
        if value > MOST:
            raise argparse.ArgumentTypeError(f"{name} can be at most {MOST} (got {value})")
        return value

    return parse


def parse_args(argv: Sequence[str] | None) -> Plan:
    parser = argparse.ArgumentParser(
        prog="generate_test_data.py",
        description="Fill a Polytask server's database with plausible TaskFlow data: departments, users "
        "with cost rates, projects with budgets, tasks with hours, time entries, expenses and risks.",
    )
    parser.add_argument("--projects", type=_count("--projects"), default=10, help="projects to create (default 10)")
    parser.add_argument(
        "--tasks", type=_count("--tasks"), default=50, help="tasks in all, spread over the projects (default 50)"
    )
    parser.add_argument("--users", type=_count("--users"), default=20, help="user accounts to create (default 20)")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="SQLAlchemy URL of the database (default: POLYTASK_DATABASE_URL, else the data directory's SQLite file)",
    )
    parser.add_argument("--owner", help="act as this admin (email or username; default: the first admin)")
    parser.add_argument("--password", help="password of the accounts created (default: a random one, printed)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1): the same seed, the same data")
    ns = parser.parse_args(argv)
    if ns.tasks and not ns.projects:
        parser.error("--tasks needs at least one project (--projects 1 or more)")
    if ns.password is not None and len(ns.password) < 8:
        parser.error("--password must be at least 8 characters")
    return Plan(
        projects=ns.projects,
        tasks=ns.tasks,
        users=ns.users,
        password=ns.password or secrets.token_urlsafe(9),
        seed=ns.seed,
        owner=ns.owner,
        database_url=ns.database,
    )


def _owner(session: Session, login: str | None, admin_email: str) -> tuple[User, str | None]:
    """The admin to act as, and their password when this run created them."""
    if login is not None:
        user = find_user_by_login(session, login)
        if user is None or user.role != "admin":
            raise SystemExit(f"generate_test_data: no admin with email or username {login!r}")
        return user, None
    admin = session.scalar(select(User).where(User.role == "admin", User.is_active.is_(True)).order_by(User.id))
    if admin is not None:
        return admin, None
    made = bootstrap_admin(session, email=admin_email)
    if made is None:
        raise SystemExit("generate_test_data: the database has users but no active admin; pass --owner")
    return made


def _free_username(session: Session, base: str) -> str:
    name, n = base, 1
    while find_user_by_login(session, name) is not None or find_user_by_login(session, f"{name}@example.com"):
        n += 1
        name = f"{base}{n}"
    return name


def _departments(session: Session, actor: Actor, workspace_id: int, bar: ProgressBar, made: Made) -> list[int]:
    page = list_departments(session, actor, workspace_id=workspace_id, page=PageRequest(limit=1000, offset=0))
    existing = {d.name.casefold(): d.id for d in page.items}
    ids = []
    for name, description in DEPARTMENTS.items():
        if name.casefold() in existing:
            ids.append(existing[name.casefold()])
        else:
            department = create_department(
                session, actor, workspace_id=workspace_id, data=DepartmentCreate(name=name, description=description)
            )
            ids.append(department.id)
            made.departments += 1
        bar.step(f"department {name}")
    return ids


def generate(session: Session, plan: Plan, *, admin_email: str, out: IO[str]) -> tuple[User, str | None, Made]:
    """Everything the plan asks for, in the owner's home workspace; returns the owner, their
    password if this run created them, and what was made."""
    rng = random.Random(plan.seed)
    owner, owner_password = _owner(session, plan.owner, admin_email)
    actor = system_actor(owner.id, owner.role)
    workspace_id = home_workspace_id(session, actor)
    today = utcnow().date()
    made = Made()
    # Per task: the task, its update, and about two time entries; per project: it, an expense, a risk.
    bar = ProgressBar(len(DEPARTMENTS) + plan.users + plan.projects * 3 + plan.tasks * 4, out)

    departments = _departments(session, actor, workspace_id, bar, made)
    people = [owner.id]
    for i in range(plan.users):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST) + i) % len(LAST)]
        username = _free_username(session, f"{first}.{last}")
        # The first is an admin (sees every report), then a few managers, then users.
        role = "admin" if i == 0 else "manager" if i % 5 == 1 else "user"
        person = create_teammate(
            session,
            actor,
            data=UserCreate(
                email=f"{username}@example.com",
                username=username,
                name=f"{first.title()} {last.title()}",
                password=plan.password,
                role=role,
            ),
            department_id=departments[i % len(departments)],
        )
        rate = rng.choice(["45.00", "55.00", "65.00", "80.00", "95.00", "120.00"])
        update_member(
            session, actor, workspace_id=workspace_id, user_id=person.user.id, data=MemberUpdate(cost_rate=rate)
        )
        people.append(person.user.id)
        made.users.append(username)
        bar.step(f"user {username}")

    projects: list[tuple[int, date]] = []
    for p in range(plan.projects):
        name, description = PROJECTS[p % len(PROJECTS)]
        if p >= len(PROJECTS):
            name = f"{name} {p // len(PROJECTS) + 1}"
        start = today - timedelta(days=rng.randint(30, 180))
        # Most budgets leave room; every fourth is tight, so some projects end up over budget.
        budget = rng.randint(2, 8) * 1000 if p % 4 == 3 else rng.randint(20, 120) * 1000
        project = create_project(
            session,
            actor,
            workspace_id=workspace_id,
            data=ProjectCreate(
                name=name,
                description=description,
                start_date=start,
                due_date=start + timedelta(days=rng.randint(90, 270)),
                status="on_hold" if p % 7 == 6 else "active",
                budget=Budget(amount=f"{budget}.00"),
            ),
        )
        projects.append((project.id, start))
        made.projects += 1
        bar.step(f"project {name}")
        create_expense(
            session,
            actor,
            project_id=project.id,
            data=ExpenseCreate(
                amount=f"{rng.randint(200, 6000)}.00",
                spent_on=start + timedelta(days=rng.randint(0, (today - start).days)),
                category=rng.choice(EXPENSES),
                note="Generated test data",
            ),
        )
        made.expenses += 1
        bar.step("expense")
        title, impact, mitigation = RISKS[p % len(RISKS)]
        create_risk(
            session,
            actor,
            project_id=project.id,
            data=RiskCreate(
                title=title,
                description=f"{title} on {name}",
                severity=rng.choice(LEVELS),
                probability=rng.choice(LEVELS[:3]),
                impact=impact,
                mitigation_plan=mitigation,
                status=rng.choice(["active", "active", "mitigated", "occurred", "closed"]),
            ),
        )
        made.risks += 1
        bar.step("risk")

    for t in range(plan.tasks):
        project_id, start = projects[t % len(projects)]
        assignees = rng.sample(people, k=min(len(people), rng.choice([1, 1, 2])))
        estimate = rng.choice([2, 4, 6, 8, 12, 16, 24])
        task_id = create_task_card(
            session,
            actor,
            project_id=project_id,
            data=TaskCreate(
                name=TASKS[t % len(TASKS)],
                description="Generated test data",
                priority=rng.choice(["low", "medium", "medium", "high"]),
                due_date=today + timedelta(days=rng.randint(-20, 60)),
                estimated_hours=estimate,
                assignee_ids=list(assignees),
            ),
        ).view.task.id
        made.tasks += 1
        bar.step(f"task {t + 1}")
        status = rng.choice(["pending", "in_progress", "completed", "completed"])
        if status != "pending":
            change_task_card(session, actor, task_id=task_id, data=TaskUpdate(status=status))
        bar.step("status")
        # Time logged by its assignees, spread from the project's start to today.
        for _ in range(2):
            worked = rng.choice([1, 1.5, 2, 3, 4, 6])
            create_time_entry(
                session,
                actor,
                project_id=project_id,
                data=TimeEntryCreate(
                    hours=worked,
                    spent_on=start + timedelta(days=rng.randint(0, (today - start).days)),
                    user_id=rng.choice(assignees),
                    task_id=task_id,
                    note="Generated test data",
                ),
            )
            made.time_entries += 1
            bar.step("time entry")
    return owner, owner_password, made


def main(argv: Sequence[str] | None = None, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr) -> int:
    plan = parse_args(argv)
    settings = get_settings()
    url = plan.database_url or settings.effective_database_url
    upgrade(url)  # a database `make run` has not started yet gets its tables, as `polytask serve` does
    database = Database(url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        with database.unit_of_work() as session:
            owner, owner_password, made = generate(session, plan, admin_email=settings.admin_email, out=err)
            owner_login = owner.username or owner.email
    finally:
        database.dispose()
    out.write(
        f"Created {made.departments} departments, {len(made.users)} users, {made.projects} projects, "
        f"{made.tasks} tasks, {made.time_entries} time entries, {made.expenses} expenses, {made.risks} risks "
        f"in the home workspace of {owner_login}.\n"
    )
    if owner_password is not None:
        out.write(f"Created the admin {owner_login} with password: {owner_password}\n")
    if made.users:
        out.write(f"Log in (POST /api/auth/login) as {made.users[0]} (admin) with password: {plan.password}\n")
        out.write(f"Every account created has that password: {', '.join(made.users)}\n")
    return 0
