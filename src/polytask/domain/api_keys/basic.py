"""HTTP Basic credentials: the user's email as the login, one of their API keys as the password."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from polytask.core.errors import AuthenticationFailed
from polytask.domain.api_keys.service import Authenticated, authenticate_api_key
from polytask.domain.workspaces.service import home_workspace_id


def authenticate_email_and_key(session: Session, *, login: str, secret: str, client_ip: str | None) -> Authenticated:
    """The key's actor, bound to the workspace the single-tenant surfaces act in.

    The key must belong to the user whose email is the login; "(at)" stands for "@".
    """
    auth = authenticate_api_key(session, secret, client_ip=client_ip)
    email = login.strip().replace("(at)", "@").lower()
    # The key's row carries its user's email: no need to load the user.
    if auth.email is None or auth.email.lower() != email:
        raise AuthenticationFailed("The email and API key do not match", {"username": login})
    workspace_id = home_workspace_id(session, auth.actor)
    return Authenticated(
        actor=dataclasses.replace(auth.actor, workspace_id=workspace_id), needs_touch=auth.needs_touch, email=auth.email
    )
