"""How the native surface authenticates: `Authorization: Bearer` with an API key or an OAuth
access token (`pto_...`); without an Authorization header, the browser session cookie
(api/sessions.py), whose state changes the CSRF middleware checks."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request

from polytask.api.credentials import authenticator, raw_header, resolve_bearer
from polytask.api.oauth.bearer import authenticate_oauth_token, bearer_value
from polytask.api.sessions import session_auth, session_cookie
from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.domain.oauth.tokens import is_access_token

_api_key = authenticator(resolve_bearer)


def authenticate(db: Database, session: Session, request: Request, readonly: bool) -> Actor:
    """A session cookie alone, an OAuth access token, or an API key."""
    header = raw_header(request, b"authorization")
    if header is None:
        if session_cookie(request) is not None:  # a bearer credential, when present, wins
            return session_auth(db, session, request, readonly)
    elif is_access_token(bearer_value(header)):
        return authenticate_oauth_token(db, session, request, readonly)
    return _api_key(db, session, request, readonly)
