"""The TaskFlow surface's own OpenAPI 3.1 document, generated from its routes.

FastAPI builds the operations from TaskFlow's router (api/taskflow/router.py: the handlers'
response models and the `responses` they name); this module adds what every operation shares
and no handler states: the session cookie as the security scheme, the error bodies the app's
middleware answers with in TaskFlow's envelope (422 from the input guard and request
validation, 413 from the input guard, 429 from the rate limiter, 403 from the CSRF checks),
and the response headers. The app includes the same routes with `include_in_schema=False`,
so they stay out of `/openapi.json` (the native document).

Served at /api/openapi.json (the surface's `openapi_url`) and, where taskflow-pro-api.md
says it is, /api/docs/openapi.json; the Swagger UI page at /api/docs reads it (api/system.py,
assets served locally). Every TaskFlow route starts with a literal segment (auth, projects,
tasks, users, departments, risks, reports), none of them `openapi.json` or `docs`, and /api/v1
(Taskforce) and /api/public-v1 (TaskIP) are other surfaces' prefixes.
"""

from __future__ import annotations

import json
from copy import deepcopy
from functools import cache
from typing import Any

from fastapi.openapi.utils import get_openapi
from starlette.requests import Request
from starlette.responses import Response

from polytask import __version__
from polytask.api.taskflow.errors import LOGIN_URL
from polytask.api.taskflow.paths import PREFIX
from polytask.api.taskflow.policy import OWN, POLICY
from polytask.api.taskflow.router import router as taskflow_router
from polytask.api.taskflow.surface import DOCS_URL, OPENAPI_URL
from polytask.core.settings import Settings

OPENAPI_PATH = OPENAPI_URL
# Where taskflow-pro-api.md says the document is ("/api/docs/openapi.json"): the same bytes.
SPEC_OPENAPI_PATH = f"{DOCS_URL}/openapi.json"
DOCS_PATH = DOCS_URL
SESSION = "session"
BEARER = "bearer"
_REF = "#/components/schemas/{name}"

DESCRIPTION = f"""
The TaskFlow Pro API as Polytask serves it at `{PREFIX}` (spec: `taskflow-pro-api.md`; the
decisions where it is silent: `docs/compat/taskflow.md`). Every endpoint the spec lists is
served: authentication, projects, tasks, users, departments, risks, user and department stats,
and the four reports (JSON, CSV or PDF); department update and delete are additions.

**Authentication.** `POST {PREFIX}/auth/login` with a username (or email) and password sets
the session cookie (HttpOnly, SameSite=Lax) and returns a CSRF token; every other operation
reads the cookie. Scripts may send a `/v1` API key (or OAuth access token) as
`Authorization: Bearer ...` instead; a request with that header is judged by it alone. State
changes made with the cookie are
CSRF-checked: a cross-site request (by `Sec-Fetch-Site` / `Origin`) is refused, and a
form-encoded, multipart or text/plain body needs the token (`X-CSRF-Token`, `X-CSRFToken`, or
a `csrf_token` field); JSON bodies and requests without a body need none.

**Roles.** Each operation names the lowest role (`user` < `manager` < `admin`) that may call
it; below it the answer is 403 `PERMISSION_DENIED` with `required_role` and `current_role`.

**Pages.** Lists take `page` (from 1) and `per_page` (default 10, at most 100); a value out of
range or not an integer is a 422 naming the parameter. Their envelope adds `pagination`
`{{page, per_page, total, pages}}`.

**Reports.** Stats and reports take `start_date` and `end_date` (`YYYY-MM-DD`, both included);
reports also take `format`: `json` (default), `csv` (a streamed `text/csv` attachment) or `pdf`
(`application/pdf`: title, period, tables and a chart). Refusals are JSON errors in every format.

**Envelopes.** Success: `{{"status": "success", "message", "data", "meta"}}`. Errors:
`{{"status": "error", "message", "data": {{"error_code", ...}}, "meta"}}`: 401 is `AUTH_REQUIRED`
with `redirect_url` (`{LOGIN_URL}`), 422 is `VALIDATION_ERROR` with `data.errors` (`{{"field":
["message", ...]}}`), 413 is `PAYLOAD_TOO_LARGE` (`data.limit_bytes`), 429 is
`RATE_LIMIT_EXCEEDED` with `data.retry_after` and `Retry-After`. Besides the statuses listed per
operation, an unknown path is 404 (`NOT_FOUND`), a method an operation does not have is 405
(`METHOD_NOT_ALLOWED`, with `Allow`), and an unexpected failure 500, all in the error envelope.
"""

_META: dict[str, Any] = {"$ref": _REF.format(name="Meta")}
_FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": "Each field at fault, with what is wrong with it",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "examples": [{"password": ["is required"]}],
}


def _error(code: dict[str, Any], data: dict[str, Any] | None = None, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The error envelope with `data.error_code` as `code` says and the data keys given."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["status", "message", "data", "meta"],
        "properties": {
            "status": {"const": "error"},
            "message": {"type": "string"},
            "data": {
                "type": "object",
                "required": ["error_code", *required],
                "properties": {"error_code": code, **(data or {})},
            },
            "meta": _META,
        },
    }


# name -> (schema, the description of a status an operation does not describe itself)
ERRORS: dict[str, tuple[dict[str, Any], str]] = {
    "AuthRequiredError": (
        _error(
            {"const": "AUTH_REQUIRED"},
            {"redirect_url": {"type": "string", "examples": [LOGIN_URL]}},
            required=("redirect_url",),
        ),
        "No live session (no cookie, or one that expired or was revoked) and no valid bearer credential "
        "(AUTH_REQUIRED, with redirect_url)",
    ),
    "InvalidCredentialsError": (
        _error({"const": "INVALID_CREDENTIALS"}),
        "Wrong username or password (INVALID_CREDENTIALS)",
    ),
    "CsrfError": (
        _error(
            {"const": "PERMISSION_DENIED"},
            {"reason": {"enum": ["cross_site_request", "csrf_token_missing", "csrf_token_invalid"]}},
            required=("reason",),
        ),
        "A cross-site request (Sec-Fetch-Site / Origin), or a form post without the session's CSRF token",
    ),
    "ForbiddenError": (
        _error(
            {"const": "PERMISSION_DENIED"},
            {
                "required_role": {
                    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                    "description": "The role the operation needs (a TaskFlow role, or the workspace roles "
                    "that may do it)",
                    "examples": ["manager"],
                },
                "current_role": {"type": "string", "examples": ["user"]},
                "reason": {"enum": ["cross_site_request", "csrf_token_missing", "csrf_token_invalid"]},
            },
        ),
        "Your role does not allow this (PERMISSION_DENIED, with required_role and current_role), or a "
        "cross-site request / form post without the CSRF token (with reason)",
    ),
    "ValidationError": (
        _error({"const": "VALIDATION_ERROR"}, {"errors": _FIELD_ERRORS}, required=("errors",)),
        "A missing or malformed field, a body that is not JSON, or a value past the input limits "
        "(VALIDATION_ERROR; data.errors names each field)",
    ),
    "PayloadTooLargeError": (
        _error(
            {"const": "PAYLOAD_TOO_LARGE"},
            {"limit_bytes": {"type": "integer", "description": "The largest body accepted"}},
            required=("limit_bytes",),
        ),
        "The body is over the size limit (PAYLOAD_TOO_LARGE)",
    ),
    "RateLimitError": (
        _error(
            {"enum": ["RATE_LIMIT_EXCEEDED", "QUOTA_EXCEEDED"]},
            {"retry_after": {"type": "integer", "description": "Seconds to wait"}},
        ),
        "Too many requests, or too many failed logins (RATE_LIMIT_EXCEEDED); see Retry-After",
    ),
    # Any error of the surface: unknown paths (404), methods an operation does not have (405), 500s.
    "Error": (
        _error({"type": "string", "examples": ["NOT_FOUND"]}, {"redirect_url": {"type": "string"}}),
        "An error",
    ),
}
_BY_STATUS = {
    401: "AuthRequiredError",
    403: "CsrfError",
    413: "PayloadTooLargeError",
    422: "ValidationError",
    429: "RateLimitError",
}
# Every operation needs the surface's credentials (the session or a bearer credential) except
# these: login takes none, and logout answers 200 with or without a session.
_SECURITY: dict[tuple[str, str], list[dict[str, list[str]]]] = {
    ("post", f"{PREFIX}/auth/login"): [],
    ("post", f"{PREFIX}/auth/logout"): [{}, {SESSION: []}],
}
# The surface's credentials: the session cookie, or a /v1 bearer credential.
_CREDENTIALS: list[dict[str, list[str]]] = [{SESSION: []}, {BEARER: []}]
# What a specific operation answers instead of the surface-wide schema for a status.
_OVERRIDES = {("/api/auth/login", "post", 401): "InvalidCredentialsError"}

_HEADER: dict[str, Any] = {"schema": {"type": "string"}}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"description": "The request's id (also `meta.request_id`)", "required": True, **_HEADER},
    "Cache-Control": {"description": "Always `no-store`", "required": True, **_HEADER},
    "X-RateLimit-Limit": {"description": "Requests allowed in the current window", **_HEADER},
    "X-RateLimit-Remaining": {"description": "Requests left in the current window", **_HEADER},
    "X-RateLimit-Reset": {"description": "When the window resets (Unix time)", **_HEADER},
}
RETRY_AFTER: dict[str, Any] = {"description": "Seconds to wait before trying again", "required": True, **_HEADER}


@cache
def taskflow_document(cookie_name: str) -> dict[str, Any]:
    """The document, for a server whose session cookie is called `cookie_name`."""
    document = get_openapi(
        title="Polytask — TaskFlow Pro API",
        version=__version__,
        openapi_version="3.1.0",
        description=DESCRIPTION,
        routes=taskflow_router.routes,
        tags=[
            {"name": "TaskFlow authentication", "description": "Session login, logout and the signed-in user"},
            {"name": "TaskFlow projects", "description": "Projects of your workspace"},
            {"name": "TaskFlow tasks", "description": "Tasks of a project"},
            {"name": "TaskFlow users", "description": "The people you share a workspace with"},
            {"name": "TaskFlow departments", "description": "Departments of your workspace"},
            {"name": "TaskFlow risks", "description": "Risks on your workspace's projects"},
            {"name": "TaskFlow reports", "description": "Reports over a period, as JSON, CSV or PDF"},
        ],
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update({name: schema for name, (schema, _) in ERRORS.items()})
    schemas.pop("ErrorEnvelope", None)  # the handlers' generic error model: replaced per status below
    schemas.pop("ErrorData", None)
    components["securitySchemes"] = {
        SESSION: {
            "type": "apiKey",
            "in": "cookie",
            "name": cookie_name,
            "description": f"The session cookie `POST {PREFIX}/auth/login` sets",
        },
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "A /v1 API key or OAuth access token (`Authorization: Bearer ...`), for scripts",
        },
    }
    components["headers"] = HEADERS
    for path, item in document["paths"].items():
        for method, operation in item.items():
            _complete(path, method, operation)
    return document


def _complete(path: str, method: str, operation: dict[str, Any]) -> None:
    """Security, the shared error statuses and the headers of one operation."""
    operation["security"] = _SECURITY.get((method, path), _CREDENTIALS)
    statuses = [422, 429]
    if method in ("post", "put", "patch", "delete"):
        statuses += [403, 413]
    role = POLICY.get(operation.get("operationId", ""))
    if role is not None:
        statuses.append(403)
        own = OWN.get(operation.get("operationId", ""))
        lowest = f"Lowest role: `{role}`." + (f" Your own: `{own}`." if own else "")
        operation["description"] = f"{operation.get('description', '').rstrip()}\n\n{lowest}".lstrip()
    if {SESSION: []} in operation["security"] and {} not in operation["security"]:
        statuses.append(401)
    responses: dict[str, Any] = operation["responses"]
    for code in statuses:
        name = "ForbiddenError" if code == 403 and role is not None else _BY_STATUS[code]
        responses.setdefault(str(code), {"description": ERRORS[name][1]})
    for status, response in responses.items():
        code = int(status)
        if code >= 400:
            schema = _OVERRIDES.get((path, method, code)) or _BY_STATUS.get(code, "Error")
            if code == 403 and role is not None:
                schema = "ForbiddenError"
            response["content"] = {"application/json": {"schema": {"$ref": _REF.format(name=schema)}}}
        headers: dict[str, Any] = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
        if code == 429:
            headers["Retry-After"] = deepcopy(RETRY_AFTER)
        response["headers"] = headers


@cache
def _document_bytes(cookie_name: str) -> bytes:
    return json.dumps(taskflow_document(cookie_name), separators=(",", ":")).encode()


async def serve_document(request: Request) -> Response:
    """GET /api/openapi.json (and /api/docs/openapi.json)."""
    settings: Settings = request.app.state.settings
    return Response(_document_bytes(settings.session_cookie_name), media_type="application/json")
