"""Self-service sign-up, for servers whose operator enables it (POLYTASK_OPEN_SIGNUP)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.core.errors import PermissionDenied
from polytask.domain.api_keys.service import IssuedKey, create_api_key
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import create_user


def require_open_signup(enabled: bool) -> None:
    """Refuse clearly when the operator has not opened sign-up."""
    if not enabled:
        raise PermissionDenied(
            "Sign-up is closed on this server: ask its administrator for an account",
            {"setting": "POLYTASK_OPEN_SIGNUP"},
        )


def sign_up(session: Session, *, enabled: bool, data: UserCreate) -> IssuedKey:
    """Create an account (with its personal workspace) and its first API key."""
    require_open_signup(enabled)
    user = create_user(session, None, data=data.model_copy(update={"role": "user"}))
    return create_api_key(session, None, user=user, name="Taskforce sign-up")
