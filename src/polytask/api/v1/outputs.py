"""Each native resource's output, declared once: its attributes and relationships.

From one `Output` come the OpenAPI schemas (closed: `additionalProperties: false`, every
attribute required unless it is a secret shown once), the names `fields=` accepts, and the
key tuple the renderers in resources.py are held to (tests/api/v1/test_outputs.py renders
every resource and compares). The renderers stay hand-written dicts: lists render 50-100
objects per request, and nothing here runs per object.

`source` names the domain field an attribute shows: the key of the resource's event snapshot
(the domain's own field list, e.g. domain/tasks/rules.py `SNAPSHOT_FIELDS`), so the test can
check that every snapshot field reaches the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from polytask.domain.automations.schemas import Action, Trigger
from polytask.domain.templates.content import TemplateContent

_CLOSED = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    type: Any
    nullable: bool = False
    doc: str | None = None
    source: str | None = None
    # False: only in some responses (a secret in the create response), so not required.
    always: bool = True


@dataclass(frozen=True)
class Output:
    kind: str  # the JSON:API `type`
    name: str  # the schema names' stem: TaskAttributes, TaskResource ...
    attrs: tuple[Attr, ...]
    relationships: tuple[str, ...] = ()
    keys: tuple[str, ...] = field(init=False)  # the attributes a full rendering has
    optional: frozenset[str] = field(init=False)  # those present only sometimes

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(a.name for a in self.attrs))
        object.__setattr__(self, "optional", frozenset(a.name for a in self.attrs if not a.always))

    def attributes_model(self) -> type[BaseModel]:
        fields: dict[str, Any] = {}
        for a in self.attrs:
            annotation = a.type | None if a.nullable else a.type
            fields[a.name] = (annotation, Field(... if a.always else None, description=a.doc))
        return create_model(
            f"{self.name}Attributes",
            __config__=ConfigDict(extra="forbid", json_schema_extra={"x-resource-type": self.kind}),
            **fields,
        )

    def relationships_model(self) -> type[BaseModel] | None:
        if not self.relationships:
            return None
        fields: dict[str, Any] = {r: (Relationship, ...) for r in self.relationships}
        return create_model(
            f"{self.name}Relationships",
            __config__=ConfigDict(extra="forbid", json_schema_extra={"x-resource-type": self.kind}),
            **fields,
        )


class ResourceIdentifier(BaseModel):
    model_config = _CLOSED

    id: str
    type: str


class Relationship(BaseModel):
    model_config = _CLOSED

    data: ResourceIdentifier | list[ResourceIdentifier] | None


_MODELS: dict[str, type[BaseModel]] = {}


def resource_model(out: Output) -> type[BaseModel]:
    """The closed resource object: id, type, attributes and (when it has any) relationships."""
    if out.name in _MODELS:
        return _MODELS[out.name]
    fields: dict[str, Any] = {
        "id": (str, Field(examples=[f"{out.kind}_123"])),
        "type": (Literal[out.kind], ...),
        "attributes": (out.attributes_model(), ...),
    }
    rels = out.relationships_model()
    if rels is not None:
        fields["relationships"] = (rels, ...)
    # Marked with its type, like its attributes: the test suite's check narrows all three to
    # the fields a request asks for (`fields=`; a resource keeps no empty `relationships`).
    config = ConfigDict(extra="forbid", json_schema_extra={"x-resource-type": out.kind})
    model: type[BaseModel] = create_model(f"{out.name}Resource", __config__=config, **fields)
    _MODELS[out.name] = model
    return model


_TS = datetime  # a timestamp: the renderers leave it a datetime, written ISO 8601 with a Z (core/jsontext.py)


class Money(BaseModel):
    """An exact amount: a decimal string with the currency's places, and its ISO 4217 code."""

    model_config = ConfigDict(extra="forbid")

    amount: str = Field(examples=["50000.00"])
    currency: str = Field(examples=["USD"])


WORKSPACE = Output(
    "workspace",
    "Workspace",
    (
        Attr("name", str, source="name"),
        Attr("description", str, source="description"),
        Attr("settings", dict[str, Any], source="settings"),
        Attr(
            "security",
            dict[str, Any],
            doc='Enterprise controls, e.g. {"ip_whitelisting": ["10.0.0.0/8"]}.',
            source="security",
        ),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
)

PROJECT = Output(
    "project",
    "Project",
    (
        Attr("name", str, source="name"),
        Attr("description", str, source="description"),
        Attr("type", str, source="type"),
        Attr("status", str, source="status"),
        Attr("workspace_id", str, source="workspace_id"),
        Attr("start_date", str, nullable=True, source="start_date"),
        Attr("due_date", str, nullable=True, source="due_date"),
        Attr("settings", dict[str, Any], source="settings"),
        Attr("custom_fields", dict[str, Any], source="custom_fields"),
        Attr("custom_field_definitions", dict[str, Any], source="custom_field_definitions"),
        Attr("budget", Money, nullable=True, doc="The budget; null: none set.", source="budget_minor"),
        Attr("currency", str, doc="ISO 4217 code of the budget and the project's spending.", source="currency"),
        Attr("uuid", str, doc="A stable UUID (the TaskIP surface's paths take it).", source="uuid"),
        Attr("priority", str, nullable=True, doc="low, medium, high or urgent.", source="priority"),
        Attr(
            "category_id",
            str,
            nullable=True,
            doc="The project's category (a workspace's project attribute); null: none.",
            source="category_id",
        ),
        Attr("created_by", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("workspace",),
)

TASK = Output(
    "task",
    "Task",
    (
        Attr("name", str, source="name"),
        Attr("description", str, source="description"),
        Attr("status", str, source="status"),
        Attr("priority", str, nullable=True, source="priority"),
        Attr("project_id", str, source="project_id"),
        Attr("workspace_id", str),
        Attr("section_id", str, nullable=True, source="section_id"),
        Attr("parent_id", str, nullable=True, source="parent_id"),
        Attr("assignee_id", str, nullable=True, doc="The first of `assignee_ids`."),
        Attr("assignee_ids", list[str], source="assignee_ids"),
        Attr("due_date", _TS, nullable=True, source="due_date"),
        Attr("start_date", _TS, nullable=True, source="start_date"),
        Attr("progress", int, source="progress"),
        Attr("estimated_hours", float, nullable=True, source="estimated_hours"),
        Attr("completed_at", _TS, nullable=True, source="completed_at"),
        Attr("completed_by", str, nullable=True, source="completed_by_id"),
        Attr("dependencies", list[str], source="dependencies"),
        Attr("labels", list[str], source="labels"),
        Attr("custom_fields", dict[str, Any], source="custom_fields"),
        Attr("position", float, source="position"),
        Attr("created_by", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("project", "assignee", "assignees", "section", "parent"),
)

_USER_ATTRS = (
    Attr("name", str, source="name"),
    Attr("username", str, source="username"),
    Attr("email", str, source="email"),
    Attr("role", str, source="role"),
    Attr("department", str, nullable=True, source="department"),
    Attr("created_at", _TS),
)

USER = Output("user", "User", _USER_ATTRS)

# An account as server admins manage it (`/v1/admin/users`): the user plus its state.
ADMIN_USER = Output(
    "user",
    "AdminUser",
    (
        *_USER_ATTRS[:5],
        Attr("active", bool, doc="False: disabled, refused on every way in.", source="is_active"),
        Attr("has_password", bool, doc="False: the account signs in with API keys only."),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
)

# Someone in the people directory (`/v1/users`): the user and whether the account is active.
PERSON = Output(
    "user",
    "Person",
    (
        *_USER_ATTRS[:3],
        Attr("role", str, doc="The server-wide role (`admin`, `manager` or `user`).", source="role"),
        Attr(
            "department",
            str,
            nullable=True,
            doc="The account's own department (a workspace may name another).",
            source="department",
        ),
        Attr("active", bool, doc="False: deactivated, refused on every way in.", source="is_active"),
        Attr("created_at", _TS),
    ),
)

MEMBER = Output(
    "user",
    "Member",
    (
        *_USER_ATTRS[:3],
        Attr("role", str, doc="The role in this workspace."),
        Attr("global_role", str, doc="The server-wide role (`user` or `admin`)."),
        Attr("department", str, nullable=True),
        Attr("department_id", str, nullable=True, doc="The workspace's department record the member is in."),
        Attr("permissions", dict[str, bool]),
        Attr("joined_at", _TS),
        Attr("created_at", _TS),
    ),
    ("workspace",),
)

INVITE = Output(
    "invite",
    "Invite",
    (
        Attr("email", str),
        Attr("role", str),
        Attr("message", str),
        Attr("status", str),
        Attr("workspace_id", str),
        Attr("invited_by", str, nullable=True),
        Attr("expires_at", _TS),
        Attr("accepted_at", _TS, nullable=True),
        Attr("created_at", _TS),
        Attr("token", str, doc="Only in the create response; send it to the invitee.", always=False),
    ),
    ("workspace",),
)

COMMENT = Output(
    "comment",
    "Comment",
    (
        Attr("body", str, source="body"),
        Attr("task_id", str, source="task_id"),
        Attr("author_id", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("task", "author"),
)

SECTION = Output(
    "section",
    "Section",
    (
        Attr("name", str, source="name"),
        Attr("position", float, source="position"),
        Attr("project_id", str, source="project_id"),
        Attr(
            "color",
            str,
            nullable=True,
            doc="The column's colour (#rrggbb or a colour name); null: none.",
            source="color",
        ),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("project",),
)

CUSTOM_FIELD = Output(
    "custom_field",
    "CustomField",
    (
        Attr("key", str, doc="The name in task `custom_fields` and in filters.", source="key"),
        Attr("name", str, source="name"),
        Attr("type", str, source="type"),
        Attr("required", bool, source="required"),
        Attr("default_value", Any, source="default_value"),
        Attr("options", list[str], source="options"),
        Attr("position", float, source="position"),
        Attr("currency", str, nullable=True, doc="Money fields: the ISO 4217 code.", source="config"),
        Attr("project_id", str, nullable=True, doc="null for a workspace field the project inherits."),
        Attr("workspace_id", str),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("project",),
)

VIEW = Output(
    "view",
    "View",
    (
        Attr("name", str, source="name"),
        Attr(
            "filter",
            dict[str, Any] | str,
            doc="An object of list parameters, or a `filter=` expression string.",
            source="filter",
        ),
        Attr("sort", str, nullable=True, source="sort"),
        Attr("fields", str, nullable=True, source="fields"),
        Attr("layout", str, doc="list, board, table or calendar", source="layout"),
        Attr("project_id", str, source="project_id"),
        Attr("created_by", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("project",),
)

API_KEY = Output(
    "api_key",
    "ApiKey",
    (
        Attr("name", str),
        Attr("prefix", str, doc="The key's public start, to recognise it."),
        Attr("workspace_id", str, nullable=True),
        Attr("scopes", list[str], nullable=True, doc="null: all of the user's rights."),
        Attr(
            "rate_plan",
            str,
            nullable=True,
            doc="The rate-limit plan (docs/security.md); null: the surface's default. Set by server admins "
            "with `polytask api-keys set-plan`.",
        ),
        Attr("expires_at", _TS, nullable=True),
        Attr("last_used_at", _TS, nullable=True),
        Attr("revoked_at", _TS, nullable=True),
        Attr("created_at", _TS),
        Attr("key", str, doc="Only in the create response; shown once.", always=False),
    ),
    ("workspace",),
)

CALENDAR_FEED = Output(
    "calendar_feed",
    "CalendarFeed",
    (
        Attr("name", str, source="name"),
        Attr("kind", str, doc="`user`: the tasks assigned to you; `project`: one project's tasks.", source="kind"),
        Attr("user_id", str, doc="Whose access the feed reads with: its creator's.", source="user_id"),
        Attr("project_id", str, nullable=True, source="project_id"),
        Attr(
            "workspace_id",
            str,
            nullable=True,
            doc="The one workspace the feed reaches; null: all of yours.",
            source="workspace_id",
        ),
        Attr("created_at", _TS),
        Attr("rotated_at", _TS, nullable=True),
        Attr(
            "url",
            str,
            doc="The secret iCalendar URL; only in the create and rotate responses, shown once.",
            always=False,
        ),
    ),
    ("project", "workspace"),
)

WEBHOOK = Output(
    "webhook",
    "Webhook",
    (
        Attr("url", str, source="url"),
        Attr("events", list[str], doc="The subscribed event names and patterns.", source="events"),
        Attr("workspace_id", str),
        Attr("project_id", str, nullable=True, source="project_id"),
        Attr("description", str, source="description"),
        Attr("active", bool, source="active"),
        Attr("disabled_reason", str, nullable=True, doc="Why the endpoint was switched off.", source="disabled_reason"),
        Attr(
            "secret",
            str,
            doc="Only when generated (create, rotate_secret); shown once.",
            always=False,
        ),
        Attr(
            "secret_rotation_ends_at",
            _TS,
            nullable=True,
            doc="Until then the previous secret also signs every delivery.",
        ),
        Attr("failing_since", _TS, nullable=True),
        Attr("created_by", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("workspace",),
)


class AttemptLog(BaseModel):
    model_config = _CLOSED

    number: int
    started_at: _TS
    duration_ms: int
    request_headers: dict[str, str]
    response_status: int | None
    response_headers: dict[str, str] | None
    response_body: str | None = Field(description="The first 2 KB of the response body.")
    error: str | None


WEBHOOK_DELIVERY = Output(
    "webhook_delivery",
    "WebhookDelivery",
    (
        Attr("message_id", str, doc="The payload's `id` and the webhook-id header."),
        Attr("event", str),
        Attr("event_id", str, nullable=True),
        Attr("status", str, doc="pending, succeeded or failed."),
        Attr("attempts", int),
        Attr("next_attempt_at", _TS, nullable=True),
        Attr("last_status_code", int, nullable=True),
        Attr("last_error", str, nullable=True),
        Attr("created_at", _TS),
        Attr("delivered_at", _TS, nullable=True),
        Attr("request_body", str, doc="The exact JSON body sent on every attempt."),
        Attr("attempt_log", list[AttemptLog]),
    ),
    ("webhook",),
)

OAUTH_CLIENT = Output(
    "oauth_client",
    "OAuthClient",
    (
        Attr("name", str),
        Attr("client_id", str, doc="What the client sends as `client_id`."),
        Attr("public", bool, doc="Public clients have no secret and must use PKCE."),
        Attr("redirect_uris", list[str]),
        Attr("scopes", list[str], doc="The scopes the client may ask for."),
        Attr("created_at", _TS),
        Attr("client_secret", str, doc="Only in the create response; shown once.", always=False),
    ),
)

_AUDIT_ONLY = "Audit logs only (not in a project's activity)."

AUDIT_EVENT = Output(
    "event",
    "AuditEvent",
    (
        Attr("type", str, doc="e.g. task.updated"),
        Attr("occurred_at", _TS),
        Attr("workspace_id", str, nullable=True),
        Attr("project_id", str, nullable=True),
        Attr("resource_type", str, doc="e.g. task"),
        Attr("resource_id", str, nullable=True, doc="e.g. task_42; null for an event about no one object (a sign-in)."),
        Attr("actor_id", str, nullable=True, doc="The user who acted; null for the system or an anonymous caller."),
        Attr("credential_kind", str, nullable=True, doc=_AUDIT_ONLY, always=False),
        Attr("credential_id", str, nullable=True, doc=_AUDIT_ONLY, always=False),
        Attr("client_ip", str, nullable=True, doc=_AUDIT_ONLY, always=False),
        Attr("changes", dict[str, Any], nullable=True, doc='{"field": {"from": old, "to": new}}'),
        Attr("snapshot", dict[str, Any], nullable=True, doc="The resource as the change left it."),
    ),
)

FEED_EVENT = Output(
    "event",
    "FeedEvent",
    (
        Attr("type", str, doc="e.g. task.completed"),
        Attr("occurred_at", _TS),
        Attr("workspace_id", str, nullable=True),
        Attr("resource_type", str),
        Attr("resource_id", str, nullable=True),
        Attr("actor_id", str, nullable=True, doc="The user who made the change; null for the system."),
        Attr("credential_kind", str, nullable=True),
        Attr("changes", dict[str, Any], nullable=True),
        Attr("data", dict[str, Any], doc="As in webhook payloads: the resource and its parent."),
    ),
)

TIME_ENTRY = Output(
    "time_entry",
    "TimeEntry",
    (
        Attr("project_id", str, source="project_id"),
        Attr("task_id", str, nullable=True, source="task_id"),
        Attr("user_id", str, doc="Whose time it is.", source="user_id"),
        Attr("minutes", int, doc="Whole minutes; a correction may be negative.", source="minutes"),
        Attr("hours", str, doc="The minutes as hours, two places ('1.50')."),
        Attr("spent_on", str, doc="The day worked (YYYY-MM-DD).", source="spent_on"),
        Attr("note", str, source="note"),
        Attr("workspace_id", str, source="workspace_id"),
        Attr("created_by", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("project", "task", "user"),
)

EXPENSE = Output(
    "expense",
    "Expense",
    (
        Attr("project_id", str, source="project_id"),
        Attr("amount", str, doc="A decimal string with the currency's places ('1250.00').", source="amount_minor"),
        Attr("currency", str, doc="ISO 4217: the project's currency.", source="currency"),
        Attr("spent_on", str, doc="YYYY-MM-DD", source="spent_on"),
        Attr("category", str, source="category"),
        Attr("note", str, source="note"),
        Attr("workspace_id", str, source="workspace_id"),
        Attr("created_by", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("project",),
)

RISK = Output(
    "risk",
    "Risk",
    (
        Attr("title", str, source="title"),
        Attr("description", str, source="description"),
        Attr("severity", str, doc="low, medium, high or critical.", source="severity"),
        Attr("probability", str, doc="low, medium, high or critical.", source="probability"),
        Attr("impact", str, doc="What it would hit (schedule, budget, ...).", source="impact"),
        Attr("mitigation_plan", str, source="mitigation_plan"),
        Attr("status", str, doc="active, mitigated, closed or occurred.", source="status"),
        Attr("actual_impact", str, nullable=True, source="actual_impact"),
        Attr("resolution_notes", str, nullable=True, source="resolution_notes"),
        Attr("owner_id", str, nullable=True, source="owner_id"),
        Attr("project_id", str, source="project_id"),
        Attr("workspace_id", str, source="workspace_id"),
        Attr("created_by", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("project", "owner"),
)

DEPARTMENT = Output(
    "department",
    "Department",
    (
        Attr("name", str, source="name"),
        Attr("description", str, source="description"),
        Attr("head_user_id", str, nullable=True, source="head_user_id"),
        Attr("workspace_id", str, source="workspace_id"),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("workspace", "head"),
)


class AnalyticsCycleTime(BaseModel):
    """Seconds from creation to completion of the tasks completed (null when none were)."""

    model_config = _CLOSED

    count: int
    average_seconds: int | None
    p50_seconds: int | None = Field(description="Median, nearest rank.")
    p90_seconds: int | None = Field(description="90th percentile, nearest rank.")


class AnalyticsFigures(BaseModel):
    """A whole period's figures."""

    model_config = _CLOSED

    created: int = Field(description="Tasks created in the period.")
    completed: int = Field(description="Tasks completed in the period (whenever created).")
    completion_rate: float = Field(
        description="Per cent of the tasks created in the period that were completed by its end, 1 place."
    )
    overdue: int = Field(description="Tasks open at `as_of` whose due date had passed.")
    throughput: float = Field(description="Tasks completed per interval (day or week), 2 places.")
    cycle_time: AnalyticsCycleTime


class AnalyticsBucket(BaseModel):
    """One day or week of the period (in the workspace's time zone), zero-filled."""

    model_config = _CLOSED

    start: str = Field(description="Its first day (a week's Monday, or the period's first day).")
    end: str = Field(description="Its last day, included (a week's Sunday, or the period's last day).")
    created: int
    completed: int = Field(description="Throughput: tasks completed in it.")
    completion_rate: float = Field(description="Per cent of its created tasks completed by the period's end.")
    overdue: int = Field(description="Tasks open past their due date at its end (at `as_of` if that is earlier).")
    cycle_time: AnalyticsCycleTime


class AnalyticsGroup(BaseModel):
    """The figures of one assignee, section or label."""

    model_config = _CLOSED

    key: str | None = Field(description="user_3, section_5 or the label; null: unassigned, no section, no label.")
    name: str | None
    totals: AnalyticsFigures
    series: list[AnalyticsBucket]


ANALYTICS = Output(
    "analytics",
    "Analytics",
    (
        Attr("workspace_id", str),
        Attr("project_id", str, nullable=True, doc="The project the figures cover; null: the whole workspace."),
        Attr("assignee_id", str, nullable=True, doc="Only tasks assigned to this user, when given."),
        Attr("from", str, doc="The period's first day (YYYY-MM-DD, in `time_zone`)."),
        Attr("to", str, doc="The period's last day, included."),
        Attr("interval", str, doc="day or week (weeks start on Monday)."),
        Attr("group_by", str, doc="none, assignee, section or label."),
        Attr("time_zone", str, doc="The workspace's time zone (settings.timezone), else UTC."),
        Attr(
            "as_of",
            _TS,
            doc="The end of the period, or now (to the minute) if earlier: the moment `overdue` is counted at.",
        ),
        Attr("totals", AnalyticsFigures),
        Attr("series", list[AnalyticsBucket]),
        Attr("groups", list[AnalyticsGroup], doc="Per group when `group_by` is not none (else empty)."),
    ),
)


IMPORT = Output(
    "import",
    "Import",
    (
        Attr("format", str, doc="polytask, csv, trello or todoist.", source="format"),
        Attr("filename", str, doc="The uploaded file's name.", source="filename"),
        Attr("status", str, doc="queued, running, succeeded or failed.", source="status"),
        Attr("total", int, doc="Tasks (subtasks included) the file holds.", source="total"),
        Attr("done", int, doc="Tasks created so far (in committed projects).", source="done"),
        Attr("project_ids", list[str], doc="The projects created so far.", source="project_ids"),
        Attr("error_count", int, source="error_count"),
        Attr(
            "errors",
            list[dict[str, Any]],
            doc="Each project that failed and was rolled back: `project` (its index), `name`, `code`, `issue`.",
        ),
        Attr("warnings", list[dict[str, Any]], doc="What was skipped or left out (archived cards, unknown people...)."),
        Attr("workspace_id", str, source="workspace_id"),
        Attr("created_by", str, nullable=True),
        Attr("started_at", _TS, nullable=True),
        Attr("finished_at", _TS, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("workspace",),
)


TEMPLATE = Output(
    "template",
    "Template",
    (
        Attr("name", str, source="name"),
        Attr("description", str, source="description"),
        Attr("workspace_id", str, source="workspace_id"),
        Attr(
            "source_project_id",
            str,
            nullable=True,
            doc="The project it was made from, while that project exists.",
            source="source_project_id",
        ),
        Attr("task_count", int, doc="Tasks in the content, subtasks included.", source="task_count"),
        Attr("content_version", int, doc="The content document's version.", source="content_version"),
        Attr(
            "content",
            TemplateContent,
            doc="The template's document (sections, tasks with subtasks, fields, views; dates as offsets). "
            "Shown by one template's responses, not in lists.",
            always=False,
        ),
        Attr("created_by", str, nullable=True),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("workspace",),
)


_PERCENTILE = (
    "the upper bound of its latency histogram bucket (bounds sqrt(2) apart from 0.5 ms); null without requests"
)
API_USAGE = Output(
    "api_usage",
    "ApiUsage",
    (
        Attr("interval", str, doc="minute, hour or day"),
        Attr("bucket_start", _TS),
        Attr("surface", str, doc="native, taskforce, taskip, taskflow or oauth"),
        Attr("api_key_id", str, nullable=True, doc="The API key (key_12); null for other credentials."),
        Attr("oauth_client_id", str, nullable=True, doc="The OAuth client whose token was used; null otherwise."),
        Attr("requests", int, doc="Requests answered."),
        Attr("succeeded", int, doc="Answered with a status below 400."),
        Attr("success_rate", float, nullable=True, doc="succeeded / requests (0..1); null without requests."),
        Attr("p50_ms", float, nullable=True, doc=f"Median latency: {_PERCENTILE}."),
        Attr("p95_ms", float, nullable=True, doc=f"95th-percentile latency: {_PERCENTILE}."),
        Attr("mean_ms", float, nullable=True, doc="Mean latency."),
        Attr("errors", dict[str, int], doc='Requests per status code of 400 and above ({"404": 3}).'),
        Attr("rate_limited", int, doc="Requests the rate limiter refused (429s, also in errors)."),
    ),
)


class AutomationActionDone(BaseModel):
    """One action a run did, with what it made or changed."""

    model_config = _CLOSED

    type: str
    task_id: str | None = None
    assignee_id: str | None = None
    comment_id: str | None = None
    mail_id: str | None = None
    delivery_id: str | None = None


class AutomationPlannedAction(BaseModel):
    model_config = _CLOSED

    type: str
    skipped: str | None = Field(default=None, description="Why it would not run.")


AUTOMATION = Output(
    "automation",
    "Automation",
    (
        Attr("name", str, source="name"),
        Attr("enabled", bool, source="enabled"),
        Attr("workspace_id", str),
        Attr("project_id", str, nullable=True, doc="Only this project's events.", source="project_id"),
        Attr("owner", str, nullable=True, doc="The actions run as this user.", source="owner_id"),
        Attr("trigger", Trigger, doc="event, schedule or webhook (docs/compat/native.md).", source="trigger"),
        Attr("conditions", str, nullable=True, doc="A `filter=` expression.", source="conditions"),
        Attr("actions", list[Action], doc="In order; ids with their prefixes.", source="actions"),
        Attr("next_run_at", _TS, nullable=True, doc="Schedules: when the next run is due."),
        Attr(
            "hook_url",
            str,
            doc="Incoming-URL triggers: the path to POST to; only when made (create, new trigger), shown once.",
            always=False,
        ),
        Attr("created_at", _TS),
        Attr("updated_at", _TS),
    ),
    ("workspace", "project", "owner"),
)

AUTOMATION_RUN = Output(
    "automation_run",
    "AutomationRun",
    (
        Attr("status", str, doc="pending, succeeded, skipped (conditions not met, or disabled) or failed."),
        Attr("trigger_kind", str, doc="event, schedule or webhook."),
        Attr("event", str, nullable=True, doc="The triggering event's type."),
        Attr("event_id", str, nullable=True),
        Attr("payload", dict[str, Any], doc="What an incoming URL received, or a schedule's due time."),
        Attr("depth", int, doc="0 for a person's change; n+1 for a change made by a run of depth n."),
        Attr("attempts", int),
        Attr("next_attempt_at", _TS, nullable=True, doc="While pending."),
        Attr("matched", bool, nullable=True, doc="Whether the conditions held."),
        Attr("actions_done", list[AutomationActionDone]),
        Attr("error", str, nullable=True, doc="The last attempt's error."),
        Attr("created_at", _TS),
        Attr("started_at", _TS, nullable=True),
        Attr("finished_at", _TS, nullable=True),
        Attr("duration_ms", int, nullable=True),
    ),
    ("automation",),
)

AUTOMATION_TEST = Output(
    "automation_test",
    "AutomationTest",
    (
        Attr("event", str, nullable=True, doc="The event type evaluated against."),
        Attr("event_id", str, nullable=True, doc="The log's event, when one was used."),
        Attr("resource_type", str, nullable=True),
        Attr("resource_id", str, nullable=True),
        Attr("trigger_matched", bool),
        Attr("conditions", str, nullable=True),
        Attr("conditions_matched", bool, nullable=True, doc="Null without conditions or a resource."),
        Attr("would_run", list[AutomationPlannedAction], doc="The actions a run would do, in order."),
        Attr("notes", list[str]),
    ),
    ("automation",),
)

OUTPUTS: tuple[Output, ...] = (
    IMPORT,
    WORKSPACE,
    PROJECT,
    TASK,
    USER,
    ADMIN_USER,
    PERSON,
    MEMBER,
    INVITE,
    COMMENT,
    SECTION,
    CUSTOM_FIELD,
    VIEW,
    TIME_ENTRY,
    EXPENSE,
    RISK,
    DEPARTMENT,
    TEMPLATE,
    API_KEY,
    CALENDAR_FEED,
    WEBHOOK,
    WEBHOOK_DELIVERY,
    OAUTH_CLIENT,
    AUDIT_EVENT,
    FEED_EVENT,
    ANALYTICS,
    API_USAGE,
    AUTOMATION,
    AUTOMATION_RUN,
    AUTOMATION_TEST,
)

# What `fields[type]=` may name, per type: the resource's attributes and relationships.
# (`user` takes a member's names too: a workspace's people are users with a role there.)
_SPARSE_TYPES = (
    WORKSPACE,
    PROJECT,
    TASK,
    USER,
    ADMIN_USER,
    PERSON,
    MEMBER,
    INVITE,
    COMMENT,
    SECTION,
    API_KEY,
    CUSTOM_FIELD,
    VIEW,
    TIME_ENTRY,
    EXPENSE,
    RISK,
    DEPARTMENT,
    IMPORT,
    TEMPLATE,
)
ATTRIBUTE_NAMES: dict[str, frozenset[str]] = {}
RELATIONSHIP_NAMES: dict[str, frozenset[str]] = {}
for _out in (*_SPARSE_TYPES, AUDIT_EVENT):
    ATTRIBUTE_NAMES[_out.kind] = ATTRIBUTE_NAMES.get(_out.kind, frozenset()) | frozenset(_out.keys)
    RELATIONSHIP_NAMES[_out.kind] = RELATIONSHIP_NAMES.get(_out.kind, frozenset()) | frozenset(_out.relationships)
