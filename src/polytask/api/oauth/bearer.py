"""OAuth access tokens (`pto_...`) as /v1 credentials, next to API keys."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.domain.oauth.tokens import authenticate_access_token, is_access_token, touch_access_token


def _token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def presents_oauth_token(request: Request) -> bool:
    return is_access_token(_token(request))


def authenticate_oauth_token(db: Database, session: Session, request: Request, readonly: bool) -> Actor:
    """Resolve the access token, record its use at most once a minute, and return its actor."""
    client = request.client.host if request.client else None
    auth = authenticate_access_token(session, _token(request), client_ip=client)
    token_id = auth.actor.credential_id
    if auth.needs_touch and token_id is not None:
        if readonly:
            with db.unit_of_work() as writer:
                touch_access_token(writer, token_id)
        else:
            touch_access_token(session, token_id)
    request.state.actor = auth.actor
    return auth.actor
