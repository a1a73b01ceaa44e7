"""Server-side sessions behind the session cookie: started at login, checked on every request, ended at logout.

The cookie carries a random id (256 bits); the table keeps only its SHA-256 digest, so a
leaked database yields no usable cookie. A session ends when it is revoked (logout, a new
login from the same browser), after POLYTASK_SESSION_IDLE_TIMEOUT without use, after
POLYTASK_SESSION_ABSOLUTE_TIMEOUT in all, or at once when its user is deactivated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import as_utc, utcnow
from polytask.core.errors import AuthenticationFailed
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import Authenticated
from polytask.domain.events.service import record_event
from polytask.domain.users.login import SignIn, sign_in
from polytask.domain.workspaces.access import blocked_workspaces, in_allowlisted_workspace
from polytask.models import BrowserSession, User

CREDENTIAL_KIND = "session"
EXPIRED = "Your session has expired; log in again"
ENDED = "Your session has ended; log in again"


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_digest(raw: str) -> str:
    # 256 random bits: a fast digest is enough (nothing to stretch).
    return hashlib.sha256(raw.encode()).hexdigest()


def csrf_token_for(key: bytes, raw: str) -> str:
    """The session's CSRF token: an HMAC of its id, so it changes with the session and needs no storage."""
    return hmac.new(key, f"csrf-token.{raw}".encode(), hashlib.sha256).hexdigest()


def csrf_token_matches(key: bytes, raw: str, presented: str) -> bool:
    return hmac.compare_digest(presented.encode(), csrf_token_for(key, raw).encode())


@dataclass(frozen=True, slots=True)
class StartedSession:
    raw_id: str  # the cookie's value, handed out once
    session_id: int
    user: User


def _revoke_live(session: Session, raw: str, reason: str) -> BrowserSession | None:
    """Revoke the live session behind a cookie value; the row, or None when there was none."""
    row = session.scalar(
        select(BrowserSession).where(BrowserSession.id_hash == session_digest(raw), BrowserSession.revoked_at.is_(None))
    )
    if row is not None:
        row.revoked_at = utcnow()
        row.revoked_reason = reason
    return row


def start_session(
    session: Session,
    settings: Settings,
    *,
    user: User,
    client_ip: str | None,
    user_agent: str | None,
    replaces: str | None = None,
) -> StartedSession:
    """A new session for `user` with a fresh id; the one the browser presented (if any) is revoked."""
    now = utcnow()
    if replaces:
        _revoke_live(session, replaces, "rotated")
    # The user's sessions past their absolute limit can never come back: drop them.
    session.execute(delete(BrowserSession).where(BrowserSession.user_id == user.id, BrowserSession.expires_at <= now))
    raw = new_session_id()
    row = BrowserSession(
        id_hash=session_digest(raw),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.session_absolute_timeout),
        client_ip=client_ip,
        user_agent=(user_agent or "")[:500] or None,
    )
    session.add(row)
    session.flush()
    return StartedSession(raw_id=raw, session_id=row.id, user=user)


def log_in(
    session: Session,
    settings: Settings,
    *,
    login: str,
    password: str,
    client_ip: str | None,
    user_agent: str | None,
    replaces: str | None,
) -> StartedSession | SignIn:
    """Check the credentials (throttled, audited) and start a session; the refusal otherwise.

    A refusal is returned, not raised, so the failure it counted is committed.
    """
    outcome = sign_in(session, settings, login=login, password=password, client_ip=client_ip, surface="taskflow")
    if outcome.user_id is None:
        return outcome
    user = session.get(User, outcome.user_id)
    assert user is not None
    return start_session(session, settings, user=user, client_ip=client_ip, user_agent=user_agent, replaces=replaces)


# Built once: this runs on every request carrying the cookie.
_SESSION_BY_HASH = (
    select(
        BrowserSession.id,
        BrowserSession.user_id,
        BrowserSession.last_seen_at,
        BrowserSession.expires_at,
        BrowserSession.revoked_at,
        User.role,
        User.is_active,
        in_allowlisted_workspace(BrowserSession.user_id),
    )
    .join(User, User.id == BrowserSession.user_id)
    .where(BrowserSession.id_hash == bindparam("hash"))
)


def _touch_interval(settings: Settings) -> timedelta:
    # Often enough for the idle limit to hold to within a quarter of it; at most once a minute.
    return timedelta(seconds=min(60.0, settings.session_idle_timeout / 4))


def authenticate_session(session: Session, settings: Settings, raw: str, *, client_ip: str | None) -> Authenticated:
    """The actor of a session cookie: its user with all of their rights, or AuthenticationFailed."""
    row = session.execute(_SESSION_BY_HASH, {"hash": session_digest(raw)}).first() if raw else None
    if row is None:
        raise AuthenticationFailed("Authentication required", {"credential": "session"})
    now = utcnow()
    if row.revoked_at is not None:
        raise AuthenticationFailed(ENDED, {"credential": "session"})
    expires, seen = as_utc(row.expires_at), as_utc(row.last_seen_at)
    assert expires is not None
    assert seen is not None
    if expires <= now or seen + timedelta(seconds=settings.session_idle_timeout) <= now:
        raise AuthenticationFailed(EXPIRED, {"credential": "session"})
    if not row.is_active:
        raise AuthenticationFailed("This user is deactivated", {"credential": "session"})
    blocked: frozenset[int] = frozenset()
    if row.allowlisted:  # a second query only for users in a workspace with an allowlist
        blocked = blocked_workspaces(session, row.user_id, client_ip)
    actor = Actor(
        user_id=row.user_id,
        global_role=row.role,
        credential_id=row.id,
        credential_kind=CREDENTIAL_KIND,
        scopes=None,
        client_ip=client_ip,
        blocked_workspaces=blocked,
    )
    return Authenticated(actor=actor, needs_touch=now - seen >= _touch_interval(settings))


def touch_session(session: Session, session_id: int) -> None:
    """Record use (the idle limit counts from here); throttled by the caller."""
    session.execute(update(BrowserSession).where(BrowserSession.id == session_id).values(last_seen_at=utcnow()))


def end_session(session: Session, raw: str, *, client_ip: str | None) -> bool:
    """Logout: revoke the cookie's session; False when it was not a live session (nothing to end)."""
    row = _revoke_live(session, raw, "logout")
    if row is None:
        return False
    record_event(
        session,
        None,
        type="auth.logout",
        resource_type="user",
        resource_id=row.user_id,
        workspace_id=None,
        snapshot={"session_id": row.id, "client_ip": client_ip, "surface": "taskflow"},
    )
    return True


def get_session_user(session: Session, actor: Actor) -> User:
    """The user behind a session or bearer credential, if still active (GET /api/auth/me)."""
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("Authentication required", {"credential": "session"})
    return user
