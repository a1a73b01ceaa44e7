"""The input guard: every request's client values held to core/inputguard.py's rules before
routing, on every surface. A body over the size limit is a 413 PAYLOAD_TOO_LARGE; a JSON
body, form body or query string that breaks a rule (lone surrogates, control characters,
duplicate keys, oversized strings, keys, arrays or objects, too deep nesting, numbers beyond
64-bit integers or doubles) is a 422 VALIDATION_ERROR naming each field; both in the
surface's error shape, and nothing runs.

One middleware instead of a check per field: free-form JSON (task custom fields, settings,
bulk items) reaches several services and serialisers, and the surfaces parse bodies in
different places (FastAPI for /v1 and /api, api/taskforce/params.py for /api/v1, which
checks its multipart fields itself). A route that takes files (`@accepts_upload`,
api/uploads.py) gets its multipart or raw body unread: its receiver streams it to disk and
holds it to POLYTASK_MAX_UPLOAD_BYTES, this guard only to that limit. In POST /v1/batch the
numbers of an operation's body are left to the operation: each is dispatched through the
application again, with its body written out as given, and answers for itself as if called
alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi.routing import iter_route_contexts
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.api.asgi import declared_length
from polytask.api.uploads import is_upload_endpoint, too_large
from polytask.core.inputguard import (
    MAX_REPORTED,
    PARSED_JSON,
    UNREAD,
    InputLimits,
    InputProblem,
    body_too_large,
    check_pairs,
    read_json,
    text_issue,
)

Render = Callable[[Request, int, str, str, dict[str, Any]], Response]
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BATCH = frozenset({"/v1/batch", "/v1/batch/"})
# A query string needs decoding only when it may hold a control character (%00-%1F) or a
# value longer than the limits (tab, line feed and carriage return are false alarms).
_QUERY_ALARM = re.compile(rb"%[01]", re.IGNORECASE)


def _content_type(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value).lower()
    return None


def check_query(query: bytes, limits: InputLimits) -> list[InputProblem]:
    if len(query) <= limits.max_key_chars and not _QUERY_ALARM.search(query):
        return []
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
    except ValueError:
        return []
    return check_pairs(pairs, limits)


def check_body(
    body: bytes, content_type: bytes | None, limits: InputLimits, *, numbers: bool
) -> tuple[list[InputProblem], Any]:
    """The problems of a request body, read by its content type the way the surfaces read it:
    JSON when the type says so (or, with no type, when it looks like JSON: FastAPI parses
    such bodies as JSON), form fields for form and plain-text bodies (Taskforce reads those).
    Also the parsed JSON document when it broke no rule, else UNREAD."""
    if not body.strip():
        return [], UNREAD
    if content_type is None:
        kind = b"json" if body.lstrip()[:1] in (b"{", b"[") else b"form"
    elif b"json" in content_type:
        kind = b"json"
    elif content_type.startswith((b"application/x-www-form-urlencoded", b"text/plain")):
        kind = b"form"
    else:
        return [], UNREAD  # multipart (checked by its reader) and types no surface reads as fields
    if kind == b"json":
        return read_json(body, limits, numbers=numbers)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return [], UNREAD  # the surface's reader says so
    return check_pairs(parse_qsl(text, keep_blank_values=True), limits), UNREAD


_OPERATION_BODY = re.compile(r"^operations\[\d+\]\.body(?:$|[.\[])")


def _batch_problems(body: bytes, content_type: bytes | None, limits: InputLimits) -> list[InputProblem]:
    """A batch is held to every rule, but the numbers of its operations' bodies are left to the
    operations (each answers for itself, as if called alone)."""
    problems, _ = check_body(body, content_type, limits, numbers=False)
    if problems:
        return problems
    numbers, _ = check_body(body, content_type, limits, numbers=True)
    return [p for p in numbers if not _OPERATION_BODY.match(p.field)]


def _read_as_fields(content_type: bytes | None) -> bool:
    """Whether the guard reads a body of this type (JSON, form, text); others pass unread to
    an upload route."""
    return (
        content_type is None
        or b"json" in content_type
        or content_type.startswith((b"application/x-www-form-urlencoded", b"text/plain"))
    )


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp, *, render: Render, limits: InputLimits, upload_limit: int = 0) -> None:
        self.app = app
        self.render = render
        self.limits = limits
        # The largest body an upload route may receive (its receiver holds the file to its own cap).
        self.upload_limit = upload_limit
        self._uploads: tuple[int, list[Any]] | None = None

    def _upload_routes(self, scope: Scope) -> list[Any]:
        """The routes whose endpoint is marked `@accepts_upload`, found once per route table."""
        app = scope.get("app")
        routes = getattr(app, "routes", None)
        if routes is None:
            return []
        version = len(routes)
        if self._uploads is None or self._uploads[0] != version:
            found = [ctx for ctx in iter_route_contexts(routes) if is_upload_endpoint(ctx.endpoint)]
            self._uploads = (version, found)
        return self._uploads[1]

    def _takes_upload(self, scope: Scope) -> bool:
        return any(ctx.matches(scope)[0] == Match.FULL for ctx in self._upload_routes(scope))

    async def _pass_upload(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The body streams through unread, held only to the upload limit (its receiver refuses
        sooner, with the file's own limit)."""
        limit = self.upload_limit
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            error = too_large(limit)
            response = self.render(Request(scope), error.http_status, error.code, error.message, error.details)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, counted, send)

    async def refuse(self, scope: Scope, receive: Receive, send: Send, problems: list[InputProblem]) -> None:
        first = problems[0]
        if first.status == 413:
            message = f"The request body is too large: it {first.issue}"
            details = {**first.as_detail(), "limit_bytes": self.limits.max_body_bytes}
            code = "PAYLOAD_TOO_LARGE"
        else:
            items = [p.as_detail() for p in problems[:MAX_REPORTED]]
            message = f"Invalid value for '{first.field}': {first.issue}"
            details = {**items[0], "errors": items}
            code = "VALIDATION_ERROR"
        await self.render(Request(scope), first.status, code, message, details)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        if text_issue(scope["path"], limits.max_string_chars) is not None:
            # A control character in the path names no resource of any surface.
            await self.render(Request(scope), 404, "RESOURCE_NOT_FOUND", "No such endpoint", {"path": "(refused)"})(
                scope, receive, send
            )
            return
        problems = check_query(scope.get("query_string", b""), limits)
        if problems:
            await self.refuse(scope, receive, send, problems)
            return
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        content_type = _content_type(scope)
        if self.upload_limit and not _read_as_fields(content_type) and self._takes_upload(scope):
            await self._pass_upload(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > limits.max_body_bytes:
            await self.refuse(scope, receive, send, [body_too_large(limits)])
            return
        parts: list[bytes] = []
        size = 0
        while True:
            last = await receive()
            if last["type"] != "http.request":
                break
            chunk = last.get("body", b"")
            size += len(chunk)
            if size > limits.max_body_bytes:
                await self.refuse(scope, receive, send, [body_too_large(limits)])
                return
            parts.append(chunk)
            if not last.get("more_body", False):
                break
        body = b"".join(parts)
        document = UNREAD
        if scope["path"] in _BATCH:
            problems = _batch_problems(body, content_type, limits)
        else:
            problems, document = check_body(body, content_type, limits, numbers=True)
        if problems:
            await self.refuse(scope, receive, send, problems)
            return
        if document is not UNREAD:
            scope[PARSED_JSON] = (body, document)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return last if last["type"] != "http.request" else {**last, "body": body, "more_body": False}

        await self.app(scope, replay, send)
