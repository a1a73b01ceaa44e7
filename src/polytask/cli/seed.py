"""Generated data for benchmarks and demos: one shared workspace, its people, projects and tasks."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from polytask.core.actor import Actor, system_actor
from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.flows.projects import create_project
from polytask.domain.members.schemas import InviteCreate, MemberUpdate
from polytask.domain.members.service import accept_invite, create_invites, update_member
from polytask.domain.projects.schemas import Budget, ProjectCreate
from polytask.domain.spending.expenses import create_expense
from polytask.domain.spending.schemas import ExpenseCreate, TimeEntryCreate
from polytask.domain.spending.time_entries import create_time_entry
from polytask.domain.tasks.service import import_tasks
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import create_user
from polytask.domain.workspaces.schemas import WorkspaceCreate
from polytask.domain.workspaces.service import create_workspace
from polytask.models import Project, User

STATUSES = ("pending", "in_progress", "blocked", "completed", "cancelled")
PRIORITIES = ("low", "medium", "high", "urgent", None)
LABELS = ("backend", "frontend", "design", "urgent", "client-work", "docs")


def holdings(db: Database) -> tuple[int, int]:
    """(users, projects) in the database: a fresh server holds its admin and nothing else."""
    with db.unit_of_work(readonly=True) as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        projects = session.scalar(select(func.count()).select_from(Project)) or 0
    return int(users), int(projects)


# Tasks per import: the progress bar moves at least this often.
CHUNK = 5_000


def seed(
    db: Database,
    *,
    projects: int,
    tasks: int,
    users: int,
    echo: Callable[[str], None],
    advance: Callable[[int], None] = lambda _: None,
) -> str:
    """Create the data set; returns an API key bound to the seeded workspace. `advance(n)` is
    called as each chunk of n tasks is written."""
    rng = random.Random(42)
    started = time.monotonic()
    tag = f"{int(time.time())}{rng.randrange(1000):03d}"
    with db.unit_of_work() as session:
        owner = create_user(session, None, data=UserCreate(email=f"seed-owner-{tag}@example.com", name="Seed Owner"))
        actor = system_actor(owner.id, "user")
        workspace = create_workspace(session, actor, data=WorkspaceCreate(name=f"Seeded workspace {tag}"))
        member_ids = [owner.id]
        for n in range(max(users - 1, 0)):
            person = create_user(session, None, data=UserCreate(email=f"seed-{tag}-{n}@example.com"))
            [issued] = create_invites(
                session,
                actor,
                workspace_id=workspace.id,
                data=InviteCreate(emails=[person.email], role="member"),
                ttl=timedelta(days=1),
                send_mail=False,  # generated people have no mailboxes
            )
            accept_invite(session, system_actor(person.id, "user"), token=issued.token)
            member_ids.append(person.id)
        for n, user_id in enumerate(member_ids):
            # Cost rates, so logged time has a cost (the budget reports' spent figures).
            rate = MemberUpdate(cost_rate=f"{40 + 5 * (n % 9)}.00")
            update_member(session, actor, workspace_id=workspace.id, user_id=user_id, data=rate)
        project_ids = [
            create_project(
                session,
                actor,
                workspace_id=workspace.id,
                data=ProjectCreate(
                    name=f"Project {p + 1}", type="board", budget=Budget(amount=f"{rng.randrange(20, 200) * 1000}.00")
                ),
            ).id
            for p in range(projects)
        ]
        base_day = utcnow().date()
        for project_id in project_ids:
            # Spending over the last 180 days: what the TaskFlow budget analysis sums up.
            for n in range(SPENDING_ROWS):
                spent_on = base_day - timedelta(days=rng.randrange(180))
                entry = TimeEntryCreate(
                    minutes=rng.randrange(30, 480), spent_on=spent_on, user_id=f"user_{rng.choice(member_ids)}"
                )
                create_time_entry(session, actor, project_id=project_id, data=entry)
                if n % 4 == 0:
                    cost = ExpenseCreate(amount=f"{rng.randrange(50, 5000)}.00", spent_on=spent_on, category="tools")
                    create_expense(session, actor, project_id=project_id, data=cost)
        key = create_api_key(session, None, user=owner, workspace_id=workspace.id, name="seed").secret
    echo(f"seeded workspace_{workspace.id} with {users} users and {projects} projects")
    base = utcnow()
    per_project = [tasks // projects + (1 if i < tasks % projects else 0) for i in range(projects)] if projects else []
    for project_id, count in zip(project_ids, per_project, strict=True):
        for start in range(0, count, CHUNK):
            _import_chunk(db, actor, rng, project_id, range(start, min(start + CHUNK, count)), base, member_ids)
            advance(min(CHUNK, count - start))
    echo(f"seeded {tasks} tasks in {time.monotonic() - started:.1f}s")
    return key


def _import_chunk(
    db: Database,
    actor: Actor,
    rng: random.Random,
    project_id: int,
    numbers: range,
    base: datetime,
    member_ids: list[int],
) -> None:
    rows = [
        {
            "name": f"Task {i + 1} of project {project_id}",
            "status": rng.choice(STATUSES),
            "priority": rng.choice(PRIORITIES),
            "due_date": base + timedelta(hours=rng.randrange(-2000, 4000)),
            "estimated_hours": float(rng.randrange(1, 40)),
            "assignee_ids": [rng.choice(member_ids)],
            "labels": rng.sample(LABELS, rng.randrange(0, 3)),
        }
        for i in numbers
    ]
    with db.unit_of_work() as session:
        import_tasks(session, actor, project_id=project_id, rows=rows)


# Words for task names; SEARCH_TERM appears in exactly SEARCH_HITS tasks of the big project
# whatever the database size, so the search benchmark measures scale, not result size.
WORDS = (
    "plan",
    "review",
    "ship",
    "draft",
    "update",
    "audit",
    "migrate",
    "deploy",
    "design",
    "test",
    "fix",
    "refactor",
    "onboard",
    "invoice",
    "contract",
    "budget",
    "report",
    "meeting",
    "follow",
    "call",
    "email",
    "schedule",
    "research",
    "spike",
    "prototype",
    "launch",
    "release",
    "harden",
    "document",
    "translate",
    "support",
    "escalate",
    "triage",
    "archive",
    "renew",
    "sync",
    "import",
    "export",
)
SEARCH_TERM = "quokka"
# Time entries per seeded project (an expense for every fourth).
SPENDING_ROWS = 10
SEARCH_HITS = 20


def seed_scale(
    db: Database, *, workspaces: int, projects: int, big: int, tasks: int, users: int, echo: Callable[[str], None]
) -> tuple[str, int, int]:
    """The query benchmark's data: `workspaces` workspaces sharing `projects` projects, the first
    project holding `big` tasks and the others the rest of `tasks`. The first project has a
    number field `estimate`. Returns (API key of the owner, the big project's id, a member's id)."""
    rng = random.Random(7)
    started = time.monotonic()
    tag = f"{int(time.time())}{rng.randrange(1000):03d}"
    with db.unit_of_work() as session:
        owner = create_user(session, None, data=UserCreate(email=f"scale-owner-{tag}@example.com", name="Owner"))
        actor = system_actor(owner.id, "user")
        people = [
            create_user(session, None, data=UserCreate(email=f"scale-{tag}-{n}@example.com")) for n in range(users)
        ]
        workspace_ids = []
        for w in range(workspaces):
            workspace = create_workspace(session, actor, data=WorkspaceCreate(name=f"Scale {w + 1}"))
            workspace_ids.append(workspace.id)
            issued = create_invites(
                session,
                actor,
                workspace_id=workspace.id,
                data=InviteCreate(emails=[p.email for p in people], role="member"),
                ttl=timedelta(days=1),
                send_mail=False,  # generated people have no mailboxes
            )
            for person, invite in zip(people, issued, strict=True):
                accept_invite(session, system_actor(person.id, "user"), token=invite.token)
        project_ids = [
            create_project(
                session,
                actor,
                workspace_id=workspace_ids[p % workspaces],
                data=ProjectCreate(name=f"Project {p + 1}", description=f"{rng.choice(WORDS)} work"),
            ).id
            for p in range(projects)
        ]
        from polytask.domain.fields.schemas import FieldDefinitionCreate
        from polytask.domain.fields.service import create_field

        create_field(
            session, actor, project_id=project_ids[0], data=FieldDefinitionCreate(name="Estimate", type="number")
        )
        key = create_api_key(session, None, user=owner, name="scale").secret
    member_ids = [p.id for p in people]
    echo(f"created {workspaces} workspaces, {projects} projects, {users} members")
    rest = tasks - big
    counts = [big] + [rest // (projects - 1) + (1 if i < rest % (projects - 1) else 0) for i in range(projects - 1)]
    base = utcnow()
    hits = set(rng.sample(range(big), min(SEARCH_HITS, big)))
    done = 0
    for index, (project_id, count) in enumerate(zip(project_ids, counts, strict=True)):
        for chunk in range(0, count, 20_000):
            rows = []
            for i in range(chunk, min(chunk + 20_000, count)):
                marker = f" {SEARCH_TERM}" if index == 0 and i in hits else ""
                rows.append(
                    {
                        "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}{marker}",
                        "status": rng.choice(STATUSES),
                        "priority": rng.choice(PRIORITIES),
                        "due_date": base + timedelta(hours=rng.randrange(-2000, 4000)),
                        "assignee_ids": [rng.choice(member_ids)],
                        "labels": rng.sample(LABELS, rng.randrange(0, 3)),
                        "custom_fields": {"estimate": rng.randrange(1, 41)},
                    }
                )
            with db.unit_of_work() as session:
                import_tasks(session, actor, project_id=project_id, rows=rows)
            done += len(rows)
        if index == 0 or (index + 1) % 100 == 0:
            echo(f"  {done} tasks after {index + 1} projects, {time.monotonic() - started:.0f}s")
    echo(f"seeded {done} tasks in {time.monotonic() - started:.1f}s")
    return key, project_ids[0], member_ids[0]
