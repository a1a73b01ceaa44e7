"""Departments of a workspace: named operations, permission-checked fetches, their list."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.ids import storable_key
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.departments.access import DEPARTMENTS
from polytask.domain.departments.schemas import DepartmentCreate, DepartmentUpdate
from polytask.domain.events.payloads import DepartmentSnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.workspaces.access import member_field, membership_for, require_flag
from polytask.models import Department, Membership

DEPARTMENT_FIELDS = tuple(DepartmentSnapshot.model_fields)
DEPARTMENT_FIELDS_REGISTRY = Registry.of(
    "department",
    [
        Field("id", Ref("department"), expr=Department.id),
        Field("name", Text(caseless=True), expr=Department.name),
        Field("workspace_id", Ref("workspace"), expr=Department.workspace_id),
        Field("head_user_id", Ref("user"), expr=Department.head_user_id),
        Field("created_at", Moment(), expr=Department.created_at),
        Field("updated_at", Moment(), expr=Department.updated_at),
    ],
)
DEPARTMENT_LIST: ListSpec[Department] = ListSpec(
    "department", DEPARTMENT_FIELDS_REGISTRY, Department.id, default_sort=(SortKey("name"),)
)


def get_department_for(
    session: Session, actor: Actor, department_id: int, *, workspace_id: int | None = None
) -> Department:
    """The department if the actor is a member of its workspace (and it is in `workspace_id`), else NotFound."""
    return DEPARTMENTS.get_for(session, actor, department_id, workspace_id=workspace_id)[0]


def department_in_workspace(session: Session, workspace_id: int, department_id: int, field: str) -> int:
    """`department_id` when it names a department of this workspace, else a 422 naming `field`."""
    found = (
        session.scalar(
            select(Department.id).where(Department.id == department_id, Department.workspace_id == workspace_id)
        )
        if storable_key(department_id)
        else None
    )
    if found is None:
        raise ValidationFailed.field(field, "is not a department of this workspace", department_id)
    return found


def list_departments(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[Department]:
    """Departments of one workspace (or of every workspace the actor sees), by name unless sorted."""
    base = select(Department).where(DEPARTMENTS.visible(actor))
    if workspace_id is not None:
        membership_for(session, actor, workspace_id)
        base = base.where(Department.workspace_id == workspace_id)
    return run_list(session, DEPARTMENT_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def _check_name(session: Session, workspace_id: int, name: str, *, except_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed.field("name", "must not be blank")
    # The exact name too: SQLite's lower() folds ASCII only, so "Ã" and "ã" differ there, and
    # the table's unique key (workspace, name) is exact.
    clash = select(Department.id).where(
        Department.workspace_id == workspace_id,
        or_(Department.name == name, func.lower(Department.name) == name.lower()),
    )
    if except_id is not None:
        clash = clash.where(Department.id != except_id)
    if session.scalar(clash) is not None:
        raise ValidationFailed.field("name", "is already the name of a department in this workspace", name)
    return name


def _check_head(session: Session, workspace_id: int, user_id: int | None) -> int | None:
    return None if user_id is None else member_field(session, workspace_id, user_id, "head_user_id")


def create_department(session: Session, actor: Actor, *, workspace_id: int, data: DepartmentCreate) -> Department:
    """Add a department to a workspace (needs the manage_users permission)."""
    require_flag(membership_for(session, actor, workspace_id), "manage_users")
    department = Department(
        workspace_id=workspace_id,
        name=_check_name(session, workspace_id, data.name),
        description=data.description,
        head_user_id=_check_head(session, workspace_id, data.head_user_id),
        created_by_id=actor.user_id,
    )
    session.add(department)
    session.flush()
    record_event(
        session,
        actor,
        type="department.created",
        resource_type="department",
        resource_id=department.id,
        workspace_id=workspace_id,
        snapshot=snapshot_of(department, DEPARTMENT_FIELDS),
    )
    return department


def update_department(session: Session, actor: Actor, *, department_id: int, data: DepartmentUpdate) -> Department:
    """Rename a department, describe it, or change its head."""
    department, membership = DEPARTMENTS.get_for(session, actor, department_id)
    require_flag(membership, "manage_users")
    before = snapshot_of(department, DEPARTMENT_FIELDS)
    given = data.model_fields_set
    for field in ("name", "description"):
        if field in given and getattr(data, field) is None:
            raise ValidationFailed.field(field, "cannot be null")
    if data.name is not None:
        department.name = _check_name(session, department.workspace_id, data.name, except_id=department.id)
        # Members' shown department label follows the record's name.
        session.execute(
            update(Membership).where(Membership.department_id == department.id).values(department=department.name)
        )
    if data.description is not None:
        department.description = data.description
    if "head_user_id" in given:
        department.head_user_id = _check_head(session, department.workspace_id, data.head_user_id)
    record_update(
        session,
        actor,
        resource_type="department",
        resource_id=department.id,
        workspace_id=department.workspace_id,
        before=before,
        after=snapshot_of(department, DEPARTMENT_FIELDS),
    )
    return department


def delete_department(session: Session, actor: Actor, *, department_id: int) -> None:
    """Delete a department; its members stay in the workspace with no department."""
    department, membership = DEPARTMENTS.get_for(session, actor, department_id)
    require_flag(membership, "manage_users")
    snapshot = snapshot_of(department, DEPARTMENT_FIELDS)
    workspace_id = department.workspace_id
    # The foreign key clears members' department_id (ON DELETE SET NULL); their label goes too.
    session.execute(update(Membership).where(Membership.department_id == department_id).values(department=None))
    session.execute(delete(Department).where(Department.id == department_id))
    session.expunge(department)
    record_event(
        session,
        actor,
        type="department.deleted",
        resource_type="department",
        resource_id=department_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )
