"""Self-service sign-up, for servers whose operator enables it (POLYTASK_OPEN_SIGNUP)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from polytask.core.errors import PermissionDenied, ValidationFailed
from polytask.domain.api_keys.service import IssuedKey, create_api_key
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import create_user

SIGNUP_FIELDS = ("email", "name", "password")


def sign_up(session: Session, *, enabled: bool, fields: dict[str, Any]) -> IssuedKey:
    """Create an account (with its personal workspace) and its first API key.

    Refused outright, before the fields are even read, unless the operator opened sign-up.
    """
    if not enabled:
        raise PermissionDenied(
            "Sign-up is closed on this server: ask its administrator for an account",
            {"setting": "POLYTASK_OPEN_SIGNUP"},
        )
    try:
        data = UserCreate.model_validate({k: v for k, v in fields.items() if k in SIGNUP_FIELDS and v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise ValidationFailed.field(field, first["msg"], first.get("input")) from None
    user = create_user(session, None, data=data)
    return create_api_key(session, None, user=user, name="Taskforce sign-up")
