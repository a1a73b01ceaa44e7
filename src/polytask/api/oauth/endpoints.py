"""POST /oauth/token, /oauth/revoke, /oauth/introspect and the RFC 8414 metadata document.

These speak the OAuth wire format: form-encoded requests (described in each description, as
OpenAPI's JSON-only body checks do not apply) and `{"error": ...}` answers, not JSON:API.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import run_anonymous
from polytask.api.oauth.protocol import (
    client_credentials,
    client_ip,
    error_response,
    json_response,
    read_form,
    settings_of,
)
from polytask.api.oauth.schemas import IntrospectionResponse, TokenResponse, oauth_errors
from polytask.core.scopes import SCOPES
from polytask.domain.oauth import tokens
from polytask.domain.oauth.common import OAuthError

router = unit_router(tags=["OAuth 2.0"])


@router.post(
    "/oauth/token",
    response_model=TokenResponse,
    response_model_exclude_none=True,
    responses=oauth_errors(400, 401),
)
async def token(request: Request) -> Response:
    """Exchange a grant for tokens (RFC 6749 section 4.1.3, 6, 4.4).

    Form body (`application/x-www-form-urlencoded`): `grant_type` = `authorization_code`
    (`code`, `redirect_uri`, `code_verifier`), `refresh_token` (`refresh_token`, optional
    narrower `scope`) or `client_credentials` (optional `scope`). Confidential clients
    authenticate with HTTP Basic or `client_id` + `client_secret` in the body; public clients
    send `client_id`. Refresh tokens rotate; a reused code or refresh token is `invalid_grant`
    and revokes what it issued.
    """
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


@router.post(
    "/oauth/revoke",
    responses={200: {"description": "Revoked, or not a token of this client (RFC 7009)"}, **oauth_errors(400, 401)},
)
async def revoke(request: Request) -> Response:
    """RFC 7009: revoke an access or refresh token; 200 also for tokens the server does not know.

    Form body: `token`, optional `token_type_hint`; client authentication as for /oauth/token.
    A refresh token takes every token of its family with it.
    """
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


@router.post("/oauth/introspect", response_model=IntrospectionResponse, responses=oauth_errors(400, 401))
async def introspect(request: Request) -> Response:
    """RFC 7662: is this token live, and what does it grant? Confidential clients only.

    Form body: `token`, optional `token_type_hint`. Anything but a live token issued to the
    asking client answers exactly `{"active": false}`.
    """
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


@router.get(
    "/.well-known/oauth-authorization-server",
    responses={
        200: {"description": "RFC 8414 metadata", "content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
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
