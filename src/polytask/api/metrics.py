"""Prometheus metrics: requests by route template and status, their latency, the webhook and
mail outboxes and the database pool, at GET /metrics (docs/operations.md).

The request figures are recorded by api/middleware.py's RequestIdMiddleware, in the pass it
already makes over every request; they are per process (scrape each `--workers` process,
or run one process per port). The outbox figures are read from the database at each scrape,
so they are the same whichever process answers.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import in_unit
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.mail.outbox import MailStats, mail_stats
from polytask.domain.webhooks.outbox import OutboxStats, outbox_stats

METRICS_PATH = "/metrics"
# A request no route matched is counted under this, never under its raw path (unbounded).
UNMATCHED = "<unmatched>"

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "polytask_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "polytask_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by method and route template.",
    ("method", "route"),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)

# The labelled children, by their labels: labels() takes a lock and builds a tuple each call.
_counted: dict[tuple[str, str, int], Any] = {}
_timed: dict[tuple[str, str], Any] = {}


def observe(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration (called once per request)."""
    counter = _counted.get((method, route, status))
    if counter is None:
        counter = _counted[(method, route, status)] = REQUESTS.labels(method, route, str(status))
    counter.inc()
    timer = _timed.get((method, route))
    if timer is None:
        timer = _timed[(method, route)] = LATENCY.labels(method, route)
    timer.observe(seconds)


class _Snapshot(Collector):
    """The outboxes and the pool, as read for this scrape."""

    def __init__(self, outbox: OutboxStats, mail: MailStats, pool: dict[str, int]) -> None:
        self.outbox = outbox
        self.mail = mail
        self.pool = pool

    def collect(self) -> Any:
        yield GaugeMetricFamily(
            "polytask_webhook_outbox_pending",
            "Webhook deliveries waiting to be sent (retries included), server-wide.",
            value=self.outbox.pending,
        )
        yield GaugeMetricFamily(
            "polytask_webhook_outbox_retrying",
            "Pending webhook deliveries that have failed at least once.",
            value=self.outbox.retrying,
        )
        yield CounterMetricFamily(
            "polytask_webhook_attempts",
            "Webhook delivery attempts ever made, by every process.",
            value=self.outbox.attempts,
        )
        yield GaugeMetricFamily(
            "polytask_mail_outbox_pending",
            "Mail waiting to be sent (retries included; all of it while no SMTP relay is set), server-wide.",
            value=self.mail.pending,
        )
        yield GaugeMetricFamily(
            "polytask_mail_outbox_retrying",
            "Pending mail that has failed at least once.",
            value=self.mail.retrying,
        )
        yield GaugeMetricFamily(
            "polytask_mail_failed",
            "Mail given up on (retries exhausted, or refused for good by the relay).",
            value=self.mail.failed,
        )
        yield CounterMetricFamily(
            "polytask_mail_attempts",
            "SMTP attempts ever made, by every process.",
            value=self.mail.attempts,
        )
        pool = GaugeMetricFamily(
            "polytask_db_pool_connections",
            "This process's database pool: size, checkedout (in use), checkedin (idle), overflow.",
            labels=("state",),
        )
        for state, value in sorted(self.pool.items()):
            pool.add_metric((state,), value)
        yield pool


def _allowed(request: Request, settings: Settings) -> bool:
    """With POLYTASK_METRICS_TOKEN: that bearer token, from anywhere. Without: direct loopback
    clients only (a request relayed by a proxy carries X-Forwarded-For and is refused)."""
    if settings.metrics_token:
        presented = request.headers.get("authorization", "")
        return hmac.compare_digest(presented.encode(), f"Bearer {settings.metrics_token}".encode())
    host = request.client.host if request.client else ""
    return host in ("127.0.0.1", "::1") and "x-forwarded-for" not in request.headers


router = unit_router()


@router.get(METRICS_PATH, include_in_schema=False)
async def metrics(request: Request) -> Response:
    """The Prometheus text exposition format."""
    settings: Settings = request.app.state.settings
    if not _allowed(request, settings):
        # Answered like a path that does not exist: no hint that metrics are here.
        raise StarletteHTTPException(status_code=404)
    db: Database = request.app.state.db
    outbox, mail = await in_unit(request, lambda session: (outbox_stats(session), mail_stats(session)), readonly=True)
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Snapshot(outbox, mail, db.pool_stats()))
    body = generate_latest(REGISTRY) + generate_latest(scrape)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
