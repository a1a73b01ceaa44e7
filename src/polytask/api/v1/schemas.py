"""Response documents of the native surface, for the OpenAPI description.

Handlers render plain dicts for speed; the test suite validates every response against
these schemas through /openapi.json, so the two cannot drift apart. Attributes are all
optional in presence because `fields=` may leave any of them out.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    code: str = Field(examples=["VALIDATION_ERROR"])
    message: str = Field(examples=["The provided data is invalid"])
    details: dict[str, Any] = Field(
        examples=[{"field": "due_date", "issue": "must be an ISO 8601 date", "provided_value": "tomorrow"}]
    )
    request_id: str = Field(examples=["req_12345abc"])
    timestamp: str = Field(examples=["2024-01-15T10:30:00Z"])


class ErrorDocument(BaseModel):
    error: ErrorBody


class ResourceIdentifier(BaseModel):
    id: str
    type: str


class Relationship(BaseModel):
    data: ResourceIdentifier | list[ResourceIdentifier] | None


class ListMeta(BaseModel):
    """Offset paging fills offset/page/per_page; cursor paging (`cursor=`) fills the cursors."""

    total: int | None = Field(default=None, description="With cursors only when asked for (`total=true`).")
    limit: int
    offset: int | None = None
    page: int | None = None
    per_page: int | None = None
    cursor: str | None = None
    next_cursor: str | None = Field(default=None, description="null on the last page.")


class ListLinks(BaseModel):
    self: str
    first: str
    prev: str | None = None
    next: str | None = None
    last: str | None = None


class IncludedResource(BaseModel):
    id: str
    type: str
    attributes: dict[str, Any]
    relationships: dict[str, Relationship] | None = None


def _documents(
    name: str, type_: str, attributes: type[BaseModel]
) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel]]:
    resource = create_model(
        f"{name}Resource",
        id=(str, Field(examples=[f"{type_}_123"])),
        type=(Literal[type_], ...),  # type: ignore[arg-type]
        attributes=(attributes, ...),
        relationships=(dict[str, Relationship] | None, None),
    )
    single = create_model(
        f"{name}Document",
        data=(resource, ...),
        included=(list[IncludedResource] | None, None),
    )
    many = create_model(
        f"{name}ListDocument",
        data=(list[resource], ...),
        included=(list[IncludedResource] | None, None),
        meta=(ListMeta, ...),
        links=(ListLinks, ...),
    )
    return resource, single, many


class WorkspaceAttributes(BaseModel):
    name: str | None = None
    description: str | None = None
    settings: dict[str, Any] | None = None
    security: dict[str, Any] | None = Field(
        default=None, description='Enterprise controls, e.g. {"ip_whitelisting": ["10.0.0.0/8"]}.'
    )
    created_at: str | None = None
    updated_at: str | None = None


class ProjectAttributes(BaseModel):
    name: str | None = None
    description: str | None = None
    type: str | None = None
    status: str | None = None
    workspace_id: str | None = None
    start_date: str | None = None
    due_date: str | None = None
    settings: dict[str, Any] | None = None
    custom_fields: dict[str, Any] | None = None
    custom_field_definitions: dict[str, Any] | None = None
    created_by: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class TaskAttributes(BaseModel):
    name: str | None = None
    description: str | None = None
    status: str | None = None
    priority: str | None = None
    project_id: str | None = None
    workspace_id: str | None = None
    section_id: str | None = None
    parent_id: str | None = None
    assignee_id: str | None = None
    assignee_ids: list[str] | None = None
    due_date: str | None = None
    start_date: str | None = None
    progress: int | None = None
    estimated_hours: float | None = None
    completed_at: str | None = None
    completed_by: str | None = None
    dependencies: list[str] | None = None
    labels: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    position: float | None = None
    created_by: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class UserAttributes(BaseModel):
    name: str | None = None
    username: str | None = None
    email: str | None = None
    role: str | None = None
    department: str | None = None
    created_at: str | None = None


class MemberAttributes(UserAttributes):
    global_role: str | None = None
    permissions: dict[str, bool] | None = None
    joined_at: str | None = None


class InviteAttributes(BaseModel):
    email: str | None = None
    role: str | None = None
    message: str | None = None
    status: str | None = None
    workspace_id: str | None = None
    invited_by: str | None = None
    expires_at: str | None = None
    accepted_at: str | None = None
    created_at: str | None = None
    token: str | None = Field(default=None, description="Only in the create response; send it to the invitee.")


class CommentAttributes(BaseModel):
    body: str | None = None
    task_id: str | None = None
    author_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class ApiKeyAttributes(BaseModel):
    name: str | None = None
    prefix: str | None = Field(default=None, description="The key's public start, to recognise it.")
    workspace_id: str | None = None
    scopes: list[str] | None = Field(default=None, description="null: all of the user's rights.")
    rate_plan: str | None = Field(
        default=None,
        description="The rate-limit plan (docs/security.md); null: the surface's default. Set by server admins "
        "with `polytask api-keys set-plan`.",
    )
    expires_at: str | None = None
    last_used_at: str | None = None
    revoked_at: str | None = None
    created_at: str | None = None
    key: str | None = Field(default=None, description="Only in the create response; shown once.")


class SectionAttributes(BaseModel):
    name: str | None = None
    position: float | None = None
    project_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class CustomFieldAttributes(BaseModel):
    key: str | None = Field(default=None, description="The name in task `custom_fields` and in filters.")
    name: str | None = None
    type: str | None = None
    required: bool | None = None
    default_value: Any = None
    options: list[str] | None = None
    position: float | None = None
    currency: str | None = None
    project_id: str | None = Field(default=None, description="null for a workspace field the project inherits.")
    workspace_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class ViewAttributes(BaseModel):
    name: str | None = None
    filter: dict[str, Any] | str | None = Field(
        default=None, description="An object of list parameters, or a `filter=` expression string."
    )
    sort: str | None = None
    fields: str | None = None
    layout: str | None = Field(default=None, description="list, board, table or calendar")
    project_id: str | None = None
    created_by: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


_WorkspaceResource, WorkspaceDocument, WorkspaceListDocument = _documents("Workspace", "workspace", WorkspaceAttributes)
_ProjectResource, ProjectDocument, ProjectListDocument = _documents("Project", "project", ProjectAttributes)
_TaskResource, TaskDocument, TaskListDocument = _documents("Task", "task", TaskAttributes)
_UserResource, UserDocument, _UserList = _documents("User", "user", UserAttributes)
_MemberResource, MemberDocument, MemberListDocument = _documents("Member", "user", MemberAttributes)
_InviteResource, InviteDocument, InviteListDocument = _documents("Invite", "invite", InviteAttributes)
_CommentResource, CommentDocument, CommentListDocument = _documents("Comment", "comment", CommentAttributes)
_SectionResource, SectionDocument, SectionListDocument = _documents("Section", "section", SectionAttributes)
_ApiKeyResource, ApiKeyDocument, ApiKeyListDocument = _documents("ApiKey", "api_key", ApiKeyAttributes)
_ViewResource, ViewDocument, ViewListDocument = _documents("View", "view", ViewAttributes)
_CustomFieldResource, CustomFieldDocument, CustomFieldListDocument = _documents(
    "CustomField", "custom_field", CustomFieldAttributes
)


class AuditEventAttributes(BaseModel):
    """One event of the log as the audit log and project activity show it."""

    type: str | None = Field(default=None, examples=["task.updated"])
    occurred_at: str | None = None
    workspace_id: str | None = None
    project_id: str | None = None
    resource_type: str | None = Field(default=None, examples=["task"])
    resource_id: str | None = Field(default=None, examples=["task_42"])
    actor_id: str | None = Field(
        default=None, description="The user who acted; null for the system or an anonymous caller."
    )
    credential_kind: str | None = Field(default=None, examples=["api_key"], description="Audit logs only.")
    credential_id: str | None = Field(default=None, examples=["key_3"], description="Audit logs only.")
    client_ip: str | None = Field(default=None, examples=["203.0.113.7"], description="Audit logs only.")
    changes: dict[str, Any] | None = Field(default=None, description='{"field": {"from": old, "to": new}}')
    snapshot: dict[str, Any] | None = Field(default=None, description="The resource as the change left it.")


_AuditEventResource, _AuditEventDocument, AuditEventListDocument = _documents(
    "AuditEvent", "event", AuditEventAttributes
)


InviteBatchDocument = create_model("InviteBatchDocument", data=(list[_InviteResource], ...))  # type: ignore[valid-type]


ATTRIBUTE_NAMES: dict[str, frozenset[str]] = {
    "workspace": frozenset(WorkspaceAttributes.model_fields),
    "project": frozenset(ProjectAttributes.model_fields),
    "task": frozenset(TaskAttributes.model_fields),
    "user": frozenset(MemberAttributes.model_fields),
    "invite": frozenset(InviteAttributes.model_fields),
    "comment": frozenset(CommentAttributes.model_fields),
    "section": frozenset(SectionAttributes.model_fields),
    "api_key": frozenset(ApiKeyAttributes.model_fields),
    "custom_field": frozenset(CustomFieldAttributes.model_fields),
    "view": frozenset(ViewAttributes.model_fields),
    "event": frozenset(AuditEventAttributes.model_fields),
}

# Relationship names, which `fields=` may also name (JSON:API sparse fieldsets cover both).
RELATIONSHIP_NAMES: dict[str, frozenset[str]] = {
    "workspace": frozenset(),
    "project": frozenset({"workspace"}),
    "task": frozenset({"project", "assignee", "assignees", "section", "parent"}),
    "user": frozenset({"workspace"}),
    "invite": frozenset({"workspace"}),
    "comment": frozenset({"task", "author"}),
    "section": frozenset({"project"}),
    "api_key": frozenset({"workspace"}),
    "custom_field": frozenset({"project"}),
    "view": frozenset({"project"}),
    "event": frozenset(),
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorDocument, "description": "Missing or invalid credentials (AUTHENTICATION_ERROR)"},
    403: {"model": ErrorDocument, "description": "Role or permission missing (PERMISSION_DENIED)"},
    404: {"model": ErrorDocument, "description": "Unknown id, or not visible to you (RESOURCE_NOT_FOUND)"},
    409: {"model": ErrorDocument, "description": "Conflicts with the current state (CONFLICT)"},
    422: {"model": ErrorDocument, "description": "Invalid input (VALIDATION_ERROR)"},
    429: {"model": ErrorDocument, "description": "Over the rate limit (RATE_LIMIT_EXCEEDED); see Retry-After"},
}
