"""How the native surface authenticates: `Authorization: Bearer` with an API key or an OAuth
access token (`pto_...`); without an Authorization header, the browser session cookie
(api/sessions.py), whose state changes the CSRF middleware checks."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request

from polytask.api.credentials import authenticator, resolve_bearer
from polytask.api.oauth.bearer import authenticate_oauth_token, presents_oauth_token
from polytask.api.sessions import presents_session_only, session_auth
from polytask.core.actor import Actor
from polytask.core.db import Database

_api_key = authenticator(resolve_bearer)


def authenticate(db: Database, session: Session, request: Request, readonly: bool) -> Actor:
    """A session cookie alone, an OAuth access token, or an API key."""
    if presents_session_only(request):
        return session_auth(db, session, request, readonly)
    if presents_oauth_token(request):
        return authenticate_oauth_token(db, session, request, readonly)
    return _api_key(db, session, request, readonly)
