"""Custom field definitions and the values they govern.

Definitions belong to a project, or to a workspace (then every project of it inherits
them). A key is unique within a project together with its workspace's fields. Values live
in the task's `custom_fields` JSON; keys without a definition are kept as given.
The project's `custom_field_definitions` JSON is a read cache of its definitions that
only this module writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Integer, Select, bindparam, or_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import Conflict, NotFound, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Boolean, Choice, Field, FieldType, Loose, Moment, Number, Ref, Text
from polytask.core.query.jsonpath import (
    json_array_any,
    json_bool_int,
    json_number,
    json_scalar_text,
    json_text,
    json_type,
)
from polytask.core.query.listing import run_list
from polytask.core.statements import Prepared
from polytask.domain.events import payloads
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.fields.access import FIELDS
from polytask.domain.fields.queries import DEFINITION_LIST
from polytask.domain.fields.schemas import (
    WITH_OPTIONS,
    FieldDefinitionCreate,
    FieldDefinitionUpdate,
    key_from_name,
)
from polytask.domain.fields.values import fits, normalize
from polytask.domain.members.people import resolve_people
from polytask.domain.projects.service import get_project_and_membership, get_project_for
from polytask.domain.workspaces.access import membership_for, require_manager, require_write
from polytask.models import FieldDefinition, Project, Task

DEFINITION_FIELDS = tuple(payloads.FieldDefinition.model_fields)  # what its events carry


# --- reading ---------------------------------------------------------------------------------


class ProjectLike(Protocol):
    """What locating a project's fields takes: a Project, or its ids alone (ProjectRef)."""

    @property
    def id(self) -> int: ...

    @property
    def workspace_id(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ProjectRef:
    """A project by its ids, for callers that checked access without loading it."""

    id: int
    workspace_id: int


def _applying(workspace_id: Any, project_id: Any) -> Select[Any]:
    """The ids of the field definitions that apply to a project: its own and its workspace's
    (`workspace_id`, `project_id`: parameters or an outer query's columns)."""
    return (
        select(FieldDefinition.id)
        .where(FieldDefinition.workspace_id == workspace_id)
        .where(or_(FieldDefinition.project_id == project_id, FieldDefinition.project_id.is_(None)))
    )


def fields_apply(workspace_id: Any, project_id: Any) -> ColumnElement[bool]:
    """Whether any field definition applies to the project of an outer query's columns: a
    column for statements that read it with other things (a task create's first look)."""
    return _applying(workspace_id, project_id).exists()


# Most projects define no field: one prepared look says so before the ORM loads any.
_ANY_DEFINITION = Prepared(
    _applying(bindparam("workspace_id", type_=Integer), bindparam("project_id", type_=Integer)).limit(1)
)


def definitions_for(session: Session, project: ProjectLike) -> list[FieldDefinition]:
    """The project's own fields and its workspace's, by position."""
    where = {"workspace_id": project.workspace_id, "project_id": project.id}
    if not _ANY_DEFINITION.rows(session, where):
        return []
    stmt = (
        select(FieldDefinition)
        .where(FieldDefinition.workspace_id == project.workspace_id)
        .where(or_(FieldDefinition.project_id == project.id, FieldDefinition.project_id.is_(None)))
        .order_by(FieldDefinition.position, FieldDefinition.id)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a definition lives: one project, or (project None) a whole workspace."""

    workspace_id: int
    project: Project | None = None

    @property
    def project_id(self) -> int | None:
        return self.project.id if self.project is not None else None


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A task's value under a field's key as a change of definition leaves it (None: removed)."""

    task: Task
    value: Any


def _scope_definitions(session: Session, scope: Scope) -> list[FieldDefinition]:
    """The definitions a new key in `scope` must not collide with."""
    if scope.project is not None:
        return definitions_for(session, scope.project)
    stmt = select(FieldDefinition).where(FieldDefinition.workspace_id == scope.workspace_id)
    return list(session.scalars(stmt.order_by(FieldDefinition.position, FieldDefinition.id)))


def list_fields(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
) -> PageResult[FieldDefinition]:
    """The project's own fields and its workspace's, by position unless sorted otherwise."""
    project = get_project_for(session, actor, project_id)
    base = (
        select(FieldDefinition)
        .where(FieldDefinition.workspace_id == project.workspace_id)
        .where(or_(FieldDefinition.project_id == project.id, FieldDefinition.project_id.is_(None)))
    )
    return run_list(session, DEFINITION_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def list_workspace_fields(
    session: Session,
    actor: Actor,
    workspace_id: int,
    *,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
) -> PageResult[FieldDefinition]:
    """A workspace's own fields (the ones all its projects inherit)."""
    membership_for(session, actor, workspace_id)
    base = select(FieldDefinition).where(
        FieldDefinition.workspace_id == workspace_id, FieldDefinition.project_id.is_(None)
    )
    return run_list(session, DEFINITION_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def get_field_for(session: Session, actor: Actor, project_id: int, field_id: int) -> tuple[Project, FieldDefinition]:
    project = get_project_for(session, actor, project_id)
    return project, _field_of(session, project, field_id)


def _field_of(session: Session, project: Project, field_id: int) -> FieldDefinition:
    """One of the project's fields (its own or its workspace's), else NotFound."""
    found = session.get(FieldDefinition, field_id)
    if found is None or found.workspace_id != project.workspace_id or found.project_id not in (project.id, None):
        raise NotFound.of("custom_field", field_id)
    return found


def get_workspace_field_for(session: Session, actor: Actor, workspace_id: int, field_id: int) -> FieldDefinition:
    membership_for(session, actor, workspace_id)
    found = session.get(FieldDefinition, field_id)
    if found is None or found.workspace_id != workspace_id or found.project_id is not None:
        raise NotFound.of("custom_field", field_id)
    return found


def cache_of(definitions: list[FieldDefinition]) -> dict[str, Any]:
    """What a project's `custom_field_definitions` attribute shows."""
    out: dict[str, Any] = {}
    for d in definitions:
        entry: dict[str, Any] = {"id": f"field_{d.id}", "name": d.name, "type": d.type, "required": d.required}
        if d.options:
            entry["options"] = list(d.options)
        if d.default_value is not None:
            entry["default_value"] = d.default_value
        if d.config.get("currency"):
            entry["currency"] = d.config["currency"]
        if d.project_id is None:
            entry["inherited"] = True
        out[d.key] = entry
    return out


def _refresh_cache(session: Session, scope: Scope) -> None:
    """Rewrite the cached definitions of the project, or of every project of the workspace."""
    session.flush()
    projects = (
        [scope.project]
        if scope.project is not None
        else list(session.scalars(select(Project).where(Project.workspace_id == scope.workspace_id)))
    )
    for project in projects:
        project.custom_field_definitions = cache_of(definitions_for(session, project))


# --- definitions -----------------------------------------------------------------------------


def _check_default(defn: FieldDefinition, value: Any) -> Any:
    if value is None:
        return None
    try:
        return normalize(defn, value)
    except ValueError as exc:
        raise ValidationFailed.field("default_value", str(exc), value) from None


def create_field(session: Session, actor: Actor, *, project_id: int, data: FieldDefinitionCreate) -> FieldDefinition:
    project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    return add_definition(session, actor, project, data)


def create_workspace_field(
    session: Session, actor: Actor, *, workspace_id: int, data: FieldDefinitionCreate
) -> FieldDefinition:
    """A field every project of the workspace inherits (owners and admins only)."""
    require_manager(membership_for(session, actor, workspace_id))
    return _add(session, actor, Scope(workspace_id), data)


def add_definition(session: Session, actor: Actor, project: Project, data: FieldDefinitionCreate) -> FieldDefinition:
    """Add a field to `project` (the caller checked the actor may change it)."""
    return _add(session, actor, Scope(project.workspace_id, project), data)


def _add(session: Session, actor: Actor, scope: Scope, data: FieldDefinitionCreate) -> FieldDefinition:
    key = data.key or key_from_name(data.name)
    existing = _scope_definitions(session, scope)
    if any(d.key == key for d in existing):
        where = "project" if scope.project is not None else "workspace (or one of its projects)"
        raise Conflict(f"This {where} already has a custom field '{key}'", {"field": "key", "key": key})
    if data.type in WITH_OPTIONS and not data.options:
        raise ValidationFailed.field("options", f"a {data.type} field needs at least one option")
    if data.options and data.type not in WITH_OPTIONS:
        raise ValidationFailed.field("options", f"only {' and '.join(WITH_OPTIONS)} fields take options")
    defn = FieldDefinition(
        workspace_id=scope.workspace_id,
        project_id=scope.project_id,
        key=key,
        name=data.name,
        type=data.type,
        required=data.required,
        options=list(data.options),
        position=data.position if data.position is not None else float(len(existing)),
        config={"currency": data.currency} if data.currency else {},
    )
    defn.default_value = _check_default(defn, data.default_value)
    _check_existing_values(session, scope, defn)
    session.add(defn)
    session.flush()
    _refresh_cache(session, scope)
    record_event(
        session,
        actor,
        type="custom_field.created",
        resource_type="custom_field",
        resource_id=defn.id,
        workspace_id=defn.workspace_id,
        snapshot={"project_id": scope.project_id, **snapshot_of(defn, DEFINITION_FIELDS)},
    )
    return defn


def tasks_with_key(session: Session, scope: Scope, key: str) -> list[Task]:
    """Tasks in the scope that hold any value under `key`."""
    dialect = session.get_bind().dialect.name
    present = (
        json_scalar_text(Task.custom_fields, key, dialect).is_not(None)
        | json_array_any(Task.custom_fields, key, dialect, None)
        | (json_type(Task.custom_fields, key, dialect) == "object")
    )
    stmt = select(Task).where(Task.workspace_id == scope.workspace_id, present)
    if scope.project is not None:
        stmt = stmt.where(Task.project_id == scope.project.id)
    elif scope.workspace_id is not None:
        # Projects with their own field of this key keep their values.
        shadowed = select(FieldDefinition.project_id).where(
            FieldDefinition.workspace_id == scope.workspace_id,
            FieldDefinition.key == key,
            FieldDefinition.project_id.is_not(None),
        )
        stmt = stmt.where(Task.project_id.not_in(shadowed))
    return list(session.scalars(stmt))


def _check_existing_values(session: Session, scope: Scope, defn: FieldDefinition) -> None:
    """A new field must fit the values tasks already hold under its key."""
    misfits = [t for t in tasks_with_key(session, scope, defn.key) if not fits(defn, t.custom_fields[defn.key])]
    if misfits:
        raise ValidationFailed(
            f"{len(misfits)} task(s) hold values under '{defn.key}' that are not a valid {defn.type}",
            {
                "field": "type",
                "issue": "existing values do not fit",
                "task_ids": [f"task_{t.id}" for t in misfits[:20]],
            },
        )


def field_for_change(
    session: Session, actor: Actor, *, project_id: int, field_id: int, action: str
) -> tuple[Scope, FieldDefinition]:
    """A project's own field the actor may change (`action` it: a workspace field is refused)."""
    project, membership = get_project_and_membership(session, actor, project_id)
    defn = _field_of(session, project, field_id)
    require_write(membership)
    if defn.project_id is None:
        raise ValidationFailed.field("field_id", f"is a workspace field; {action} it on the workspace")
    return Scope(project.workspace_id, project), defn


def workspace_field_for_change(
    session: Session, actor: Actor, *, workspace_id: int, field_id: int
) -> tuple[Scope, FieldDefinition]:
    """A workspace field, if the actor is an owner or admin there."""
    defn = get_workspace_field_for(session, actor, workspace_id, field_id)
    require_manager(membership_for(session, actor, workspace_id))
    return Scope(workspace_id), defn


def _check_options(defn: FieldDefinition, data: FieldDefinitionUpdate) -> None:
    if "options" in data.model_fields_set and data.options is not None:
        if defn.type not in WITH_OPTIONS:
            raise ValidationFailed.field("options", f"only {' and '.join(WITH_OPTIONS)} fields take options")
        if not data.options:
            raise ValidationFailed.field("options", "needs at least one option")
    elif data.migrate_options:
        raise ValidationFailed.field("migrate_options", "is only used together with options")


def option_rewrites(
    session: Session, scope: Scope, defn: FieldDefinition, data: FieldDefinitionUpdate
) -> list[Rewrite]:
    """The task values that `data`'s new options would no longer fit, each with what
    `migrate_options` maps it to (None removes it); values it does not map refuse the change."""
    _check_options(defn, data)
    if "options" not in data.model_fields_set or data.options is None:
        return []
    migrate = data.migrate_options or {}
    for old, new in migrate.items():
        if new is not None and new not in data.options:
            raise ValidationFailed.field(f"migrate_options.{old}", f"'{new}' is not one of the new options", new)
    changed = FieldDefinition(key=defn.key, type=defn.type, options=data.options, config=defn.config)
    rewrites: list[Rewrite] = []
    stranded: list[Task] = []
    for task in tasks_with_key(session, scope, defn.key):
        value = task.custom_fields[defn.key]
        if fits(changed, value):
            continue
        if defn.type == "dropdown" and isinstance(value, str) and value in migrate:
            rewrites.append(Rewrite(task, migrate[value]))
        elif (
            defn.type == "multi_select"
            and isinstance(value, list)
            and all(fits(changed, [v]) or v in migrate for v in value)
        ):
            mapped = [migrate.get(v, v) if v in migrate else v for v in value]
            kept = list(dict.fromkeys(v for v in mapped if v is not None))
            rewrites.append(Rewrite(task, kept or None))
        else:
            stranded.append(task)
    if stranded:
        raise ValidationFailed(
            f"{len(stranded)} task(s) use options that are no longer listed; map them with migrate_options",
            {
                "field": "options",
                "issue": "values would no longer fit",
                "task_ids": [f"task_{t.id}" for t in stranded[:20]],
            },
        )
    return rewrites


def update_definition(
    session: Session, actor: Actor, scope: Scope, defn: FieldDefinition, data: FieldDefinitionUpdate
) -> FieldDefinition:
    """Apply `data` to a field whose task values already fit it (flows.fields rewrites those
    that would not, see option_rewrites); one custom_field.updated event."""
    before = snapshot_of(defn, DEFINITION_FIELDS)
    given = data.model_fields_set
    if "name" in given and data.name is not None:
        defn.name = data.name
    if "required" in given and data.required is not None:
        defn.required = data.required
    if "position" in given and data.position is not None:
        defn.position = data.position
    if "currency" in given:
        defn.config = {**defn.config, "currency": data.currency} if data.currency else {}
    _check_options(defn, data)
    if "options" in given and data.options is not None:
        defn.options = data.options
    if "default_value" in given:
        defn.default_value = _check_default(defn, data.default_value)
    _refresh_cache(session, scope)
    record_update(
        session,
        actor,
        resource_type="custom_field",
        resource_id=defn.id,
        workspace_id=defn.workspace_id,
        before=before,
        after=snapshot_of(defn, DEFINITION_FIELDS),
        project_id=defn.project_id,
    )
    return defn


def delete_definition(session: Session, actor: Actor, scope: Scope, defn: FieldDefinition) -> None:
    """Delete a field whose values the caller has removed from the tasks (flows.fields)."""
    field_id = defn.id
    snapshot = {"project_id": scope.project_id, **snapshot_of(defn, DEFINITION_FIELDS)}
    session.delete(defn)
    _refresh_cache(session, scope)
    record_event(
        session,
        actor,
        type="custom_field.deleted",
        resource_type="custom_field",
        resource_id=field_id,
        workspace_id=scope.workspace_id,
        snapshot=snapshot,
    )


def define_from_project_spec(session: Session, actor: Actor, project: Project, specs: dict[str, Any]) -> None:
    """The developer API's inline form: `custom_fields: {budget: {type: number, required: true}}`."""
    for key, spec in specs.items():
        body = {k: v for k, v in spec.items() if k in FieldDefinitionCreate.model_fields}
        body.setdefault("name", key)
        body["key"] = key if key == key_from_name(key) else key_from_name(key)
        try:
            data = FieldDefinitionCreate.model_validate(body)
        except Exception as exc:  # pydantic's ValidationError, reported against the key
            raise ValidationFailed.field(f"custom_fields.{key}", str(exc).splitlines()[-1].strip()) from None
        existing = {d.key: d for d in definitions_for(session, project)}
        if data.key in existing:
            continue
        add_definition(session, actor, project, data)


# --- values ----------------------------------------------------------------------------------


def check_values(
    session: Session,
    project: ProjectLike,
    values: dict[str, Any],
    *,
    current: dict[str, Any] | None,
    defined: bool = True,
    definitions: dict[str, FieldDefinition] | None = None,
) -> dict[str, Any]:
    """The task's custom fields after applying `values` (None removes a key).

    Defined keys are checked and normalised (422 naming `custom_fields.<key>`); on create
    (`current` is None) missing fields take their default. Undefined keys are kept as given.
    `defined=False`: the caller already knows no definition applies (`fields_apply`);
    `definitions`: the caller read them (by key) for many values of one project.
    """
    if definitions is None:
        definitions = {d.key: d for d in definitions_for(session, project)} if defined else {}
    result = dict(current or {})
    for key, value in values.items():
        field = f"custom_fields.{key}"
        defn = definitions.get(key)
        if value is None:
            if defn is not None and defn.required and current is not None and key in result:
                raise ValidationFailed.field(field, "is required and cannot be cleared")
            result.pop(key, None)
            continue
        if defn is None:
            result[key] = value
            continue
        try:
            result[key] = normalize(defn, value)
        except ValueError as exc:
            raise ValidationFailed.field(field, str(exc), value) from None
        if defn.type == "user":
            resolve_people(session, project.workspace_id, [result[key]], field)
    if current is None:
        for key, defn in definitions.items():
            if key not in result and defn.default_value is not None:
                result[key] = defn.default_value
    return result


# --- the query engine's view of custom fields -------------------------------------------------


def _field_for(defn: FieldDefinition | None, key: str, dialect: str) -> Field:
    column = Task.custom_fields
    name = f"custom_fields.{key}"
    if defn is None:
        text = json_scalar_text(column, key, dialect)
        return Field(name, Loose(json_number(column, key, dialect)), expr=text, sort_expr=text)
    kind = defn.type
    if kind in ("number", "percent", "rating", "duration"):
        return Field(name, Number(integer=kind == "rating"), expr=json_number(column, key, dialect))
    if kind == "currency":
        return Field(name, Number(), expr=json_number(column, key, dialect, sub="amount"))
    if kind == "dropdown":
        return Field(name, Choice(defn.options, ordered=True), expr=json_text(column, key, dialect))
    if kind in ("multi_select", "tags"):
        element: FieldType = Choice(defn.options) if kind == "multi_select" else Text()

        def any_of(values: list[Any] | None) -> Any:
            return json_array_any(column, key, dialect, values)

        return Field(name, element, any_of=any_of, sortable=False)
    if kind == "date":
        return Field(name, Moment("iso_date"), expr=json_text(column, key, dialect))
    if kind == "datetime":
        return Field(name, Moment("iso"), expr=json_text(column, key, dialect))
    if kind == "checkbox":
        return Field(name, Boolean(as_int=True), expr=json_bool_int(column, key, dialect))
    if kind == "user":
        return Field(name, Ref("user", prefixed=True), expr=json_text(column, key, dialect))
    return Field(name, Text(), expr=json_text(column, key, dialect))


def task_field_resolver(session: Session, actor: Actor, project_id: int | None) -> Any:
    """`custom_fields.<key>` for task lists, typed by the definitions in scope.

    Inside one project its definitions decide. Across projects, every definition of the key
    the caller can see must agree on the type; if they disagree the filter must name a project.
    """
    dialect = session.get_bind().dialect.name
    cache: dict[str, Field] = {}

    def resolve(key: str, param: str) -> Field:
        if key in cache:
            return cache[key]
        stmt = select(FieldDefinition).where(FieldDefinition.key == key)
        if project_id is not None:
            project = session.get(Project, project_id)
            assert project is not None
            stmt = stmt.where(
                FieldDefinition.workspace_id == project.workspace_id,
                or_(FieldDefinition.project_id == project_id, FieldDefinition.project_id.is_(None)),
            )
        else:
            stmt = stmt.where(FIELDS.visible(actor))
        found = list(session.scalars(stmt.limit(50)))
        signatures = {(d.type, tuple(d.options)) for d in found}
        if len({s[0] for s in signatures}) > 1:
            raise ValidationFailed(
                f"Custom field '{key}' has different types in different projects; filter by project_id",
                {"field": param, "issue": "ambiguous custom field type", "types": sorted({d.type for d in found})},
            )
        defn = found[0] if found else None
        if defn is not None and len(signatures) > 1 and defn.type in WITH_OPTIONS:
            # Same type, different options: accept any option any of them lists.
            merged = list(dict.fromkeys(o for d in found for o in d.options))
            defn = FieldDefinition(key=key, type=defn.type, options=merged, config=defn.config)
        cache[key] = _field_for(defn, key, dialect)
        return cache[key]

    return resolve
