"""Task analytics: /v1/workspaces/{id}/analytics, /v1/projects/{id}/analytics."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from polytask.api.deps import transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, document
from polytask.api.v1.params import one, one_id, query_parameter, reject_unknown
from polytask.api.v1.paths import ProjectId, WorkspaceId
from polytask.api.v1.schemas import ERROR_RESPONSES, AnalyticsDocument
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.domain.reports import analytics
from polytask.domain.reports.analytics import AnalyticsQuery

router = unit_router(tags=["Analytics"], responses=ERROR_RESPONSES)

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COMMON = frozenset({"from", "to", "interval", "group_by", "assignee_id"})

_PERIOD_PARAMETERS: list[dict[str, Any]] = [
    query_parameter(
        "from",
        {"type": "string", "format": "date"},
        f"The period's first day (in the workspace's time zone); default: {analytics.DEFAULT_DAYS - 1} days"
        " before `to`.",
        "2026-11-01",
    ),
    query_parameter(
        "to",
        {"type": "string", "format": "date"},
        "The period's last day, included; default: today. At most "
        f"{analytics.MAX_DAYS['day']} days with interval=day, {analytics.MAX_DAYS['week']} with interval=week.",
        "2026-11-30",
    ),
    query_parameter("interval", {"type": "string", "enum": list(analytics.INTERVALS)}, "Bucket size.", "day"),
    query_parameter(
        "group_by", {"type": "string", "enum": list(analytics.GROUP_BY)}, "Also break the figures down.", "assignee"
    ),
    query_parameter("assignee_id", {"type": "string"}, "Only tasks assigned to this user.", "user_1"),
]
_PROJECT_FILTER = query_parameter("project_id", {"type": "string"}, "Only this project's tasks.", "project_1")


def _day(params: QueryParams, name: str) -> date | None:
    raw = one(params, name)
    if raw is None:
        return None
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed.field(name, "must be a date such as 2026-11-30", raw) from None


def _query(params: QueryParams, *, project_filter: bool) -> AnalyticsQuery:
    reject_unknown(params, _COMMON | ({"project_id"} if project_filter else set()))
    return AnalyticsQuery(
        start=_day(params, "from"),
        end=_day(params, "to"),
        interval=one(params, "interval") or "day",
        group_by=one(params, "group_by") or "none",
        project_id=one_id(params, "project_id", "project") if project_filter else None,
        assignee_id=one_id(params, "assignee_id", "user"),
    )


@router.get(
    "/workspaces/{workspace_id}/analytics",
    response_model=AnalyticsDocument,
    openapi_extra={"parameters": [*_PERIOD_PARAMETERS, _PROJECT_FILTER]},
)
@transactional("tasks:read")
def get_workspace_analytics(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor
) -> JSONAPIResponse:
    """Task analytics of a workspace: created, completed, overdue, completion rate, throughput and
    cycle time per day or week, optionally by assignee, section or label (the view_analytics
    permission: owners and admins by default)."""
    query = _query(request.query_params, project_filter=True)
    result = analytics.workspace_analytics(session, actor, workspace_id=workspace_id, query=query)
    return document(resources.analytics(result))


@router.get(
    "/projects/{project_id}/analytics",
    response_model=AnalyticsDocument,
    openapi_extra={"parameters": _PERIOD_PARAMETERS},
)
@transactional("tasks:read")
def get_project_analytics(request: Request, project_id: ProjectId, session: Session, actor: Actor) -> JSONAPIResponse:
    """A project's task analytics, as the workspace's (the view_analytics permission in its workspace)."""
    query = _query(request.query_params, project_filter=False)
    result = analytics.project_analytics(session, actor, project_id=project_id, query=query)
    return document(resources.analytics(result))
