"""POST /oauth/token, /oauth/revoke, /oauth/introspect and the RFC 8414 metadata document.

These speak the OAuth wire format (form bodies, `{"error": ...}` answers) rather than the /v1
JSON:API shapes, so they are left out of /openapi.json; RFC 8414 metadata describes them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from polytask.api.deps import run_anonymous
from polytask.api.oauth.protocol import (
    client_credentials,
    client_ip,
    error_response,
    json_response,
    read_form,
    settings_of,
)
from polytask.core.scopes import SCOPES
from polytask.domain.oauth import tokens
from polytask.domain.oauth.common import OAuthError

router = APIRouter(include_in_schema=False)


@router.post("/oauth/token")
async def token(request: Request) -> Response:
    """Exchange a grant for tokens: authorization_code (+PKCE), refresh_token, client_credentials."""
    form = await read_form(request)
    if isinstance(form, OAuthError):
        return error_response(form)
    creds = client_credentials(request, form)
    if isinstance(creds, OAuthError):
        return error_response(creds)
    settings, ip = settings_of(request), client_ip(request)

    def work(session: Session) -> tokens.IssuedToken | OAuthError:
        return tokens.token_endpoint(
            session, settings, client_id=creds[0], client_secret=creds[1], form=form, client_ip=ip
        )

    result = await run_anonymous(request, work)
    if isinstance(result, OAuthError):
        return error_response(result)
    return json_response(result.body())


@router.post("/oauth/revoke")
async def revoke(request: Request) -> Response:
    """RFC 7009: revoke an access or refresh token; 200 also for tokens the server does not know."""
    form = await read_form(request)
    if isinstance(form, OAuthError):
        return error_response(form)
    creds = client_credentials(request, form)
    if isinstance(creds, OAuthError):
        return error_response(creds)
    ip = client_ip(request)

    def work(session: Session) -> OAuthError | None:
        return tokens.revocation_endpoint(
            session, client_id=creds[0], client_secret=creds[1], token=form.get("token"), client_ip=ip
        )

    result = await run_anonymous(request, work)
    if result is not None:
        return error_response(result)
    return Response(status_code=200, headers={"Cache-Control": "no-store"})


@router.post("/oauth/introspect")
async def introspect(request: Request) -> Response:
    """RFC 7662: is this token live, and what does it grant? Confidential clients only."""
    form = await read_form(request)
    if isinstance(form, OAuthError):
        return error_response(form)
    creds = client_credentials(request, form)
    if isinstance(creds, OAuthError):
        return error_response(creds)
    ip = client_ip(request)

    def work(session: Session) -> dict[str, object] | OAuthError:
        return tokens.introspection_endpoint(
            session, client_id=creds[0], client_secret=creds[1], token=form.get("token"), client_ip=ip
        )

    result = await run_anonymous(request, work)
    if isinstance(result, OAuthError):
        return error_response(result)
    return json_response(result)


@router.get("/.well-known/oauth-authorization-server")
async def metadata(request: Request) -> JSONResponse:
    """RFC 8414 authorization server metadata."""
    issuer = str(request.base_url).rstrip("/")
    auth_methods = ["client_secret_basic", "client_secret_post", "none"]
    return JSONResponse(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/oauth/authorize",
            "token_endpoint": f"{issuer}/oauth/token",
            "revocation_endpoint": f"{issuer}/oauth/revoke",
            "introspection_endpoint": f"{issuer}/oauth/introspect",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(tokens.GRANT_TYPES),
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": sorted(SCOPES),
            "token_endpoint_auth_methods_supported": auth_methods,
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "service_documentation": f"{issuer}/docs",
        }
    )
