"""`Idempotency-Key` on every POST and PATCH under /v1 (Stripe's semantics).

An ASGI middleware, so it covers every route (bulk and batch included) without touching
handlers. For a keyed request it:

1. claims the key in its own committed transaction (scoped by a digest of the presented
   credential), so a concurrent duplicate finds the claim and gets 409 without running;
2. runs the request unchanged, buffering its response;
3. stores status, body and a few headers on the key, which later requests with the same
   key and the same method, path, query and body get back with `Idempotent-Replayed: true`
   (for POLYTASK_IDEMPOTENCY_TTL_HOURS). The same key with a different request gets 422.

Responses that report nothing executed are not stored and free the key for a retry:
401 (credentials), 429 (rate limits) and 5xx. Everything else, errors included, is the
request's result and is replayed.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.api.asgi import CapturedResponse, read_body
from polytask.api.kernel.surface import surface_of
from polytask.api.kernel.units import run_anonymous
from polytask.api.sessions import session_cookie_in
from polytask.api.v1.errors import error_response
from polytask.core.errors import DomainError
from polytask.domain.idempotency import service
from polytask.domain.idempotency.service import Claimed, Replay

HEADER = b"idempotency-key"
REPLAYED = "Idempotent-Replayed"
_METHODS = frozenset({"POST", "PATCH"})
_NOT_STORED = frozenset({401, 429})
_KEPT_HEADERS = ("content-type", "location", "etag")
_PURGE_EVERY = 100


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, ttl_hours: int = 24, session_cookie: str = "polytask_session") -> None:
        self.app = app
        self.session_cookie = session_cookie
        self.ttl = timedelta(hours=ttl_hours)
        self._claims = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        surface = surface_of(scope) if scope["type"] == "http" else None
        if surface is None or not surface.idempotency_keys or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        raw_key = next((v for k, v in scope["headers"] if k == HEADER), None)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        body, _ = await read_body(receive)
        try:
            key = service.check_key(raw_key.decode("latin-1"))
            outcome = await run_anonymous(request, lambda session: self._claim(session, scope, key, body))
        except DomainError as exc:
            await error_response(request, exc.http_status, exc.code, exc.message, exc.details)(scope, receive, send)
            return
        if isinstance(outcome, Replay):
            headers = {**outcome.headers, REPLAYED: "true"}
            await Response(outcome.body, status_code=outcome.status, headers=headers)(scope, receive, send)
            return
        await self._run(request, scope, body, send, outcome)

    def _claim(self, session: Any, scope: Scope, key: str, body: bytes) -> Claimed | Replay:
        if next(self._claims) % _PURGE_EVERY == 0:
            service.purge_expired(session)
        query = scope.get("query_string", b"")
        digest = hashlib.sha256()
        for part in (scope["method"].encode(), scope["path"].encode(), query, body):
            digest.update(len(part).to_bytes(8, "big") + part)
        return service.claim_key(
            session,
            scope=_credential_scope(scope, self.session_cookie),
            key=key,
            fingerprint=digest.hexdigest(),
            method=scope["method"],
            path=scope["path"],
            ttl=self.ttl,
        )

    async def _run(self, request: Request, scope: Scope, body: bytes, send: Send, claim: Claimed) -> None:
        async def replay_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        captured = CapturedResponse()
        try:
            await self.app(scope, replay_body, captured.send)
        except BaseException:
            await run_anonymous(request, lambda session: service.release_key(session, row_id=claim.row_id))
            raise
        assert captured.start is not None
        status = captured.status
        content = captured.body
        if status >= 500 or status in _NOT_STORED:
            await run_anonymous(request, lambda session: service.release_key(session, row_id=claim.row_id))
        else:
            kept = {name: value for name, value in captured.headers() if name.lower() in _KEPT_HEADERS}
            await run_anonymous(
                request,
                lambda session: service.complete_key(
                    session, row_id=claim.row_id, status=status, headers=kept, body=content
                ),
            )
        await captured.replay(send)


def _credential_scope(scope: Scope, session_cookie: str) -> str:
    """Keys are per credential: a digest of the Authorization header, else of the session
    cookie (never the secret itself)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return hashlib.sha256(value).hexdigest()
    session = session_cookie_in(scope, session_cookie)
    if session:
        return hashlib.sha256(b"session:" + session.encode()).hexdigest()
    return hashlib.sha256(b"anonymous").hexdigest()
