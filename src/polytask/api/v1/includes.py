"""Related objects for `include=`; each fetch goes through a permission-checked service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from polytask.api.v1 import resources
from polytask.api.v1.render import Resource
from polytask.core.actor import Actor
from polytask.core.pagination import PageRequest
from polytask.core.scopes import require_scope
from polytask.domain.members.service import list_members
from polytask.domain.projects import service as projects
from polytask.domain.tasks import service as tasks
from polytask.domain.tasks.queries import TaskFilter, TaskView
from polytask.domain.tasks.records import TaskRecordView
from polytask.domain.users.service import users_by_id
from polytask.domain.workspaces.service import get_workspace_for

# Included collections are capped so one request can't pull a whole workspace.
INCLUDE_CAP = 500

TASK_INCLUDES = {
    "project": "project",
    "assignee": "user",
    "assignees": "user",
    "section": "section",
    "parent": "task",
    "dependencies": "task",
}
PROJECT_INCLUDES = {
    "tasks": "task",
    "assignees": "user",
    "sections": "section",
    "workspace": "workspace",
    "members": "user",
}
# What reading each included type takes; include= never shows more than its scopes allow.
SCOPE_OF_TYPE = {
    "project": "projects:read",
    "section": "projects:read",
    "task": "tasks:read",
    "user": "users:read",
    "workspace": "workspaces:read",
}


def check_scopes(actor: Actor, include: tuple[str, ...], kinds: dict[str, str]) -> None:
    for name in include:
        require_scope(actor, SCOPE_OF_TYPE[kinds[name]])


def for_tasks(
    session: Session, actor: Actor, views: Sequence[TaskView | TaskRecordView], include: tuple[str, ...]
) -> list[Resource]:
    check_scopes(actor, include, TASK_INCLUDES)
    out: list[Resource] = []
    if "project" in include:
        ids = sorted({v.task.project_id for v in views})
        out += [resources.project(p) for p in projects.projects_by_ids(session, actor, ids)]
    if "assignee" in include or "assignees" in include:
        wanted: set[int] = set()
        for v in views:
            ids_ = v.relations.assignee_ids
            wanted.update(ids_ if "assignees" in include else ids_[:1])
        users = users_by_id(session, sorted(wanted))
        out += [resources.user(users[u]) for u in sorted(users)]
    if "section" in include:
        ids = sorted({v.task.section_id for v in views if v.task.section_id})
        out += [resources.section(s) for s in projects.sections_by_ids(session, actor, ids)]
    related: set[int] = set()
    if "parent" in include:
        related.update(v.task.parent_id for v in views if v.task.parent_id)
    if "dependencies" in include:
        for v in views:
            related.update(v.relations.dependency_ids)
    if related:
        out += [resources.task(v) for v in tasks.views_by_ids(session, actor, sorted(related))]
    return out


def for_projects(session: Session, actor: Actor, items: Sequence[Any], include: tuple[str, ...]) -> list[Resource]:
    check_scopes(actor, include, PROJECT_INCLUDES)
    out: list[Resource] = []
    project_ids = [p.id for p in items]
    if "workspace" in include:
        for ws_id in sorted({p.workspace_id for p in items}):
            out.append(resources.workspace(get_workspace_for(session, actor, ws_id)))
    if "tasks" in include:
        for pid in project_ids:
            result = tasks.list_tasks_for(
                session,
                actor,
                flt=TaskFilter(project_id=pid),
                page=PageRequest(limit=INCLUDE_CAP, offset=0, want_total=False),
                sort=[],
            )
            out += [resources.task(v) for v in result.items]
    if "assignees" in include:
        out += [resources.user(u) for u in tasks.assignees_of_projects(session, project_ids)]
    if "sections" in include:
        for pid in project_ids:
            out += [resources.section(s) for s in projects.list_sections(session, actor, project_id=pid)]
    if "members" in include:
        for ws_id in sorted({p.workspace_id for p in items}):
            people = list_members(
                session, actor, workspace_id=ws_id, page=PageRequest(INCLUDE_CAP, 0, want_total=False), sort=[]
            )
            out += [resources.member(m) for m in people.items]
    return out
