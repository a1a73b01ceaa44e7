"""People: creation, lookup, passwords and the first-run admin."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Integer, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.db import require_thread
from polytask.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from polytask.core.keycache import forget_verified_keys
from polytask.core.statements import Prepared
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.users.schemas import UserCreate
from polytask.domain.workspaces.service import create_personal_workspace
from polytask.models import BrowserSession, LoginFailure, PasswordReset, User

# argon2-cffi's defaults are the RFC 9106 low-memory argon2id profile.
_hasher = PasswordHasher()

USER_FIELDS = ("username", "email", "name", "role", "department", "is_active")


@dataclass(frozen=True, slots=True)
class UserCard:
    """What a rendered person shows, read without the ORM (a page's included assignees)."""

    id: int
    name: str
    username: str
    email: str
    role: str
    department: str | None
    created_at: datetime


_USER_CARDS = Prepared(
    select(User.id, User.name, User.username, User.email, User.role, User.department, User.created_at).where(
        User.id.in_(bindparam("ids", expanding=True))
    ),
    expanding="ids",
)


_ACTIVE_USER_CARD = Prepared(
    select(User.id, User.name, User.username, User.email, User.role, User.department, User.created_at).where(
        User.id == bindparam("user_id", type_=Integer), User.is_active.is_(True)
    )
)


def get_user_card(session: Session, user_id: int) -> UserCard:
    """An active user's public card (get_user's answer, read without the ORM)."""
    rows = _ACTIVE_USER_CARD.rows(session, {"user_id": user_id})
    if not rows:
        raise NotFound.of("user", user_id)
    return UserCard(*rows[0])


def users_by_id(session: Session, user_ids: list[int]) -> dict[int, UserCard]:
    """The people with these ids (those that exist), by id."""
    if not user_ids:
        return {}
    return {row[0]: UserCard(*row) for row in _USER_CARDS.rows(session, {"ids": user_ids})}


def hash_password(password: str) -> str:
    require_thread()  # tens of milliseconds of CPU: never on the event loop
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    require_thread()
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _username_from_email(session: Session, email: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "", email.split("@", 1)[0]) or "user"
    candidate, n = base, 1
    while session.scalar(select(User.id).where(func.lower(User.username) == candidate.lower())):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def create_user(session: Session, actor: Actor | None, *, data: UserCreate, personal_workspace: bool = True) -> User:
    """Create a user and their personal workspace (owned by them), unless told not to: someone
    made inside a team's workspace (domain/flows/people.py) works there."""
    email = data.email.lower()
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise Conflict(f"A user with email '{email}' already exists", {"field": "email"})
    username = data.username or _username_from_email(session, email)
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise Conflict(f"A user with username '{username}' already exists", {"field": "username"})
    user = User(
        email=email,
        username=username,
        name=data.name or username,
        password_hash=hash_password(data.password) if data.password else None,
        role=data.role,
        department=data.department,
        is_active=True,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor,
        type="user.created",
        resource_type="user",
        resource_id=user.id,
        workspace_id=None,
        snapshot=snapshot_of(user, USER_FIELDS),
    )
    if personal_workspace:
        create_personal_workspace(session, actor, owner=user)
    return user


def update_user(
    session: Session,
    actor: Actor | None,
    user: User,
    *,
    role: str | None = None,
    is_active: bool | None = None,
    name: str | None = None,
) -> User:
    """Change an account's server-wide role, active flag or name: server admins only (None: the
    operator at the server, `polytask users ...`), never their own role or active flag, and never
    the last active admin's (a server keeps an admin who can undo it)."""
    if actor is not None and actor.global_role != "admin":
        raise PermissionDenied("Only a server admin can change accounts", {"required_role": "admin"})
    if (
        actor is not None
        and user.id == actor.user_id
        and ((role is not None and role != user.role) or is_active is False)
    ):
        raise ValidationFailed.field(
            "role" if role is not None else "active", "you cannot demote or deactivate yourself"
        )
    demoted = role is not None and role != "admin"
    losing_admin = user.role == "admin" and user.is_active and (demoted or is_active is False)
    if losing_admin and not _another_admin(session, user):
        raise ValidationFailed.field(
            "role" if demoted else "active", f"'{user.username}' is the last active admin: promote another first"
        )
    before = snapshot_of(user, USER_FIELDS)
    if role is not None:
        user.role = role
    if is_active is not None:
        user.is_active = is_active
    if name is not None:
        user.name = name
    after = snapshot_of(user, USER_FIELDS)
    if after != before:
        session.flush()
        if (after["role"], after["is_active"]) != (before["role"], before["is_active"]):
            # Cached key rows carry the user's role and active flag (core/keycache.py).
            forget_verified_keys(session)
        if before["is_active"] and not after["is_active"]:
            end_browser_sessions(session, user.id, "user_disabled")
        record_update(
            session,
            actor,
            resource_type="user",
            resource_id=user.id,
            workspace_id=None,
            before=before,
            after=after,
        )
    return user


def _another_admin(session: Session, user: User) -> bool:
    return (
        session.scalar(
            select(User.id).where(User.role == "admin", User.is_active.is_(True), User.id != user.id).limit(1)
        )
        is not None
    )


def end_browser_sessions(session: Session, user_id: int, reason: str, *, keep: int | None = None) -> int:
    """Revoke the user's live browser sessions (domain/sessions reads the same rows), but the one
    `keep` names; how many."""
    stmt = update(BrowserSession).where(BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(BrowserSession.id != keep)
    result = session.execute(stmt.values(revoked_at=utcnow(), revoked_reason=reason))
    return int(getattr(result, "rowcount", 0) or 0)


def replace_password(session: Session, user: User, password: str, *, reason: str, keep: int | None = None) -> int:
    """Store a new password for the account, whoever sets it: end its browser sessions (but
    `keep`), clear its failed sign-ins, make reset links already mailed useless. Returns how
    many sessions ended; the caller records the event."""
    user.password_hash = hash_password(password)
    ended = end_browser_sessions(session, user.id, reason, keep=keep)
    session.execute(delete(LoginFailure).where(LoginFailure.subject == f"user:{user.id}"))
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None), PasswordReset.token_hash.is_not(None))
        .values(used_at=utcnow())
    )
    session.flush()
    return ended


def require_enabled(user: User) -> None:
    """Credentials are not handed to a disabled account (422 naming `user`): enable it first."""
    if not user.is_active:
        raise ValidationFailed.field("user", "is disabled: enable it first", f"user_{user.id}")


def reset_password(session: Session, actor: Actor | None, user: User, *, password: str | None = None) -> str:
    """Replace a disabled-or-not account's password by someone other than its owner (the
    operator's `polytask users reset-password`, an admin's POST
    /v1/admin/users/{id}/password-reset): the one given, or a generated one. Every browser
    session of the account ends; audited as user.password_reset. Returns the password."""
    require_enabled(user)
    generated = password is None
    if password is None:
        password = secrets.token_urlsafe(12)
    ended = replace_password(session, user, password, reason="password_reset")
    record_event(
        session,
        actor,
        type="user.password_reset",
        resource_type="user",
        resource_id=user.id,
        workspace_id=None,
        snapshot={"sessions_ended": ended, "generated": generated},
    )
    return password


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound.of("user", user_id)
    return user


def find_user_by_login(session: Session, login: str) -> User | None:
    """Look a user up by email or username, case-insensitively."""
    login = login.strip().lower()
    return session.scalar(select(User).where(or_(func.lower(User.email) == login, func.lower(User.username) == login)))


def has_any_user(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def first_admin_username(session: Session) -> str | None:
    """The username of the oldest active server admin (what a restart's hint names)."""
    return session.scalar(
        select(User.username).where(User.role == "admin", User.is_active.is_(True)).order_by(User.id).limit(1)
    )


def bootstrap_admin(session: Session, *, email: str) -> tuple[User, str] | None:
    """On an empty database, create the admin user; returns it with its generated password."""
    if has_any_user(session):
        return None
    password = secrets.token_urlsafe(12)
    user = create_user(
        session,
        None,
        data=UserCreate(email=email, username="admin", name="Administrator", password=password, role="admin"),
    )
    return user, password
