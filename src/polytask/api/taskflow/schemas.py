"""TaskFlow request and response shapes, for validation and the OpenAPI document.

The response shapes are closed (`extra="forbid"`: no additional properties in the document),
so the response checks catch a key the document does not list.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# The request of the TaskFlow doc's Authentication section.
LOGIN_EXAMPLE: dict[str, Any] = {"username": "admin", "password": "admin123"}


class LoginRequest(BaseModel):
    """`username` takes a username or an email; `email` is accepted in its place."""

    # One of the two names the account (a blank one is refused like a missing one).
    model_config = ConfigDict(json_schema_extra={"anyOf": [{"required": ["username"]}, {"required": ["email"]}]})

    username: str | None = Field(default=None, max_length=320, examples=["admin"])
    email: str | None = Field(default=None, max_length=320, examples=["admin@taskflow.com"])
    password: str = Field(max_length=1024, examples=["admin123"])


class TaskflowUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(examples=[1])
    username: str = Field(examples=["admin"])
    email: str = Field(examples=["admin@taskflow.com"])
    role: str = Field(examples=["admin"])
    department: str | None = Field(examples=["Management"])


class AuthData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: TaskflowUser
    csrf_token: str = Field(
        description="Send it as X-CSRF-Token (or a csrf_token form field) with form-encoded requests; "
        "JSON requests need no token."
    )


class Meta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timestamp: str = Field(examples=["2025-06-21T10:30:00Z"])
    version: str = Field(examples=["1.0"])
    request_id: str = Field(examples=["req_123456789"])


class AuthEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["success"]
    message: str = Field(examples=["Login successful"])
    data: AuthData
    meta: Meta


class MeData(AuthData):
    csrf_token: str | None = Field(  # type: ignore[assignment]
        description="The session's token (see login); null when the request was made with a bearer "
        "credential, which has no session and is never CSRF-checked."
    )


class MeEnvelope(AuthEnvelope):
    data: MeData


class EmptyEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["success"]
    message: str = Field(examples=["Logout successful"])
    data: dict[str, Any]
    meta: Meta


class ErrorData(BaseModel):
    model_config = ConfigDict(extra="allow")

    error_code: str = Field(examples=["AUTH_REQUIRED"])
    redirect_url: str | None = Field(default=None, examples=["/login"])
    errors: dict[str, list[str]] | None = Field(default=None, examples=[{"password": ["is required"]}])


class ErrorEnvelope(BaseModel):
    status: Literal["error"]
    message: str = Field(examples=["Authentication required"])
    data: ErrorData
    meta: Meta


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorEnvelope, "description": description}
