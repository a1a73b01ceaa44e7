"""The people directory behind `/v1/users`: the accounts the caller shares a workspace with
(the caller included; server admins with an unbound credential: everyone), filtered and
searched through the query engine; server admins' changes go through the account operations
of admin.py (the same as `/v1/admin/users`), never a copy of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound
from polytask.core.ids import parse_id, storable_key
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Boolean, Choice, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.core.query.tree import conditions
from polytask.domain.search import search_terms
from polytask.domain.users import admin
from polytask.domain.users.schemas import GLOBAL_ROLES, AccountUpdate, UserCreate
from polytask.domain.workspaces.access import MEMBERSHIPS, membership_for
from polytask.models import Membership, User


def _in_workspaces(values: list[Any] | None) -> Any:
    """The user has a membership in one of `values` (None: in any workspace). The list's check
    has made sure every workspace named is one the caller sees."""
    member = exists().where(Membership.user_id == User.id)
    return member if values is None else member.where(Membership.workspace_id.in_(values))


USER_FIELDS = Registry.of(
    "user",
    [
        Field("id", Ref("user"), expr=User.id),
        Field("name", Text(caseless=True), expr=User.name),
        Field("email", Text(caseless=True), expr=User.email),
        Field("username", Text(caseless=True), expr=User.username),
        Field("role", Choice(GLOBAL_ROLES), expr=User.role),
        Field("active", Boolean(), expr=User.is_active),
        Field("department", Text(caseless=True), expr=User.department),
        Field("workspace_id", Ref("workspace"), any_of=_in_workspaces),
        Field("created_at", Moment(), expr=User.created_at),
    ],
)


def _search(session: Session, raw: str) -> Any:
    """(id, score) of the accounts whose name, email or username holds every word, any case."""
    words = search_terms(raw)
    columns = (func.lower(User.name), func.lower(User.email), func.lower(User.username))
    every = and_(*[or_(*[c.contains(w, autoescape=True) for c in columns]) for w in words])
    return select(User.id.label("id"), literal(1, Integer).label("score")).where(every).subquery("user_search")


USER_LIST: ListSpec[User] = ListSpec("user", USER_FIELDS, User.id, default_sort=(SortKey("name"),), search=_search)


def sees_everyone(actor: Actor) -> bool:
    """Server admins with a credential bound to no workspace see every account."""
    return actor.global_role == admin.SERVER_ADMIN and actor.workspace_id is None


def _visible(actor: Actor) -> Any:
    """The accounts with a membership in a workspace the actor sees (themselves included)."""
    return User.id.in_(select(Membership.user_id).where(MEMBERSHIPS.visible(actor)))


def _check_named_workspaces(session: Session, actor: Actor, tree: Node | None) -> None:
    """A workspace named by `workspace_id`, under any operator, is one the caller sees (else
    404, as in a path): `workspace_id[ne]=` must not tell who is in someone else's workspace."""
    for cond in conditions(tree):
        if cond.field != "workspace_id":
            continue
        for raw in cond.values:
            for value in raw.split(",") if cond.split else [raw]:
                pk = parse_id("workspace", value.strip())
                if pk is not None:
                    membership_for(session, actor, pk)


def list_users_for(
    session: Session,
    actor: Actor,
    *,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
    search: str | None = None,
) -> PageResult[User]:
    """The people the actor shares a workspace with (deactivated accounts too), by name unless
    sorted; filter by `role` (server-wide), `active`, `department`, `workspace_id`, ..."""
    base = select(User) if sees_everyone(actor) else select(User).where(_visible(actor))
    return run_list(
        session,
        USER_LIST,
        actor=actor,
        base=base,
        page=page,
        sort=sort,
        tree=tree,
        search=search,
        check=lambda: _check_named_workspaces(session, actor, tree),
    )


def get_user_for(session: Session, actor: Actor, user_id: int) -> User:
    """Someone the actor shares a workspace with (anyone, for a server admin), else NotFound."""
    if not storable_key(user_id):
        raise NotFound.of("user", user_id)
    stmt = select(User).where(User.id == user_id)
    user = session.scalar(stmt if sees_everyone(actor) else stmt.where(_visible(actor)))
    if user is None:
        raise NotFound.of("user", user_id)
    return user


def create_user_for(session: Session, actor: Actor, *, data: UserCreate) -> User:
    """A new account with its personal workspace; server admins only (admin.create_account_for)."""
    return admin.create_account_for(session, actor, data=data)


def update_user_for(session: Session, actor: Actor, user_id: int, *, data: AccountUpdate) -> User:
    """Change an account's server-wide `role`, `active` or `name`; server admins only. Someone
    the caller cannot see is a 404 before the permission check says 403."""
    get_user_for(session, actor, user_id)
    return admin.update_account_for(session, actor, user_id, data=data)


def deactivate_user_for(session: Session, actor: Actor, user_id: int) -> User:
    """Deactivate an account (nothing is deleted: what it owns stays); server admins only."""
    return update_user_for(session, actor, user_id, data=AccountUpdate(active=False))
