"""Passwords a person sets themselves: changing their own, and resetting a forgotten one by mail.

A reset request always looks the same to the caller (accepted, nothing said about whether an
account has the address); requests are counted per client address (too many: 429, which says
nothing about accounts either) and per account (past the hourly number no further mail goes
out, silently). A reset token is random, stored as its SHA-256 digest, good once and until it
expires; using it, or changing the password, ends every browser session but the caller's own.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import as_utc, utcnow
from polytask.core.errors import RateLimitExceeded, ValidationFailed
from polytask.core.settings import Settings
from polytask.domain.events.service import record_event
from polytask.domain.mail import templates
from polytask.domain.mail.outbox import queue_mail
from polytask.domain.users.service import get_user, replace_password, verify_password
from polytask.models import PasswordReset, User

SESSION_KIND = "session"  # domain/sessions' credential kind: the caller's own session survives
WINDOW = timedelta(hours=1)
KEPT = timedelta(days=1)  # POLYTASK_PASSWORD_RESET_TTL_MINUTES is at most 1440


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _set_password(session: Session, actor: Actor | None, user: User, password: str, *, via: str) -> None:
    keep = actor.credential_id if actor is not None and actor.credential_kind == SESSION_KIND else None
    ended = replace_password(session, user, password, reason="password_changed", keep=keep)
    record_event(
        session,
        actor,
        type="user.password_changed",
        resource_type="user",
        resource_id=user.id,
        workspace_id=None,
        snapshot={"via": via, "sessions_ended": ended},
    )


def change_password(session: Session, actor: Actor, *, current_password: str, new_password: str) -> None:
    """Change your own password, knowing the current one; your other browser sessions end."""
    user = get_user(session, actor.user_id)
    if not verify_password(user, current_password):
        raise ValidationFailed.field("current_password", "is not your current password")
    if current_password == new_password:
        raise ValidationFailed.field("new_password", "must differ from the current password")
    _set_password(session, actor, user, new_password, via="change")


def request_password_reset(session: Session, settings: Settings, *, email: str, client_ip: str | None) -> None:
    """Mail a reset token to the account with this address, if there is one (and it has not
    had its hourly number of them); the same answer whatever the case."""
    now = utcnow()
    since = now - WINDOW
    if client_ip is not None:
        recent = list(
            session.scalars(
                select(PasswordReset.requested_at)
                .where(PasswordReset.client_ip == client_ip, PasswordReset.requested_at > since)
                .order_by(PasswordReset.requested_at.desc())
                .limit(settings.password_reset_per_hour)
            )
        )
        if len(recent) >= settings.password_reset_per_hour:
            oldest = as_utc(recent[-1])
            assert oldest is not None
            wait = max(1, math.ceil((oldest + WINDOW - now).total_seconds()))
            raise RateLimitExceeded(
                "Too many password-reset requests from this address; try again later", {"retry_after": wait}
            )
    # Requests older than a day count for nothing any more (tokens last a day at most).
    session.execute(delete(PasswordReset).where(PasswordReset.requested_at < now - KEPT))
    wanted = email.strip().lower()
    user = session.scalar(select(User).where(func.lower(User.email) == wanted, User.is_active.is_(True)))
    if user is None:
        session.add(PasswordReset(user_id=None, client_ip=client_ip, requested_at=now))
        session.flush()
        return
    mailed = session.scalar(
        select(func.count()).where(
            PasswordReset.user_id == user.id, PasswordReset.requested_at > since, PasswordReset.token_hash.is_not(None)
        )
    )
    if (mailed or 0) >= settings.password_reset_per_account_hour:
        session.add(PasswordReset(user_id=user.id, client_ip=client_ip, requested_at=now))
        session.flush()
        return
    mail_reset_token(session, settings, None, user, client_ip=client_ip)


def mail_reset_token(
    session: Session, settings: Settings, actor: Actor | None, user: User, *, client_ip: str | None
) -> None:
    """Queue a mail with a new reset token for the account (the self-service request above,
    or an admin's POST /v1/admin/users/{id}/password-reset); audited as
    user.password_reset_requested with the actor who asked (none: the person themselves)."""
    now = utcnow()
    token = "pwr_" + secrets.token_urlsafe(32)
    reset = PasswordReset(
        user_id=user.id,
        token_hash=_digest(token),
        client_ip=client_ip,
        requested_at=now,
        expires_at=now + timedelta(minutes=settings.password_reset_ttl_minutes),
    )
    session.add(reset)
    session.flush()
    record_event(
        session,
        actor,
        type="user.password_reset_requested",
        resource_type="user",
        resource_id=user.id,
        workspace_id=None,
        snapshot={"client_ip": client_ip},
    )
    letter = templates.password_reset(
        base=settings.link_base, name=user.name, token=token, minutes=settings.password_reset_ttl_minutes
    )
    queue_mail(session, to=user.email, message=letter, sender=settings.mail_from)


def confirm_password_reset(session: Session, *, token: str, new_password: str) -> None:
    """Set a new password with a mailed token: good once, before it expires, for an active account."""
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(token)).with_for_update())
    expires = as_utc(reset.expires_at) if reset is not None else None
    user = session.get(User, reset.user_id) if reset is not None and reset.user_id is not None else None
    if (
        reset is None
        or reset.used_at is not None
        or expires is None
        or expires <= utcnow()
        or user is None
        or not user.is_active
    ):
        raise ValidationFailed.field("token", "is unknown, already used or expired: ask for a new one")
    reset.used_at = utcnow()
    _set_password(session, None, user, new_password, via="reset")
