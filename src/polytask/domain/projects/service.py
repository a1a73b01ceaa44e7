"""Projects and their sections."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session, object_session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied, ValidationFailed
from polytask.core.ids import storable_key
from polytask.core.money import check_currency, to_minor
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import (
    Choice,
    CustomResolver,
    Field,
    Loose,
    Moment,
    Number,
    Ref,
    Registry,
    Text,
)
from polytask.core.query.jsonpath import json_number, json_scalar_text
from polytask.core.query.listing import ListSpec, run_list
from polytask.core.query.tree import named_ids
from polytask.core.settings import get_settings
from polytask.core.statements import Prepared
from polytask.domain.events.payloads import ProjectSnapshot, SectionSnapshot
from polytask.domain.events.service import diff, record_event, record_update, snapshot_of
from polytask.domain.projects.access import PROJECTS
from polytask.domain.projects.schemas import (
    PROJECT_PRIORITIES,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    Budget,
    ProjectCreate,
    ProjectUpdate,
    SectionCreate,
    SectionUpdate,
    split_custom_fields,
)
from polytask.domain.search import search_source
from polytask.domain.workspaces.access import (
    MANAGERS,
    Viewer,
    default_workspace_id,
    home_workspace_of,
    membership_for,
    reach_params,
    require_allowed_address,
    require_flag,
    require_write,
)
from polytask.models import Expense, Membership, Project, ProjectAttribute, Section, Task

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
# What their events carry, declared by the payload models (events/payloads.py).
PROJECT_FIELDS = tuple(ProjectSnapshot.model_fields)
SECTION_FIELDS = tuple(SectionSnapshot.model_fields)
PROJECT_FIELDS_REGISTRY = Registry.of(
    "project",
    [
        Field("id", Ref("project"), expr=Project.id),
        Field("name", Text(), expr=Project.name),
        Field("description", Text(), expr=Project.description, sortable=False),
        Field("type", Choice(PROJECT_TYPES), expr=Project.type),
        Field("status", Choice(PROJECT_STATUSES), expr=Project.status),
        Field("priority", Choice(PROJECT_PRIORITIES, ordered=True), expr=Project.priority),
        Field("category_id", Ref("project_attribute"), expr=Project.category_id),
        Field("workspace_id", Ref("workspace"), expr=Project.workspace_id),
        Field("created_by", Ref("user"), expr=Project.created_by_id),
        Field("start_date", Moment("date"), expr=Project.start_date),
        Field("due_date", Moment("date"), expr=Project.due_date),
        Field("created_at", Moment(), expr=Project.created_at),
        Field("updated_at", Moment(), expr=Project.updated_at),
    ],
)
PROJECT_LIST: ListSpec[Project] = ListSpec(
    "project", PROJECT_FIELDS_REGISTRY, Project.id, search=search_source("project")
)
# Sections page in board order; they take no filters.
SECTION_LIST: ListSpec[Section] = ListSpec(
    "section",
    Registry.of("section", [Field("position", Number(), expr=Section.position)]),
    Section.id,
    default_sort=(SortKey("position"),),
)


def get_project_for(session: Session, actor: Actor, project_id: int, *, workspace_id: int | None = None) -> Project:
    """The project if the actor can see its workspace (and it is in `workspace_id`, when given), else NotFound."""
    return get_project_and_membership(session, actor, project_id, workspace_id=workspace_id)[0]


def project_look(*extra: Any) -> Prepared:
    """A prepared look at one project the caller may see: its workspace id, the caller's role,
    then `extra` (columns or scalar subqueries over the project's row), for `look_at_project`."""
    return Prepared(PROJECTS.by_id(select(Project.workspace_id, Membership.role, *extra)))


_PROJECT_ROLE = project_look()


def look_at_project(session: Session, actor: Actor, project_id: int, look: Prepared) -> tuple[Any, ...]:
    """`look`'s row (project_look) when the actor may see the project, else NotFound (403 for
    an IP allowlist): `get_project_for`'s rule in one prepared statement, for work that needs
    no project object, with whatever else it reads in the same statement."""
    rows = look.rows(session, reach_params(actor, project_id)) if storable_key(project_id) else []
    if not rows:
        raise NotFound.of("project", project_id)
    require_allowed_address(actor, rows[0][0])
    return tuple(rows[0])


def check_project_for(session: Session, actor: Actor, project_id: int) -> tuple[int, str]:
    """(workspace id, role) when the actor may see the project, else NotFound (look_at_project),
    for reads that need no project object (a page of its tasks)."""
    workspace_id, role = look_at_project(session, actor, project_id, _PROJECT_ROLE)
    return workspace_id, role


def get_project_and_membership(
    session: Session, actor: Actor, project_id: int, *, workspace_id: int | None = None
) -> tuple[Project, Membership]:
    """`get_project_for`, with the actor's membership it checked (for callers that need the role):
    the project and the membership in one statement."""
    return PROJECTS.get_for(session, actor, project_id, workspace_id=workspace_id)


def create_project(session: Session, actor: Actor, *, workspace_id: int | None, data: ProjectCreate) -> Project:
    """Create a project alone in a workspace (with inline fields and tasks: flows.projects).

    Without a workspace in the path or body, the credential's workspace is used, else the
    actor's personal workspace.
    """
    definitions, values = split_custom_fields(data.custom_fields)
    if definitions or data.tasks:
        # Fields and tasks are other aggregates: flows.projects.create_project adds them.
        raise ValueError("a project with field definitions or tasks is created by flows.projects.create_project")
    if workspace_id is None:
        workspace_id = data.workspace_id or actor.workspace_id or default_workspace_id(session, actor.user_id)
    elif data.workspace_id is not None and data.workspace_id != workspace_id:
        raise ValidationFailed.field("workspace_id", "does not match the workspace in the path")
    if workspace_id is None:
        raise ValidationFailed.field("workspace_id", "is required")

    membership = membership_for(session, actor, workspace_id)
    require_write(membership)
    require_flag(membership, "create_projects")
    project = Project(
        workspace_id=workspace_id,
        name=data.name,
        description=data.description,
        type=data.type,
        status=data.status,
        start_date=data.start_date,
        due_date=data.due_date,
        settings=data.settings,
        custom_field_definitions={},
        custom_fields=values,
        created_by_id=actor.user_id,
        currency=get_settings().default_currency,
        priority=data.priority,
        category_id=_category(session, workspace_id, data.category_id),
    )
    if data.budget is not None:
        project.currency, project.budget_minor = _budget(data.budget, project.currency)
    session.add(project)
    session.flush()
    record_event(
        session,
        actor,
        type="project.created",
        resource_type="project",
        resource_id=project.id,
        workspace_id=workspace_id,
        snapshot=snapshot_of(project, PROJECT_FIELDS),
    )
    return project


def _category(session: Session, workspace_id: int, category_id: int | None) -> int | None:
    """A category of the project's workspace, or a 422 naming `category_id`."""
    if category_id is None:
        return None
    found = (
        session.scalar(
            select(ProjectAttribute.id).where(
                ProjectAttribute.id == category_id,
                ProjectAttribute.workspace_id == workspace_id,
                ProjectAttribute.kind == "category",
            )
        )
        if storable_key(category_id)
        else None
    )
    if found is None:
        raise ValidationFailed.field("category_id", "is not a project category of this workspace", category_id)
    return category_id


# TaskIP's paths: a project of the caller's home workspace by uuid or by id, with its uuid, in
# one prepared statement each (the rule of PROJECTS.by_id, the home workspace folded in).
_HOME_BY_UUID = Prepared(
    PROJECTS.by_id(select(Project.id, Project.uuid, Project.workspace_id), key=Project.uuid, home=True)
)
_HOME_BY_ID = Prepared(PROJECTS.by_id(select(Project.id, Project.uuid, Project.workspace_id), home=True))


def is_project_uuid(text: str) -> bool:
    return _UUID.fullmatch(text) is not None


def home_project_id_of(who: Actor | Viewer, uuid: Any) -> Any:
    """The id of the project of the caller's home workspace with this uuid (a value or a bound
    parameter), as a scalar subquery: a list narrowed to it needs no look-up of its own (its
    rows pass the visibility rule themselves)."""
    return (
        select(Project.id).where(Project.uuid == uuid, Project.workspace_id == home_workspace_of(who)).scalar_subquery()
    )


def home_project(session: Session, actor: Actor, ref: str | int) -> tuple[int, str]:
    """(id, uuid) of the project of the caller's home workspace (the bound credential's, else
    their default one) named by uuid or by integer id; NotFound for any other, a malformed
    ref included (403 behind the workspace's IP allowlist)."""
    text = str(ref)
    rows: list[Any] = []
    if text.isdigit():
        if storable_key(int(text)):
            rows = _HOME_BY_ID.rows(session, reach_params(actor, int(text)))
    elif _UUID.fullmatch(text):
        rows = _HOME_BY_UUID.rows(session, {**reach_params(actor, 0), "row_id": text.lower()})
    if not rows:
        raise NotFound.of("project", text)
    require_allowed_address(actor, rows[0][2])
    return int(rows[0][0]), str(rows[0][1])


def visible_projects(actor: Actor) -> Select[Project]:
    return select(Project).where(PROJECTS.visible(actor))


def _project_custom(session: Session) -> CustomResolver:
    """Project-level `custom_fields` values have no definitions: compared loosely."""
    dialect = session.get_bind().dialect.name

    def resolve(key: str, _param: str) -> Field:
        text = json_scalar_text(Project.custom_fields, key, dialect)
        return Field(f"custom_fields.{key}", Loose(json_number(Project.custom_fields, key, dialect)), expr=text)

    return resolve


def list_projects_for(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey],
    tree: Node | None = None,
    search: str | None = None,
) -> PageResult[Project]:
    """Projects the actor can see, across workspaces or in one, filtered by the query engine;
    `search` matches every word in the name or description, best first unless sorted."""
    if workspace_id is not None:
        membership_for(session, actor, workspace_id)
    base = visible_projects(actor)
    if workspace_id is not None:
        base = base.where(Project.workspace_id == workspace_id)
    return run_list(
        session,
        PROJECT_LIST,
        actor=actor,
        base=base,
        page=page,
        sort=sort,
        tree=tree,
        search=search,
        custom=_project_custom(session),
        check=lambda: _check_named_workspaces(session, actor, tree),
    )


def _check_named_workspaces(session: Session, actor: Actor, tree: Node | None) -> None:
    """Naming a workspace the caller cannot see is a 404, as it is in a path."""
    for _, pk in named_ids(tree, {"workspace_id": "workspace"}):
        membership_for(session, actor, pk)


@contextmanager
def changing_project(
    session: Session, actor: Actor, *, project_id: int, workspace_id: int | None = None
) -> Iterator[Project]:
    """The project, if the actor may change it; one project.updated event for what changed inside."""
    project, membership = get_project_and_membership(session, actor, project_id, workspace_id=workspace_id)
    require_write(membership)
    before = snapshot_of(project, PROJECT_FIELDS)
    yield project
    after = snapshot_of(project, PROJECT_FIELDS)
    if after["status"] == "completed" and before["status"] != "completed":
        # A change that completes the project is told as such (as task.completed is for tasks).
        session.flush()
        record_event(
            session,
            actor,
            type="project.completed",
            resource_type="project",
            resource_id=project.id,
            workspace_id=project.workspace_id,
            changes=diff(before, after),
            snapshot=after,
        )
        return
    record_update(
        session,
        actor,
        resource_type="project",
        resource_id=project.id,
        workspace_id=project.workspace_id,
        before=before,
        after=after,
    )


def _budget(budget: Budget, default_currency: str) -> tuple[str, int]:
    """(currency, amount in minor units), or a 422 naming `budget.amount` / `budget.currency`."""
    currency = default_currency if budget.currency is None else check_currency(budget.currency, "budget.currency")
    return currency, to_minor(budget.amount, currency, "budget.amount")


def apply_project_update(project: Project, data: ProjectUpdate) -> None:
    """Set the fields given in `data`; settings and custom field values merge key by key.

    Field definitions given in `custom_fields` are left to flows.projects.update_project.
    A budget in another currency is refused once the project has expenses (no exchange rates).
    """
    given = data.model_fields_set
    if "budget" in given:
        if data.budget is None:
            project.budget_minor = None
        else:
            currency, amount = _budget(data.budget, project.currency)
            if currency != project.currency and _has_expenses(project):
                raise ValidationFailed.field(
                    "budget.currency", f"the project's expenses are in {project.currency}", currency
                )
            project.currency, project.budget_minor = currency, amount
    for field in ("name", "description", "type", "status"):
        if field in given:
            value = getattr(data, field)
            if value is None:
                raise ValidationFailed.field(field, "cannot be null")
            setattr(project, field, value)
    for field in ("start_date", "due_date", "priority"):
        if field in given:
            setattr(project, field, getattr(data, field))
    if "category_id" in given:
        session = object_session(project)
        assert session is not None
        project.category_id = _category(session, project.workspace_id, data.category_id)
    if data.settings is not None:
        project.settings = {**project.settings, **data.settings}
    if data.custom_fields is not None:
        _definitions, values = split_custom_fields(data.custom_fields)
        project.custom_fields = {**project.custom_fields, **values}


def _has_expenses(project: Project) -> bool:
    session = object_session(project)
    return (
        session is not None
        and session.scalar(select(Expense.id).where(Expense.project_id == project.id).limit(1)) is not None
    )


def project_to_delete(session: Session, actor: Actor, *, project_id: int, workspace_id: int | None = None) -> Project:
    """The project, if the actor may delete it: its creator, or a workspace owner or admin."""
    project, membership = get_project_and_membership(session, actor, project_id, workspace_id=workspace_id)
    require_write(membership)
    if membership.role not in MANAGERS and project.created_by_id != actor.user_id:
        raise PermissionDenied(
            "Only the project's creator or a workspace admin can delete it", {"required_role": ["owner", "admin"]}
        )
    return project


def remove_project(session: Session, actor: Actor, project: Project) -> None:
    """Delete the project row (sections, tasks and comments go by cascade) and record `project.deleted`.

    The children's own deletion events come first, from flows.projects.delete_project.
    """
    snapshot = snapshot_of(project, PROJECT_FIELDS)
    project_id, workspace_id = project.id, project.workspace_id
    session.execute(delete(Project).where(Project.id == project_id))
    session.expunge(project)
    record_event(
        session,
        actor,
        type="project.deleted",
        resource_type="project",
        resource_id=project_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )


def task_counts(session: Session, project_ids: list[int]) -> dict[int, dict[str, int]]:
    """Total and completed task counts per project, in one query."""
    if not project_ids:
        return {}
    rows = session.execute(
        select(Task.project_id, Task.status, func.count())
        .where(Task.project_id.in_(project_ids))
        .group_by(Task.project_id, Task.status)
    )
    counts: dict[int, dict[str, int]] = {pid: {"total": 0, "completed": 0} for pid in project_ids}
    for pid, status, n in rows:
        counts[pid]["total"] += n
        if status == "completed":
            counts[pid]["completed"] += n
    return counts


# --- sections ------------------------------------------------------------------------------


def list_sections(session: Session, actor: Actor, *, project_id: int) -> list[Section]:
    get_project_for(session, actor, project_id)
    return list(
        session.scalars(select(Section).where(Section.project_id == project_id).order_by(Section.position, Section.id))
    )


def list_sections_page(session: Session, actor: Actor, *, project_id: int, page: PageRequest) -> PageResult[Section]:
    """A project's sections in board order, one page at a time."""
    get_project_for(session, actor, project_id)
    return run_list(
        session, SECTION_LIST, actor=actor, base=select(Section).where(Section.project_id == project_id), page=page
    )


def get_section_for(session: Session, actor: Actor, *, project_id: int, section_id: int) -> Section:
    return _section_for(session, actor, project_id=project_id, section_id=section_id)[2]


def _section_for(
    session: Session, actor: Actor, *, project_id: int, section_id: int
) -> tuple[Project, Membership, Section]:
    """A section reached through its project (the project's rule), with the caller's membership."""
    project, membership = get_project_and_membership(session, actor, project_id)
    section = session.get(Section, section_id) if storable_key(section_id) else None
    if section is None or section.project_id != project_id:
        raise NotFound.of("section", section_id)
    return project, membership, section


def create_section(session: Session, actor: Actor, *, project_id: int, data: SectionCreate) -> Section:
    """Add a board column; without a position it goes last."""
    project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    position = data.position
    if position is None:
        last = session.scalar(select(func.max(Section.position)).where(Section.project_id == project_id))
        position = (last or 0.0) + 1024.0
    section = Section(project_id=project_id, name=data.name, position=position, color=data.color)
    session.add(section)
    session.flush()
    record_event(
        session,
        actor,
        type="section.created",
        resource_type="section",
        resource_id=section.id,
        workspace_id=project.workspace_id,
        snapshot=snapshot_of(section, SECTION_FIELDS),
    )
    return section


def update_section(session: Session, actor: Actor, *, project_id: int, section_id: int, data: SectionUpdate) -> Section:
    project, membership, section = _section_for(session, actor, project_id=project_id, section_id=section_id)
    require_write(membership)
    before = snapshot_of(section, SECTION_FIELDS)
    for field in data.model_fields_set:
        value = getattr(data, field)
        if value is None and field != "color":
            raise ValidationFailed.field(field, "cannot be null")
        setattr(section, field, value)
    record_update(
        session,
        actor,
        resource_type="section",
        resource_id=section.id,
        workspace_id=project.workspace_id,
        before=before,
        after=snapshot_of(section, SECTION_FIELDS),
    )
    return section


def delete_section(session: Session, actor: Actor, *, project_id: int, section_id: int) -> None:
    """Remove a column; its tasks stay in the project without a section."""
    project, membership, section = _section_for(session, actor, project_id=project_id, section_id=section_id)
    require_write(membership)
    snapshot = snapshot_of(section, SECTION_FIELDS)
    session.delete(section)
    session.flush()
    record_event(
        session,
        actor,
        type="section.deleted",
        resource_type="section",
        resource_id=section_id,
        workspace_id=project.workspace_id,
        snapshot=snapshot,
    )


def project_summary(project: Project) -> dict[str, Any]:
    return {"id": project.id, "name": project.name}


def projects_by_ids(session: Session, actor: Actor, project_ids: list[int]) -> list[Project]:
    """Visible projects among these ids (for includes)."""
    if not project_ids:
        return []
    return list(session.scalars(visible_projects(actor).where(Project.id.in_(project_ids))))


def sections_by_ids(session: Session, actor: Actor, section_ids: list[int]) -> list[Section]:
    if not section_ids:
        return []
    stmt = (
        select(Section)
        .join(Project, Project.id == Section.project_id)
        .where(Section.id.in_(section_ids), PROJECTS.visible(actor))
    )
    return list(session.scalars(stmt))


def reorder_sections(session: Session, actor: Actor, *, project_id: int, section_ids: list[int]) -> list[Section]:
    """Put the project's sections in this order (the ones not named keep their order after
    them); one `section.updated` per section whose position changed. Every id must be a
    section of the project (a 422 naming the index otherwise); duplicates are refused."""
    project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    sections = list(
        session.scalars(select(Section).where(Section.project_id == project_id).order_by(Section.position, Section.id))
    )
    by_id = {s.id: s for s in sections}
    seen: set[int] = set()
    for index, section_id in enumerate(section_ids):
        if section_id not in by_id or section_id in seen:
            issue = "is named twice" if section_id in seen else "is not a section of this project"
            raise ValidationFailed.field(f"order[{index}]", issue, section_id)
        seen.add(section_id)
    ordered = [by_id[i] for i in section_ids] + [s for s in sections if s.id not in seen]
    for rank, section in enumerate(ordered, start=1):
        position = rank * 1024.0
        if section.position == position:
            continue
        before = snapshot_of(section, SECTION_FIELDS)
        section.position = position
        record_update(
            session,
            actor,
            resource_type="section",
            resource_id=section.id,
            workspace_id=project.workspace_id,
            before=before,
            after=snapshot_of(section, SECTION_FIELDS),
        )
    return ordered
