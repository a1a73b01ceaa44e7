"""What a surface is: one declaration per published API (api/surfaces.py lists them).

Middleware, error handlers and the unit of work ask the request's surface what applies to
it (its error shape, credentials, rate plans, CSRF, idempotency keys, conditional requests)
instead of testing URL prefixes: `SurfaceMiddleware` finds it once per request and puts it on
the ASGI scope, where `surface_of` reads it. Paths of no surface (/healthz, /docs,
/openapi.json, /.well-known/...) carry None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from polytask.api.credentials import Authenticator

SCOPE_KEY = "polytask.surface"


class ErrorRenderer(Protocol):
    def __call__(
        self,
        request: Request,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response: ...


@dataclass(frozen=True, eq=False)
class Surface:
    name: str  # "native", "taskforce", ...: also what audit rows call it
    prefix: str  # "/v1"; its paths are the prefix itself, "prefix/..." and "prefix.suffix"
    render_error: ErrorRenderer  # every error of the surface, in its documented shape
    authenticate: Authenticator | None  # the default credentials of its units of work
    plan: str  # the rate plan of credentials without one of their own (core/rateplans.py)
    anonymous_plan: str  # the rate plan per client address, for requests without credentials
    session_cookie: bool = False  # the browser session cookie authenticates here (CSRF-checked)
    login_path: str | None = None  # where a session is created (CSRF: Origin checked, no token yet)
    idempotency_keys: bool = False  # `Idempotency-Key` on POST and PATCH is honoured
    conditional_requests: bool = False  # ETag, If-None-Match (304) and If-Match (412) apply
    openapi_url: str | None = None  # its own OpenAPI document
    docs_url: str | None = None  # its offline docs page
    # Uploads (a POST or PUT whose body is not JSON: multipart or a raw file) also count in
    # this plan's windows, per credential or address (api/ratelimit.py).
    upload_plan: str | None = None

    def owns(self, path: str) -> bool:
        p = self.prefix
        # "/api/v1.json" is Taskforce's (its format suffix); "/v1beta" is not /v1.
        return path == p or path.startswith((p + "/", p + "."))


def surface_for_path(surfaces: Sequence[Surface], path: str) -> Surface | None:
    """The first surface owning `path` (the table lists longer prefixes first)."""
    for surface in surfaces:
        if surface.owns(path):
            return surface
    return None


def surface_of(scope: Scope) -> Surface | None:
    """The request's surface, as SurfaceMiddleware found it."""
    found: Surface | None = scope.get(SCOPE_KEY)
    return found


class SurfaceMiddleware:
    """Outermost: finds the request's surface once (requests re-dispatched by /v1/batch too)."""

    def __init__(self, app: ASGIApp, *, surfaces: Sequence[Surface]) -> None:
        self.app = app
        self.find: Callable[[str], Surface | None] = lambda path: surface_for_path(surfaces, path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope[SCOPE_KEY] = self.find(scope["path"])
        await self.app(scope, receive, send)
