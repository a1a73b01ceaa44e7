"""TaskIP's success envelope (taskip-api-reference.txt "Response Format"):
`{"success": true, "data", "message", "meta"}`; lists carry
`meta {current_page, per_page, total, total_pages}`, other answers an empty `meta`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polytask.core.jsontext import dumps

_HEADERS = {"Cache-Control": "no-store"}


def ok(request: Request, data: Any, message: str, status: int = 200, *, meta: dict[str, int] | None = None) -> Response:
    body = {"success": True, "data": data, "message": message, "meta": meta if meta is not None else {}}
    return Response(dumps(body), status_code=status, media_type="application/json", headers=_HEADERS)


def no_content() -> Response:
    """204: done, nothing to return (a delete)."""
    return Response(status_code=204, headers=_HEADERS)
