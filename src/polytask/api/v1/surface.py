"""The native surface (taskade-developer-api.md, taskade-api-guide.md): `/v1`, JSON:API."""

from __future__ import annotations

from polytask.api.kernel.surface import Surface
from polytask.api.v1.auth import authenticate
from polytask.api.v1.errors import error_response

SURFACE = Surface(
    name="native",
    prefix="/v1",
    render_error=error_response,
    authenticate=authenticate,
    plan="default",
    anonymous_plan="default",
    session_cookie=True,
    idempotency_keys=True,
    conditional_requests=True,
    openapi_url="/openapi.json",
    docs_url="/docs",
)
