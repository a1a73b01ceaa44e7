"""Input shapes for API keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from polytask.core.dates import FlexibleDateTime
from polytask.core.ids import WorkspaceRef
from polytask.core.jsontypes import JsonInt


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    workspace_id: WorkspaceRef | None = None
    scopes: list[str] | None = Field(default=None, max_length=100)
    expires_at: FlexibleDateTime | None = None

    @field_validator("scopes")
    @classmethod
    def clean_scopes(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for scope in value:
            if not scope or any(c.isspace() or c == "," for c in scope) or len(scope) > 100:
                raise ValueError("each scope is one word such as 'tasks:read'")
        return list(dict.fromkeys(value))


class ApiKeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_period_seconds: JsonInt = Field(
        default=0, ge=0, le=30 * 24 * 3600, description="How long the old key keeps working; 0: revoked at once."
    )
