"""Bulk insertion of already-validated tasks (seeding, imports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.domain.events.catalog import declared
from polytask.domain.events.service import track_inserted_event_ids
from polytask.domain.projects.service import get_project_and_membership
from polytask.domain.tasks.records import TaskRelations
from polytask.domain.tasks.rules import next_position, task_snapshot
from polytask.domain.workspaces.access import require_write
from polytask.models import Event, Task, TaskAssignee, TaskLabel


def import_tasks(session: Session, actor: Actor, *, project_id: int, rows: list[dict[str, Any]]) -> int:
    """Insert many already-validated tasks at once (seeding, imports); one event per task.

    Each row may hold name, description, status, priority, due_date, start_date, progress,
    estimated_hours, assignee_ids and labels. Assignees must already be workspace members.
    """
    project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    start = next_position(session, project.id)
    now = utcnow()
    created = 0
    for chunk_start in range(0, len(rows), 2000):
        chunk = rows[chunk_start : chunk_start + 2000]
        tasks = []
        for i, row in enumerate(chunk):
            status = row.get("status", "pending")
            tasks.append(
                Task(
                    workspace_id=project.workspace_id,
                    project_id=project.id,
                    name=row["name"],
                    description=row.get("description", ""),
                    status=status,
                    priority=row.get("priority"),
                    due_date=row.get("due_date"),
                    start_date=row.get("start_date"),
                    progress=100 if status == "completed" else row.get("progress", 0),
                    estimated_hours=row.get("estimated_hours"),
                    completed_at=now if status == "completed" else None,
                    completed_by_id=actor.user_id if status == "completed" else None,
                    position=start + (chunk_start + i) * 1024.0,
                    custom_fields=row.get("custom_fields", {}),
                    created_by_id=actor.user_id,
                    created_at=now,
                    updated_at=now,
                )
            )
        session.add_all(tasks)
        session.flush()
        links: list[dict[str, Any]] = []
        labels: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for task, row in zip(tasks, chunk, strict=True):
            assignee_ids = list(row.get("assignee_ids", []))
            task_labels = list(row.get("labels", []))
            links += [{"task_id": task.id, "user_id": u, "position": n} for n, u in enumerate(assignee_ids)]
            labels += [{"task_id": task.id, "label": label} for label in task_labels]
            rel = TaskRelations(assignee_ids=assignee_ids, labels=task_labels)
            events.append(
                {
                    "type": declared("task.created"),
                    "resource_type": "task",
                    "resource_id": task.id,
                    "workspace_id": task.workspace_id,
                    "project_id": task.project_id,
                    "actor_user_id": actor.user_id,
                    "credential_kind": actor.credential_kind,
                    "credential_id": actor.credential_id,
                    "client_ip": actor.client_ip,
                    "occurred_at": now,
                    "changes": {},
                    "snapshot": task_snapshot(task, rel),
                }
            )
        if links:
            session.execute(insert(TaskAssignee), links)
        if labels:
            session.execute(insert(TaskLabel), labels)
        # The ids let the webhook outbox pick these events up at commit.
        track_inserted_event_ids(session, list(session.scalars(insert(Event).returning(Event.id), events)))
        created += len(tasks)
    return created
