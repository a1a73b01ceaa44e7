"""Input shapes for webhook endpoints; the events they may subscribe to come from the catalogue."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema, field_validator

from polytask.core.ids import ProjectRef, WorkspaceRef
from polytask.core.jsontypes import Omittable
from polytask.domain.events import catalog

# A subscription pattern: a public event of the catalogue, `<resource>.*` or `*`. Each item is
# checked on its own, so a 422 names `events[i]`; the OpenAPI document lists the patterns.
EventPattern = Annotated[
    str,
    AfterValidator(catalog.check_pattern),
    WithJsonSchema({"type": "string", "enum": list(catalog.SUBSCRIPTION_PATTERNS)}),
]
EVENTS_DESCRIPTION: Final = (
    "Event names (docs/webhooks.md lists them), `<resource>.*` (e.g. `task.*`) or `*`; duplicates are dropped."
)


def without_duplicates(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048, description="An http(s) URL that receives POSTed events.")
    events: list[EventPattern] = Field(min_length=1, max_length=100, description=EVENTS_DESCRIPTION)
    workspace_id: WorkspaceRef | None = Field(
        default=None, description="Default: the key's workspace, else your personal one."
    )
    project_id: ProjectRef | None = Field(default=None, description="Only events of this project.")
    secret: str | None = Field(
        default=None,
        min_length=8,
        max_length=200,
        description="Signing secret, plain text or `whsec_<base64>`; generated (and shown once) when absent.",
    )
    active: StrictBool = True
    description: str = Field(default="", max_length=1000)

    _events = field_validator("events")(without_duplicates)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Omittable[str] = Field(default=None, min_length=1, max_length=2048)
    events: Omittable[list[EventPattern]] = Field(
        default=None, min_length=1, max_length=100, description=EVENTS_DESCRIPTION
    )
    project_id: ProjectRef | None = None
    secret: str | None = Field(
        default=None,
        min_length=8,
        max_length=200,
        description="A new secret; the previous one keeps signing during the rotation overlap.",
    )
    rotate_secret: StrictBool = Field(
        default=False, description="Generate a new `whsec_` secret (shown once in the response)."
    )
    active: Omittable[StrictBool] = Field(default=None, description="true re-enables a disabled endpoint.")
    description: Omittable[str] = Field(default=None, max_length=1000)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else without_duplicates(value)
