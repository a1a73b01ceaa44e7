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

The body has to be read whole before the request runs (its digest is part of the key's
fingerprint), and this layer is outside the input guard that holds bodies to their route's
limit. So it holds a body to the largest any route takes (an upload's, POLYTASK_MAX_UPLOAD_BYTES
and its multipart framing: 413 past it) and spools it: kept in memory up to SPOOL_IN_MEMORY,
on disk beyond, replayed to the request in chunks. A keyed 50 MB import costs the server no
more memory than an unkeyed one.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import IO, Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.api.asgi import CapturedResponse, declared_length
from polytask.api.kernel.surface import surface_of
from polytask.api.kernel.units import run_anonymous
from polytask.api.sessions import session_cookie_in
from polytask.api.v1.errors import error_response
from polytask.core.errors import DomainError, PayloadTooLarge
from polytask.domain.idempotency import service
from polytask.domain.idempotency.service import Claimed, Replay

HEADER = b"idempotency-key"
REPLAYED = "Idempotent-Replayed"
_METHODS = frozenset({"POST", "PATCH"})
_NOT_STORED = frozenset({401, 429})
_KEPT_HEADERS = ("content-type", "location", "etag")
_PURGE_EVERY = 100
# A keyed request's body is held in memory up to this size, in a temporary file beyond it.
SPOOL_IN_MEMORY = 1024 * 1024
# The size of the parts a spooled body is read and replayed in.
_CHUNK = 256 * 1024


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        body_limit: int,
        ttl_hours: int = 24,
        session_cookie: str = "polytask_session",
    ) -> None:
        self.app = app
        self.body_limit = body_limit
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
        try:
            key = service.check_key(raw_key.decode("latin-1"))
            body = await _SpooledBody.read(scope, receive, self.body_limit)
        except DomainError as exc:
            await error_response(request, exc.http_status, exc.code, exc.message, exc.details)(scope, receive, send)
            return
        try:
            try:
                outcome = await run_anonymous(request, lambda session: self._claim(session, scope, key, body.digest))
            except DomainError as exc:
                response = error_response(request, exc.http_status, exc.code, exc.message, exc.details)
                await response(scope, receive, send)
                return
            if isinstance(outcome, Replay):
                headers = {**outcome.headers, REPLAYED: "true"}
                await Response(outcome.body, status_code=outcome.status, headers=headers)(scope, receive, send)
                return
            await self._run(request, scope, body.replay(receive), send, outcome)
        finally:
            body.close()

    def _claim(self, session: Any, scope: Scope, key: str, body_digest: str) -> Claimed | Replay:
        if next(self._claims) % _PURGE_EVERY == 0:
            service.purge_expired(session)
        return service.claim_key(
            session,
            scope=_credential_scope(scope, self.session_cookie),
            key=key,
            fingerprint=body_digest,
            method=scope["method"],
            path=scope["path"],
            ttl=self.ttl,
        )

    async def _run(self, request: Request, scope: Scope, receive: Receive, send: Send, claim: Claimed) -> None:
        captured = CapturedResponse()
        try:
            await self.app(scope, receive, captured.send)
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


class _SpooledBody:
    """A keyed request's body, read once: in memory when small, else in a temporary file; its
    fingerprint (method, path, query and body, each length-prefixed into one SHA-256) made
    as it is read."""

    def __init__(self, file: IO[bytes], size: int, digest: str) -> None:
        self.file = file
        self.size = size
        self.digest = digest

    @classmethod
    async def read(cls, scope: Scope, receive: Receive, limit: int) -> _SpooledBody:
        """Everything the client sends, 413 (PayloadTooLarge) past `limit` bytes."""
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            raise _too_large(limit)
        file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115  (closed by close())
        size = 0
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break  # the client went away: the request runs on what came, as it would unkeyed
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                if chunk:
                    if size > SPOOL_IN_MEMORY:
                        await anyio.to_thread.run_sync(file.write, chunk)
                    else:
                        file.write(chunk)
                if not message.get("more_body", False):
                    break
            digest = hashlib.sha256()
            for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b"")):
                digest.update(len(part).to_bytes(8, "big") + part)
            digest.update(size.to_bytes(8, "big"))
            file.seek(0)
            if size > SPOOL_IN_MEMORY:
                await anyio.to_thread.run_sync(_hash_file, file, digest)
            else:
                digest.update(file.read())
        except BaseException:
            file.close()
            raise
        return cls(file, size, digest.hexdigest())

    def replay(self, receive: Receive) -> Callable[[], Awaitable[Message]]:
        """The body again as ASGI messages (in parts when it is large), then the client's own."""
        self.file.seek(0)
        left = self.size
        done = False

        async def next_message() -> Message:
            nonlocal left, done
            if done:
                return await receive()
            if self.size <= SPOOL_IN_MEMORY:
                done = True
                return {"type": "http.request", "body": self.file.read(), "more_body": False}
            chunk = await anyio.to_thread.run_sync(self.file.read, min(_CHUNK, left))
            left -= len(chunk)
            done = left <= 0 or not chunk
            return {"type": "http.request", "body": chunk, "more_body": not done}

        return next_message

    def close(self) -> None:
        self.file.close()


def _hash_file(file: IO[bytes], digest: Any) -> None:
    while chunk := file.read(_CHUNK):
        digest.update(chunk)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is too large: it must be at most {limit} bytes",
        {"field": "body", "issue": f"must be at most {limit} bytes", "limit_bytes": limit},
    )


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
