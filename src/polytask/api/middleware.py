"""ASGI middleware shared by every surface."""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.api.kernel.surface import surface_of
from polytask.api.metrics import UNMATCHED, observe
from polytask.domain.usage.recorder import UsageRecorder

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
ACCESS_LOG = logging.getLogger("polytask.access")
# Credential kinds as the access log names them (the row's id follows).
_CREDENTIAL_PREFIX = {"api_key": "key", "oauth_token": "oauth_token", "session": "session"}
# On the ASGI scope: raw headers an inner layer adds to the response without wrapping `send`
# itself (the rate limiter's X-RateLimit-*), appended here when the response starts. Gone from
# the scope once it has started; an inner layer that renders a response of its own before
# that takes them out and renders them itself.
RESPONSE_HEADERS = "polytask.response_headers"
# In the request's state once the response has started: its status.
RESPONSE_STATUS = "response_status"
# In the request's state, set by the rate limiter (api/ratelimit.py) for API-usage accounting:
# the actor a credential it knows as valid last authenticated as in this process (whose the
# request is when it ends before authentication: a 429, a 422 on the body), and whether it
# refused the request.
KNOWN_ACTOR = "known_actor"
RATE_LIMITED = "rate_limited"
# On the scope of a HEAD request answered as a GET (HeadMiddleware): the access log says HEAD.
HEAD_REQUEST = "polytask.head"


def route_of(scope: Scope) -> str:
    """The template of the route that answered (`/v1/tasks/{task_id}`), never the raw path."""
    # FastAPI keeps a router's routes as declared (no prefix) and puts the route as included
    # (`/v1/...`) in its own part of the scope; a plain Starlette route is `route` itself.
    included = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(included, "path", None) or getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


def credential_of(state: dict[str, Any]) -> str:
    """`key_12`, `oauth_token_3`, `session_7` for the request's credential, `-` without one."""
    actor = state.get("actor")
    credential_id = getattr(actor, "credential_id", None)
    if credential_id is None:
        return "-"
    kind = str(getattr(actor, "credential_kind", "credential"))
    return f"{_CREDENTIAL_PREFIX.get(kind, kind)}_{credential_id}"


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming X-Request-ID) and echo it back; then,
    in the same pass, count the request for /metrics and for API usage (domain/usage), and
    write its access-log line."""

    def __init__(self, app: ASGIApp, usage: UsageRecorder | None = None) -> None:
        self.app = app
        self.usage = usage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = incoming if _SAFE_ID.match(incoming) else f"req_{secrets.token_hex(8)}"
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())
        status = 500  # unless a response starts: an exception escaped

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = state[RESPONSE_STATUS] = message["status"]
                headers = message.get("headers", [])
                extra = scope.pop(RESPONSE_HEADERS, ())
                for name, _ in headers:
                    if name.lower() == b"x-request-id":
                        if extra:
                            message["headers"] = [*headers, *extra]
                        break  # an error renderer set it (the same id)
                else:
                    message["headers"] = [*headers, header, *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method, route = "HEAD" if HEAD_REQUEST in scope else scope["method"], route_of(scope)
            observe(method, route, status, seconds)
            usage = self.usage
            if usage is not None:
                surface = surface_of(scope)
                if surface is not None:
                    actor = state.get("actor") or state.get(KNOWN_ACTOR)
                    usage.record(surface.name, actor, status, seconds, RATE_LIMITED in state)
            if ACCESS_LOG.isEnabledFor(logging.INFO):
                credential = credential_of(state)
                ACCESS_LOG.info(
                    "%s %s %d %.1fms %s %s",
                    method,
                    route,
                    status,
                    seconds * 1000,
                    request_id,
                    credential,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                        "request_id": request_id,
                        "credential": credential,
                    },
                )


class HeadMiddleware:
    """HEAD answered as GET without the body (RFC 9110 9.3.2: the same status and headers,
    Content-Length included, as GET would send). Outermost, so every layer inside (surface,
    limits, caching, routing) treats the request as the GET it asks about; the routes
    declare GET only. The inner app gets a copy of the scope: the server keeps its own,
    still HEAD, and sends no body of its own accord either."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        inner = {**scope, "method": "GET", HEAD_REQUEST: True}

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(inner, receive, headers_only)
