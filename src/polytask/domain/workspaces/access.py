"""Who may do what in a workspace: roles, permission flags, and permission-checked fetches."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

from sqlalchemy import ColumnElement, Integer, and_, bindparam, case, exists, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied, ValidationFailed
from polytask.core.ids import storable_key
from polytask.core.statements import Prepared
from polytask.models import Membership, Workspace

ROLES: Final = ("owner", "admin", "member", "viewer")
# The roles that manage a workspace: its webhooks, audit log, workspace-wide fields, admins.
MANAGERS: Final = ("owner", "admin")
FLAGS: Final = ("create_projects", "manage_users", "view_analytics")

# Defaults per role; a membership's explicit flags override them (except for owners).
ROLE_DEFAULTS: Final[dict[str, dict[str, bool]]] = {
    "owner": {"create_projects": True, "manage_users": True, "view_analytics": True},
    "admin": {"create_projects": True, "manage_users": True, "view_analytics": True},
    "member": {"create_projects": True, "manage_users": False, "view_analytics": False},
    "viewer": {"create_projects": False, "manage_users": False, "view_analytics": False},
}


def effective_permissions(membership: Membership) -> dict[str, bool]:
    merged = dict(ROLE_DEFAULTS[membership.role])
    if membership.role != "owner":
        merged.update({k: bool(v) for k, v in (membership.permissions or {}).items() if k in FLAGS})
    return merged


_MEMBERSHIP = select(Membership).where(
    Membership.workspace_id == bindparam("workspace_id"), Membership.user_id == bindparam("user_id")
)


def membership_for(session: Session, actor: Actor, workspace_id: int) -> Membership:
    """The actor's membership, or NotFound: outsiders can't tell a foreign workspace from none."""
    if not actor.can_see_workspace(workspace_id):
        raise NotFound.of("workspace", workspace_id)
    membership = session.scalar(_MEMBERSHIP, {"workspace_id": workspace_id, "user_id": actor.user_id})
    if membership is None:
        raise NotFound.of("workspace", workspace_id)
    require_allowed_address(actor, workspace_id)
    return membership


_ROLE = Prepared(
    select(Membership.role).where(
        Membership.workspace_id == bindparam("workspace_id", type_=Integer),
        Membership.user_id == bindparam("user_id", type_=Integer),
    )
)


def role_in(session: Session, actor: Actor, workspace_id: int) -> str:
    """`membership_for`'s check, for a caller that needs only the role: the same 404s and
    address rule, through a statement compiled once and no ORM object."""
    if not actor.can_see_workspace(workspace_id):
        raise NotFound.of("workspace", workspace_id)
    found = _ROLE.rows(session, {"workspace_id": workspace_id, "user_id": actor.user_id})
    if not found:
        raise NotFound.of("workspace", workspace_id)
    require_allowed_address(actor, workspace_id)
    return str(found[0][0])


def require_allowed_address(actor: Actor, workspace_id: int) -> None:
    """403 when the workspace's IP allowlist excludes the caller (the actor is already a member)."""
    if workspace_id in actor.blocked_workspaces:
        raise PermissionDenied(
            "Your address is not on this workspace's IP allowlist",
            {"client_ip": actor.client_ip, "workspace_id": f"workspace_{workspace_id}"},
        )


def address_allowed(client_ip: str | None, networks: list[str]) -> bool:
    if not networks:
        return True
    if client_ip is None:
        return False
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def in_allowlisted_workspace(user_id: Any) -> Any:
    """A boolean column for credential lookups: is this user in any workspace with an IP allowlist?"""
    return (
        exists()
        .where(
            Membership.user_id == user_id,
            Workspace.id == Membership.workspace_id,
            Workspace.ip_allowlist_enabled.is_(True),
        )
        .label("allowlisted")
    )


_ALLOWLISTS = (
    select(Workspace.id, Workspace.security)
    .join(Membership, Membership.workspace_id == Workspace.id)
    .where(Membership.user_id == bindparam("user_id"), Workspace.ip_allowlist_enabled.is_(True))
)


def blocked_workspaces(session: Session, user_id: int, client_ip: str | None) -> frozenset[int]:
    """The user's workspaces whose IP allowlist refuses `client_ip` (for the actor of any credential)."""
    return frozenset(
        ws_id
        for ws_id, security in session.execute(_ALLOWLISTS, {"user_id": user_id})
        if not address_allowed(client_ip, list(security.get("ip_whitelisting", [])))
    )


@dataclass(frozen=True, slots=True)
class Viewer:
    """What the visibility rules compare an actor's rows with, as a statement's shape: the
    rules given a Viewer instead of an Actor (`WorkspaceRows.visible(viewer)`) name the
    actor's values as bound parameters (`viewer_params`), so that one statement serves every
    actor of that shape and is built once (domain/tasks/queries.py `task_list_base`)."""

    bound: bool  # the credential is bound to one workspace
    blocked: bool  # some of the user's workspaces refuse the caller's address
    bound_blocked: bool  # ... the bound one among them: nothing is visible


def viewer_of(actor: Actor) -> Viewer:
    bound = actor.workspace_id
    return Viewer(bound is not None, bool(actor.blocked_workspaces), bound in actor.blocked_workspaces)


def viewer_params(actor: Actor) -> dict[str, Any]:
    """The values of the parameters the rules written for `viewer_of(actor)` name."""
    params: dict[str, Any] = {"viewer_id": actor.user_id}
    if actor.workspace_id is not None:
        params["viewer_workspace"] = actor.workspace_id
    if actor.blocked_workspaces:
        params["viewer_blocked"] = sorted(actor.blocked_workspaces)
    return params


@dataclass(frozen=True, slots=True)
class _Terms:
    """The actor's side of the rules: literal values (an Actor) or bound parameters (a Viewer)."""

    user: Any
    blocked: Any  # None: nothing is blocked
    bound: Any  # None: not bound to one workspace
    bound_blocked: bool


_VIEWER_ID = bindparam("viewer_id", type_=Integer)
_VIEWER_WORKSPACE = bindparam("viewer_workspace", type_=Integer)
_VIEWER_BLOCKED = bindparam("viewer_blocked", type_=Integer, expanding=True)


def _terms(who: Actor | Viewer) -> _Terms:
    if isinstance(who, Viewer):
        return _Terms(
            _VIEWER_ID,
            _VIEWER_BLOCKED if who.blocked else None,
            _VIEWER_WORKSPACE if who.bound else None,
            who.bound_blocked,
        )
    bound = who.workspace_id
    blocked = who.blocked_workspaces
    return _Terms(who.user_id, blocked or None, bound, bound is not None and bound in blocked)


def visible_workspace_ids(actor: Actor | Viewer) -> Any:
    """A subquery of the workspace ids the actor may see."""
    return _visible_ids(_terms(actor))


def _visible_ids(terms: _Terms) -> Any:
    stmt = select(Membership.workspace_id).where(Membership.user_id == terms.user)
    if terms.blocked is not None:
        stmt = stmt.where(Membership.workspace_id.not_in(terms.blocked))
    if terms.bound is not None:
        stmt = stmt.where(Membership.workspace_id == terms.bound)
    return stmt


def home_workspace_of(who: Actor | Viewer) -> Any:
    """The caller's home workspace as an expression: the bound credential's, else their
    default one (`default_workspace_id`), for statements of the single-tenant surfaces."""
    terms = _terms(who)
    if terms.bound is not None:
        return terms.bound
    own = aliased(Membership)
    return (
        select(own.workspace_id)
        .where(own.user_id == terms.user)
        .order_by((own.role != "owner").asc(), own.id)
        .limit(1)
        .scalar_subquery()
    )


def managed_workspace_ids(actor: Actor | Viewer) -> Any:
    """A subquery of the visible workspaces the actor owns or administers (MANAGERS)."""
    return visible_workspace_ids(actor).where(Membership.role.in_(MANAGERS))


def require_manager(membership: Membership) -> None:
    """PermissionDenied unless the member owns or administers the workspace."""
    require_role(membership, *MANAGERS)


def in_visible_workspace(column: Any, actor: Actor | Viewer) -> ColumnElement[bool]:
    """`column` (a workspace id) is one the actor may see: the rule of `visible_workspace_ids`.

    For a credential bound to one workspace it is written as an equality plus a membership
    check that does not depend on the row, so the planner can walk an index that starts with
    the workspace (ix_tasks_workspace_due) in order instead of sorting the whole workspace;
    `column IN (subquery)` hides which single value it compares to."""
    terms = _terms(actor)
    if terms.bound is None:
        visible: ColumnElement[bool] = column.in_(_visible_ids(terms))
        return visible
    if terms.bound_blocked:
        return false()
    member = exists().where(Membership.user_id == terms.user, Membership.workspace_id == terms.bound)
    return and_(column == terms.bound, member)


_IS_MEMBER = select(Membership.id).where(
    Membership.workspace_id == bindparam("workspace_id", type_=Integer),
    Membership.user_id == bindparam("member_id", type_=Integer),
)


def is_member(session: Session, workspace_id: int, user_id: int) -> bool:
    """Whether `user_id` (someone named in a request, not the caller) belongs to the workspace."""
    return session.scalar(_IS_MEMBER, {"workspace_id": workspace_id, "member_id": user_id}) is not None


def member_field(session: Session, workspace_id: int, user_id: int, field: str) -> int:
    """`user_id` when it names a member of the workspace, else a 422 naming `field`."""
    if not storable_key(user_id) or not is_member(session, workspace_id, user_id):
        raise ValidationFailed.field(field, "is not a member of this workspace", user_id)
    return user_id


def require_write(membership: Membership) -> None:
    require_write_role(membership.role)


def require_write_role(role: str) -> None:
    """`require_write` for a caller that has the role alone (read with the project)."""
    if role == "viewer":
        raise PermissionDenied("Viewers cannot change this workspace's content", {"required_role": "member"})


def require_flag(membership: Membership, flag: str) -> None:
    if not effective_permissions(membership).get(flag, False):
        raise PermissionDenied(f"This action requires the '{flag}' permission", {"required_permission": flag})


def require_role(membership: Membership, *roles: str) -> None:
    if membership.role not in roles:
        raise PermissionDenied(f"This action requires the role {' or '.join(roles)}", {"required_role": list(roles)})


Row = TypeVar("Row")
Stmt = TypeVar("Stmt")


def reach_params(actor: Actor, row_id: int) -> dict[str, int]:
    """The parameters of a `WorkspaceRows.by_id` statement: the row, the caller, and the
    workspace a bound credential is held to (0, which no workspace has, for none)."""
    return {"row_id": row_id, "user_id": actor.user_id, "bound": actor.workspace_id or 0}


@dataclass(frozen=True, eq=False)
class WorkspaceRows(Generic[Row]):
    """How an actor reaches the rows of one table that belongs to workspaces: THE visibility
    rule of that resource, declared once in its package's access.py and used by its fetches,
    lists, bulk operations and feeds alike (tests/architecture/test_access.py).

    The rule: the caller is a member of the row's workspace, a credential bound to one
    workspace reaches nothing outside it, and a workspace whose IP allowlist refuses the
    caller is left out of lists (403 when fetched by id). `managers=True`: only its owners
    and admins (MANAGERS) see the rows; a fetch by another member is a 403.
    """

    model: type[Row]
    kind: str  # NotFound.of(kind, id)
    key: InstrumentedAttribute[Any]  # the row's id
    workspace: InstrumentedAttribute[Any]  # the row's workspace
    # The list predicate as `workspace IN (the visible ids)` instead of an equality for a bound
    # credential; see `visible`.
    among: bool = False
    managers: bool = False
    # The row's project, for tables whose rows live in one (lists narrowed to a project:
    # projects/access.py rows_in_project).
    project: InstrumentedAttribute[Any] | None = None
    _fetch: Any = field(default=None, init=False, repr=False)

    def visible(self, actor: Actor | Viewer) -> ColumnElement[bool]:
        """The rows the actor may see, as a predicate over the table (lists, bulk, feeds).

        By default written as `in_visible_workspace` (for a bound credential an equality the
        planner can walk an index with); `among` keeps `workspace IN (subquery)`, for tables
        whose lists narrow by another index first (tasks with a project filter)."""
        if self.managers:
            managed: ColumnElement[bool] = self.workspace.in_(managed_workspace_ids(actor))
            return managed
        if self.among:
            return self.among_visible(actor)
        return in_visible_workspace(self.workspace, actor)

    def among_visible(self, actor: Actor | Viewer) -> ColumnElement[bool]:
        """`visible` written as `workspace IN (the visible workspaces' ids)`."""
        among: ColumnElement[bool] = self.workspace.in_(visible_workspace_ids(actor))
        return among

    def by_id(self, stmt: Stmt, *, key: Any = None, home: bool = False) -> Stmt:
        """`stmt` narrowed to one row the caller may reach, joined with the caller's membership
        (select its role or the Membership). Parameters: `reach_params(actor, id)`; the IP
        allowlist is checked on the row afterwards (`require_allowed_address`).

        `key`: another unique column to find the row by (its value as `row_id`); `home`: only
        in the caller's home workspace (the bound credential's, else their default one, as
        `home_workspace_id` says), for the single-tenant surfaces, in the same statement."""
        bound = bindparam("bound", type_=Integer)
        column = self.key if key is None else key
        query: Any = stmt
        query = (
            query.join(
                Membership,
                and_(
                    Membership.workspace_id == self.workspace,
                    Membership.user_id == bindparam("user_id", type_=Integer),
                ),
            )
            .where(column == bindparam("row_id", type_=column.type))
            .where(or_(bound == 0, self.workspace == bound))
        )
        if home:
            query = query.where(self.workspace == case((bound != 0, bound), else_=_default_workspace()))
        narrowed: Stmt = query
        return narrowed

    def get_for(
        self, session: Session, actor: Actor, row_id: int, *, workspace_id: int | None = None
    ) -> tuple[Row, Membership]:
        """The row and the caller's membership of its workspace, in one statement; NotFound when
        it is missing, not visible, or not in `workspace_id` (when given)."""
        if self._fetch is None:
            # Built once, on first use: its shape is the same for every actor (bound parameters).
            object.__setattr__(self, "_fetch", self.by_id(select(self.model, Membership)))
        found = session.execute(self._fetch, reach_params(actor, row_id)).first() if storable_key(row_id) else None
        if found is None or (workspace_id is not None and found[1].workspace_id != workspace_id):
            raise NotFound.of(self.kind, row_id)
        row, membership = found[0], found[1]
        require_allowed_address(actor, membership.workspace_id)
        if self.managers:
            require_manager(membership)
        return row, membership


WORKSPACES: WorkspaceRows[Workspace] = WorkspaceRows(
    Workspace, "workspace", key=Workspace.id, workspace=Workspace.id, among=True
)
# Memberships: the people an actor meets in the workspaces they share (a predicate only; a
# member is fetched through its workspace, members.service).
MEMBERSHIPS: WorkspaceRows[Membership] = WorkspaceRows(
    Membership, "member", key=Membership.id, workspace=Membership.workspace_id, among=True
)


# Every request of a single-tenant surface asks (HTTP Basic without a workspace-bound key).
def _default_workspace() -> Any:
    """The caller's default workspace (`default_workspace_id`) as a scalar subquery."""
    own = aliased(Membership)
    return (
        select(own.workspace_id)
        .where(own.user_id == bindparam("user_id", type_=Integer))
        .order_by((own.role != "owner").asc(), own.id)
        .limit(1)
        .scalar_subquery()
    )


_DEFAULT_WORKSPACE = Prepared(
    select(Membership.workspace_id)
    .where(Membership.user_id == bindparam("user_id"))
    .order_by((Membership.role != "owner").asc(), Membership.id)
    .limit(1)
)


def default_workspace_id(session: Session, user_id: int) -> int | None:
    """The user's first owned workspace (their personal one), used by the compat surfaces; for
    someone with none of their own (created inside a team's workspace), the first they joined."""
    rows = _DEFAULT_WORKSPACE.rows(session, {"user_id": user_id})
    return int(rows[0][0]) if rows else None
