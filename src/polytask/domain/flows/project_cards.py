"""Projects with what a project overview shows: owner, budget figures, task counts, and (one
project) its tasks and risks.

The TaskFlow surface's read model (`/api/projects`): a project of the caller's home workspace
(`home_workspace_id`: the credential's workspace, else the user's own) with its creator as the
owner, its spent budget, progress and task counts (domain/spending/figures.py), each page
loaded in one statement per kind, never per project. A flow: it reads projects, tasks,
spending and risks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.pagination import PageRequest, PageResult
from polytask.core.query.listing import ListSpec, run_list
from polytask.core.statements import Prepared
from polytask.domain.projects.service import PROJECT_FIELDS_REGISTRY, get_project_for
from polytask.domain.spending.figures import ProjectFigures, project_figures
from polytask.domain.workspaces.access import role_in
from polytask.domain.workspaces.service import home_workspace_id
from polytask.models import Membership, Project, Risk, Task, TaskAssignee, User

# How many of its tasks and risks one project's overview lists (the rest: their lists, paged).
OVERVIEW_TASKS = 100
OVERVIEW_RISKS = 100


@dataclass(frozen=True, slots=True)
class PersonLine:
    id: int
    username: str
    email: str
    department: str | None


@dataclass(slots=True)
class TaskLine:
    id: int
    title: str
    status: str
    priority: str | None
    assignees: list[PersonLine] = field(default_factory=list)


@dataclass(slots=True)
class ProjectCard:
    project: Project | ProjectRow
    owner: PersonLine | None
    figures: ProjectFigures
    tasks: list[TaskLine] | None = None  # only for one project's overview
    risks: list[Risk] | None = None  # likewise


def people_by_id(session: Session, user_ids: Sequence[int], workspace_id: int | None = None) -> dict[int, PersonLine]:
    """People by id; `department` is their department's name in `workspace_id` (the membership's
    label), else the account's own department."""
    if not user_ids:
        return {}
    ids = sorted(set(user_ids))
    if workspace_id is None:
        rows = _PEOPLE.rows(session, {"ids": ids})
    else:
        rows = _PEOPLE_IN.rows(session, {"ids": ids, "workspace_id": workspace_id})
    return {r[0]: PersonLine(r[0], r[1], r[2], r[4] or r[3]) for r in rows}


# Compiled once: every project and task page names its people.
_USER_IDS: Any = bindparam("ids", expanding=True)
_PEOPLE = Prepared(
    select(User.id, User.username, User.email, User.department, User.department).where(User.id.in_(_USER_IDS)),
    expanding="ids",
)
_PEOPLE_IN = Prepared(
    select(User.id, User.username, User.email, User.department, Membership.department)
    .outerjoin(
        Membership,
        (Membership.user_id == User.id) & (Membership.workspace_id == bindparam("workspace_id", type_=Integer)),
    )
    .where(User.id.in_(_USER_IDS)),
    expanding="ids",
)


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """What a page of project cards reads of each project, as plain values (no ORM object)."""

    id: int
    workspace_id: int
    created_by_id: int | None
    name: str
    description: str
    status: str
    start_date: date | None
    due_date: date | None
    budget_minor: int | None
    currency: str
    created_at: datetime
    updated_at: datetime


_ROW_COLUMNS = tuple(getattr(Project, name) for name in ProjectRow.__slots__)


def _cards_of_rows(session: Session, rows: list[Any]) -> list[ProjectCard]:
    return cards_of(session, [ProjectRow(*row) for row in rows])


def cards_of(session: Session, projects: Sequence[Project | ProjectRow]) -> list[ProjectCard]:
    """The page's projects with their owners and figures (one statement per kind for the page)."""
    figures = project_figures(session, [p.id for p in projects])
    owners: dict[int, PersonLine] = {}
    for workspace_id in sorted({p.workspace_id for p in projects}):
        ids = [p.created_by_id for p in projects if p.created_by_id is not None and p.workspace_id == workspace_id]
        owners.update(people_by_id(session, ids, workspace_id))
    return [
        ProjectCard(
            project=p,
            owner=owners.get(p.created_by_id) if p.created_by_id is not None else None,
            figures=figures[p.id],
        )
        for p in projects
    ]


# Pages read plain rows through statements compiled once per shape (ListSpec.columns).
PROJECT_CARDS: ListSpec[ProjectCard] = ListSpec(
    "project", PROJECT_FIELDS_REGISTRY, Project.id, load=_cards_of_rows, columns=True
)


def list_project_cards(
    session: Session,
    actor: Actor,
    *,
    page: PageRequest,
    statuses: Sequence[str] | None = None,
    owner_id: int | None = None,
) -> PageResult[ProjectCard]:
    """The projects of the actor's home workspace, oldest first, filtered by status and owner."""
    workspace_id = home_workspace_id(session, actor)
    role_in(session, actor, workspace_id)
    params: dict[str, Any] = {"card_workspace": workspace_id}
    if statuses:
        params["card_statuses"] = list(statuses)
    if owner_id is not None:
        params["card_owner"] = owner_id
    base = _card_base(bool(statuses), owner_id is not None)
    return run_list(session, PROJECT_CARDS, actor=actor, base=base, page=page, params=params)


# The page's statement for each shape (which filters are set), built once: the values come
# as parameters, so a request builds no SQL (building it was about a tenth of the page's CPU).
_CARD_BASES: dict[tuple[bool, bool], Any] = {}


def _card_base(statuses: bool, owner: bool) -> Any:
    base = _CARD_BASES.get((statuses, owner))
    if base is None:
        base = select(*_ROW_COLUMNS).where(Project.workspace_id == bindparam("card_workspace", type_=Integer))
        if statuses:
            base = base.where(Project.status.in_(bindparam("card_statuses", expanding=True)))
        if owner:
            base = base.where(Project.created_by_id == bindparam("card_owner", type_=Integer))
        _CARD_BASES[(statuses, owner)] = base
    return base


def get_project_card(session: Session, actor: Actor, project_id: int, *, with_tasks: bool = False) -> ProjectCard:
    """One project of the actor's home workspace (else NotFound), with its first tasks and
    risks when asked."""
    project = get_project_for(session, actor, project_id, workspace_id=home_workspace_id(session, actor))
    [card] = cards_of(session, [project])
    if with_tasks:
        card.tasks = _task_lines(session, project)
        card.risks = list(
            session.scalars(select(Risk).where(Risk.project_id == project.id).order_by(Risk.id).limit(OVERVIEW_RISKS))
        )
    return card


def _task_lines(session: Session, project: Project) -> list[TaskLine]:
    project_id = project.id
    rows = session.execute(
        select(Task.id, Task.name, Task.status, Task.priority)
        .where(Task.project_id == project_id)
        .order_by(Task.position, Task.id)
        .limit(OVERVIEW_TASKS)
    )
    lines = {r[0]: TaskLine(r[0], r[1], r[2], r[3]) for r in rows}
    if not lines:
        return []
    pairs = list(
        session.execute(
            select(TaskAssignee.task_id, TaskAssignee.user_id)
            .where(TaskAssignee.task_id.in_(list(lines)))
            .order_by(TaskAssignee.task_id, TaskAssignee.position, TaskAssignee.user_id)
        )
    )
    people = people_by_id(session, [user_id for _, user_id in pairs], project.workspace_id)
    for task_id, user_id in pairs:
        if user_id in people:
            lines[task_id].assignees.append(people[user_id])
    return list(lines.values())
