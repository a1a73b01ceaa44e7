"""Taskforce errors: `success: false` with a message, in the document format the path asks for."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from starlette.requests import Request
from starlette.responses import Response

from polytask.api.taskforce.render import document

REALM = 'Basic realm="Taskforce API", charset="UTF-8"'


def error_document(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    message, details = _plain_ids(message, details)
    payload: dict[str, Any] = {"success": False, "message": message, "code": code}
    if details:
        payload["details"] = jsonable_encoder(details)
    request_id = getattr(request.state, "request_id", "")
    if request_id:
        payload["request_id"] = request_id
    out = dict(headers or {})
    if status == 401:
        out.setdefault("WWW-Authenticate", REALM)
    if request_id:
        # Also set here: a 500 leaves through Starlette's outermost middleware, past the id middleware.
        out["X-Request-ID"] = request_id
    return document(request, payload, status=status, headers=out or None)


def _plain_ids(message: str, details: dict[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
    """This surface shows integer ids: `task_42` (or "42") becomes 42 in not-found errors."""
    if not details or not isinstance(details.get("id"), str) or "resource" not in details:
        return message, details
    if details["id"].isascii() and details["id"].isdigit():
        return message, {**details, "id": int(details["id"])}
    head, _, tail = details["id"].rpartition("_")
    if not head or not tail.isdigit():
        return message, details
    label = str(details["resource"]).replace("_", " ").capitalize()
    return f"{label} {tail} was not found", {**details, "id": int(tail)}
