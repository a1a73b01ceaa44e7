"""Generated data for benchmarks and demos: one shared workspace, its people, projects and tasks."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta

from polytask.core.actor import system_actor
from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.members.schemas import InviteCreate
from polytask.domain.members.service import accept_invite, create_invites
from polytask.domain.projects.schemas import ProjectCreate
from polytask.domain.projects.service import create_project
from polytask.domain.tasks.service import import_tasks
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import create_user
from polytask.domain.workspaces.schemas import WorkspaceCreate
from polytask.domain.workspaces.service import create_workspace

STATUSES = ("pending", "in_progress", "blocked", "completed", "cancelled")
PRIORITIES = ("low", "medium", "high", "urgent", None)
LABELS = ("backend", "frontend", "design", "urgent", "client-work", "docs")


def seed(db: Database, *, projects: int, tasks: int, users: int, echo: Callable[[str], None]) -> str:
    """Create the data set; returns an API key bound to the seeded workspace."""
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
            )
            accept_invite(session, system_actor(person.id, "user"), token=issued.token)
            member_ids.append(person.id)
        project_ids = [
            create_project(
                session, actor, workspace_id=workspace.id, data=ProjectCreate(name=f"Project {p + 1}", type="board")
            ).id
            for p in range(projects)
        ]
        key = create_api_key(session, None, user=owner, workspace_id=workspace.id, name="seed").secret
    echo(f"seeded workspace_{workspace.id} with {users} users and {projects} projects")
    base = utcnow()
    per_project = [tasks // projects + (1 if i < tasks % projects else 0) for i in range(projects)] if projects else []
    for project_id, count in zip(project_ids, per_project, strict=True):
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
            for i in range(count)
        ]
        with db.unit_of_work() as session:
            import_tasks(session, actor, project_id=project_id, rows=rows)
    echo(f"seeded {tasks} tasks in {time.monotonic() - started:.1f}s")
    return key
