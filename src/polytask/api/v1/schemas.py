"""Response documents of the native surface, for the OpenAPI description.

Handlers render plain dicts for speed. The schemas come from the declarations in outputs.py
and are closed: every attribute is required (bar secrets shown once) and nothing else is
allowed. The test suite validates every response against them through /openapi.json;
for `fields=` it narrows a resource's schema to the fields asked for (tests/openapi_check.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from polytask.api.v1 import outputs
from polytask.api.v1.outputs import ATTRIBUTE_NAMES, RELATIONSHIP_NAMES, Output, resource_model

__all__ = ["ATTRIBUTE_NAMES", "RELATIONSHIP_NAMES"]


_CLOSED = ConfigDict(extra="forbid")


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


class ListMeta(BaseModel):
    """Offset paging fills offset/page/per_page; cursor paging (`cursor=`) fills the cursors."""

    model_config = _CLOSED

    total: int | None = Field(default=None, description="With cursors only when asked for (`total=true`).")
    limit: int
    offset: int | None = None
    page: int | None = None
    per_page: int | None = None
    cursor: str | None = None
    next_cursor: str | None = Field(default=None, description="null on the last page.")


class ListLinks(BaseModel):
    model_config = _CLOSED

    self: str
    first: str
    prev: str | None = None
    next: str | None = None
    last: str | None = None


def documents(out: Output) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel]]:
    """The resource object, the single document and the list document of one output."""
    resource = resource_model(out)
    single = create_model(
        f"{out.name}Document",
        __config__=_CLOSED,
        data=(resource, ...),
        included=(list[IncludedResource] | None, None),
    )
    many = create_model(
        f"{out.name}ListDocument",
        __config__=_CLOSED,
        data=(list[resource], ...),  # type: ignore[valid-type]
        included=(list[IncludedResource] | None, None),
        meta=(ListMeta, ...),
        links=(ListLinks, ...),
    )
    return resource, single, many


# What `include=` can bring along (includes.py): each is checked against its own closed schema.
_WorkspaceResource = resource_model(outputs.WORKSPACE)
_ProjectResource = resource_model(outputs.PROJECT)
_TaskResource = resource_model(outputs.TASK)
_UserResource = resource_model(outputs.USER)
_MemberResource = resource_model(outputs.MEMBER)
_SectionResource = resource_model(outputs.SECTION)
IncludedResource: Any = (
    _WorkspaceResource | _ProjectResource | _TaskResource | _UserResource | _MemberResource | _SectionResource
)

_, WorkspaceDocument, WorkspaceListDocument = documents(outputs.WORKSPACE)
_, ProjectDocument, ProjectListDocument = documents(outputs.PROJECT)
_, TaskDocument, TaskListDocument = documents(outputs.TASK)
_, UserDocument, _UserList = documents(outputs.USER)
_, AdminUserDocument, AdminUserListDocument = documents(outputs.ADMIN_USER)
_, PersonDocument, PersonListDocument = documents(outputs.PERSON)
_, MemberDocument, MemberListDocument = documents(outputs.MEMBER)
_InviteResource, InviteDocument, InviteListDocument = documents(outputs.INVITE)
_, CommentDocument, CommentListDocument = documents(outputs.COMMENT)
_, SectionDocument, SectionListDocument = documents(outputs.SECTION)
_, ApiKeyDocument, ApiKeyListDocument = documents(outputs.API_KEY)
_, CalendarFeedDocument, CalendarFeedListDocument = documents(outputs.CALENDAR_FEED)
_, ViewDocument, ViewListDocument = documents(outputs.VIEW)
_, CustomFieldDocument, CustomFieldListDocument = documents(outputs.CUSTOM_FIELD)
_, _AuditEventDocument, AuditEventListDocument = documents(outputs.AUDIT_EVENT)
_, TimeEntryDocument, TimeEntryListDocument = documents(outputs.TIME_ENTRY)
_, ExpenseDocument, ExpenseListDocument = documents(outputs.EXPENSE)
_, RiskDocument, RiskListDocument = documents(outputs.RISK)
_, DepartmentDocument, DepartmentListDocument = documents(outputs.DEPARTMENT)
_, AnalyticsDocument, _AnalyticsList = documents(outputs.ANALYTICS)
_, ImportDocument, ImportListDocument = documents(outputs.IMPORT)
_, TemplateDocument, TemplateListDocument = documents(outputs.TEMPLATE)


InviteBatchDocument = create_model(
    "InviteBatchDocument",
    __config__=_CLOSED,
    data=(list[_InviteResource], ...),  # type: ignore[valid-type]
)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorDocument, "description": "Missing or invalid credentials (AUTHENTICATION_ERROR)"},
    403: {"model": ErrorDocument, "description": "Role or permission missing (PERMISSION_DENIED)"},
    404: {"model": ErrorDocument, "description": "Unknown id, or not visible to you (RESOURCE_NOT_FOUND)"},
    409: {"model": ErrorDocument, "description": "Conflicts with the current state (CONFLICT)"},
    422: {"model": ErrorDocument, "description": "Invalid input (VALIDATION_ERROR)"},
    429: {"model": ErrorDocument, "description": "Over the rate limit (RATE_LIMIT_EXCEEDED); see Retry-After"},
}
