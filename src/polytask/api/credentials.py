"""Credentials: how a surface turns what a request presents into an actor.

A surface supplies a `CredentialResolver` (Bearer key, HTTP Basic, a session cookie,
X-Secret-Key ...) and gets an `Authenticator` from `authenticator`, which also records the
credential's use. Each surface declares its default authenticator (api/kernel/surface.py).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.requests import Request

from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.core.errors import AuthenticationFailed
from polytask.domain.api_keys.service import Authenticated, authenticate_api_key, touch_api_key


def raw_header(request: Request, name: bytes) -> str | None:
    """The first value of header `name` (lower case), as `request.headers.get` gives it,
    read from the scope without building Starlette's Headers (about 1.5 us a request)."""
    for key, value in request.scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def client_host(request: Request) -> str | None:
    """`request.client.host`, without building the Address."""
    client = request.scope.get("client")
    return str(client[0]) if client else None


def bearer_token(request: Request) -> str:
    header = raw_header(request, b"authorization")
    if not header:
        raise AuthenticationFailed(
            "Missing credentials: send 'Authorization: Bearer <api key>'", {"header": "Authorization"}
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("The Authorization header must be 'Bearer <api key>'", {"header": "Authorization"})
    return token


# Turns the request's credentials into an authenticated key (raises AuthenticationFailed).
CredentialResolver = Callable[[Session, Request], Authenticated]
# Resolves, records use and returns the actor: (db, session, request, readonly) -> Actor.
Authenticator = Callable[[Database, Session, Request, bool], Actor]


def resolve_bearer(session: Session, request: Request) -> Authenticated:
    """`Authorization: Bearer <api key>` (the native surface)."""
    return authenticate_api_key(session, bearer_token(request), client_ip=client_host(request))


def authenticator(resolve: CredentialResolver, touch: Callable[[Session, int], None] = touch_api_key) -> Authenticator:
    """An authenticator for a surface's own way of presenting credentials (`touch` records use)."""

    def authenticate(db: Database, session: Session, request: Request, readonly: bool) -> Actor:
        auth = resolve(session, request)
        key_id = auth.actor.credential_id
        # Record the key's use at most once a minute.
        if auth.needs_touch and key_id is not None:
            if readonly:
                with db.unit_of_work() as writer:
                    touch(writer, key_id)
            else:
                touch(session, key_id)
        # request.state.actor, written straight into the dict Starlette's State wraps.
        request.scope.setdefault("state", {})["actor"] = auth.actor
        return auth.actor

    return authenticate
