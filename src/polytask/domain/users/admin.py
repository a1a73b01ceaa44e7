"""Accounts as the server's operator sees them (`polytask users ...`) and as server admins
manage them over `/v1/admin/users`: every user, found by id, email or username, and the facts
an operator needs about one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied
from polytask.core.ids import parse_id
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Boolean, Choice, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import list_keys_of, revoke_any_api_key
from polytask.domain.users.passwords import mail_reset_token
from polytask.domain.users.schemas import GLOBAL_ROLES, AccountUpdate, UserCreate
from polytask.domain.users.service import (
    create_user,
    find_user_by_login,
    require_enabled,
    reset_password,
    update_user,
)
from polytask.models import ApiKey, BrowserSession, Membership, User, Workspace

ACCOUNTS: ListSpec[User] = ListSpec("user", Registry.of("user", [Field("id", Ref("user"), expr=User.id)]), User.id)

# Rows per page when the operator lists every account (the table is never loaded whole).
PAGE_SIZE = 500


def iter_accounts(session: Session, *, role: str | None = None, active: bool | None = None) -> Iterator[User]:
    """Every account, oldest first, read a page at a time."""
    base = select(User)
    if role is not None:
        base = base.where(User.role == role)
    if active is not None:
        base = base.where(User.is_active.is_(active))
    cursor: str | None = ""
    while cursor is not None:
        page = run_list(
            session, ACCOUNTS, actor=None, base=base, page=PageRequest(PAGE_SIZE, 0, want_total=False, cursor=cursor)
        )
        yield from page.items
        cursor = page.next_cursor


def find_account(session: Session, ident: str) -> User:
    """The account named by `user_42`, `42`, an email or a username (case-insensitive)."""
    user_id = parse_id("user", ident.strip())
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        user = find_user_by_login(session, ident)
    if user is None:
        raise NotFound(f"No user with id, email or username '{ident}'", {"user": ident})
    return user


@dataclass(frozen=True, slots=True)
class AccountFacts:
    user: User
    has_password: bool
    memberships: list[tuple[int, str, str]]  # workspace id, name, role
    live_keys: int
    revoked_keys: int
    live_sessions: int
    created_at: datetime


def account_facts(session: Session, user: User) -> AccountFacts:
    """What `polytask users show` prints: the account, its workspaces, keys and live sessions."""
    memberships = [
        (row[0], row[1], row[2])
        for row in session.execute(
            select(Workspace.id, Workspace.name, Membership.role)
            .join(Membership, Membership.workspace_id == Workspace.id)
            .where(Membership.user_id == user.id)
            .order_by(Workspace.id)
        )
    ]
    keys = dict(
        session.execute(
            select(ApiKey.revoked_at.is_(None), func.count())
            .where(ApiKey.user_id == user.id)
            .group_by(ApiKey.revoked_at.is_(None))
        ).all()
    )
    live_sessions = session.scalar(
        select(func.count()).where(BrowserSession.user_id == user.id, BrowserSession.revoked_at.is_(None))
    )
    return AccountFacts(
        user=user,
        has_password=bool(user.password_hash),
        memberships=memberships,
        live_keys=int(keys.get(True, 0)),
        revoked_keys=int(keys.get(False, 0)),
        live_sessions=int(live_sessions or 0),
        created_at=user.created_at,
    )


SERVER_ADMIN = "admin"

ADMIN_ACCOUNT_FIELDS = Registry.of(
    "user",
    [
        Field("id", Ref("user"), expr=User.id),
        Field("email", Text(), expr=User.email),
        Field("username", Text(), expr=User.username),
        Field("name", Text(), expr=User.name),
        Field("role", Choice(GLOBAL_ROLES), expr=User.role),
        Field("active", Boolean(), expr=User.is_active),
        Field("department", Text(), expr=User.department),
        Field("created_at", Moment(), expr=User.created_at),
    ],
)
ADMIN_ACCOUNTS: ListSpec[User] = ListSpec("user", ADMIN_ACCOUNT_FIELDS, User.id)


def _require_server_admin(actor: Actor) -> None:
    """Managing accounts is for server admins (global role `admin`) with an unbound credential."""
    if actor.global_role != SERVER_ADMIN:
        raise PermissionDenied("Managing accounts is for server admins", {"required_role": SERVER_ADMIN})
    if actor.workspace_id is not None:
        raise PermissionDenied(
            "A credential bound to one workspace cannot manage accounts; use an unbound one",
            {"workspace_id": f"workspace_{actor.workspace_id}"},
        )


def list_accounts_for(
    session: Session, actor: Actor, *, page: PageRequest, sort: Sequence[SortKey] = (), tree: Node | None = None
) -> PageResult[User]:
    """Every account of the server, oldest first; server admins only."""
    _require_server_admin(actor)
    return run_list(session, ADMIN_ACCOUNTS, actor=actor, base=select(User), page=page, sort=sort, tree=tree)


def get_account_for(session: Session, actor: Actor, user_id: int) -> User:
    """One account, disabled ones included; server admins only."""
    _require_server_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound.of("user", user_id)
    return user


def create_account_for(session: Session, actor: Actor, *, data: UserCreate) -> User:
    """A new account with its personal workspace (no password: it signs in with API keys only)."""
    _require_server_admin(actor)
    return create_user(session, actor, data=data)


def update_account_for(session: Session, actor: Actor, user_id: int, *, data: AccountUpdate) -> User:
    """Change an account's server-wide role, active flag or name (audited as user.updated)."""
    user = get_account_for(session, actor, user_id)
    return update_user(session, actor, user, role=data.role, is_active=data.active, name=data.name)


def mail_password_reset_for(session: Session, actor: Actor, user_id: int, *, settings: Settings) -> None:
    """Mail the account a password-reset token, as if they had asked (audited as
    user.password_reset_requested by the admin); refused for a disabled account."""
    user = get_account_for(session, actor, user_id)
    require_enabled(user)
    mail_reset_token(session, settings, actor, user, client_ip=None)


def set_password_for(session: Session, actor: Actor, user_id: int, *, password: str) -> None:
    """Set the account's password at once and end its browser sessions, as `polytask users
    reset-password` does with a generated one (user.password_reset); refused for a disabled account."""
    reset_password(session, actor, get_account_for(session, actor, user_id), password=password)


def list_account_keys_for(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
) -> PageResult[ApiKey]:
    """One account's API keys, revoked ones included (never a secret); server admins only."""
    user = get_account_for(session, actor, user_id)
    return list_keys_of(session, user.id, actor=actor, page=page, sort=sort, tree=tree)


def revoke_account_key_for(session: Session, actor: Actor, user_id: int, key_id: int) -> None:
    """Revoke one of the account's keys (404 when the key is someone else's); revoking twice is harmless."""
    user = get_account_for(session, actor, user_id)
    revoke_any_api_key(session, actor, key_id=key_id, user_id=user.id)
