"""TaskIP's error envelope (taskip-api-reference.txt): `{"success": false, "error",
"message", "errors": {field: [messages]}, "status_code"}`."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from starlette.requests import Request


def _field_errors(details: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    listed = details.get("errors")
    items = listed if isinstance(listed, list) else ([details] if "field" in details else [])
    for item in items:
        if isinstance(item, dict) and "field" in item:
            found.setdefault(str(item["field"]), []).append(str(item.get("issue", "is invalid")))
    return found


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "success": False,
        "error": code,
        "message": message,
        "errors": jsonable_encoder(_field_errors(details or {})),
        "status_code": status,
    }
    request_id = getattr(request.state, "request_id", "")
    out = {**(headers or {}), "X-Request-ID": request_id} if request_id else headers
    return JSONResponse(body, status_code=status, headers=out)
