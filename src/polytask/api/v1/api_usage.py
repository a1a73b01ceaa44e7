"""/v1/analytics/api-usage: requests, success rate, latency and refusals per credential and
surface, from the aggregated buckets (domain/usage)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import outputs
from polytask.api.v1.documents import JSONAPIResponse
from polytask.api.v1.outputs import resource_model
from polytask.api.v1.render import rid
from polytask.api.v1.schemas import ERROR_RESPONSES
from polytask.core.actor import Actor
from polytask.core.dates import parse_datetime
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.ids import id_pattern, parse_id
from polytask.core.scopes import AUDIT_READ
from polytask.domain.usage.report import Figures, UsageReport, UsageSeries, api_usage_for

router = unit_router(tags=["Analytics"], responses=ERROR_RESPONSES)

_CLOSED = ConfigDict(extra="forbid")
ApiUsageResource = resource_model(outputs.API_USAGE)
Interval = Literal["minute", "hour", "day"]
SurfaceName = Literal["native", "taskforce", "taskip", "taskflow", "oauth"]


class ApiUsageFigures(BaseModel):
    """The figures of the whole span (each bucket's attributes carry the same names)."""

    model_config = _CLOSED

    requests: int
    succeeded: int
    success_rate: float | None
    p50_ms: float | None
    p95_ms: float | None
    mean_ms: float | None
    errors: dict[str, int]
    rate_limited: int


class ApiUsageMeta(BaseModel):
    model_config = _CLOSED

    interval: Interval
    from_: datetime = Field(alias="from")
    to: datetime
    workspace_id: str | None
    totals: ApiUsageFigures


class ApiUsageDocument(BaseModel):
    model_config = _CLOSED

    data: list[ApiUsageResource]  # type: ignore[valid-type]
    meta: ApiUsageMeta


def _figures(f: Figures) -> dict[str, Any]:
    return {
        "requests": f.requests,
        "succeeded": f.succeeded,
        "success_rate": f.success_rate,
        "p50_ms": f.percentile_ms(0.5),
        "p95_ms": f.percentile_ms(0.95),
        "mean_ms": f.mean_ms,
        "errors": f.errors,
        "rate_limited": f.rate_limited,
    }


def _instant(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def bucket(report: UsageReport, s: UsageSeries) -> dict[str, Any]:
    """One bucket of one (surface, API key, OAuth client)."""
    ident = f"{report.granularity}:{s.bucket}:{s.surface}:{s.api_key_id or 0}:{s.oauth_client_id or 0}"
    attributes = {
        "interval": report.granularity,
        "bucket_start": _instant(s.bucket),
        "surface": s.surface,
        "api_key_id": rid("api_key", s.api_key_id),
        "oauth_client_id": rid("oauth_client", s.oauth_client_id),
        **_figures(s.figures),
    }
    return {"type": "api_usage", "id": ident, "attributes": attributes}


def _render(report: UsageReport) -> dict[str, Any]:
    meta = {
        "interval": report.granularity,
        "from": _instant(report.start),
        "to": _instant(report.end),
        "workspace_id": rid("workspace", report.workspace_id),
        "totals": _figures(report.totals),
    }
    return {"data": [bucket(report, s) for s in report.series], "meta": meta}


def _epoch(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(parse_datetime(value).timestamp())
    except (ValueError, OverflowError) as exc:
        raise ValidationFailed(
            f"{name} {exc}" if isinstance(exc, ValueError) else f"{name} is out of range",
            {"field": name, "issue": str(exc), "provided_value": value},
        ) from None


def _key(kind: str, name: str, value: str | None) -> int | None:
    if value is None:
        return None
    pk = parse_id(kind, value)
    if pk is None:
        raise NotFound.of(kind, value)
    return pk


def _id_query(kind: str, what: str) -> Any:
    return Query(description=what, pattern=id_pattern(kind), max_length=40)


# The parameters both reports take (the server's or a workspace's, and your own).
IntervalParam = Annotated[Interval, Query(description="Bucket length.")]
FromParam = Annotated[
    str | None,
    Query(
        alias="from",
        max_length=40,
        description="Start (ISO 8601, rounded down to the bucket); default: 1 hour, 1 day or 30 days before `to`.",
    ),
]
ToParam = Annotated[str | None, Query(max_length=40, description="End (ISO 8601, exclusive); default: now.")]
SurfaceParam = Annotated[SurfaceName | None, Query(description="Only this surface's requests.")]
ApiKeyParam = Annotated[str | None, _id_query("api_key", "Only this API key's requests.")]
OAuthClientParam = Annotated[str | None, _id_query("oauth_client", "Only this OAuth client's requests.")]


def _report(
    session: Session,
    actor: Actor,
    *,
    workspace_id: str | None,
    interval: str,
    from_: str | None,
    to: str | None,
    surface: str | None,
    api_key_id: str | None,
    oauth_client_id: str | None,
    mine: bool,
) -> Response:
    report = api_usage_for(
        session,
        actor,
        now=time.time(),
        workspace_id=_key("workspace", "workspace_id", workspace_id),
        granularity=interval,
        start=_epoch("from", from_),
        end=_epoch("to", to),
        surface=surface,
        api_key_id=_key("api_key", "api_key_id", api_key_id),
        oauth_client_id=_key("oauth_client", "oauth_client_id", oauth_client_id),
        mine=mine,
    )
    return JSONAPIResponse(_render(report))


@router.get("/analytics/api-usage", response_model=ApiUsageDocument)
@transactional(AUDIT_READ)
def get_api_usage(
    session: Session,
    actor: Actor,
    workspace_id: Annotated[str | None, _id_query("workspace", "One workspace's usage (owners and admins).")] = None,
    interval: IntervalParam = "hour",
    from_: FromParam = None,
    to: ToParam = None,
    surface: SurfaceParam = None,
    api_key_id: ApiKeyParam = None,
    oauth_client_id: OAuthClientParam = None,
) -> Response:
    """API usage per bucket, surface, API key and OAuth client: requests, success rate, p50/p95
    latency, errors by status and rate-limit refusals. With `workspace_id`: the credentials
    acting in that workspace, for its owners and admins; without: the whole server, for server
    admins. Spans are bounded: 24 hours of minutes, 31 days of hours, 400 days of days."""
    return _report(
        session,
        actor,
        workspace_id=workspace_id,
        interval=interval,
        from_=from_,
        to=to,
        surface=surface,
        api_key_id=api_key_id,
        oauth_client_id=oauth_client_id,
        mine=False,
    )


@router.get("/me/api-usage", response_model=ApiUsageDocument)
@transactional(AUDIT_READ)
def get_my_api_usage(
    session: Session,
    actor: Actor,
    interval: IntervalParam = "hour",
    from_: FromParam = None,
    to: ToParam = None,
    surface: SurfaceParam = None,
    api_key_id: ApiKeyParam = None,
    oauth_client_id: OAuthClientParam = None,
) -> Response:
    """Your own integrations' API usage, for anyone: the requests made with your API keys
    (bound to a workspace or not) and by the OAuth clients you own (every user's tokens), per
    bucket, surface, key and client, with the same figures and spans as
    `/v1/analytics/api-usage`. Another user's key or client names nothing here (no rows)."""
    return _report(
        session,
        actor,
        workspace_id=None,
        interval=interval,
        from_=from_,
        to=to,
        surface=surface,
        api_key_id=api_key_id,
        oauth_client_id=oauth_client_id,
        mine=True,
    )
