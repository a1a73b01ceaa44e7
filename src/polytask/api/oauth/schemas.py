"""OpenAPI shapes of the OAuth endpoints' answers (the requests are form-encoded, described in prose)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TokenResponse(BaseModel):
    access_token: str = Field(examples=["pto_3q2Xb..."])
    token_type: str = Field(examples=["Bearer"])
    expires_in: int = Field(examples=[3600])
    scope: str = Field(examples=["workspaces:read projects:write"])
    refresh_token: str | None = Field(default=None, description="Not issued for client_credentials.")


class OAuthErrorResponse(BaseModel):
    error: str = Field(examples=["invalid_grant"])
    error_description: str | None = None


class IntrospectionResponse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool
    scope: str | None = None
    client_id: str | None = None
    username: str | None = None
    sub: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None


def oauth_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "An OAuth error (invalid_request, invalid_grant, invalid_scope, unsupported_grant_type, ...)",
        401: "Client authentication failed (invalid_client)",
    }
    return {s: {"model": OAuthErrorResponse, "description": text[s]} for s in statuses}


HTML = {"text/html": {"schema": {"type": "string"}}}
