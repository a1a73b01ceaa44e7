"""A workspace's project attributes: the vocabularies of tags and categories its projects
are described with (taskip-api-reference.txt "Project Attributes").

A project has at most one category (`projects.category_id`) and any number of tags
(`project_tags`). Renaming an attribute renames it on every project; deleting one takes it
off them (the foreign keys' SET NULL and CASCADE).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import Conflict, ValidationFailed
from polytask.core.ids import storable_key
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Choice, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import ProjectAttributeSnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.projects.access import ATTRIBUTES, PROJECTS
from polytask.domain.projects.schemas import ATTRIBUTE_KINDS, AttributeCreate, AttributeUpdate
from polytask.domain.projects.service import changing_project
from polytask.domain.workspaces.access import membership_for, require_write
from polytask.models import Project, ProjectAttribute, ProjectTag

ATTRIBUTE_FIELDS = tuple(ProjectAttributeSnapshot.model_fields)
ATTRIBUTE_REGISTRY = Registry.of(
    "project_attribute",
    [
        Field("id", Ref("project_attribute"), expr=ProjectAttribute.id),
        Field("kind", Choice(ATTRIBUTE_KINDS), expr=ProjectAttribute.kind),
        Field("name", Text(), expr=ProjectAttribute.name),
        Field("created_at", Moment(), expr=ProjectAttribute.created_at),
        Field("updated_at", Moment(), expr=ProjectAttribute.updated_at),
    ],
)
ATTRIBUTE_LIST: ListSpec[ProjectAttribute] = ListSpec(
    "project_attribute",
    ATTRIBUTE_REGISTRY,
    ProjectAttribute.id,
    default_sort=(SortKey("kind"), SortKey("name")),
)


def list_attributes(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[ProjectAttribute]:
    """The workspace's tags and categories, by kind and name unless sorted."""
    membership_for(session, actor, workspace_id)
    base = select(ProjectAttribute).where(ATTRIBUTES.visible(actor), ProjectAttribute.workspace_id == workspace_id)
    return run_list(session, ATTRIBUTE_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def _taken(session: Session, workspace_id: int, kind: str, name: str, *, other_than: int | None = None) -> bool:
    stmt = select(ProjectAttribute.id).where(
        ProjectAttribute.workspace_id == workspace_id,
        ProjectAttribute.kind == kind,
        func.lower(ProjectAttribute.name) == name.lower(),
    )
    if other_than is not None:
        stmt = stmt.where(ProjectAttribute.id != other_than)
    return session.scalar(stmt.limit(1)) is not None


def _refuse_taken(session: Session, workspace_id: int, kind: str, name: str, other_than: int | None = None) -> None:
    if _taken(session, workspace_id, kind, name, other_than=other_than):
        raise Conflict(f"A project {kind} named '{name}' already exists", {"field": "name", "value": name})


def create_attribute(session: Session, actor: Actor, *, workspace_id: int, data: AttributeCreate) -> ProjectAttribute:
    """A new tag or category; a name already used by one of its kind (any case) is a conflict."""
    require_write(membership_for(session, actor, workspace_id))
    name = data.name.strip()
    if not name:
        raise ValidationFailed.field("name", "cannot be blank")
    _refuse_taken(session, workspace_id, data.kind, name)
    attribute = ProjectAttribute(workspace_id=workspace_id, kind=data.kind, name=name, color=data.color)
    session.add(attribute)
    session.flush()
    record_event(
        session,
        actor,
        type="project_attribute.created",
        resource_type="project_attribute",
        resource_id=attribute.id,
        workspace_id=workspace_id,
        snapshot=snapshot_of(attribute, ATTRIBUTE_FIELDS),
    )
    return attribute


def get_attribute_for(session: Session, actor: Actor, attribute_id: int, *, workspace_id: int) -> ProjectAttribute:
    attribute, _membership = ATTRIBUTES.get_for(session, actor, attribute_id, workspace_id=workspace_id)
    return attribute


def update_attribute(
    session: Session, actor: Actor, *, attribute_id: int, workspace_id: int, data: AttributeUpdate
) -> ProjectAttribute:
    attribute, membership = ATTRIBUTES.get_for(session, actor, attribute_id, workspace_id=workspace_id)
    require_write(membership)
    before = snapshot_of(attribute, ATTRIBUTE_FIELDS)
    given = data.model_fields_set
    if "name" in given:
        name = (data.name or "").strip()
        if not name:
            raise ValidationFailed.field("name", "cannot be blank")
        _refuse_taken(session, workspace_id, attribute.kind, name, other_than=attribute.id)
        attribute.name = name
    if "color" in given:
        attribute.color = data.color
    record_update(
        session,
        actor,
        resource_type="project_attribute",
        resource_id=attribute.id,
        workspace_id=workspace_id,
        before=before,
        after=snapshot_of(attribute, ATTRIBUTE_FIELDS),
    )
    return attribute


def delete_attribute(session: Session, actor: Actor, *, attribute_id: int, workspace_id: int) -> None:
    """Delete it; projects of this category lose their category, tagged ones the tag."""
    attribute, membership = ATTRIBUTES.get_for(session, actor, attribute_id, workspace_id=workspace_id)
    require_write(membership)
    snapshot = snapshot_of(attribute, ATTRIBUTE_FIELDS)
    session.execute(delete(ProjectTag).where(ProjectTag.attribute_id == attribute_id))
    session.execute(update(Project).where(Project.category_id == attribute_id).values(category_id=None))
    session.execute(delete(ProjectAttribute).where(ProjectAttribute.id == attribute_id))
    session.expunge(attribute)
    record_event(
        session,
        actor,
        type="project_attribute.deleted",
        resource_type="project_attribute",
        resource_id=attribute_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )


def resolve_attributes(
    session: Session,
    *,
    workspace_id: int,
    kind: str,
    refs: Sequence[int | str],
    field: str,
    create: Actor | None = None,
) -> list[ProjectAttribute]:
    """The workspace's attributes of `kind` named by id or by name (any case), in the order
    given. An unknown id is a 422 naming `field`; an unknown name is created when `create`
    (the actor) is given, else a 422."""
    found: list[ProjectAttribute] = []
    for index, ref in enumerate(refs):
        if isinstance(ref, bool):
            raise ValidationFailed.field(f"{field}[{index}]", "must be an id or a name", ref)
        if isinstance(ref, int):
            stmt = select(ProjectAttribute).where(ProjectAttribute.id == ref) if storable_key(ref) else None
        else:
            name = ref.strip()
            if not name or len(name) > 100:
                raise ValidationFailed.field(f"{field}[{index}]", "must be a name of 1 to 100 characters", ref)
            stmt = select(ProjectAttribute).where(func.lower(ProjectAttribute.name) == name.lower())
        row = None
        if stmt is not None:
            row = session.scalar(
                stmt.where(ProjectAttribute.workspace_id == workspace_id, ProjectAttribute.kind == kind).limit(1)
            )
        if row is None and isinstance(ref, str) and create is not None:
            row = create_attribute(
                session,
                create,
                workspace_id=workspace_id,
                data=AttributeCreate.model_validate({"kind": kind, "name": ref.strip()}),
            )
        if row is None:
            raise ValidationFailed.field(f"{field}[{index}]", f"is not a project {kind} of this workspace", ref)
        if row not in found:
            found.append(row)
    return found


def tags_of(session: Session, project_ids: Sequence[int]) -> dict[int, list[ProjectAttribute]]:
    """Each project's tags by name, in one query."""
    out: dict[int, list[ProjectAttribute]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return out
    rows = session.execute(
        select(ProjectTag.project_id, ProjectAttribute)
        .join(ProjectAttribute, ProjectAttribute.id == ProjectTag.attribute_id)
        .where(ProjectTag.project_id.in_(list(project_ids)))
        .order_by(ProjectAttribute.name, ProjectAttribute.id)
    )
    for project_id, attribute in rows:
        out[project_id].append(attribute)
    return out


def categories_of(session: Session, category_ids: Sequence[int]) -> dict[int, ProjectAttribute]:
    ids = sorted({c for c in category_ids if c is not None})
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(ProjectAttribute).where(ProjectAttribute.id.in_(ids)))}


def change_tags(
    session: Session,
    actor: Actor,
    *,
    project_ids: Sequence[int],
    workspace_id: int,
    tags: Sequence[int | str],
    action: str = "set",
) -> None:
    """Set (`set`), add (`add`) or remove (`remove`) tags on each project; names not yet in
    the vocabulary are added to it when setting or adding. One `project.tags_changed` event
    per project whose tags changed."""
    if action not in ("set", "add", "remove"):
        raise ValidationFailed.field("action", "must be one of set, add, remove", action)
    chosen = resolve_attributes(
        session,
        workspace_id=workspace_id,
        kind="tag",
        refs=tags,
        field="tags",
        create=None if action == "remove" else actor,
    )
    chosen_ids = {a.id: a.name for a in chosen}
    for project_id in dict.fromkeys(project_ids):
        _project, membership = PROJECTS.get_for(session, actor, project_id, workspace_id=workspace_id)
        require_write(membership)
        current = {a.id: a.name for a in tags_of(session, [project_id])[project_id]}
        if action == "set":
            wanted = dict(chosen_ids)
        elif action == "add":
            wanted = {**current, **chosen_ids}
        else:
            wanted = {k: v for k, v in current.items() if k not in chosen_ids}
        if set(wanted) == set(current):
            continue
        session.execute(delete(ProjectTag).where(ProjectTag.project_id == project_id))
        if wanted:
            session.execute(insert(ProjectTag), [{"project_id": project_id, "attribute_id": k} for k in wanted])
        record_event(
            session,
            actor,
            type="project.tags_changed",
            resource_type="project",
            resource_id=project_id,
            workspace_id=workspace_id,
            project_id=project_id,
            changes={"tags": {"before": sorted(current.values()), "after": sorted(wanted.values())}},
            snapshot={"workspace_id": workspace_id, "tags": sorted(wanted.values())},
        )


def change_category(
    session: Session, actor: Actor, *, project_ids: Sequence[int], workspace_id: int, category: int | str | None
) -> None:
    """Give each project this category (by id or name; a new name is added), or none."""
    category_id: int | None = None
    if category is not None:
        category_id = resolve_attributes(
            session, workspace_id=workspace_id, kind="category", refs=[category], field="category", create=actor
        )[0].id
    for project_id in dict.fromkeys(project_ids):
        with changing_project(session, actor, project_id=project_id, workspace_id=workspace_id) as project:
            project.category_id = category_id
