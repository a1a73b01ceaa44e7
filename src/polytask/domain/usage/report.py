"""Reading API usage: per workspace for its owners and admins, server-wide for server admins,
and for anyone, their own credentials' (`/v1/me/api-usage`).

A workspace's usage is that of the credentials acting in it: API keys bound to it, and the
Taskforce and TaskIP credentials (which act in their user's home workspace). Unbound keys and
OAuth tokens act across workspaces, so their requests show in the server-wide report only
(docs/compat/native.md "API usage").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, cast, func, or_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import PermissionDenied, ValidationFailed
from polytask.domain.usage.service import SUM_COLUMNS
from polytask.domain.workspaces.access import membership_for, require_manager
from polytask.models import ApiKey, OAuthClient
from polytask.models.usage import GRANULARITIES, LATENCY_BOUNDS_MS, LATENCY_COLUMNS, ApiUsage

SERVER_ADMIN = "admin"
# The longest span one report covers, per granularity (so at most ~1,500 buckets per series).
MAX_SPAN_SECONDS = {"minute": 86400, "hour": 31 * 86400, "day": 400 * 86400}
SURFACE_NAMES = ("native", "taskforce", "taskip", "taskflow", "oauth")


@dataclass
class Figures:
    """Summed counts of some buckets, and what is derived from them."""

    requests: int = 0
    rate_limited: int = 0
    latency_us: int = 0
    histogram: list[int] = field(default_factory=lambda: [0] * len(LATENCY_COLUMNS))
    by_status: dict[int, int] = field(default_factory=dict)

    def add(self, status: int, sums: Any) -> None:
        self.requests += sums.requests
        self.rate_limited += sums.rate_limited
        self.latency_us += sums.latency_us
        for i, column in enumerate(LATENCY_COLUMNS):
            self.histogram[i] += getattr(sums, column)
        self.by_status[status] = self.by_status.get(status, 0) + sums.requests

    @property
    def succeeded(self) -> int:
        """Answered with a 1xx, 2xx or 3xx."""
        return sum(n for status, n in self.by_status.items() if status < 400)

    @property
    def success_rate(self) -> float | None:
        return round(self.succeeded / self.requests, 4) if self.requests else None

    @property
    def errors(self) -> dict[str, int]:
        return {str(status): n for status, n in sorted(self.by_status.items()) if status >= 400}

    @property
    def mean_ms(self) -> float | None:
        return round(self.latency_us / self.requests / 1000, 3) if self.requests else None

    def percentile_ms(self, q: float) -> float | None:
        """The upper bound of the histogram bucket holding the q-quantile (the last finite
        bound for the overflow bucket): at most a factor of sqrt(2) above the true value."""
        if not self.requests:
            return None
        rank = q * self.requests
        seen = 0
        for i, n in enumerate(self.histogram):
            seen += n
            if seen >= rank and n:
                return LATENCY_BOUNDS_MS[min(i, len(LATENCY_BOUNDS_MS) - 1)]
        return LATENCY_BOUNDS_MS[-1]


@dataclass
class UsageSeries:
    """One bucket of one (surface, API key, OAuth client)."""

    bucket: int
    surface: str
    api_key_id: int | None
    oauth_client_id: int | None
    figures: Figures


@dataclass
class UsageReport:
    granularity: str
    start: int
    end: int
    workspace_id: int | None
    series: list[UsageSeries]
    totals: Figures


def _bounds(granularity: str, start: int | None, end: int | None, now: float) -> tuple[int, int]:
    """[start, end) aligned to the granularity; defaults: the last span's worth up to now."""
    if granularity not in GRANULARITIES:
        raise ValidationFailed(
            "interval must be one of minute, hour, day",
            {"field": "interval", "issue": "one of minute, hour, day", "provided_value": granularity},
        )
    length = GRANULARITIES[granularity]
    default_span = {"minute": 3600, "hour": 86400, "day": 30 * 86400}[granularity]
    stop = int(now) if end is None else end
    stop = -(-stop // length) * length  # up to the end of the bucket it falls in
    begin = stop - default_span if start is None else start // length * length
    if begin >= stop:
        raise ValidationFailed(
            "from must be before to", {"field": "from", "issue": "must be before 'to'", "provided_value": start}
        )
    if stop - begin > MAX_SPAN_SECONDS[granularity]:
        limit = MAX_SPAN_SECONDS[granularity] // 3600
        raise ValidationFailed(
            f"The span is too long for interval={granularity}: at most {limit} hours",
            {"field": "from", "issue": f"at most {limit} hours before 'to' for interval={granularity}"},
        )
    return begin, stop


def api_usage_for(
    session: Session,
    actor: Actor,
    *,
    now: float,
    workspace_id: int | None = None,
    granularity: str = "hour",
    start: int | None = None,
    end: int | None = None,
    surface: str | None = None,
    api_key_id: int | None = None,
    oauth_client_id: int | None = None,
    mine: bool = False,
) -> UsageReport:
    """Requests, success rate, latency percentiles, errors by status and rate-limit refusals
    per bucket, surface, API key and OAuth client: one workspace's for its owners and admins
    (members 403, others 404), the whole server's for server admins; with `mine`, that of the
    caller's own API keys and of the OAuth clients they own, for anyone."""
    if mine:
        workspace_id = None  # your credentials' requests in every workspace
    elif workspace_id is not None:
        require_manager(membership_for(session, actor, workspace_id))
    elif actor.global_role != SERVER_ADMIN:
        raise PermissionDenied(
            "Server-wide API usage is for server admins; owners and admins give workspace_id",
            {"required_role": SERVER_ADMIN},
        )
    elif actor.workspace_id is not None:
        raise PermissionDenied(
            "A credential bound to one workspace cannot read server-wide API usage; give workspace_id",
            {"workspace_id": f"workspace_{actor.workspace_id}"},
        )
    begin, stop = _bounds(granularity, start, end, now)
    group = (ApiUsage.bucket, ApiUsage.surface, ApiUsage.api_key_id, ApiUsage.oauth_client_id, ApiUsage.status)
    stmt = (
        select(
            *group,
            # PostgreSQL sums bigints as numeric: back to integers.
            *(cast(func.sum(getattr(ApiUsage, column)), BigInteger).label(column) for column in SUM_COLUMNS),
        )
        .where(ApiUsage.granularity == granularity, ApiUsage.bucket >= begin, ApiUsage.bucket < stop)
        .group_by(*group)
        .order_by(*group)
    )
    if mine:
        keys = select(ApiKey.id).where(ApiKey.user_id == actor.user_id)
        clients = select(OAuthClient.id).where(OAuthClient.owner_id == actor.user_id)
        stmt = stmt.where(or_(ApiUsage.api_key_id.in_(keys), ApiUsage.oauth_client_id.in_(clients)))
    if workspace_id is not None:
        stmt = stmt.where(ApiUsage.workspace_id == workspace_id)
    elif actor.blocked_workspaces:
        # The admin's own workspaces that refuse the caller's address stay out, as in the
        # server-wide audit log (workspace 0, requests of no workspace, stays in).
        stmt = stmt.where(ApiUsage.workspace_id.not_in(sorted(actor.blocked_workspaces)))
    if surface is not None:
        stmt = stmt.where(ApiUsage.surface == surface)
    if api_key_id is not None:
        stmt = stmt.where(ApiUsage.api_key_id == api_key_id)
    if oauth_client_id is not None:
        stmt = stmt.where(ApiUsage.oauth_client_id == oauth_client_id)
    series: dict[tuple[int, str, int, int], UsageSeries] = {}
    totals = Figures()
    for row in session.execute(stmt):
        ident = (row.bucket, row.surface, row.api_key_id, row.oauth_client_id)
        one = series.get(ident)
        if one is None:
            one = series[ident] = UsageSeries(
                row.bucket, row.surface, row.api_key_id or None, row.oauth_client_id or None, Figures()
            )
        one.figures.add(row.status, row)
        totals.add(row.status, row)
    return UsageReport(granularity, begin, stop, workspace_id, list(series.values()), totals)
