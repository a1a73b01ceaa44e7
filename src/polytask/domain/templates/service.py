"""Templates: made from a project or written, listed, shown, changed and deleted.

A template belongs to a workspace and is visible to its members (TEMPLATES, access.py). Its
members who may write make, change and delete templates; viewers read them. Making a
project from a template is domain/flows/templates.py (it spans projects, fields and tasks).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, and_, delete, func, literal, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.ids import render_id
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Number, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import TemplateSnapshot
from polytask.domain.events.service import diff, record_event
from polytask.domain.projects.service import get_project_and_membership
from polytask.domain.templates.access import TEMPLATES
from polytask.domain.templates.capture import capture_project
from polytask.domain.templates.content import TemplateContent, check_content, read_content, stored
from polytask.domain.templates.schemas import TemplateCreate, TemplateUpdate
from polytask.domain.workspaces.access import MANAGERS, default_workspace_id, membership_for, require_write
from polytask.models import Template

TEMPLATE_FIELDS = tuple(TemplateSnapshot.model_fields)
TEMPLATE_FIELDS_REGISTRY = Registry.of(
    "template",
    [
        Field("id", Ref("template"), expr=Template.id),
        Field("name", Text(), expr=Template.name),
        Field("workspace_id", Ref("workspace"), expr=Template.workspace_id),
        Field("source_project_id", Ref("project"), expr=Template.source_project_id),
        Field("task_count", Number(integer=True), expr=Template.task_count),
        Field("created_by_id", Ref("user"), expr=Template.created_by_id),
        Field("created_at", Moment(), expr=Template.created_at),
        Field("updated_at", Moment(), expr=Template.updated_at),
    ],
)


def _name_search(session: Session, raw: str) -> Subquery:
    """`search=`: templates whose name holds every word (caseless); templates are few per
    workspace, so a scan of the visible ones serves (no full-text index)."""
    words = [w.lower() for w in raw.split() if w]
    if not words:
        raise ValidationFailed.field("search", "is empty")
    name = func.lower(Template.name)
    return (
        select(Template.id.label("id"), literal(1).label("score"))
        .where(and_(*(name.contains(w, autoescape=True) for w in words)))
        .subquery()
    )


# By name (then id) unless sorted otherwise.
TEMPLATE_LIST: ListSpec[Template] = ListSpec(
    "template", TEMPLATE_FIELDS_REGISTRY, Template.id, default_sort=(SortKey("name"),), search=_name_search
)


def template_snapshot(template: Template) -> dict[str, Any]:
    return {
        "name": template.name,
        "description": template.description,
        "workspace_id": template.workspace_id,
        "source_project_id": template.source_project_id,
        "task_count": template.task_count,
        "content_version": int(template.content.get("version", 1)),
    }


def get_template_for(session: Session, actor: Actor, template_id: int) -> Template:
    """The template if the actor is a member of its workspace, else NotFound."""
    return TEMPLATES.get_for(session, actor, template_id)[0]


def template_content(template: Template) -> TemplateContent:
    """The template's document in the current shape."""
    return read_content(template.content)


def list_templates(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
    search: str | None = None,
) -> PageResult[Template]:
    """The templates of every workspace the actor sees (or of one), by name unless sorted."""
    base = select(Template).where(TEMPLATES.visible(actor))
    if workspace_id is not None:
        membership_for(session, actor, workspace_id)
        base = base.where(Template.workspace_id == workspace_id)
    return run_list(
        session, TEMPLATE_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree, search=search
    )


def create_template(session: Session, actor: Actor, *, data: TemplateCreate) -> Template:
    """Make a template from a project (`project_id`) or from a written document (`content`)."""
    if data.project_id is not None and data.content is not None:
        raise ValidationFailed.field("content", "give project_id (copy a project) or content, not both")
    source_project_id: int | None = None
    if data.project_id is not None:
        try:
            project, membership = get_project_and_membership(session, actor, data.project_id)
        except NotFound:
            # A body's reference, like a task's parent_id: the request is what is wrong.
            raise ValidationFailed.field("project_id", "was not found", render_id("project", data.project_id)) from None
        if data.workspace_id is not None and data.workspace_id != project.workspace_id:
            raise ValidationFailed.field("workspace_id", "does not match the project's workspace")
        # Automations are seen by the workspace's managers only: theirs to copy.
        content = capture_project(session, project, automations=membership.role in MANAGERS)
        count = check_content(content, field="project_id")
        source_project_id = project.id
    else:
        workspace_id = data.workspace_id or actor.workspace_id or default_workspace_id(session, actor.user_id)
        if workspace_id is None:
            raise ValidationFailed.field("workspace_id", "is required")
        membership = membership_for(session, actor, workspace_id)
        content = data.content or TemplateContent()
        count = check_content(content)
    require_write(membership)
    template = Template(
        workspace_id=membership.workspace_id,
        name=data.name,
        description=data.description,
        content=stored(content),
        task_count=count,
        source_project_id=source_project_id,
        created_by_id=actor.user_id,
    )
    session.add(template)
    session.flush()
    record_event(
        session,
        actor,
        type="template.created",
        resource_type="template",
        resource_id=template.id,
        workspace_id=template.workspace_id,
        snapshot=template_snapshot(template),
    )
    return template


def update_template(session: Session, actor: Actor, *, template_id: int, data: TemplateUpdate) -> Template:
    """Rename or describe a template, or replace its content."""
    template, membership = TEMPLATES.get_for(session, actor, template_id)
    require_write(membership)
    before = template_snapshot(template)
    given = data.model_fields_set
    for name in ("name", "description", "content"):
        if name in given and getattr(data, name) is None:
            raise ValidationFailed.field(name, "cannot be null")
    if data.name is not None:
        template.name = data.name
    if data.description is not None:
        template.description = data.description
    changes: dict[str, Any] = {}
    if data.content is not None:
        template.task_count = check_content(data.content)
        new = stored(data.content)
        if new != template.content:
            template.content = new
            changes["content"] = {"replaced": True}
    after = template_snapshot(template)
    changes = {**diff(before, after), **changes}
    if changes:
        session.flush()
        record_event(
            session,
            actor,
            type="template.updated",
            resource_type="template",
            resource_id=template.id,
            workspace_id=template.workspace_id,
            changes=changes,
            snapshot=after,
        )
    return template


def delete_template(session: Session, actor: Actor, *, template_id: int) -> None:
    """Delete a template; the projects made from it stay as they are."""
    template, membership = TEMPLATES.get_for(session, actor, template_id)
    require_write(membership)
    snapshot = template_snapshot(template)
    workspace_id = template.workspace_id
    session.execute(delete(Template).where(Template.id == template_id))
    session.expunge(template)
    record_event(
        session,
        actor,
        type="template.deleted",
        resource_type="template",
        resource_id=template_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )
