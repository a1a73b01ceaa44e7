"""The OAuth 2.0 authorization server's endpoints (`/oauth/*`), as a surface of their own:
limited by the default plan (so that client-credential guessing is limited too), and a body
refused by the input limits answered as RFC 6749's `invalid_request`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polytask.api.kernel.surface import Surface
from polytask.api.oauth.protocol import error_response as oauth_error_response
from polytask.api.v1.errors import error_response
from polytask.domain.oauth.common import OAuthError

_INVALID_REQUEST = {"VALIDATION_ERROR": 400, "PAYLOAD_TOO_LARGE": 413}


def render_error(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A refused request body in RFC 6749's shape; other errors (404, 405, 429) in the native one."""
    if code in _INVALID_REQUEST:
        described = f"{message} ({details.get('field', 'body')})" if details else message
        return oauth_error_response(OAuthError("invalid_request", described, _INVALID_REQUEST[code]))
    return error_response(request, status, code, message, details, headers)


SURFACE = Surface(
    name="oauth",
    prefix="/oauth",
    render_error=render_error,
    authenticate=None,  # clients authenticate per endpoint (api/oauth/protocol.py)
    plan="default",
    anonymous_plan="default",
)
