"""Reading a project or a workspace for export, a chunk at a time.

A surface streams the result: it checks access and reads the head (the workspace, each
project's fields, sections and views, which are small) and the first chunk of tasks in the
request's unit of work, then each further chunk in a short read-only unit of its own (keyset
on the task id: `after=`), so memory holds one chunk whatever the project's size. Every chunk
checks the actor's access to the project again (one statement).

The JSON document is the export document (document.py, format `polytask`, version 1); the
CSV has one row per task with the columns CSV_COLUMNS (docs/compat/native.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.domain.fields.service import definitions_for
from polytask.domain.projects.access import PROJECTS
from polytask.domain.tasks.queries import load_relations
from polytask.domain.transfer.document import FORMAT, VERSION
from polytask.domain.workspaces.access import membership_for
from polytask.models import Comment, Project, SavedView, Section, Task, User, Workspace

CHUNK = 500
CSV_COLUMNS = (
    "id",
    "name",
    "description",
    "status",
    "priority",
    "section",
    "parent_id",
    "assignees",
    "labels",
    "due_date",
    "start_date",
    "progress",
    "estimated_hours",
    "completed_at",
    "created_at",
    "updated_at",
    "custom_fields",
)
_TASK_COLUMNS = (
    Task.id,
    Task.parent_id,
    Task.section_id,
    Task.name,
    Task.description,
    Task.status,
    Task.priority,
    Task.due_date,
    Task.start_date,
    Task.progress,
    Task.estimated_hours,
    Task.custom_fields,
    Task.completed_at,
    Task.created_at,
    Task.updated_at,
)


@dataclass(frozen=True, slots=True)
class ExportScope:
    """What an export covers: a workspace and the projects in it the actor sees."""

    workspace_id: int
    workspace_name: str
    project_ids: tuple[int, ...]
    name: str  # for the file name


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        # Stored in UTC (SQLite gives it back without its zone).
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()


def project_scope(session: Session, actor: Actor, project_id: int) -> ExportScope:
    """One project (NotFound unless the actor sees it)."""
    project, _membership = PROJECTS.get_for(session, actor, project_id)
    workspace = session.get(Workspace, project.workspace_id)
    return ExportScope(project.workspace_id, workspace.name if workspace else "", (project.id,), project.name)


def workspace_scope(session: Session, actor: Actor, workspace_id: int) -> ExportScope:
    """Every project of a workspace the actor is a member of (NotFound otherwise)."""
    membership_for(session, actor, workspace_id)
    workspace = session.get(Workspace, workspace_id)
    ids = session.scalars(
        select(Project.id).where(Project.workspace_id == workspace_id, PROJECTS.visible(actor)).order_by(Project.id)
    )
    return ExportScope(
        workspace_id, workspace.name if workspace else "", tuple(ids), workspace.name if workspace else ""
    )


def document_head(scope: ExportScope) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(utcnow()),
        "workspace": {"id": f"workspace_{scope.workspace_id}", "name": scope.workspace_name},
    }


def _view_filter(stored: dict[str, Any]) -> dict[str, Any] | str:
    """A view's stored filter as ViewCreate takes it: the expression, or the parameters as an
    object (a repeated name as a list of its values)."""
    if "expression" in stored:
        return str(stored["expression"])
    out: dict[str, Any] = {}
    for name, value in stored.get("params", []):
        if name in out:
            out[name] = [*(out[name] if isinstance(out[name], list) else [out[name]]), value]
        else:
            out[name] = value
    return out


def project_head(session: Session, actor: Actor, project_id: int) -> dict[str, Any]:
    """A project's own values, field definitions, sections and views: everything but its tasks."""
    project, _membership = PROJECTS.get_for(session, actor, project_id)
    fields = [
        {
            "key": d.key,
            "name": d.name,
            "type": d.type,
            "required": d.required,
            "default_value": d.default_value,
            "options": list(d.options or []),
            "position": d.position,
            "currency": (d.config or {}).get("currency"),
        }
        for d in definitions_for(session, project)
        if d.project_id == project.id
    ]
    sections = [
        {"ref": f"section_{s.id}", "name": s.name, "position": s.position, "color": s.color}
        for s in session.scalars(
            select(Section).where(Section.project_id == project.id).order_by(Section.position, Section.id)
        )
    ]
    views = [
        {
            "name": v.name,
            "filter": _view_filter(v.filter or {}),
            "sort": v.sort,
            "fields": v.fields,
            "layout": v.layout,
        }
        for v in session.scalars(select(SavedView).where(SavedView.project_id == project.id).order_by(SavedView.id))
    ]
    return {
        "ref": f"project_{project.id}",
        "name": project.name,
        "description": project.description,
        "type": project.type,
        "status": project.status,
        "priority": project.priority,
        "start_date": _iso(project.start_date),
        "due_date": _iso(project.due_date),
        "settings": project.settings or {},
        "custom_fields": project.custom_fields or {},
        "fields": fields,
        "sections": sections,
        "views": views,
    }


def _people(session: Session, user_ids: set[int]) -> dict[int, dict[str, Any]]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.email, User.username, User.name).where(User.id.in_(user_ids)))
    return {r.id: {"id": f"user_{r.id}", "email": r.email, "username": r.username, "name": r.name} for r in rows}


def task_chunk(session: Session, actor: Actor, project_id: int, after: int, limit: int = CHUNK) -> list[dict[str, Any]]:
    """Up to `limit` of the project's tasks with ids above `after`, as export document tasks
    (assignees, labels, dependencies, comments), by id."""
    PROJECTS.get_for(session, actor, project_id)
    rows = session.execute(
        select(*_TASK_COLUMNS).where(Task.project_id == project_id, Task.id > after).order_by(Task.id).limit(limit)
    ).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    relations = load_relations(session, ids)
    comments: dict[int, list[Comment]] = defaultdict(list)
    for comment in session.scalars(select(Comment).where(Comment.task_id.in_(ids)).order_by(Comment.id)):
        comments[comment.task_id].append(comment)
    people = _people(
        session,
        {u for i in ids for u in relations[i].assignee_ids}
        | {c.author_id for cs in comments.values() for c in cs if c.author_id},
    )
    out: list[dict[str, Any]] = []
    for r in rows:
        rel = relations[r.id]
        out.append(
            {
                "ref": f"task_{r.id}",
                "parent": f"task_{r.parent_id}" if r.parent_id else None,
                "section": f"section_{r.section_id}" if r.section_id else None,
                "name": r.name,
                "description": r.description,
                "status": r.status,
                "priority": r.priority,
                "due_date": _iso(r.due_date),
                "start_date": _iso(r.start_date),
                "progress": r.progress,
                "estimated_hours": r.estimated_hours,
                "assignees": [people[u] for u in rel.assignee_ids if u in people],
                "labels": list(rel.labels),
                "custom_fields": r.custom_fields or {},
                "dependencies": [f"task_{d}" for d in rel.dependency_ids],
                "comments": [
                    {
                        "body": c.body,
                        "author": people.get(c.author_id) if c.author_id else None,
                        "created_at": _iso(c.created_at),
                    }
                    for c in comments[r.id]
                ],
                # Only in the CSV: when it was completed, created and last changed.
                "_times": (_iso(r.completed_at), _iso(r.created_at), _iso(r.updated_at)),
                "_id": r.id,
            }
        )
    return out


def csv_cells(task: dict[str, Any], sections: dict[str, str]) -> list[str]:
    """A task of task_chunk as the CSV_COLUMNS cells (people by email, lists comma-separated)."""
    completed, created, updated = task["_times"]
    return [
        task["ref"],
        task["name"],
        task["description"],
        task["status"],
        task["priority"] or "",
        sections.get(task["section"] or "", ""),
        task["parent"] or "",
        ",".join(p["email"] for p in task["assignees"]),
        ",".join(task["labels"]),
        task["due_date"] or "",
        task["start_date"] or "",
        str(task["progress"]),
        "" if task["estimated_hours"] is None else str(task["estimated_hours"]),
        completed or "",
        created or "",
        updated or "",
        json.dumps(task["custom_fields"], separators=(",", ":"), sort_keys=True) if task["custom_fields"] else "",
    ]


def json_task(task: dict[str, Any]) -> dict[str, Any]:
    """A task of task_chunk as the document writes it."""
    return {k: v for k, v in task.items() if not k.startswith("_")}
