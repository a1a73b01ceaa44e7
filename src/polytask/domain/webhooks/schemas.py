"""Input shapes for webhook endpoints, and the event names they may subscribe to."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from polytask.core.ids import ProjectRef, WorkspaceRef

# Every event type the event log records for a workspace; subscriptions name these,
# `<resource>.*`, or `*`. `webhook.ping` is only sent by POST /v1/webhooks/{id}/test.
KNOWN_EVENTS: Final[tuple[str, ...]] = (
    "task.created",
    "task.updated",
    "task.completed",
    "task.deleted",
    "project.created",
    "project.updated",
    "project.deleted",
    "section.created",
    "section.updated",
    "section.deleted",
    "comment.created",
    "comment.updated",
    "comment.deleted",
    "workspace.created",
    "workspace.updated",
    "workspace.deleted",
    "member.added",
    "member.updated",
    "member.removed",
    "invite.created",
    "invite.accepted",
    "invite.revoked",
    "webhook.created",
    "webhook.updated",
    "webhook.deleted",
    "webhook.disabled",
)
KNOWN_RESOURCES: Final[frozenset[str]] = frozenset(name.split(".")[0] for name in KNOWN_EVENTS)
PING_EVENT: Final = "webhook.ping"


def check_event_patterns(values: list[str]) -> list[str]:
    """Exact names, `<resource>.*` or `*`; duplicates dropped, order kept."""
    out: list[str] = []
    for raw in values:
        name = raw.strip()
        resource, _, action = name.partition(".")
        ok = name == "*" or name in KNOWN_EVENTS or (action == "*" and resource in KNOWN_RESOURCES)
        if not ok:
            raise ValueError(f"unknown event '{raw}': use an exact event name, '<resource>.*' or '*'")
        if name not in out:
            out.append(name)
    return out


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048, description="An http(s) URL that receives POSTed events.")
    events: list[str] = Field(min_length=1, max_length=100, description="Exact names, `task.*`, or `*`.")
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
    active: bool = True
    description: str = Field(default="", max_length=1000)

    _events = field_validator("events")(check_event_patterns)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1, max_length=100)
    project_id: ProjectRef | None = None
    secret: str | None = Field(
        default=None,
        min_length=8,
        max_length=200,
        description="A new secret; the previous one keeps signing during the rotation overlap.",
    )
    rotate_secret: bool = Field(
        default=False, description="Generate a new `whsec_` secret (shown once in the response)."
    )
    active: bool | None = Field(default=None, description="true re-enables a disabled endpoint.")
    description: str | None = Field(default=None, max_length=1000)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_event_patterns(value)
