"""The shapes of event snapshots, as recorded: one closed model per distinct shape.

An event row's `snapshot` is what the catalogue (catalog.py) declares for its type; webhook
payloads and the changes feed render their `data` from it (domain/webhooks/outbox.py: ids
prefixed, `*_by_id` shortened to `*_by`). Dates and datetimes are ISO strings
(events/service.py `jsonable`). Models are strict and closed, so a writer that adds, drops or
retypes a key fails tests/domain/test_event_payloads.py until its model says so.

For the resources a service snapshots field by field (tasks, projects, sections, comments,
workspaces, views, custom fields, webhooks) the model is also the field list: the services'
`*_FIELDS` tuples are read from it, and the native outputs (api/v1/outputs.py) name each
field as an attribute's `source`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Payload(BaseModel):
    """A snapshot shape: strict types, no keys beyond the declared ones."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Empty(Payload):
    """Nothing beyond the row's own columns (resource, actor, changes)."""


# --- the work: tasks, projects, sections, comments -------------------------------------------


class TaskSnapshot(Payload):
    """domain/tasks/rules.py `task_snapshot` (and its bulk twin in domain/tasks/created.py), in this order."""

    name: str
    description: str
    status: str
    priority: str | None
    due_date: str | None
    start_date: str | None
    progress: int
    estimated_hours: float | None
    section_id: int | None
    parent_id: int | None
    position: float
    project_id: int
    completed_at: str | None
    completed_by_id: int | None
    custom_fields: dict[str, Any]
    assignee_ids: list[int]
    labels: list[str]
    dependencies: list[int]


class TaskEmail(Payload):
    gmail_thread_id: str
    subject: str
    sender: str


class TaskEmailRemoved(Payload):
    gmail_thread_id: str


class ProjectSnapshot(Payload):
    """domain/projects/service.py PROJECT_FIELDS reads its fields from here."""

    name: str
    description: str
    type: str
    status: str
    start_date: str | None
    due_date: str | None
    settings: dict[str, Any]
    custom_field_definitions: dict[str, Any]
    custom_fields: dict[str, Any]
    workspace_id: int
    budget_minor: int | None
    currency: str
    uuid: str
    priority: str | None
    category_id: int | None


class ProjectTagsChanged(Payload):
    """A project's tags (TaskIP's project attributes of kind `tag`), by name, after the change."""

    workspace_id: int
    tags: list[str]


class ProjectAttributeSnapshot(Payload):
    workspace_id: int
    kind: str
    name: str
    color: str | None


class SectionSnapshot(Payload):
    name: str
    position: float
    project_id: int
    color: str | None


class CommentSnapshot(Payload):
    task_id: int
    body: str


class CommentRemoved(Payload):
    task_id: int


# --- what projects spend, their risks, departments (TaskFlow's domain) ------------------------


class TimeEntrySnapshot(Payload):
    """domain/spending/time_entries.py TIME_ENTRY_FIELDS."""

    project_id: int
    task_id: int | None
    user_id: int
    minutes: int
    spent_on: str
    note: str
    workspace_id: int


class ExpenseSnapshot(Payload):
    """domain/spending/expenses.py EXPENSE_FIELDS; money in minor units of `currency`."""

    project_id: int
    amount_minor: int
    currency: str
    spent_on: str
    category: str
    note: str
    workspace_id: int


class ImportSnapshot(Payload):
    """domain/transfer/jobs.py IMPORT_FIELDS: an import job as it finished."""

    format: str
    filename: str
    status: str
    total: int
    done: int
    project_ids: list[int]
    error_count: int
    workspace_id: int


class RiskSnapshot(Payload):
    """domain/risks/service.py RISK_FIELDS."""

    title: str
    description: str
    severity: str
    probability: str
    impact: str
    mitigation_plan: str
    status: str
    actual_impact: str | None
    resolution_notes: str | None
    owner_id: int | None
    project_id: int
    workspace_id: int


class FileSnapshot(Payload):
    """domain/files/service.py FILE_FIELDS: a stored file (a task's, project's or
    discussion's, or a document: then title, description and category are set)."""

    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    project_id: int | None
    task_id: int | None
    discussion_id: int | None
    message_id: int | None
    workspace_id: int
    uploaded_by_id: int | None
    title: str | None
    description: str | None
    category: str | None


class DiscussionSnapshot(Payload):
    """domain/discussions/service.py DISCUSSION_FIELDS."""

    title: str
    body: str
    project_id: int
    workspace_id: int
    created_by_id: int | None


class DiscussionMessageSnapshot(Payload):
    """domain/discussions/service.py MESSAGE_FIELDS, with the discussion's project."""

    message_id: int
    discussion_id: int
    body: str
    author_id: int | None
    project_id: int
    workspace_id: int
    file_ids: list[int]


class DepartmentSnapshot(Payload):
    """domain/departments/service.py DEPARTMENT_FIELDS."""

    name: str
    description: str
    head_user_id: int | None
    workspace_id: int


class TemplateSnapshot(Payload):
    """domain/templates/service.py TEMPLATE_FIELDS: the template without its content (which may
    hold thousands of tasks); `content_version` says which shape the content has."""

    name: str
    description: str
    workspace_id: int
    source_project_id: int | None
    task_count: int
    content_version: int


# --- lists (the Taskforce model), saved views, custom fields ---------------------------------


class ListSnapshot(Payload):
    """domain/lists/service.py LIST_FIELDS."""

    name: str
    description: str
    flagship: bool
    owner_id: int
    project_id: int | None


class ListDeleted(ListSnapshot):
    deleted_task_ids: list[int]


class ListCollaborator(Payload):
    user_id: int
    email: str


class ListTask(Payload):
    task_id: int


class ListOrder(Payload):
    task_ids: list[int]


class ViewSnapshot(Payload):
    """domain/tasks/views.py VIEW_FIELDS reads its fields from here."""

    name: str
    filter: dict[str, Any]
    sort: str | None
    fields: str | None
    layout: str
    project_id: int


class FieldDefinition(Payload):
    """domain/fields/service.py DEFINITION_FIELDS (what an update records) reads its fields from here."""

    key: str
    name: str
    type: str
    required: bool
    default_value: Any
    options: list[Any]
    position: float
    config: dict[str, Any]


class FieldDefinitionScoped(FieldDefinition):
    """A created or deleted definition also says its project (null: a workspace field)."""

    project_id: int | None


# --- workspaces, people, webhooks ------------------------------------------------------------


class WorkspaceSnapshot(Payload):
    name: str
    description: str
    settings: dict[str, Any]
    security: dict[str, Any]


class MemberSnapshot(Payload):
    user_id: int
    role: str


class MemberUpdated(MemberSnapshot):
    permissions: dict[str, bool]
    department: str | None
    department_id: int | None
    cost_rate_minor: int | None


class InviteSnapshot(Payload):
    email: str
    role: str


class InviteAccepted(Payload):
    email: str
    user_id: int


class WebhookSnapshot(Payload):
    """domain/webhooks/service.py WEBHOOK_FIELDS reads its fields from here (never the secret)."""

    url: str
    events: list[str]
    project_id: int | None
    description: str
    active: bool
    disabled_reason: str | None


class AutomationSnapshot(Payload):
    """domain/automations/service.py AUTOMATION_FIELDS reads its fields from here (never the hook token)."""

    name: str
    enabled: bool
    project_id: int | None
    owner_id: int | None
    trigger: dict[str, Any]
    conditions: str | None
    actions: list[Any]


class AutomationRunResult(Payload):
    """An automation run's outcome (domain/automations/runner.py): the run row's own fields."""

    automation_id: int
    run_id: int
    trigger_kind: str
    event_id: int | None
    event_type: str | None
    depth: int
    attempts: int
    actions_done: list[Any]
    error: str | None


# --- accounts and credentials (audit only) ---------------------------------------------------


class UserSnapshot(Payload):
    username: str
    email: str
    name: str
    role: str
    department: str | None
    is_active: bool


class PasswordReset(Payload):
    """domain/users/service.py `reset_password`: by the operator or a server admin, not the owner."""

    sessions_ended: int  # the browser sessions the reset signed out
    generated: bool  # False: an admin chose it (POST /v1/admin/users/{id}/password-reset)


class PasswordChanged(Payload):
    """domain/users/passwords.py: set by its owner, knowing the old one or with a mailed token."""

    via: Literal["change", "reset"]
    sessions_ended: int  # the other browser sessions it signed out


class PasswordResetRequested(Payload):
    """A reset token was mailed to the account (requests for unknown addresses are not events)."""

    client_ip: str | None


class ApiKeyCreated(Payload):
    name: str
    user_id: int
    scopes: list[str] | None
    workspace_id: int | None
    rate_plan: str | None = None  # only written when the key is on a plan


class CalendarFeedSnapshot(Payload):
    """domain/calendars/service.py `FEED_FIELDS`: never the token or its digest."""

    kind: str
    name: str
    user_id: int
    project_id: int | None
    workspace_id: int | None


class ApiKeyRotated(Payload):
    replaced_by: int
    grace_period_seconds: int | None


class RatePlanChanged(Payload):
    rate_plan: str | None
    previous_rate_plan: str | None


class ApiKeyPlanChanged(RatePlanChanged):
    user_id: int


class OAuthClientCreated(Payload):
    name: str
    public: bool
    redirect_uris: list[str]
    scopes: list[str]


class OAuthClientDeleted(Payload):
    name: str
    client_id: str


class OAuthClientPlanChanged(RatePlanChanged):
    client_id: str


class SignIn(Payload):
    """domain/users/login.py: what was typed as the login (never the password)."""

    login: str
    client_ip: str | None
    surface: str


class SignInThrottled(SignIn):
    retry_after: int


class Logout(Payload):
    session_id: int
    client_ip: str | None
    surface: str


class Consent(Payload):
    client_id: str
    scopes: list[str]


class TokenIssued(Payload):
    client_id: str
    grant_type: str
    scopes: list[str]
    family: str


class TokenRevoked(Payload):
    reason: str
    client_id: str


class OAuthRefused(Payload):
    endpoint: str
    error: str
    description: str
    client_id: str
    grant_type: str
    client_ip: str | None


class PresentedCredential(Payload):
    """The kind and public part of a rejected credential (domain/api_keys/rejections.py)."""

    kind: str
    key_prefix: str | None = None
    username: str | None = None


class CredentialRejected(Payload):
    surface: str
    reason: str
    client_ip: str | None
    presented: PresentedCredential
    fingerprint: str
    suppressed: int
