"""The unit of work of a request: one transaction, one thread hop, authenticated.

Handlers are written as plain functions taking `session` and `actor` and decorated with
`@transactional`. The decorator gives FastAPI an async endpoint that runs the whole
handler (authentication, the service call, rendering, commit) in ONE worker thread, on the
gates of api/kernel/units.py; the commit happens before the response is sent, so a failed
commit is reported. Credentials are the request's surface's (api/kernel/surface.py) unless
the handler names its own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from polytask.api.authaudit import audit_rejection
from polytask.api.credentials import Authenticator
from polytask.api.kernel.surface import surface_of
from polytask.api.kernel.units import SHARED_UNIT, in_unit
from polytask.core.actor import Actor
from polytask.core.db import Database, WriteNeeded
from polytask.core.errors import AuthenticationFailed
from polytask.core.scopes import SCOPES, require_scope
from polytask.core.settings import Settings

R = TypeVar("R")
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_INJECTED = ("session", "actor")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def run_unit(
    request: Request,
    work: Callable[[Session, Actor], R],
    *,
    scope: str,
    authenticate: Authenticator | None = None,
    readonly: bool | None = None,
) -> R:
    """Authenticate, check the credential's scope, and run `work` in one transaction on one worker thread.

    `readonly` defaults to the request method (GET/HEAD/OPTIONS read). Work in a read unit
    that raises WriteNeeded (it found it must write) runs again, once, in a write unit.
    """
    db: Database = request.app.state.db
    if readonly is None:
        readonly = request.method in _READ_METHODS
    if SHARED_UNIT in request.scope:
        # Inside an atomic batch every step writes through the batch's one session, the
        # credential's "last used" touch included (a second writer would wait on SQLite's lock).
        readonly = False

    rejected: list[AuthenticationFailed] = []
    if authenticate is None:
        surface = surface_of(request.scope)
        if surface is None or surface.authenticate is None:
            raise RuntimeError(f"{request.url.path} has no surface with credentials: pass `authenticate`")
        authenticate = surface.authenticate
    credentials: Authenticator = authenticate

    def unit(readonly: bool) -> Callable[[Session], R]:
        def in_thread(session: Session) -> R:
            try:
                actor = credentials(db, session, request, readonly)
            except AuthenticationFailed as exc:
                rejected.append(exc)
                raise
            require_scope(actor, scope)
            return work(session, actor)

        return in_thread

    try:
        try:
            return await in_unit(request, unit(readonly), readonly=readonly)
        except WriteNeeded:
            if not readonly:
                raise
            # A read that must write after all (core/db.py require_writable): it wrote nothing,
            # so run it again from the start as a write unit.
            return await in_unit(request, unit(False), readonly=False)
    except AuthenticationFailed:
        if rejected and SHARED_UNIT not in request.scope:
            # Audited in a transaction of its own: this one has rolled back (api/authaudit.py).
            await audit_rejection(request, rejected[0])
        raise


def transactional(
    scope: str, *, authenticate: Authenticator | None = None, readonly: bool | None = None
) -> Callable[[Callable[..., R]], Callable[..., Awaitable[R]]]:
    """Turn `handler(..., session, actor)` into an endpoint that runs it as one unit of work,
    for credentials that carry `scope` (see core/scopes.py).

    FastAPI sees the handler's other parameters (path, query, body, `request`) unchanged.
    A surface passes its own `authenticate` (see `authenticator`); `readonly` overrides the
    method-based choice of a read or write transaction.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def decorate(handler: Callable[..., R]) -> Callable[..., Awaitable[R]]:
        return _endpoint(handler, scope, authenticate, readonly)

    return decorate


def _endpoint(
    handler: Callable[..., R], scope: str, authenticate: Authenticator | None, readonly: bool | None
) -> Callable[..., Awaitable[R]]:
    hints = inspect.get_annotations(handler, eval_str=True)
    signature = inspect.signature(handler)
    wants_request = "request" in signature.parameters
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation), kind=inspect.Parameter.KEYWORD_ONLY)
        for p in signature.parameters.values()
        if p.name not in _INJECTED
    ]
    if not wants_request:
        params.insert(0, inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request))

    @functools.wraps(handler)
    async def endpoint(**kwargs: Any) -> R:
        request: Request = kwargs["request"] if wants_request else kwargs.pop("request")
        return await run_unit(
            request,
            lambda session, actor: handler(**kwargs, session=session, actor=actor),
            scope=scope,
            authenticate=authenticate,
            readonly=readonly,
        )

    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=params, return_annotation=hints.get("return", signature.return_annotation)
    )
    del endpoint.__wrapped__  # FastAPI must read the new signature, not the handler's
    endpoint.required_scope = scope  # type: ignore[attr-defined]  # read by create_app for the docs
    return endpoint
