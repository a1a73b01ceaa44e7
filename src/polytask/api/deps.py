"""The unit of work of a request: one transaction, one thread hop, authenticated.

Handlers are written as plain functions taking `session` and `actor` and decorated with
`@transactional`. The decorator gives FastAPI an async endpoint that runs the whole
handler (authentication, the service call, rendering, commit) in ONE worker thread:

- no thread is ever held waiting for another thread, so SQLite writers cannot starve the
  pool while one of them holds the write lock;
- on SQLite, writers of this process queue on an asyncio lock before taking a thread, so
  waiting writers cost no thread at all (other processes still wait on the busy timeout);
- the commit happens before the response is sent, so a failed commit is reported.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.db import Database, HeldUnit, WriteNeeded
from polytask.core.errors import AuthenticationFailed
from polytask.core.scopes import SCOPES, require_scope
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import Authenticated, authenticate_api_key, touch_api_key

R = TypeVar("R")
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_INJECTED = ("session", "actor")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


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


# Turns the request's credentials into an authenticated key (raises AuthenticationFailed).
CredentialResolver = Callable[[Session, Request], Authenticated]
# Resolves, records use and returns the actor: (db, session, request, readonly) -> Actor.
Authenticator = Callable[[Database, Session, Request, bool], Actor]


def resolve_bearer(session: Session, request: Request) -> Authenticated:
    """`Authorization: Bearer <api key>` (the native surface)."""
    client = request.client.host if request.client else None
    return authenticate_api_key(session, bearer_token(request), client_ip=client)


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
        request.state.actor = auth.actor
        return auth.actor

    return authenticate


_authenticate_api_key = authenticator(resolve_bearer)


def _authenticate(db: Database, session: Session, request: Request, readonly: bool) -> Actor:
    """`Authorization: Bearer` with an API key, or with an OAuth access token (`pto_...`);
    without an Authorization header, the browser session cookie (api/sessions.py)."""
    # Imported here to keep the OAuth server out of this module's import block.
    from polytask.api.oauth.bearer import authenticate_oauth_token, presents_oauth_token
    from polytask.api.sessions import presents_session_only, session_auth

    if presents_session_only(request):
        return session_auth(db, session, request, readonly)

    if presents_oauth_token(request):
        return authenticate_oauth_token(db, session, request, readonly)
    return _authenticate_api_key(db, session, request, readonly)


class _Gates:
    """Per-app concurrency controls, created lazily inside the running event loop."""

    def __init__(self, threads: int) -> None:
        self.threads = anyio.CapacityLimiter(threads)
        self.sqlite_writer = anyio.Lock()


def _gates(request: Request) -> _Gates:
    state = request.app.state
    gates: _Gates | None = getattr(state, "unit_gates", None)
    if gates is None:
        gates = _Gates(state.settings.db_threads)
        state.unit_gates = gates
    return gates


def thread_limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's limit on worker threads doing database work (the read lane shares it)."""
    return _gates(request).threads


async def run_unit(
    request: Request,
    work: Callable[[Session, Actor], R],
    *,
    scope: str,
    authenticate: Authenticator = _authenticate,
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

    def unit(readonly: bool) -> Callable[[Session], R]:
        def in_thread(session: Session) -> R:
            try:
                actor = authenticate(db, session, request, readonly)
            except AuthenticationFailed as exc:
                rejected.append(exc)
                raise
            require_scope(actor, scope)
            return work(session, actor)

        return in_thread

    try:
        try:
            return await _in_unit(request, unit(readonly), readonly=readonly)
        except WriteNeeded:
            if not readonly:
                raise
            # A read that must write after all (core/db.py require_writable): it wrote nothing,
            # so run it again from the start as a write unit.
            return await _in_unit(request, unit(False), readonly=False)
    except AuthenticationFailed:
        if rejected and SHARED_UNIT not in request.scope:
            # Audited in a transaction of its own: this one has rolled back (api/authaudit.py).
            from polytask.api.authaudit import audit_rejection

            await audit_rejection(request, rejected[0])
        raise


async def run_anonymous(request: Request, work: Callable[[Session], R]) -> R:
    """A write unit of work without credentials (e.g. sign-up), on the same threads and gates."""
    return await _in_unit(request, work, readonly=False)


async def _in_unit(request: Request, work: Callable[[Session], R], *, readonly: bool) -> R:
    shared: SharedUnit | None = request.scope.get(SHARED_UNIT)
    if shared is not None:
        return await shared.run(work)
    db: Database = request.app.state.db
    gates = _gates(request)

    def in_thread() -> R:
        with db.unit_of_work(readonly=readonly) as session:
            return work(session)

    gate: AbstractAsyncContextManager[Any] = gates.sqlite_writer if db.is_sqlite and not readonly else nullcontext()
    async with gate:
        return await anyio.to_thread.run_sync(in_thread, limiter=gates.threads)


# --- one unit of work shared by several requests (atomic /v1/batch) ----------------------------
#
# An atomic batch dispatches each operation through the app as its own in-process request
# (so routing, validation, authentication, scope and permission checks are exactly those of
# a lone call). The batch opens ONE write session and puts it on each operation's ASGI scope
# under SHARED_UNIT; run_unit then runs the operation's work in that session instead of
# opening, committing and closing its own. The batch alone decides to commit or roll back.

SHARED_UNIT = "polytask.shared_unit"


class SharedUnit:
    """An open write transaction that operations run in one after another, never concurrently."""

    def __init__(self, held: HeldUnit, gates: _Gates) -> None:
        self._held = held
        self._gates = gates

    async def run(self, work: Callable[[Session], R]) -> R:
        return await anyio.to_thread.run_sync(work, self._held.session, limiter=self._gates.threads)

    async def complete(self) -> None:
        """Make every step durable (core/db.py commits)."""
        await anyio.to_thread.run_sync(self._held.commit, limiter=self._gates.threads)


@asynccontextmanager
async def shared_unit(request: Request) -> AsyncIterator[SharedUnit]:
    """A write session for a whole batch; it holds this process's SQLite writer gate until closed.

    Nothing is committed unless the caller calls `complete()`; leaving the block rolls back
    whatever is left and closes the session.
    """
    db: Database = request.app.state.db
    gates = _gates(request)
    gate: AbstractAsyncContextManager[Any] = gates.sqlite_writer if db.is_sqlite else nullcontext()
    async with gate:
        held = db.held_unit()
        try:
            yield SharedUnit(held, gates)
        finally:
            await anyio.to_thread.run_sync(held.close, limiter=gates.threads)


def transactional(
    scope: str, *, authenticate: Authenticator = _authenticate, readonly: bool | None = None
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
    handler: Callable[..., R], scope: str, authenticate: Authenticator, readonly: bool | None
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
