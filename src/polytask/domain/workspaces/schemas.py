"""Input shapes for workspaces."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, IPvAnyNetwork, field_validator

DefaultView = Literal["list", "board", "kanban", "table", "calendar", "mindmap", "org_chart", "action"]


class WorkspaceSettings(BaseModel):
    """Known settings are typed; other keys are kept as given."""

    model_config = ConfigDict(extra="allow")

    default_view: DefaultView | None = None
    timezone: str | None = Field(default=None, max_length=64)
    theme: Literal["light", "dark", "system"] | None = None

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone '{value}'") from exc
        return value


def _network_text(value: Any) -> Any:
    # Pydantic would read a number (or true) as an address: [true] allowed only 0.0.0.1/32.
    if not isinstance(value, str):
        raise ValueError("must be a network written as text, such as '203.0.113.0/24'")
    return value


IpNetwork = Annotated[IPvAnyNetwork, BeforeValidator(_network_text)]


class WorkspaceSecurity(BaseModel):
    """The spec's enterprise controls; only the IP allowlist is enforced so far."""

    model_config = ConfigDict(extra="forbid")

    ip_whitelisting: list[IpNetwork] = Field(
        default_factory=list, max_length=100, description="Networks allowed to reach this workspace; empty: any."
    )


NAME_MAX = 200


class WorkspaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=10_000)
    settings: WorkspaceSettings | None = None


class WorkspaceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    settings: WorkspaceSettings | None = None
    security: WorkspaceSecurity | None = None


def settings_dict(settings: WorkspaceSettings | None) -> dict[str, Any]:
    if settings is None:
        return {}
    return settings.model_dump(exclude_none=True)
