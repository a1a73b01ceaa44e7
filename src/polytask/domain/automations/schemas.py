"""Input shapes for automations: the trigger, the actions (closed, one model per kind)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from polytask.core.ids import RENDER_IDS, ProjectRef, SectionRef, TemplateRef, WebhookRef
from polytask.core.jsontypes import JsonInt, Omittable
from polytask.domain.events.catalog import check_pattern
from polytask.domain.tasks.schemas import PersonRef, TaskCreate, TaskUpdate


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventTrigger(_Closed):
    kind: Literal["event"]
    event: str = Field(
        min_length=1,
        max_length=100,
        description="A public event type of the catalogue (docs/webhooks.md), or `<resource>.*`.",
        examples=["task.created"],
    )

    @field_validator("event")
    @classmethod
    def _known(cls, value: str) -> str:
        name = check_pattern(value)
        if name == "*":
            raise ValueError("name an event type or '<resource>.*', not '*'")
        return name


class ScheduleTrigger(_Closed):
    kind: Literal["schedule"]
    cron: str | None = Field(
        default=None,
        max_length=100,
        description="Five fields (minute hour day month weekday), in the workspace's time zone "
        "(its settings' `timezone`; UTC when it has none).",
        examples=["0 9 * * 1-5"],
    )
    every_minutes: JsonInt | None = Field(default=None, ge=1, le=525_600, description="An interval instead of `cron`.")

    @model_validator(mode="after")
    def _one(self) -> ScheduleTrigger:
        if (self.cron is None) == (self.every_minutes is None):
            raise ValueError("give exactly one of cron and every_minutes")
        return self


class WebhookTrigger(_Closed):
    """An incoming URL: POST /v1/automations/hooks/{token}; the token is shown once, at creation."""

    kind: Literal["webhook"]


Trigger = Annotated[EventTrigger | ScheduleTrigger | WebhookTrigger, Field(discriminator="kind")]


class CreateTaskAction(_Closed):
    type: Literal["create_task"]
    task: TaskCreate = Field(description="A task create body; `project_id` defaults to the automation's project.")


class UpdateFieldsAction(_Closed):
    type: Literal["update_fields"]
    fields: TaskUpdate = Field(description="A task update body applied to the trigger's task.")


class AssignAction(_Closed):
    type: Literal["assign"]
    assignee: PersonRef = Field(description="A member (user id, username or email), added to the task's assignees.")


class MoveToSectionAction(_Closed):
    type: Literal["move_to_section"]
    section_id: SectionRef


class AddLabelAction(_Closed):
    type: Literal["add_label"]
    label: str = Field(min_length=1, max_length=100)


class AddCommentAction(_Closed):
    type: Literal["add_comment"]
    body: str = Field(min_length=1, max_length=50_000)


class CompleteAction(_Closed):
    type: Literal["complete"]


class SendWebhookAction(_Closed):
    """A delivery to one of the workspace's webhook endpoints, signed and retried like any other."""

    type: Literal["send_webhook"]
    webhook_id: WebhookRef
    payload: dict[str, Any] = Field(default_factory=dict, description="Sent as `data.payload`.")


class SendMailAction(_Closed):
    type: Literal["send_mail"]
    to: PersonRef = Field(description="A member of the workspace (user id, username or email).")
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=50_000)


class CreateProjectFromTemplateAction(_Closed):
    type: Literal["create_project_from_template"]
    template_id: TemplateRef = Field(description="A template of the automation's workspace.")
    name: str | None = Field(
        default=None, min_length=1, max_length=300, description="The new project's name; default: the template's."
    )
    variables: dict[str, Annotated[str, Field(max_length=1_000)]] | None = Field(
        default=None, max_length=50, description="Filled into the template's `{{name}}` placeholders."
    )


Action = Annotated[
    CreateTaskAction
    | UpdateFieldsAction
    | AssignAction
    | MoveToSectionAction
    | AddLabelAction
    | AddCommentAction
    | CompleteAction
    | SendWebhookAction
    | SendMailAction
    | CreateProjectFromTemplateAction,
    Field(discriminator="type"),
]
ACTION_TYPES: tuple[str, ...] = (
    "create_task",
    "update_fields",
    "assign",
    "move_to_section",
    "add_label",
    "add_comment",
    "complete",
    "send_webhook",
    "send_mail",
    "create_project_from_template",
)
_ACTIONS: TypeAdapter[list[Any]] = TypeAdapter(list[Action])


def shown_actions(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Actions as stored (keys as bare numbers, what the services read) as the API shows
    them: every id with its prefix (`"section_id": "section_4"`), as everywhere else in /v1.
    Input takes both forms, so what is shown can be sent back as it is."""
    try:
        parsed = _ACTIONS.validate_python(stored)
    except ValidationError:  # written under other rules: shown as stored rather than not at all
        return stored
    shown: list[dict[str, Any]] = _ACTIONS.dump_python(
        parsed, mode="json", exclude_unset=True, context={RENDER_IDS: True}
    )
    return shown


# Actions on "the trigger's task": the event's task (or a comment's task).
TASK_ACTIONS = frozenset({"update_fields", "assign", "move_to_section", "add_label", "add_comment", "complete"})


class AutomationCreate(_Closed):
    name: str = Field(min_length=1, max_length=200)
    enabled: StrictBool = True
    project_id: ProjectRef | None = Field(
        default=None, description="Only this project's events (and its default for create_task)."
    )
    trigger: Trigger
    conditions: str | None = Field(
        default=None,
        max_length=4000,
        description="A `filter=` expression over the trigger's resource (a task, project or risk), "
        "e.g. `priority = high && status != completed`.",
    )
    actions: list[Action] = Field(min_length=1, max_length=100)


class AutomationUpdate(_Closed):
    name: Omittable[str] = Field(default=None, min_length=1, max_length=200)
    enabled: Omittable[StrictBool] = None
    trigger: Omittable[Trigger] = None
    conditions: str | None = Field(default=None, max_length=4000)
    actions: Omittable[list[Action]] = Field(default=None, min_length=1, max_length=100)


class AutomationTest(_Closed):
    """What to evaluate against: an event body, else the most recent matching event."""

    event_id: str | None = Field(default=None, description="An event of the log (`event_42`).")
    event: dict[str, Any] | None = Field(
        default=None,
        description="An event as webhooks receive it, at least `{event, data}`; for conditions, "
        "`resource_id` names the resource to evaluate against (else `data.<resource>.id`).",
    )
