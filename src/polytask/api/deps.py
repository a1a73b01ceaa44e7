"""Request-scoped dependencies: the unit of work, the actor, settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.core.errors import AuthenticationFailed
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import authenticate_api_key, touch_api_key

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, rolled back on error."""
    db = get_db(request)
    readonly = request.method in _READ_METHODS
    with db.unit_of_work(readonly=readonly) as session:
        session.info["readonly"] = readonly
        yield session


# scope="function": the commit happens before the response goes out, so a failed commit
# is reported to the client instead of being hidden behind a 2xx.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise AuthenticationFailed(
            "Missing credentials: send 'Authorization: Bearer <api key>'", {"header": "Authorization"}
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("The Authorization header must be 'Bearer <api key>'", {"header": "Authorization"})
    return token


def get_actor(request: Request, session: SessionDep) -> Actor:
    """Authenticate the bearer API key; record its use at most once a minute."""
    auth = authenticate_api_key(session, bearer_token(request))
    key_id = auth.actor.credential_id
    if auth.needs_touch and key_id is not None:
        if session.info.get("readonly"):
            with get_db(request).unit_of_work() as writer:
                touch_api_key(writer, key_id)
        else:
            touch_api_key(session, key_id)
    request.state.actor = auth.actor
    return auth.actor


ActorDep = Annotated[Actor, Depends(get_actor)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
