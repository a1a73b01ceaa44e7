"""TaskIP's objects, as plain dicts from the core's records (docs/compat/taskip.md "Objects").

Ids are integers; a project also shows its `uuid`, which the `{uuid}` paths take. Names are
shown as `name` and, because TaskIP clients say `title` as often, `title` too. Timestamps
and days stay datetimes and dates for the encoder (core/jsontext.py: ISO 8601, UTC with a Z).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from polytask.core.money import format_minor
from polytask.domain.tasks.queries import TaskView
from polytask.domain.tasks.records import TaskRecordView


def attribute(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "type": a.kind,
        "name": a.name,
        "color": a.color,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def _ref(a: Any) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "color": a.color}


def project(p: Any, tags: Sequence[Any], category: Any | None) -> dict[str, Any]:
    return {
        "id": p.id,
        "uuid": p.uuid,
        "name": p.name,
        "title": p.name,
        "description": p.description,
        "status": p.status,
        "is_completed": p.status == "completed",
        "priority": p.priority,
        "category": None if category is None else _ref(category),
        "tags": [_ref(t) for t in tags],
        "start_date": p.start_date,
        "end_date": p.due_date,
        "budget": None if p.budget_minor is None else format_minor(p.budget_minor, p.currency),
        "currency": p.currency,
        "created_by": p.created_by_id,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def container(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "project_id": s.project_id,
        "name": s.name,
        "color": s.color,
        "order": s.position,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


def task(view: TaskView | TaskRecordView, project_uuid: str) -> dict[str, Any]:
    # Written out flat: a page renders it up to 100 times.
    t = view.task
    rel = view.relations
    return {
        "id": t.id,
        "project_id": t.project_id,
        "project_uuid": project_uuid,
        "container_id": t.section_id,
        "parent_id": t.parent_id,
        "name": t.name,
        "title": t.name,
        "description": t.description,
        "status": t.status,
        "priority": t.priority,
        "is_completed": t.status == "completed",
        "order": t.position,
        "labels": rel.labels,
        "assignees": rel.assignee_ids,
        "start_date": t.start_date,
        "due_date": t.due_date,
        "estimated_hours": t.estimated_hours,
        "completed_at": t.completed_at,
        "completed_by": t.completed_by_id,
        "created_by": t.created_by_id,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def activity(event: Any) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "project_id": event.project_id,
        "actor_id": event.actor_user_id,
        "changes": event.changes,
        "data": event.snapshot,
        "created_at": event.occurred_at,
    }


def file(f: Any) -> dict[str, Any]:
    return {
        "id": f.id,
        "name": f.name,
        "type": f.kind,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "project_id": f.project_id,
        "task_id": f.task_id,
        "discussion_id": f.discussion_id,
        "uploaded_by": f.uploaded_by_id,
        "created_at": f.created_at,
        "updated_at": f.updated_at,
    }


def document(f: Any) -> dict[str, Any]:
    return {
        "id": f.id,
        "title": f.title,
        "description": f.description,
        "category": f.category,
        "file_name": f.name,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "project_id": f.project_id,
        "uploaded_by": f.uploaded_by_id,
        "created_at": f.created_at,
        "updated_at": f.updated_at,
    }


def message(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "discussion_id": m.discussion_id,
        "author_id": m.author_id,
        "body": m.body,
        "files": [file(f) for f in m.files],
        "created_at": m.created_at,
        "updated_at": m.updated_at,
    }


def discussion(d: Any) -> dict[str, Any]:
    return {
        "id": d.id,
        "project_id": d.project_id,
        "title": d.title,
        "body": d.body,
        "created_by": d.created_by_id,
        "files": [file(f) for f in d.files],
        "created_at": d.created_at,
        "updated_at": d.updated_at,
    }
