"""TaskFlow envelopes: {"status", "message", "data", "meta"}; errors carry data.error_code.

The surface owns every path under /api except those of the other surfaces that share the
prefix (Taskforce at /api/v1, TaskIP at /api/public-v1): api/surfaces.py orders them.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi.encoders import jsonable_encoder
from starlette.requests import Request
from starlette.responses import JSONResponse

from polytask.api.taskflow.amount import Amount
from polytask.core.clock import isoformat, utcnow

VERSION = "1.0"
LOGIN_URL = "/login"

# The error_code TaskFlow clients see for each domain error code.
_CODES = {
    "AUTHENTICATION_ERROR": "AUTH_REQUIRED",
    "RESOURCE_NOT_FOUND": "NOT_FOUND",
}


def _meta(request: Request) -> dict[str, Any]:
    return {
        "timestamp": isoformat(utcnow().replace(microsecond=0)),
        "version": VERSION,
        "request_id": getattr(request.state, "request_id", ""),
    }


class _Body(JSONResponse):
    """Starlette's JSON body, except that an `Amount` is written as the number its text says
    (`50000.00`, places kept), which no float can do: each stands in as a one-off token that is
    then replaced by the digits (the token holds a random part, so no client text matches it)."""

    def render(self, content: Any) -> bytes:
        nonce = secrets.token_hex(8)
        numbers: dict[str, str] = {}

        def default(value: Any) -> Any:
            if isinstance(value, Amount):
                token = f"\u0000{nonce}:{len(numbers)}"
                numbers[json.dumps(token)] = value.text
                return token
            # What JSON has no type for (dates, decimals, models...), as FastAPI encodes it; only
            # those values pass here, so a body of plain values is never walked twice.
            encoded = jsonable_encoder(value, custom_encoder={Amount: lambda amount: amount})
            if encoded is value:
                raise TypeError(f"{type(value).__name__} is not JSON serializable")
            return encoded

        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=default)
        for token, digits in numbers.items():
            text = text.replace(token, digits, 1)
        return text.encode("utf-8")


def success_response(
    request: Request,
    message: str,
    data: dict[str, Any],
    status: int = 200,
    *,
    pagination: dict[str, int] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"status": "success", "message": message, "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    body["meta"] = _meta(request)
    return _Body(body, status_code=status, headers={"Cache-Control": "no-store"})


def _field_errors(details: dict[str, Any]) -> dict[str, list[str]] | None:
    """{"field": ["issue", ...]} from a domain error's details, as TaskFlow shows validation errors."""
    listed = details.get("errors")
    if isinstance(listed, dict):
        return {str(k): [str(i) for i in (v if isinstance(v, list) else [v])] for k, v in listed.items()}
    found: dict[str, list[str]] = {}
    items = listed if isinstance(listed, list) else ([details] if "field" in details else [])
    for item in items:
        if isinstance(item, dict) and "field" in item:
            found.setdefault(str(item["field"]), []).append(str(item.get("issue", "is invalid")))
    return found or None


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    details = details or {}
    data: dict[str, Any] = {"error_code": _CODES.get(code, code)}
    if data["error_code"] == "AUTH_REQUIRED":
        data["redirect_url"] = LOGIN_URL
    if code == "VALIDATION_ERROR":
        errors = _field_errors(details)
        if errors:
            data["errors"] = errors
    else:
        data.update({k: v for k, v in details.items() if k not in data and k != "errors"})
    body = {"status": "error", "message": message, "data": jsonable_encoder(data), "meta": _meta(request)}
    request_id = getattr(request.state, "request_id", "")
    out = {**(headers or {}), "Cache-Control": "no-store"}
    if request_id:
        out["X-Request-ID"] = request_id
    return JSONResponse(body, status_code=status, headers=out)
