"""Conditional requests on /v1: `If-None-Match` on GET (304) and `If-Match` on PUT/PATCH/DELETE (412).

Single-resource documents carry an `ETag` (api/v1/documents.py). This middleware:

- GET with If-None-Match: when the response's ETag is among the listed ones (or `*`),
  the response becomes an empty 304 that keeps the ETag.
- PUT, PATCH or DELETE with If-Match: inside ONE shared transaction (api/deps.py
  SharedUnit, the one atomic batches use), it first GETs the same path as this request's
  credential, compares that ETag, and only then runs the write, so no other write can slip
  in between on SQLite (the transaction holds the write lock) and the write is committed
  only if it succeeds. A stale or unknown ETag gives 412 PRECONDITION_FAILED; `*` means
  "exists". A path without a GET gives 412 as well (nothing to compare with); a missing
  resource is left to the write itself, which answers 404.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.api.asgi import CapturedResponse
from polytask.api.kernel.surface import surface_of
from polytask.api.kernel.units import SHARED_UNIT, SharedUnit, shared_unit
from polytask.api.v1.errors import error_response
from polytask.core.errors import PreconditionFailed

_WRITES = frozenset({"PUT", "PATCH", "DELETE"})


def _tags(value: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in value.split(",") if t.strip()}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class ConditionalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        surface = surface_of(scope) if scope["type"] == "http" else None
        if surface is None or not surface.conditional_requests or SHARED_UNIT in scope:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "GET" and (wanted := _header(scope, b"if-none-match")) is not None:
            await self._if_none_match(scope, receive, send, _tags(wanted))
        elif method in _WRITES and (expected := _header(scope, b"if-match")) is not None:
            await self._if_match(scope, receive, send, _tags(expected))
        else:
            await self.app(scope, receive, send)

    async def _if_none_match(self, scope: Scope, receive: Receive, send: Send, wanted: set[str]) -> None:
        captured = CapturedResponse()
        await self.app(scope, receive, captured.send)
        etag = captured.header(b"etag")
        if captured.status == 200 and etag is not None and ("*" in wanted or etag in wanted):
            await Response(status_code=304, headers={"ETag": etag})(scope, receive, send)
            return
        await captured.replay(send)

    async def _if_match(self, scope: Scope, receive: Receive, send: Send, expected: set[str]) -> None:
        request = Request(scope, receive)
        body = await request.body()
        async with shared_unit(request) as unit:
            current = await self._current(scope, unit)
            if current.status != 404:
                etag = current.header(b"etag")
                if current.status != 200 or etag is None or not ("*" in expected or etag in expected):
                    await self._refuse(request, scope, receive, send, etag)
                    return
            captured = CapturedResponse()

            async def replay_body() -> Message:
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app({**scope, SHARED_UNIT: unit}, replay_body, captured.send)
            if captured.status < 400:
                await unit.complete()
        await captured.replay(send)

    async def _current(self, scope: Scope, unit: SharedUnit) -> CapturedResponse:
        """The resource as this credential would GET it now, inside the write's transaction."""
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"if-match", b"content-length", b"content-type")]
        probe: Scope = {**scope, "method": "GET", "query_string": b"", "headers": headers, SHARED_UNIT: unit}
        captured = CapturedResponse()

        async def empty() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        await self.app(probe, empty, captured.send)
        return captured

    async def _refuse(self, request: Request, scope: Scope, receive: Receive, send: Send, etag: str | None) -> None:
        error = PreconditionFailed(
            "The resource has changed since you read it (If-Match does not match its current ETag)",
            {"header": "If-Match", "issue": "stale or unknown ETag", "current_etag": etag},
        )
        response = error_response(request, error.http_status, error.code, error.message, error.details)
        await response(scope, receive, send)
