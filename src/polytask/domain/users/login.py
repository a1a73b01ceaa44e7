"""Signing in with a username-or-email and password, throttled per account and per client address.

Shared by every place a person signs in: the OAuth authorization page and the TaskFlow
session login (`surface` names which one in the audit events).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from polytask.core.clock import as_utc, utcnow
from polytask.core.settings import Settings
from polytask.domain.events.service import record_event
from polytask.domain.users.service import find_user_by_login, hash_password, verify_password
from polytask.models import LoginFailure, User

BAD_CREDENTIALS = "Invalid username or password."


@dataclass(frozen=True, slots=True)
class SignIn:
    user_id: int | None
    message: str = ""
    retry_after: int = 0  # seconds, when throttled


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not a real password")


def _retry_after(session: Session, subject: str, limit: int, since: datetime, window: timedelta) -> int | None:
    """Seconds until `subject` may try again, or None when it is under its limit."""
    recent = list(
        session.scalars(
            select(LoginFailure.failed_at)
            .where(LoginFailure.subject == subject, LoginFailure.failed_at > since)
            .order_by(LoginFailure.failed_at.desc())
            .limit(limit)
        )
    )
    if len(recent) < limit:
        return None
    # The oldest of the last `limit` failures has to leave the window.
    frees_at = as_utc(recent[-1])
    assert frees_at is not None
    return max(1, math.ceil((frees_at + window - utcnow()).total_seconds()))


def _audit(
    session: Session, type: str, user: User | None, login: str, client_ip: str | None, surface: str, **extra: object
) -> None:
    record_event(
        session,
        None,
        type=type,
        resource_type="user",
        resource_id=user.id if user else 0,
        workspace_id=None,
        snapshot={"login": login[:200], "client_ip": client_ip, "surface": surface, **extra},
    )


def sign_in(
    session: Session,
    settings: Settings,
    *,
    login: str,
    password: str,
    client_ip: str | None,
    surface: str = "oauth",
) -> SignIn:
    """Check a username-or-email and password; failures are counted, and too many lock the sign-in."""
    window = timedelta(seconds=settings.login_lockout_seconds)
    since = utcnow() - window
    ip_subject = f"ip:{client_ip or 'unknown'}"
    user = find_user_by_login(session, login) if login.strip() else None
    wait = _retry_after(session, ip_subject, settings.login_max_failures_per_ip, since, window)
    if wait is None and user is not None:
        wait = _retry_after(session, f"user:{user.id}", settings.login_max_failures, since, window)
    if wait is not None:
        _audit(session, "auth.login_throttled", user, login, client_ip, surface, retry_after=wait)
        minutes = math.ceil(wait / 60)
        return SignIn(
            None,
            f"Too many failed sign-in attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            wait,
        )
    if user is None:
        _ = verify_password(User(password_hash=_dummy_hash()), password)  # same cost as a real check
        ok = False
    else:
        ok = verify_password(user, password) and user.is_active
    if not ok:
        subjects = [ip_subject] + ([f"user:{user.id}"] if user is not None else [])
        # Rows that left the window count for nothing: drop them, so the table stays small.
        session.execute(delete(LoginFailure).where(LoginFailure.subject.in_(subjects), LoginFailure.failed_at <= since))
        session.add_all(LoginFailure(subject=subject) for subject in subjects)
        _audit(session, "auth.login_failed", user, login, client_ip, surface)
        return SignIn(None, BAD_CREDENTIALS)
    assert user is not None
    session.execute(delete(LoginFailure).where(LoginFailure.subject == f"user:{user.id}"))
    _audit(session, "auth.login_succeeded", user, login, client_ip, surface)
    return SignIn(user.id)


def active_user(session: Session, user_id: object) -> User | None:
    """The signed-in user of the OAuth page's cookie, if it still exists and is active."""
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None
