"""The Taskforce surface's own OpenAPI 3.1 document, built from its route table.

Every route `route()`/`public_route()` registered carries its `Operation` (contract.py): the
handler (whose return annotation is the closed TypedDict of what follows `success: true`),
its scope, its parameters and its specific refusals. Each operation is documented at its
`.json` path; the bare path and `.xml` answer the same in XML. A route without an Operation
stops the build (`UndocumentedRoute`), so nothing can be served and left out.

Served at /api/v1/openapi.json (no Taskforce operation is called `openapi`); the Swagger UI
page at /api/v1/docs reads it (api/system.py, assets served locally). /openapi.json stays
the native surface's document.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any, get_type_hints

from fastapi import APIRouter
from fastapi.routing import iter_route_contexts
from pydantic import TypeAdapter
from starlette.responses import Response

from polytask import __version__
from polytask.api.taskforce.contract import ID_SCHEMA, NO_CONTROL, TEXT, JSONSchema, Operation
from polytask.api.taskforce.endpoint import OPERATION
from polytask.api.taskforce.errors import REALM
from polytask.api.taskforce.params import MAX_BODY
from polytask.api.taskforce.router import router as taskforce_router
from polytask.api.taskforce.surface import DOCS_URL, OPENAPI_URL, PREFIX
from polytask.core.inputguard import DEFAULT_LIMITS

OPENAPI_PATH = OPENAPI_URL
DOCS_PATH = DOCS_URL
SECURITY = "basic"
_REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
_TAGS = {"users": "User", "tasks": "Tasks", "lists": "Lists"}

DESCRIPTION = f"""
The Taskforce API v1 as Polytask serves it at `{PREFIX}` (spec: `taskforce-api-v1.txt`; the
decisions where it is silent: `docs/compat/taskforce.md`). Only GET and POST exist.

**Formats.** This document describes each operation at its `.json` path, which answers
JSON. The same operation also answers at the bare path and at `.xml` (`/api/v1/tasks`,
`/api/v1/tasks.xml`) in XML: one `<response>` element holding the same names with
underscores turned into hyphens (`<api-key>`, `<task-counts>`), typed like Rails' `to_xml`
(`type="integer"`, `type="boolean"`, `nil="true"`; arrays are `type="array"` with one child
per item named by the array's singular: `<tasks type="array"><task>`). Errors follow the
path's suffix too.

**Authentication.** HTTP Basic on every operation but sign-up: the user's email as the
username (`(at)` may stand for `@`), one of their API keys (`ptk_...`) as the password.
The surface acts in the workspace the key is bound to, or the user's personal workspace.

**Parameters** come from the query string and the body: form-encoded (as documented here),
`multipart/form-data` with the same fields, or a JSON object. Unknown parameters are
ignored; in JSON, `null` is the same as leaving a parameter out.

**Errors** are `success: false` with `message`, the core's stable `code`, `details` when
there are any, and `request_id`. Besides the statuses listed per operation, any method
other than GET and POST (or the one an operation does not have) is 405 with an `Allow`
header, an unknown path 404, and an unexpected failure 500, all in the same envelope.
Rate limits apply per credential (per address without one), with `X-RateLimit-*`
headers; a refusal is 429 with `Retry-After`.
"""

ENVELOPE_DESCRIPTIONS = {
    401: "Missing, malformed or wrong credentials (email + API key over HTTP Basic)",
    403: "The key lacks the operation's scope, the user is a workspace viewer (writes), or "
    "the workspace's IP allowlist refuses the address",
    404: "A task or list that does not exist or that the user cannot see (the same answer), or no workspace to act in",
    409: "Conflict",
    413: f"The body is over {MAX_BODY} bytes (PAYLOAD_TOO_LARGE; `details.limit_bytes`)",
    422: "A parameter is missing, blank or invalid (`details.field` names it; `details.errors` "
    "lists each when there are several), or the body cannot be read (unsupported content type, "
    "unreadable JSON, duplicate keys)",
    429: "Rate limit or monthly quota exceeded",
}
ERROR_CODES = {
    401: ["AUTHENTICATION_ERROR"],
    403: ["PERMISSION_DENIED"],
    404: ["RESOURCE_NOT_FOUND"],
    409: ["CONFLICT"],
    413: ["PAYLOAD_TOO_LARGE"],
    422: ["VALIDATION_ERROR"],
    429: ["RATE_LIMIT_EXCEEDED", "QUOTA_EXCEEDED"],
}
# Every code an error on this surface can carry (the generic `Error`: unknown paths, 405s, 500s).
ANY_CODE = [
    *(code for codes in ERROR_CODES.values() for code in codes),
    "METHOD_NOT_ALLOWED",
    "HTTP_ERROR",
    "INTERNAL_ERROR",
]
ERROR_SCHEMAS = {
    401: "AuthenticationError",
    403: "PermissionError",
    404: "NotFoundError",
    409: "ConflictError",
    413: "PayloadTooLargeError",
    422: "ValidationError",
    429: "RateLimitError",
}

_PROBLEM: JSONSchema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["field", "issue"],
    "properties": {"field": {"type": "string"}, "issue": {"type": "string"}, "provided_value": {}},
}
# Every key an error's `details` can hold on this surface (core/errors.py and the raisers
# the surface reaches; api/app.py adds path and method to 404/405s, the rate limiter retry_after).
ERROR_DETAILS: JSONSchema = {
    "type": "object",
    "additionalProperties": False,
    "description": "What the error is about; which keys appear depends on the error",
    "properties": {
        "field": {"type": "string", "description": "The parameter at fault (`task_ids[0]` for an item)"},
        "issue": {"type": "string"},
        "provided_value": {"description": "The value given, when it helps"},
        "errors": {"type": "array", "items": _PROBLEM, "description": "Every field at fault"},
        "limit_bytes": {"type": "integer"},
        "header": {"type": "string"},
        "username": {"type": "string"},
        "resource": {"type": "string", "examples": ["task"]},
        "id": {"type": "integer", "description": "The id not found"},
        "list_id": {"type": "integer"},
        "flagship": {"type": "boolean"},
        "required_scope": {"type": "string"},
        "scopes": {"type": "array", "items": {"type": "string"}},
        "required_role": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "required_permission": {"type": "string"},
        "client_ip": {"type": ["string", "null"]},
        "workspace_id": {"type": "string"},
        "setting": {"type": "string"},
        "path": {"type": "string"},
        "method": {"type": "string"},
        "retry_after": {"type": "integer", "description": "Seconds to wait"},
    },
}
HEADERS: dict[str, JSONSchema] = {
    "X-Request-ID": {
        "description": "The request's id (also `request_id` in errors)",
        "required": True,
        "schema": {"type": "string"},
    },
    "X-RateLimit-Limit": {"description": "Requests allowed in the tightest window", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in that window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "When that window ends (epoch seconds)", "schema": {"type": "integer"}},
    # Only on the responses that always carry them: 429 and 401.
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer"},
    },
    "WWW-Authenticate": {"description": f"`{REALM}`", "required": True, "schema": {"type": "string"}},
}


# What an unknown parameter of a JSON body may hold: it is ignored, but api/jsonbodies.py
# refuses numbers Polytask cannot keep anywhere in a JSON body (422 naming the field).
_NAME: JSONSchema = {"maxLength": DEFAULT_LIMITS.max_key_chars, "pattern": NO_CONTROL}
JSON_VALUE: JSONSchema = {
    # The size bounds are said in words: as maxItems/maxProperties, schemathesis' negative
    # cases would be bodies of megabytes (413s), slow to make and to send.
    "description": "Any JSON value within the input limits (docs/security.md): integers within 64 "
    f"signed bits, finite doubles, text without control characters (but tab, line feed, carriage "
    f"return), at most {DEFAULT_LIMITS.max_array_items:,} items per array, "
    f"{DEFAULT_LIMITS.max_object_members:,} members per object, {DEFAULT_LIMITS.max_depth} levels; "
    "a body breaking them anywhere is 422",
    "anyOf": [
        {"type": ["boolean", "null"]},
        TEXT,
        {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
        {
            "type": "number",
            "not": {"type": "integer"},
            "minimum": -1.7976931348623157e308,
            "maximum": 1.7976931348623157e308,
        },
        {"type": "array", "items": {"$ref": _REF.format(model="JsonValue")}},
        {"type": "object", "propertyNames": _NAME, "additionalProperties": {"$ref": _REF.format(model="JsonValue")}},
    ],
}


class UndocumentedRoute(LookupError):
    """A Taskforce route registered without an Operation (not through route()/public_route())."""


def operations(router: APIRouter) -> list[tuple[str, Operation]]:
    """(path, Operation) of the router's `.json` routes, in routing order."""
    found: list[tuple[str, Operation]] = []
    for item in iter_route_contexts(router.routes):
        operation = getattr(item.endpoint, OPERATION, None)
        if not isinstance(operation, Operation) or item.path is None:
            raise UndocumentedRoute(f"{sorted(item.methods or ())} {item.path} was not registered through route()")
        if item.path.endswith(".json"):
            found.append((item.path, operation))
    return found


def build_document(router: APIRouter) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every operation the router serves."""
    schemas: dict[str, JSONSchema] = {
        "JsonValue": JSON_VALUE,
        "ErrorDetails": ERROR_DETAILS,
        "Error": {
            **_error_schema(ANY_CODE),
            "description": "Any error of this surface: unknown paths, 405s and 500s too",
        },
    }
    for status, name in ERROR_SCHEMAS.items():
        schemas[name] = _error_schema(ERROR_CODES[status])
    paths: dict[str, dict[str, Any]] = {}
    for route_path, operation in operations(router):
        answer = _answer_schema(operation, schemas)
        path = _PATH_PARAM.sub(r"{\1}", route_path)
        paths.setdefault(path, {})[operation.method.lower()] = _operation(route_path, operation, answer)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Polytask — Taskforce API v1", "version": __version__, "description": DESCRIPTION},
        "tags": [{"name": tag} for tag in _TAGS.values()],
        "security": [{SECURITY: []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "headers": HEADERS,
            "securitySchemes": {
                SECURITY: {
                    "type": "http",
                    "scheme": "basic",
                    "description": "Username: the user's email (or its `(at)` form). Password: an API key.",
                }
            },
        },
    }


@cache
def taskforce_document() -> dict[str, Any]:
    """The document of the surface's router, built once per process."""
    return build_document(taskforce_router)


@cache
def _document_bytes() -> bytes:
    return json.dumps(taskforce_document(), ensure_ascii=False, separators=(",", ":")).encode()


async def serve_document() -> Response:
    """GET /api/v1/openapi.json."""
    return Response(_document_bytes(), media_type="application/json")


def _error_schema(codes: list[str]) -> JSONSchema:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["success", "message", "code", "request_id"],
        "properties": {
            "success": {"const": False},
            "message": {"type": "string"},
            "code": {"const": codes[0]} if len(codes) == 1 else {"enum": codes},
            "details": {"$ref": _REF.format(model="ErrorDetails")},
            "request_id": {"type": "string"},
        },
    }


def _answer_schema(operation: Operation, schemas: dict[str, JSONSchema]) -> str:
    """Put the success envelope of the handler's return type into `schemas`; returns its name."""
    answer = get_type_hints(operation.handler)["return"]
    name: str = answer.__name__
    generated = TypeAdapter(answer).json_schema(ref_template=_REF)
    for def_name, definition in generated.pop("$defs", {}).items():
        schemas[def_name] = _tidy(definition)
    payload = _tidy(generated)
    schemas[name] = {
        "type": "object",
        "description": f"`success: true`{', then: ' + payload['description'] if 'description' in payload else ''}",
        "additionalProperties": False,
        "required": ["success", *payload.get("required", [])],
        "properties": {"success": {"const": True}, **payload.get("properties", {})},
    }
    return name


def _tidy(schema: JSONSchema) -> JSONSchema:
    """Drop pydantic's generated titles (names say it already)."""
    out = {key: value for key, value in schema.items() if key != "title"}
    if "properties" in out:
        out["properties"] = {
            key: {k: v for k, v in prop.items() if k != "title"} for key, prop in out["properties"].items()
        }
    return out


def _operation(route_path: str, operation: Operation, answer: str) -> dict[str, Any]:
    doc = inspect.getdoc(operation.handler) or operation.handler.__name__
    summary = doc.split("\n")[0]
    module = operation.handler.__module__.rsplit(".", 1)[-1]
    description = doc
    if operation.scope:
        description += f"\n\nRequires the `{operation.scope}` scope."
    bare = _PATH_PARAM.sub(r"{\1}", route_path.removesuffix(".json"))
    description += f"\n\nAlso at `{bare}` and `{bare}.xml`, answering XML."
    out: dict[str, Any] = {
        "operationId": f"{module}_{operation.handler.__name__}",
        "tags": [_TAGS[module]],
        "summary": summary,
        "description": description,
    }
    if operation.scope:
        out["x-required-scope"] = operation.scope
    else:
        out["security"] = []
    path_params = _PATH_PARAM.findall(route_path)
    if path_params:
        out["parameters"] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": f"The {name.removesuffix('_id')}'s integer id",
                "schema": dict(ID_SCHEMA),
            }
            for name in path_params
        ]
    if operation.params:
        out["requestBody"] = _body(operation)
    out["responses"] = _responses(operation, answer)
    return out


def _body(operation: Operation) -> JSONSchema:
    required = [p.name for p in operation.params if p.required]
    content: dict[str, Any] = {}
    for media, json_body in (("application/json", True), ("application/x-www-form-urlencoded", False)):
        schema: JSONSchema = {
            "type": "object",
            "properties": {p.name: p.schema(json_body=json_body) for p in operation.params},
        }
        if required:
            schema["required"] = required
        # Unknown parameters are ignored (old clients send extras), but held to the input limits.
        schema["propertyNames"] = _NAME
        if json_body:
            schema["additionalProperties"] = {"$ref": _REF.format(model="JsonValue")}
        else:
            schema["additionalProperties"] = TEXT
        if operation.one_of:
            # At least one of them, and not as JSON null (which counts as not given).
            schema["anyOf"] = [
                {"required": [name], "properties": {name: {"type": "string"}}} for name in operation.one_of
            ]
        content[media] = {"schema": schema}
        arrays = [p.name for p in operation.params if p.kind == "ids"]
        if arrays and not json_body:
            content[media]["encoding"] = {name: {"style": "form", "explode": True} for name in arrays}
    return {"required": bool(required or operation.one_of), "content": content}


def _responses(operation: Operation, answer: str) -> dict[str, Any]:
    request_id = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}}
    limits = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS if name.startswith("X-RateLimit")}
    out: dict[str, Any] = {
        "200": {
            "description": "`success: true`, with what the operation answers",
            "headers": {**request_id, **limits},
            "content": {"application/json": {"schema": {"$ref": _REF.format(model=answer)}}},
        }
    }
    for status in _statuses(operation):
        headers: dict[str, Any] = {**request_id, **limits}
        if status == 401:
            headers["WWW-Authenticate"] = {"$ref": "#/components/headers/WWW-Authenticate"}
        if status == 429:
            headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        out[str(status)] = {
            "description": operation.refusals.get(status) or ENVELOPE_DESCRIPTIONS[status],
            "headers": headers,
            "content": {"application/json": {"schema": {"$ref": _REF.format(model=ERROR_SCHEMAS[status])}}},
        }
    return out


def _statuses(operation: Operation) -> Iterable[int]:
    statuses = set(operation.refusals)
    if operation.scope is not None:
        statuses |= {401, 403, 404}
    # The input guard (api/inputguard.py) refuses control characters or oversized values in
    # any query string, so any operation can be 422; a POST's body can also be unreadable
    # or too large, whatever the parameters.
    statuses.add(422)
    if operation.method == "POST":
        statuses.add(413)
    statuses.add(429)
    return sorted(statuses)
