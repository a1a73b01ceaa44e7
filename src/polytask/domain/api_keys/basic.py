"""HTTP Basic credentials: the user's email as the login, one of their API keys as the password."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
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
    return Authenticated(actor=_bound(auth.actor, workspace_id), needs_touch=auth.needs_touch, email=auth.email)


# Actors bound to a workspace, by the actor they were made from: a cached key hands out the
# same actor object on every request (service.py VerifiedKey), so its bound copy is made once
# (a dataclass copy was about 1% of Taskforce's `GET /api/v1/tasks/{id}`). The entry holds the
# actor itself, so its id cannot be reused while the entry lives.
_BOUND: dict[int, tuple[Actor, int, Actor]] = {}
_BOUND_MAX = 10_000


def _bound(actor: Actor, workspace_id: int) -> Actor:
    if actor.workspace_id == workspace_id:
        return actor
    found = _BOUND.get(id(actor))
    if found is not None and found[0] is actor and found[1] == workspace_id:
        return found[2]
    bound = dataclasses.replace(actor, workspace_id=workspace_id)
    if len(_BOUND) >= _BOUND_MAX:
        _BOUND.clear()  # bounded: start again
    _BOUND[id(actor)] = (actor, workspace_id, bound)
    return bound
