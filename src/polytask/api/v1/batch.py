"""POST /v1/batch: several native operations in one request, atomically by default.

Each operation is dispatched through this same application as an in-process request
(same routing, validation, authentication, scope and permission checks, same events),
with the batch's credentials. With `"atomic": true` (the default) every operation runs
inside one shared transaction (api/deps.py SharedUnit): the first failing operation
stops the batch, nothing is written, and the batch answers with that operation's error.
With `"atomic": false` each operation is its own transaction and every result is reported.

References: a string that is exactly `$<index>.<path>` (in the body, at any depth, or as a
whole path segment) is replaced by the value at that dotted path in an earlier operation's
response body, e.g. `"project_id": "$0.data.id"` or `"/tasks/$1.data.id"`. List items are
addressed by number (`$2.data.0.id`). Start a string with `$$` for a literal `$`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from fastapi import Body, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.responses import Response
from starlette.types import Message, Scope

from polytask.api.asgi import CapturedResponse
from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import SHARED_UNIT, SharedUnit, shared_unit
from polytask.api.v1.errors import error_response
from polytask.api.v1.schemas import ERROR_RESPONSES
from polytask.core.errors import ValidationFailed
from polytask.core.jsontext import dumps, loads_exact

router = unit_router(tags=["Batch"], responses=ERROR_RESPONSES)

MAX_OPERATIONS = 100
SCOPE = "tasks:write"
_REFERENCE = re.compile(r"^\$(\d+)((?:\.[^.]+)*)$")
# The outer request's credentials (a bearer header, or the browser session cookie that the
# CSRF check already let through) go with each operation.
_FORWARDED = (b"authorization", b"cookie", b"x-forwarded-for", b"user-agent")


class BatchOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "get", "post", "put", "patch", "delete"]
    path: str = Field(
        min_length=1, max_length=2000, description="Relative to /v1 (`/tasks/task_1`); /v1/... also works."
    )
    body: Any = Field(default=None, description="The JSON body, as for the operation alone.")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operations: list[BatchOperation] = Field(min_length=1, max_length=MAX_OPERATIONS)
    atomic: StrictBool = Field(default=True, description="All or nothing (default), or each operation on its own.")


class BatchResult(BaseModel):
    index: int
    method: str
    path: str = Field(description="The path that ran, references resolved.")
    status: int = Field(description="The operation's HTTP status; 424 when it did not run.")
    body: Any = Field(description="The operation's JSON response body (null for 204).")
    headers: dict[str, str] = Field(default_factory=dict, description="Location and ETag, when given.")


class BatchMeta(BaseModel):
    atomic: bool
    committed: bool = Field(description="Atomic: true. Non-atomic: true when at least one operation succeeded.")
    succeeded: int
    failed: int


class BatchDocument(BaseModel):
    data: list[BatchResult]
    meta: BatchMeta


EXAMPLE = {
    "operations": [
        {"method": "PUT", "path": "/tasks/task_123", "body": {"status": "completed"}},
        {"method": "POST", "path": "/tasks", "body": {"name": "Follow-up task", "project_id": "project_456"}},
        {"method": "DELETE", "path": "/tasks/task_789"},
    ]
}


class _Failed(Exception):
    def __init__(self, status: int, issue: str) -> None:
        self.status = status
        self.issue = issue


@router.post("/batch", response_model=BatchDocument)
async def batch(request: Request, data: BatchRequest = Body(examples=[EXAMPLE])) -> Response:
    """Run several native operations in order (up to 100), in one transaction unless `atomic`
    is false; each result has the operation's status and body. `"$0.data.id"` in a body or
    path refers to an earlier result. Every operation is checked as if called alone."""
    await run_unit(request, lambda _session, _actor: None, scope=SCOPE, readonly=True)
    ops = [_normalised(i, op) for i, op in enumerate(data.operations)]
    results: list[BatchResult] = []
    if not data.atomic:
        for i, op in enumerate(ops):
            results.append(await _step(request, i, op, None, results))
        return _document(results, atomic=False)
    async with shared_unit(request) as unit:
        for i, op in enumerate(ops):
            result = await _step(request, i, op, unit, results)
            if result.status >= 400:
                return _failure(request, result)  # leaving the block rolls everything back
            results.append(result)
        await unit.complete()
    return _document(results, atomic=True)


batch.required_scope = SCOPE  # type: ignore[attr-defined]  # shown in the docs by create_app


def _normalised(index: int, op: BatchOperation) -> tuple[str, str, Any]:
    path = op.path.strip()
    where = f"operations[{index}].path"
    if path.startswith("/v1/"):
        path = path[3:]
    if not path.startswith("/") or "://" in path or "/../" in f"{path}/" or "/./" in f"{path}/":
        raise ValidationFailed.field(where, "must be a path under /v1, such as /tasks/task_1", op.path)
    if path.split("?", 1)[0].rstrip("/") == "/batch":
        raise ValidationFailed.field(where, "a batch cannot contain another batch", op.path)
    return op.method.upper(), path, op.body


async def _step(
    request: Request,
    index: int,
    op: tuple[str, str, Any],
    unit: SharedUnit | None,
    done: list[BatchResult],
) -> BatchResult:
    method, path, body = op
    try:
        target, mark, query = path.partition("?")
        path = "/".join(str(_resolve(segment, index, done)) for segment in target.split("/")) + mark + query
        body = _resolve(body, index, done)
    except _Failed as failed:
        code = "FAILED_DEPENDENCY" if failed.status == 424 else "VALIDATION_ERROR"
        error = {"error": {"code": code, "message": failed.issue, "details": {"field": "reference"}}}
        return BatchResult(index=index, method=method, path=path, status=failed.status, body=error)
    status, headers, raw = await _dispatch(request, index, method, path, body, unit)
    content: Any = None
    if raw:
        try:
            content = loads_exact(raw)  # a stored integer wider than 64 bits stays exact
        except ValueError:
            content = raw.decode(errors="replace")
    return BatchResult(index=index, method=method, path=path, status=status, body=content, headers=headers)


def _resolve(value: Any, index: int, done: list[BatchResult]) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(v, index, done) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, index, done) for v in value]
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    if value.startswith("$$"):
        return value[1:]
    match = _REFERENCE.match(value)
    if match is None:
        raise _Failed(422, f"'{value}' is not a reference: use $<index>.<path>, or $$ for a literal $")
    ref = int(match.group(1))
    if ref >= index:
        raise _Failed(422, f"'{value}' refers to operation {ref}, which does not run before operation {index}")
    earlier = done[ref]
    if earlier.status >= 400:
        raise _Failed(424, f"'{value}' refers to operation {ref}, which failed with {earlier.status}")
    found: Any = earlier.body
    for part in match.group(2).split(".")[1:]:
        if isinstance(found, dict) and part in found:
            found = found[part]
        elif isinstance(found, list) and part.isascii() and part.isdigit() and int(part) < len(found):
            found = found[int(part)]
        else:
            raise _Failed(422, f"'{value}': operation {ref}'s response has nothing at '{part}'")
    return found


async def _dispatch(
    request: Request, index: int, method: str, path: str, body: Any, unit: SharedUnit | None
) -> tuple[int, dict[str, str], bytes]:
    """Run one operation through the application itself and collect its response."""
    outer: Scope = request.scope
    # Written out as given (wide integers, NaN), so the operation's own checks refuse them.
    raw = b"" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    target, _, query = path.partition("?")
    headers = [(k, v) for k, v in outer["headers"] if k in _FORWARDED]
    headers += [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    request_id = outer.get("state", {}).get("request_id")
    if request_id:
        headers.append((b"x-request-id", f"{request_id}.{index}".encode()[:128]))
    scope: Scope = {
        "type": "http",
        "asgi": outer.get("asgi", {"version": "3.0"}),
        "http_version": outer.get("http_version", "1.1"),
        "method": method,
        "scheme": outer.get("scheme", "http"),
        "server": outer.get("server"),
        "client": outer.get("client"),
        "root_path": "",
        "path": f"/v1{target}",
        "raw_path": f"/v1{target}".encode(),
        "query_string": query.encode(),
        "headers": headers,
        "state": {},
    }
    if unit is not None:
        scope[SHARED_UNIT] = unit
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    captured = CapturedResponse()
    try:
        await request.app(scope, receive, captured.send)
    except Exception:  # the app has already sent its 500 response; report it as the result
        if captured.start is None:
            return 500, {}, b""
    assert captured.start is not None
    kept = {name.lower(): value for name, value in captured.headers() if name.lower() in ("location", "etag")}
    return int(captured.start["status"]), kept, captured.body


def _document(results: list[BatchResult], *, atomic: bool) -> Response:
    ok = sum(1 for r in results if r.status < 400)
    meta = {"atomic": atomic, "committed": ok > 0 if not atomic else True, "succeeded": ok, "failed": len(results) - ok}
    body = {"data": [r.model_dump() for r in results], "meta": meta}
    return Response(dumps(body), media_type="application/json")


def _failure(request: Request, result: BatchResult) -> Response:
    """An atomic batch fails as a whole, with the failing operation's status and error."""
    error = result.body.get("error", {}) if isinstance(result.body, dict) else {}
    code = str(error.get("code") or "BATCH_OPERATION_FAILED")
    message = f"Operation {result.index} ({result.method} {result.path}) failed: {error.get('message', result.status)}"
    details = {
        "index": result.index,
        "method": result.method,
        "path": result.path,
        "status": result.status,
        "error": error,
        "issue": "nothing in this batch was written",
    }
    status = result.status if result.status != 424 else 422
    return error_response(request, status, code, f"{message}. Nothing was written.", details)
