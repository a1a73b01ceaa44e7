"""The TaskIP surface's own OpenAPI 3.1 document, generated from its routes.

FastAPI builds the operations from TaskIP's router (api/taskip/router.py); this module adds
what every operation shares and no handler states: the `X-Secret-Key` security scheme, the
success envelope around each answer, the error envelope for every error status the app's
middleware and handlers answer with, and the rate-limit headers. The app includes the same
routes with `include_in_schema=False`, so they stay out of `/openapi.json` (the native
document). Served at /api/public-v1/openapi.json; the docs page at /api/public-v1/docs.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi.openapi.utils import get_openapi
from starlette.requests import Request
from starlette.responses import Response

from polytask import __version__
from polytask.api.taskip.paths import PREFIX
from polytask.api.taskip.router import router as taskip_router

OPENAPI_PATH = f"{PREFIX}/openapi.json"
DOCS_PATH = f"{PREFIX}/docs"
SECRET_KEY = "secretKey"
_REF = "#/components/schemas/{name}"

DESCRIPTION = f"""
The TaskIP public API as Polytask serves it at `{PREFIX}` (spec: `taskip-api-reference.txt`;
the decisions where it is silent: `docs/compat/taskip.md`). Served today: Project Management,
Task Management, Task Labels & Assignees, Container Management and Project Attributes. A
project here is the same object `/v1`, Taskforce and TaskFlow show.

**Authentication.** `X-Secret-Key: <api key>` on every request: a Polytask API key (the same
keys as `/v1`, with their scopes; a key bound to a workspace acts in it, else in your default
workspace). Missing or wrong: 401.

**Envelopes.** Success: `{{"success": true, "data", "message", "meta"}}` (201 on create, 204
with no body on delete). Lists: `meta {{current_page, per_page, total, total_pages}}`. Errors:
`{{"success": false, "error", "message", "errors": {{field: [messages]}}, "status_code"}}`.

**Lists.** `page` (default 1) and `limit` (default 50, at most 100); `search`, `status`,
`date_from`, `date_to`, `created_at` (days as `YYYY-MM-DD`, on the creation time), `sort` and
`order` (`asc`/`desc`) where the list has them. Out-of-range or unknown values are 422s naming
the parameter.

**Rate limits.** 1000 requests per hour per key, bursts of 100 per minute; every answer carries
`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`; over the limit: 429 with
`Retry-After`.
"""

_FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": "Each field at fault, with what is wrong with it",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "examples": [{"name": ["is required"]}],
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["success", "error", "message", "errors", "status_code"],
    "properties": {
        "success": {"const": False},
        "error": {"type": "string", "description": "The error's code", "examples": ["VALIDATION_ERROR"]},
        "message": {"type": "string"},
        "errors": _FIELD_ERRORS,
        "status_code": {"type": "integer"},
    },
}
META_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A list's paging (empty for other answers)",
    "properties": {
        "current_page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "total_pages": {"type": "integer"},
    },
}
ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["success", "data", "message", "meta"],
    "properties": {
        "success": {"const": True},
        "data": {"description": "The answer: an object, or a list of them"},
        "message": {"type": "string"},
        "meta": {"$ref": _REF.format(name="Meta")},
    },
}
_STATUS_TEXT = {
    401: "Missing or wrong X-Secret-Key",
    403: "The key's scope or your role does not allow this",
    404: "No such object in your workspace",
    409: "A conflict with the current state (a name in use, a container still holding tasks)",
    413: "The body is over the size limit",
    422: "A missing or malformed field or parameter (`errors` names each)",
    429: "Too many requests; see Retry-After",
}
_HEADER: dict[str, Any] = {"schema": {"type": "string"}}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"description": "The request's id", **_HEADER},
    "X-RateLimit-Limit": {"description": "Requests allowed in the current window", **_HEADER},
    "X-RateLimit-Remaining": {"description": "Requests left in the current window", **_HEADER},
    "X-RateLimit-Reset": {"description": "When the window resets (Unix time)", **_HEADER},
}


@cache
def taskip_document() -> dict[str, Any]:
    document = get_openapi(
        title="Polytask — TaskIP public API",
        version=__version__,
        openapi_version="3.1.0",
        description=DESCRIPTION,
        routes=taskip_router.routes,
        tags=[
            {"name": "TaskIP projects", "description": "Projects, their activity, and every task"},
            {"name": "TaskIP tasks", "description": "A project's tasks, their labels and assignees"},
            {"name": "TaskIP containers", "description": "A project's board columns"},
            {"name": "TaskIP project attributes", "description": "The workspace's project tags and categories"},
        ],
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update({"Error": ERROR_SCHEMA, "Meta": META_SCHEMA, "Envelope": ENVELOPE})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        SECRET_KEY: {"type": "apiKey", "in": "header", "name": "X-Secret-Key", "description": "A Polytask API key"}
    }
    components["headers"] = HEADERS
    for item in document["paths"].values():
        for method, operation in item.items():
            _complete(method, operation)
    return document


def _complete(method: str, operation: dict[str, Any]) -> None:
    """Security, the envelope, the shared error statuses and the headers of one operation."""
    operation["security"] = [{SECRET_KEY: []}]
    responses: dict[str, Any] = operation["responses"]
    statuses = [401, 403, 404, 422, 429]
    if method in ("post", "put", "patch", "delete"):
        statuses += [409, 413]
    for code in statuses:
        responses.setdefault(str(code), {"description": _STATUS_TEXT[code]})
    for status, response in list(responses.items()):
        code = int(status)
        if code == 204:
            response.pop("content", None)
        elif code < 400 and set(response.get("content", {})) - {"application/json"}:
            # A download: the file's own type, whatever it is.
            response["content"] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
        elif code < 400:
            # The operation's own envelope (its response_model: api/taskip/outputs.py), else any.
            declared = response.get("content", {}).get("application/json", {}).get("schema")
            schema = declared or {"$ref": _REF.format(name="Envelope")}
            response["content"] = {"application/json": {"schema": schema}}
        else:
            response["content"] = {"application/json": {"schema": {"$ref": _REF.format(name="Error")}}}
        headers: dict[str, Any] = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
        if code == 429:
            headers["Retry-After"] = {"description": "Seconds to wait", "required": True, **_HEADER}
        response["headers"] = headers


@cache
def _document_bytes() -> bytes:
    return json.dumps(taskip_document(), separators=(",", ":")).encode()


async def serve_document(request: Request) -> Response:
    """GET /api/public-v1/openapi.json."""
    return Response(_document_bytes(), media_type="application/json")
