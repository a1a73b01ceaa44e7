"""OAuth access tokens (`pto_...`) as /v1 credentials, next to API keys."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from polytask.api.credentials import raw_header
from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.domain.oauth.tokens import authenticate_access_token, touch_access_token


def _token(request: Request) -> str:
    return bearer_value(raw_header(request, b"authorization") or "")


def bearer_value(header: str) -> str:
    """The token of an `Authorization: Bearer <token>` header's value, else ""."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


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
