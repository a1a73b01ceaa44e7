"""The TaskIP surface (taskip-api-reference.txt): `/api/public-v1`, `X-Secret-Key`.

Its paths are its own (its error envelope and its rate plan) rather than TaskFlow's, whose
`/api` prefix encloses them (api/surfaces.py orders the longer prefix first).
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request

from polytask.api.credentials import authenticator
from polytask.api.kernel.surface import Surface
from polytask.api.taskip.errors import error_response
from polytask.core.errors import AuthenticationFailed
from polytask.domain.api_keys.service import Authenticated, authenticate_api_key


def resolve_secret_key(session: Session, request: Request) -> Authenticated:
    """`X-Secret-Key: <api key>`: the same keys as /v1, scopes and all."""
    key = (request.headers.get("x-secret-key") or "").strip()
    if not key:
        raise AuthenticationFailed("Missing credentials: send 'X-Secret-Key: <api key>'", {"header": "X-Secret-Key"})
    client = request.client.host if request.client else None
    return authenticate_api_key(session, key, client_ip=client)


SURFACE = Surface(
    name="taskip",
    prefix="/api/public-v1",
    render_error=error_response,
    authenticate=authenticator(resolve_secret_key),
    # taskip-api-reference.txt: 1000 requests per hour per key, bursts of 100 per minute.
    plan="taskip",
    anonymous_plan="taskip",
    # ... and 50 file uploads per hour per key.
    upload_plan="taskip-uploads",
    openapi_url="/api/public-v1/openapi.json",
    docs_url="/api/public-v1/docs",
)
