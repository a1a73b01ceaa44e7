"""Refuse JSON request bodies holding numbers Polytask cannot keep (core/jsontext.py:
integers beyond 64 signed bits, NaN, Infinity, numbers too large for a double), on every
surface, before routing: a 422 VALIDATION_ERROR naming each field, in the surface's error
shape, and nothing runs.

One middleware instead of a check per field: free-form JSON (task custom fields, settings,
bulk items) reaches several services and serialisers, and the surfaces parse bodies in
different places (FastAPI for /v1 and /api, api/taskforce/params.py for /api/v1).
POST /v1/batch is left to its operations: each is dispatched through the application
again, with its body written out as given, and answers for itself as if called alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.api.asgi import read_body
from polytask.core.jsontext import unstorable_numbers

Render = Callable[[Request, int, str, str, dict[str, Any]], Response]
_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SKIPPED = frozenset({"/v1/batch", "/v1/batch/"})


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return b"json" in value.lower()
    return False


class JsonNumbersMiddleware:
    def __init__(self, app: ASGIApp, *, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _METHODS
            or scope["path"] in _SKIPPED
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        body, last = await read_body(receive)
        problems = unstorable_numbers(body)
        if problems:
            items = [{"field": p.field, "issue": p.issue, "provided_value": p.text} for p in problems]
            first = items[0]
            message = f"Invalid value for '{first['field']}': {first['issue']}"
            await self.render(Request(scope), 422, "VALIDATION_ERROR", message, {**first, "errors": items})(
                scope, receive, send
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return last if last["type"] != "http.request" else {**last, "body": body, "more_body": False}

        await self.app(scope, replay, send)
