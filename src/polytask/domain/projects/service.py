"""Projects and their sections."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey, apply_sort, count_of
from polytask.domain.events.cascade import record_project_children_deleted
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.projects.schemas import (
    ProjectCreate,
    ProjectUpdate,
    SectionCreate,
    SectionUpdate,
    split_custom_fields,
)
from polytask.domain.workspaces.access import (
    membership_for,
    require_flag,
    require_write,
    visible_workspace_ids,
)
from polytask.models import Membership, Project, Section, Task

PROJECT_FIELDS = (
    "name",
    "description",
    "type",
    "status",
    "start_date",
    "due_date",
    "settings",
    "custom_field_definitions",
    "custom_fields",
    "workspace_id",
)
SECTION_FIELDS = ("name", "position", "project_id")
PROJECT_SORTS = {
    "name": Project.name,
    "created_at": Project.created_at,
    "updated_at": Project.updated_at,
    "due_date": Project.due_date,
    "start_date": Project.start_date,
    "status": Project.status,
}


def get_project_for(session: Session, actor: Actor, project_id: int, *, workspace_id: int | None = None) -> Project:
    """The project if the actor can see its workspace (and it is in `workspace_id`, when given), else NotFound."""
    project = session.get(Project, project_id)
    if project is None or (workspace_id is not None and project.workspace_id != workspace_id):
        raise NotFound.of("project", project_id)
    try:
        membership_for(session, actor, project.workspace_id)
    except NotFound:
        raise NotFound.of("project", project_id) from None
    return project


def project_membership(session: Session, actor: Actor, project: Project) -> Membership:
    return membership_for(session, actor, project.workspace_id)


def create_project(session: Session, actor: Actor, *, workspace_id: int | None, data: ProjectCreate) -> Project:
    """Create a project (and any tasks given with it) in a workspace.

    Without a workspace in the path or body, the credential's workspace is used, else the
    actor's personal workspace.
    """
    from polytask.domain.tasks.schemas import TaskCreate
    from polytask.domain.tasks.service import create_task
    from polytask.domain.workspaces.service import default_workspace_id

    if workspace_id is None:
        workspace_id = data.workspace_id or actor.workspace_id or default_workspace_id(session, actor.user_id)
    elif data.workspace_id is not None and data.workspace_id != workspace_id:
        raise ValidationFailed.field("workspace_id", "does not match the workspace in the path")
    if workspace_id is None:
        raise ValidationFailed.field("workspace_id", "is required")

    membership = membership_for(session, actor, workspace_id)
    require_write(membership)
    require_flag(membership, "create_projects")
    definitions, values = split_custom_fields(data.custom_fields)
    project = Project(
        workspace_id=workspace_id,
        name=data.name,
        description=data.description,
        type=data.type,
        status=data.status,
        start_date=data.start_date,
        due_date=data.due_date,
        settings=data.settings,
        custom_field_definitions=definitions,
        custom_fields=values,
        created_by_id=actor.user_id,
    )
    if data.template_id is not None:
        project.settings = {**project.settings, "template_id": data.template_id}
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
    for index, raw in enumerate(data.tasks):
        try:
            task_data = TaskCreate.model_validate(raw)
        except ValueError as exc:
            raise ValidationFailed(
                f"Invalid task at index {index}", {"field": f"tasks[{index}]", "issue": str(exc)}
            ) from exc
        create_task(session, actor, project_id=project.id, data=task_data)
    return project


def visible_projects(actor: Actor) -> Select[Project]:
    return select(Project).where(Project.workspace_id.in_(visible_workspace_ids(actor)))


def list_projects_for(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int | None = None,
    type: str | None = None,
    status: str | None = None,
    page: PageRequest,
    sort: list[SortKey],
) -> PageResult[Project]:
    """Projects the actor can see, across workspaces or in one."""
    if workspace_id is not None:
        membership_for(session, actor, workspace_id)
    stmt = visible_projects(actor)
    if workspace_id is not None:
        stmt = stmt.where(Project.workspace_id == workspace_id)
    if type is not None:
        stmt = stmt.where(Project.type == type)
    if status is not None:
        stmt = stmt.where(Project.status == status)
    total = session.scalar(count_of(stmt)) if page.want_total else None
    stmt = apply_sort(stmt, sort, PROJECT_SORTS, Project.id).limit(page.limit).offset(page.offset)
    return PageResult(list(session.scalars(stmt)), total, page)


def update_project(
    session: Session, actor: Actor, *, project_id: int, data: ProjectUpdate, workspace_id: int | None = None
) -> Project:
    """Change fields given in `data`; settings and custom fields merge key by key."""
    project = get_project_for(session, actor, project_id, workspace_id=workspace_id)
    require_write(project_membership(session, actor, project))
    before = snapshot_of(project, PROJECT_FIELDS)
    given = data.model_fields_set
    for field in ("name", "description", "type", "status"):
        if field in given:
            value = getattr(data, field)
            if value is None:
                raise ValidationFailed.field(field, "cannot be null")
            setattr(project, field, value)
    for field in ("start_date", "due_date"):
        if field in given:
            setattr(project, field, getattr(data, field))
    if data.settings is not None:
        project.settings = {**project.settings, **data.settings}
    if data.custom_fields is not None:
        definitions, values = split_custom_fields(data.custom_fields)
        project.custom_field_definitions = {**project.custom_field_definitions, **definitions}
        project.custom_fields = {**project.custom_fields, **values}
    record_update(
        session,
        actor,
        resource_type="project",
        resource_id=project.id,
        workspace_id=project.workspace_id,
        before=before,
        after=snapshot_of(project, PROJECT_FIELDS),
    )
    return project


def delete_project(session: Session, actor: Actor, *, project_id: int, workspace_id: int | None = None) -> None:
    """Delete a project with its sections, tasks and comments."""
    project = get_project_for(session, actor, project_id, workspace_id=workspace_id)
    membership = project_membership(session, actor, project)
    require_write(membership)
    if membership.role not in ("owner", "admin") and project.created_by_id != actor.user_id:
        raise PermissionDenied(
            "Only the project's creator or a workspace admin can delete it", {"required_role": ["owner", "admin"]}
        )
    snapshot = snapshot_of(project, PROJECT_FIELDS)
    workspace_id = project.workspace_id
    # Its tasks and sections go by cascade; each still gets its own deletion event.
    record_project_children_deleted(session, actor, project_id=project_id, workspace_id=workspace_id)
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
    ).tuples()
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
    stmt = select(Section).where(Section.project_id == project_id)
    total = session.scalar(count_of(stmt)) if page.want_total else None
    stmt = stmt.order_by(Section.position, Section.id).limit(page.limit).offset(page.offset)
    return PageResult(list(session.scalars(stmt)), total, page)


def get_section_for(session: Session, actor: Actor, *, project_id: int, section_id: int) -> Section:
    get_project_for(session, actor, project_id)
    section = session.get(Section, section_id)
    if section is None or section.project_id != project_id:
        raise NotFound.of("section", section_id)
    return section


def create_section(session: Session, actor: Actor, *, project_id: int, data: SectionCreate) -> Section:
    """Add a board column; without a position it goes last."""
    project = get_project_for(session, actor, project_id)
    require_write(project_membership(session, actor, project))
    position = data.position
    if position is None:
        last = session.scalar(select(func.max(Section.position)).where(Section.project_id == project_id))
        position = (last or 0.0) + 1024.0
    section = Section(project_id=project_id, name=data.name, position=position)
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
    section = get_section_for(session, actor, project_id=project_id, section_id=section_id)
    project = get_project_for(session, actor, project_id)
    require_write(project_membership(session, actor, project))
    before = snapshot_of(section, SECTION_FIELDS)
    for field in data.model_fields_set:
        value = getattr(data, field)
        if value is None:
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
    section = get_section_for(session, actor, project_id=project_id, section_id=section_id)
    project = get_project_for(session, actor, project_id)
    require_write(project_membership(session, actor, project))
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
        .where(Section.id.in_(section_ids), Project.workspace_id.in_(visible_workspace_ids(actor)))
    )
    return list(session.scalars(stmt))
