"""create_app(): one FastAPI application serving every surface."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute, APIRouter, iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Route

from polytask import __version__
from polytask.api import metrics, system
from polytask.api.guards import ChangeGuards
from polytask.api.inputguard import InputGuardMiddleware
from polytask.api.kernel.routeindex import index_routes
from polytask.api.kernel.surface import SurfaceMiddleware, surface_of
from polytask.api.kernel.units import close_gates
from polytask.api.middleware import HeadMiddleware, RequestIdMiddleware
from polytask.api.oauth import endpoints as oauth_endpoints
from polytask.api.oauth import pages as oauth_pages
from polytask.api.ratelimit import RateLimitMiddleware
from polytask.api.surfaces import NATIVE, SURFACES
from polytask.api.taskflow import openapi as taskflow_openapi
from polytask.api.taskflow.router import MODULE_ROUTERS as TASKFLOW_ROUTERS
from polytask.api.taskforce import openapi as taskforce_openapi
from polytask.api.taskforce.router import MODULE_ROUTERS as TASKFORCE_ROUTERS
from polytask.api.taskforce.surface import PREFIX as TASKFORCE_PREFIX
from polytask.api.taskip import openapi as taskip_openapi
from polytask.api.taskip.router import MODULE_ROUTERS as TASKIP_ROUTERS
from polytask.api.uploads import FRAMING_ALLOWANCE
from polytask.api.v1 import (
    admin,
    analytics,
    api_keys,
    api_usage,
    audit,
    automations,
    batch,
    bulk,
    calendar_feeds,
    comments,
    custom_fields,
    departments,
    events,
    members,
    oauth_clients,
    passwords,
    projects,
    risks,
    sections,
    spending,
    tasks,
    templates,
    transfer,
    users,
    views,
    webhooks,
    workspaces,
)
from polytask.api.v1.errors import validation_details
from polytask.api.v1.schemas import ErrorDocument
from polytask.core import keycache as key_cache
from polytask.core.db import Database
from polytask.core.errors import DomainError
from polytask.core.files import configure_store, store_for
from polytask.core.gctune import tune_for_server
from polytask.core.scopes import ADMIN, AUDIT_READ, SCOPES
from polytask.core.settings import Settings, get_settings
from polytask.domain.usage.recorder import UsageRecorder

log = logging.getLogger("polytask.api")

DESCRIPTION = """
Polytask is a self-hosted work-management server. This document describes the native API
under `/v1` (JSON:API documents, after the Taskade developer API).

Authenticate with `Authorization: Bearer <api key>` or an OAuth 2.0 access token
(`/oauth/authorize`, `/oauth/token`; see `/.well-known/oauth-authorization-server`). Ids are opaque strings with a type
prefix (`task_42`). Errors look like
`{"error": {"code", "message", "details", "request_id", "timestamp"}}`.

Browsers may use the session cookie from the TaskFlow login (`POST /api/auth/login`, in the
TaskFlow surface's own document, `/api/openapi.json`) instead; its state changes are
CSRF-checked (see docs/security.md, "Sessions and CSRF").
"""

EXPOSED_HEADERS = [
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Retry-After",
    "X-Quota-Limit",
    "X-Quota-Remaining",
    "X-Quota-Reset",
    "Retry-After",
    "Location",
    "Idempotent-Replayed",
    "ETag",
]

_STATUS_CODES = {
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    401: "AUTHENTICATION_ERROR",
    403: "PERMISSION_DENIED",
    429: "RATE_LIMIT_EXCEEDED",
}


def _literal_segments(template: str) -> int:
    return sum(1 for part in template.split("/") if part and not part.startswith("{"))


def _allowed_methods(app: FastAPI, path: str) -> str | None:
    """The methods of the resource at `path` (Starlette names only the first route's).

    Of the routes whose template matches, only the most literal count, as OpenAPI matches
    paths: /v1/tasks/bulk is the bulk resource (POST), not a task whose id is "bulk".
    """
    matching: list[tuple[int, set[str]]] = []
    for route in iter_route_contexts(app.routes):
        regex = getattr(route, "path_regex", None)
        if getattr(route.endpoint, _REFUSES_METHODS, False) or not route.methods or regex is None:
            continue
        if regex.match(path) and route.path is not None:
            matching.append((_literal_segments(route.path), set(route.methods)))
    if not matching:
        return None
    best = max(literal for literal, _ in matching)
    methods = set().union(*(m for literal, m in matching if literal == best))
    if "GET" in methods:
        methods.add("HEAD")  # HeadMiddleware answers it
    return ", ".join(sorted(methods))


# Marks the routes added by _refuse_methods_of_shadowed_templates.
_REFUSES_METHODS = "_polytask_refuses_methods"


def _shadows(literal: str, template: str) -> bool:
    """Whether `literal` is `template` with at least one parameter segment written out."""
    a, b = literal.split("/"), template.split("/")
    if len(a) != len(b) or a == b:
        return False
    written_out = False
    for mine, theirs in zip(a, b, strict=True):
        if mine.startswith("{") != theirs.startswith("{") and theirs.startswith("{"):
            written_out = True
        elif mine != theirs and not (mine.startswith("{") and theirs.startswith("{")):
            return False
    return written_out


async def _method_not_allowed(request: Request) -> Response:
    raise StarletteHTTPException(405)


setattr(_method_not_allowed, _REFUSES_METHODS, True)


def _refuse_methods_of_shadowed_templates(app: FastAPI) -> None:
    """A literal path owns its methods: `PUT /v1/tasks/bulk` is a 405 (Allow: POST), as the
    OpenAPI document says, instead of reaching `PUT /v1/tasks/{task_id}` with the id "bulk".

    For each literal path (`/v1/tasks/bulk`) that a templated one (`/v1/tasks/{task_id}`) would
    also match, a route answering 405 takes the templated path's other methods there.
    """
    served: dict[str, set[str]] = {}
    for route in iter_route_contexts(app.routes):
        # The documented routes: the surfaces without a document here (Taskforce) keep their own rules.
        documented = getattr(route.original_route, "include_in_schema", False)
        if documented and route.methods and route.path is not None:
            served.setdefault(route.path, set()).update(route.methods)
    guards: list[Route] = []
    for literal, own in served.items():
        other: set[str] = set()
        for template, methods in served.items():
            if _shadows(literal, template):
                other |= methods - own
        if other:
            guards.append(Route(literal, _method_not_allowed, methods=sorted(other), include_in_schema=False))
    # First: each guard matches only its literal path and the methods no route serves there.
    app.router.routes[:0] = guards


def _render_error(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error in the shape of the request's surface (native outside every surface)."""
    surface = surface_of(request.scope) or NATIVE
    return surface.render_error(request, status, code, message, details, headers)


def _limit_error(
    request: Request, status: int, code: str, message: str, details: dict[str, Any], headers: dict[str, str]
) -> Response:
    return _render_error(request, status, code, message, details, headers=headers)


# FastAPI's 400 when a JSON body cannot even be decoded: json.loads raised something other than
# a JSONDecodeError (which FastAPI reports as a 422 json_invalid), chained as the cause.
_BODY_PARSE_ERROR = "There was an error parsing the body"


def _unreadable_json_body(request: Request, exc: StarletteHTTPException) -> str | None:
    """The issue to report when `exc` is FastAPI's 400 for a JSON body it could not decode."""
    if exc.status_code != 400 or exc.detail != _BODY_PARSE_ERROR or exc.__cause__ is None:
        return None
    content_type = request.headers.get("content-type", "").lower()
    if content_type and "json" not in content_type:
        return None  # a form or multipart body: not ours to rename
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return "Malformed JSON: the body is not UTF-8 text"
    if isinstance(exc.__cause__, RecursionError):
        return "Malformed JSON: nested too deeply"
    return "Malformed JSON: the body could not be decoded"


def _install_error_handlers(app: FastAPI) -> None:
    # Each surface renders errors in its own shape (its declaration's render_error).

    @app.exception_handler(DomainError)
    async def on_domain_error(request: Request, exc: DomainError) -> Response:
        headers = None
        wait = exc.details.get("retry_after") if exc.http_status in (429, 503) else None
        if isinstance(wait, int) and not isinstance(wait, bool) and wait > 0:
            # A refusal that knows when to come back says so as the rate limiter's do.
            headers = {"Retry-After": str(wait)}
        return _render_error(request, exc.http_status, exc.code, exc.message, exc.details, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        message, details = validation_details(list(exc.errors()))
        content_type = request.headers.get("content-type", "")
        if details.get("field") == "body" and content_type and "json" not in content_type.lower():
            # FastAPI would say "Input should be a valid dictionary", which hides the real mistake.
            message = "The request body must be JSON, sent with 'Content-Type: application/json'"
            details = {"field": "body", "issue": message, "provided_value": content_type}
        return _render_error(request, 422, "VALIDATION_ERROR", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        issue = _unreadable_json_body(request, exc)
        if issue is not None:
            # Like JSON that does not parse (FastAPI's json_invalid, on_validation_error): the
            # documented 422 naming the body, not FastAPI's undocumented 400 (docs/compat/native.md).
            item = {"field": "body", "issue": issue}
            return _render_error(request, 422, "VALIDATION_ERROR", issue, {**item, "errors": [item]})
        code = _STATUS_CODES.get(exc.status_code, "HTTP_ERROR")
        message = "No such endpoint" if exc.status_code == 404 else str(exc.detail)
        details: dict[str, Any] = {"path": request.url.path, "method": request.method}
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            allow = _allowed_methods(app, request.url.path)
            if allow:
                headers["Allow"] = allow
        return _render_error(request, exc.status_code, code, message, details, headers=headers or None)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _render_error(request, 500, "INTERNAL_ERROR", "An unexpected error occurred", {})


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the application; tests pass their own settings and database."""
    settings = settings or get_settings()
    db = database or Database(
        settings.effective_database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.effective_db_threads + 4,
        sqlite_mmap_bytes=settings.sqlite_mmap_mb * 1024 * 1024,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Hear other processes' commits (Redis or LISTEN/NOTIFY; nothing in memory mode).
        from polytask.domain.events import transport

        event_bus = transport.start(settings, db.url)
        tune_for_server(settings.gc_threshold)  # core/gctune.py: freeze the start-up heap
        _app.state.event_bus = event_bus  # its state is shown by /readyz
        # The embedded webhook dispatcher; `polytask worker` processes run it when this is off.
        # The mail sender rides along (worker/mailer.py): background work in this process or in workers.
        dispatcher = mailer = reaper = importer = automations_runner = None
        flusher = None
        if _app.state.api_usage is not None:
            from polytask.worker.usage import UsageFlusher

            flusher = UsageFlusher(db, _app.state.api_usage, settings.api_usage_flush_seconds)
            flusher.start()
        if settings.webhook_dispatcher:
            from polytask.worker.automations import AutomationRunner
            from polytask.worker.dispatcher import Dispatcher
            from polytask.worker.importer import Importer
            from polytask.worker.mailer import Mailer
            from polytask.worker.reaper import Reaper

            dispatcher = Dispatcher(db, settings)
            await dispatcher.start()
            mailer = Mailer(db, settings)
            await mailer.start()
            # Blobs whose rows are gone (domain/files/blobs.py) are deleted from the store.
            reaper = Reaper(db, settings)
            await reaper.start()
            # Queued import jobs (domain/transfer/jobs.py), a project per transaction.
            importer = Importer(db, settings)
            await importer.start()
            # Automations run from their outbox (domain/automations/runner.py), after commit.
            automations_runner = AutomationRunner(db, settings)
            await automations_runner.start()
        try:
            yield
        finally:
            if automations_runner is not None:
                await automations_runner.stop()
            if importer is not None:
                await importer.stop()
            if reaper is not None:
                await reaper.stop()
            if mailer is not None:
                await mailer.stop()
            if dispatcher is not None:
                await dispatcher.stop()
            event_bus.stop()
            if flusher is not None:
                # The last seconds' counts too (a clean stop loses none; kill -9 may).
                await asyncio.to_thread(flusher.stop)
            await close_gates(_app.state)

    app = FastAPI(
        lifespan=lifespan,
        title="Polytask API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        # Polytask's own metrics are /metrics; FastAPI's OpenTelemetry hooks only when asked
        # for (otherwise every request looks up the global providers to find none).
        telemetry=None
        if settings.opentelemetry
        else {"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.db = db
    key_cache.configure(settings.api_key_cache_seconds)  # verified API keys (core/keycache.py)
    # Innermost: client values that break the input limits are refused (api/inputguard.py).
    app.add_middleware(
        InputGuardMiddleware,
        render=_render_error,
        limits=settings.input_limits,
        upload_limit=settings.max_upload_bytes + FRAMING_ALLOWANCE,
    )
    # Files go to the store the settings name (core/files); the receiver spools into it.
    configure_store(store_for(settings))
    # Then, as one layer that a read without If-None-Match passes straight through
    # (api/guards.py): CSRF checks of cookie-authenticated state changes, before any body is
    # parsed (api/csrf.py); Idempotency-Key on keyed POST/PATCH, claimed after the rate limit
    # let the request through (api/idempotency.py); If-Match / If-None-Match (api/conditional.py).
    app.add_middleware(ChangeGuards, settings=settings, render=_render_error)
    # Inside the request-id middleware, so its 429s carry the id.
    # Which paths are limited, and by which plans: each surface's declaration (api/surfaces.py).
    app.add_middleware(RateLimitMiddleware, settings=settings, render=_limit_error)
    # API-usage accounting: counted in memory by the request id middleware's pass, written by
    # the lifespan's flusher thread (worker/usage.py); tests call flush_now themselves.
    usage = UsageRecorder() if settings.api_usage == "on" else None
    app.state.api_usage = usage
    app.add_middleware(RequestIdMiddleware, usage=usage)
    if settings.cors_origin_list:
        # Outermost: browsers' preflight requests are answered before any limit counts them.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-Request-ID",
                "If-Match",
                "If-None-Match",
                "X-CSRF-Token",
                "X-CSRFToken",
            ],
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    # Which surface the request belongs to, asked by everything inside.
    app.add_middleware(SurfaceMiddleware, surfaces=SURFACES)
    # Outermost of all: HEAD is a GET whose body is not sent.
    app.add_middleware(HeadMiddleware)
    _install_error_handlers(app)
    app.include_router(system.router)
    app.include_router(metrics.router)
    # bulk first: its literal paths (/workspaces/bulk/projects) must win over {id} routes.
    for module in (
        bulk,
        batch,
        workspaces,
        projects,
        tasks,
        sections,
        custom_fields,
        views,
        comments,
        members,
        users,
        calendar_feeds,
        passwords,
        spending,
        risks,
        departments,
        templates,
        api_keys,
        webhooks,
        automations,
        events,
        oauth_clients,
        audit,
        admin,
        analytics,
        transfer,
        api_usage,
    ):
        _document_scopes(module.router)
        _document_conditionals(module.router)
        _document_input_limits(module.router)
        app.include_router(module.router, prefix=NATIVE.prefix)
    for taskforce_module in TASKFORCE_ROUTERS:
        app.include_router(taskforce_module, prefix=TASKFORCE_PREFIX)
    # The Taskforce surface's own document and docs page (it stays out of /openapi.json).
    app.add_api_route(
        taskforce_openapi.OPENAPI_PATH, taskforce_openapi.serve_document, methods=["GET"], include_in_schema=False
    )
    # TaskIP's routes, before TaskFlow's (whose /api encloses /api/public-v1), in their own document.
    for taskip_module in TASKIP_ROUTERS:
        app.include_router(taskip_module, include_in_schema=False)
    app.add_api_route(
        taskip_openapi.OPENAPI_PATH, taskip_openapi.serve_document, methods=["GET"], include_in_schema=False
    )
    # TaskFlow's routes, documented in its own document (api/taskflow/openapi.py), not /openapi.json.
    for taskflow_module in TASKFLOW_ROUTERS:
        app.include_router(taskflow_module, include_in_schema=False)
    for path in (taskflow_openapi.OPENAPI_PATH, taskflow_openapi.SPEC_OPENAPI_PATH):
        app.add_api_route(path, taskflow_openapi.serve_document, methods=["GET"], include_in_schema=False)
    # The OAuth 2.0 authorization server (outside /v1 and outside /openapi.json; see docs/security.md).
    app.include_router(oauth_endpoints.router)
    app.include_router(oauth_pages.router)
    system.mount_docs(app)
    system.add_docs_page(
        app, taskforce_openapi.DOCS_PATH, taskforce_openapi.OPENAPI_PATH, "Polytask — Taskforce API v1"
    )
    system.add_docs_page(app, taskflow_openapi.DOCS_PATH, taskflow_openapi.OPENAPI_PATH, "Polytask — TaskFlow Pro API")
    system.add_docs_page(app, taskip_openapi.DOCS_PATH, taskip_openapi.OPENAPI_PATH, "Polytask — TaskIP public API")
    _refuse_methods_of_shadowed_templates(app)
    _declare_security(app)
    index_routes(app)
    return app


API_KEY_SCHEME = "ApiKey"
OAUTH_SCHEME = "OAuth2"


def _scope_description(scope: str) -> str:
    if scope == ADMIN:
        return "Everything the user may do"
    if scope == AUDIT_READ:
        return "Read the audit logs"
    resource, _, action = scope.partition(":")
    verb = "Read" if action == "read" else "Read, create, change and delete"
    return f"{verb} {resource.replace('_', ' ')}"


def security_schemes() -> dict[str, Any]:
    """The native document's credentials, so that /docs has an Authorize button. The OAuth
    URLs are relative to the server the document is read from (OpenAPI 3.1 allows it)."""
    scopes = {scope: _scope_description(scope) for scope in sorted(SCOPES)}
    return {
        API_KEY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ptk_<prefix>_<secret>",
            "description": "An API key (`polytask api-keys create`, or POST /v1/api-keys): "
            "`Authorization: Bearer <key>`.",
        },
        OAUTH_SCHEME: {
            "type": "oauth2",
            "description": "An OAuth 2.0 access token from this server (register a client with "
            "`polytask oauth-clients create` or POST /v1/oauth/clients); PKCE S256 for public clients.",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "/oauth/authorize",
                    "tokenUrl": "/oauth/token",
                    "refreshUrl": "/oauth/token",
                    "scopes": scopes,
                },
                "clientCredentials": {"tokenUrl": "/oauth/token", "refreshUrl": "/oauth/token", "scopes": scopes},
            },
        },
    }


def _declare_security(app: FastAPI) -> None:
    """Add the security schemes to the generated document (built once, on first request)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document.setdefault("components", {})["securitySchemes"] = security_schemes()
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def _document_conditionals(router: APIRouter) -> None:
    """304 (If-None-Match) on reads, 412 (If-Match) on updates and deletes; see api/conditional.py."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        methods = route.methods or set()
        if "GET" in methods:
            route.responses.setdefault(304, {"description": "Not modified: If-None-Match holds the current ETag"})
        if methods & {"PUT", "PATCH", "DELETE"}:
            route.responses.setdefault(
                412,
                {
                    "model": ErrorDocument,
                    "description": "If-Match does not match the current ETag (PRECONDITION_FAILED)",
                },
            )


def _document_input_limits(router: APIRouter) -> None:
    """413 on a body over the size limit, 422 on client values past the input limits (api/inputguard.py)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        route.responses.setdefault(
            422, {"model": ErrorDocument, "description": "A value breaks a rule or an input limit (VALIDATION_ERROR)"}
        )
        if route.body_field is not None:
            route.responses.setdefault(
                413, {"model": ErrorDocument, "description": "The body is over the size limit (PAYLOAD_TOO_LARGE)"}
            )


def _document_scopes(router: APIRouter) -> None:
    """Show each operation's required scope and credentials in the OpenAPI document: an API
    key, or an OAuth token granted that scope (or a wider one, core/scopes.py)."""
    for route in router.routes:
        scope = getattr(getattr(route, "endpoint", None), "required_scope", None)
        if scope is not None and isinstance(route, APIRoute):
            route.openapi_extra = {
                **(route.openapi_extra or {}),
                "x-required-scope": scope,
                "security": [{API_KEY_SCHEME: []}, {OAUTH_SCHEME: [scope]}],
            }
            route.description = f"{route.description}\n\nRequires the `{scope}` scope.".strip()
