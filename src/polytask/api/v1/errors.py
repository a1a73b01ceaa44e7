"""The native error document: {"error": {code, message, details, request_id, timestamp}}."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from starlette.requests import Request
from starlette.responses import JSONResponse

from polytask.core.clock import isoformat, utcnow


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "")
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": jsonable_encoder(details or {}),
            "request_id": request_id,
            "timestamp": isoformat(utcnow().replace(microsecond=0)),
        }
    }
    # Set here as well as by the middleware: a 500 is sent by Starlette's outermost error
    # middleware, outside RequestIdMiddleware, and must still carry the id.
    out_headers = {**(headers or {}), "X-Request-ID": request_id} if request_id else headers
    return JSONResponse(body, status_code=status, headers=out_headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    # The location comes first; a field may itself be called `body` (a comment's, a mail's).
    if loc and loc[0] in ("body", "query", "path", "header"):
        loc = loc[1:]
    parts = [str(p) for p in loc]
    # Pydantic reports union branches by type name (e.g. 'str', 'list[...]', and
    # 'constrained-str' for a str with a pattern, as money amounts are); drop them.
    parts = [
        p for p in parts if not (p.startswith(("list[", "function-", "constrained-")) or p in ("str", "int", "float"))
    ]
    name = ""
    for part in parts:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or "body"


def validation_details(errors: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """Turn FastAPI/Pydantic errors into the spec's details: the first error, plus all of them."""
    items = []
    for err in errors:
        kind = err.get("type", "")
        field = _field_name(tuple(err.get("loc", ())))
        issue = str(err.get("msg", "invalid"))
        if kind == "json_invalid":
            field, issue = "body", f"Malformed JSON: {err.get('ctx', {}).get('error', issue)}"
        elif kind == "extra_forbidden":
            issue = "unknown field"
        elif kind == "missing":
            issue = "is required"
        item: dict[str, Any] = {"field": field, "issue": issue}
        if kind not in ("missing", "json_invalid") and "input" in err:
            value = err["input"]
            if isinstance(value, str | int | float | bool) or value is None:
                item["provided_value"] = value
        items.append(item)
    first = items[0] if items else {"field": "body", "issue": "invalid"}
    message = f"Invalid value for '{first['field']}': {first['issue']}"
    if first["field"] == "body" and first["issue"].startswith("Malformed JSON"):
        message = first["issue"]
    return message, {**first, "errors": items}
