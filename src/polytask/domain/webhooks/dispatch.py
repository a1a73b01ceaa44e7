"""The database side of delivering: claiming due deliveries and recording attempts.

A claim is a lease (`claimed_by`, `claimed_until`) taken in a short transaction: on
PostgreSQL the candidate rows are locked with FOR UPDATE SKIP LOCKED so concurrent workers
pick different rows; on SQLite writers are serialised and the claim is a conditional
UPDATE that only succeeds while the row is unclaimed or its lease has expired. A worker
that dies mid-send leaves a lease that expires, and the delivery is sent again
(at-least-once; receivers deduplicate on the payload `id` / `webhook-id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session

from polytask.core.clock import as_utc, utcnow
from polytask.domain.events.service import record_event
from polytask.domain.webhooks.policy import Outcome, next_delay
from polytask.domain.webhooks.service import current_previous_secret, summary
from polytask.models import Webhook, WebhookAttempt, WebhookDelivery

BODY_EXCERPT = 2048


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed delivery with what sending it needs."""

    delivery_id: int
    webhook_id: int
    url: str
    body: str
    message_id: str
    secret: str
    previous_secret: str | None


@dataclass(frozen=True, slots=True)
class Policy:
    schedule: list[float]
    disable_after: timedelta


def _due_conditions(now: datetime) -> tuple[Any, ...]:
    return (
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        Webhook.active.is_(True),
    )


def has_due(session: Session) -> bool:
    """Whether any delivery is due: a cheap read before taking write locks to claim."""
    stmt = (
        select(WebhookDelivery.id)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(*_due_conditions(utcnow()))
        .limit(1)
    )
    return session.scalar(stmt) is not None


def claim_due(
    session: Session,
    *,
    worker: str,
    limit: int,
    busy: dict[int, int],
    per_endpoint: int,
    lease: timedelta,
    skip_locked: bool,
) -> list[Job]:
    """Lease up to `limit` due deliveries of active endpoints, at most `per_endpoint` in
    flight per endpoint counting the `busy` ones this worker already sends."""
    now = utcnow()
    stmt = (
        select(WebhookDelivery.id, WebhookDelivery.webhook_id)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(*_due_conditions(now))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit * 4)
    )
    if skip_locked:
        stmt = stmt.with_for_update(of=WebhookDelivery, skip_locked=True)
    counts = dict(busy)
    picked: list[int] = []
    for delivery_id, webhook_id in session.execute(stmt):
        if len(picked) >= limit:
            break
        if counts.get(webhook_id, 0) >= per_endpoint:
            continue
        counts[webhook_id] = counts.get(webhook_id, 0) + 1
        picked.append(delivery_id)
    claimed: list[int] = []
    for delivery_id in picked:
        result = cast(
            CursorResult[Any],
            session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.status == "pending",
                    or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
                )
                .values(claimed_by=worker, claimed_until=now + lease)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount == 1:
            claimed.append(delivery_id)
    if not claimed:
        return []
    rows = session.execute(
        select(WebhookDelivery, Webhook)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.id.in_(claimed))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
    )
    return [
        Job(
            delivery_id=d.id,
            webhook_id=h.id,
            url=h.url,
            body=d.body,
            message_id=d.message_id,
            secret=h.secret,
            previous_secret=current_previous_secret(h),
        )
        for d, h in rows
    ]


def disable_webhook(session: Session, hook: Webhook, reason: str) -> None:
    """Switch an endpoint off with a reason, and record `webhook.disabled` for its owners."""
    if not hook.active:
        return
    hook.active = False
    hook.disabled_reason = reason[:500]
    hook.updated_at = utcnow()
    record_event(
        session,
        None,
        type="webhook.disabled",
        resource_type="webhook",
        resource_id=hook.id,
        workspace_id=hook.workspace_id,
        changes={"active": {"from": True, "to": False}, "disabled_reason": {"from": None, "to": reason}},
        snapshot=summary(hook),
    )


def record_attempt(
    session: Session,
    *,
    worker: str,
    job: Job,
    outcome: Outcome,
    request_headers: dict[str, str],
    policy: Policy,
) -> str | None:
    """Log the attempt and move the delivery on: succeeded, retry later, or failed.

    Returns the delivery's new status, or None when the row changed hands meanwhile (the
    endpoint was deleted, or the delivery was redelivered or re-leased): then only the
    attempt is logged.
    """
    delivery = session.get(WebhookDelivery, job.delivery_id)
    if delivery is None:
        return None
    hook = session.get(Webhook, delivery.webhook_id)
    assert hook is not None
    number = (
        session.scalar(
            select(func.count()).select_from(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
        )
        or 0
    ) + 1
    now = utcnow()
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            number=number,
            started_at=now - timedelta(milliseconds=outcome.duration_ms),
            duration_ms=outcome.duration_ms,
            request_headers=request_headers,
            response_status=outcome.status,
            response_headers=outcome.headers if outcome.status is not None else None,
            response_body=outcome.body_excerpt,
            error=(outcome.error or None) and str(outcome.error)[:500],
        )
    )
    if delivery.status != "pending" or delivery.claimed_by != worker:
        return None
    delivery.claimed_by = None
    delivery.claimed_until = None
    delivery.attempts += 1
    delivery.last_status_code = outcome.status
    delivery.last_error = outcome.error[:500] if outcome.error else None
    if outcome.succeeded:
        delivery.status = "succeeded"
        delivery.delivered_at = now
        hook.failing_since = None
        return delivery.status
    if outcome.gone:
        delivery.status = "failed"
        disable_webhook(session, hook, "The receiver answered 410 Gone")
        return delivery.status
    since = as_utc(hook.failing_since)
    if since is None:
        hook.failing_since = now
    elif now - since >= policy.disable_after:
        days = policy.disable_after.total_seconds() / 86400
        disable_webhook(session, hook, f"Every delivery failed for {days:g} days")
    delay = next_delay(delivery.attempts, policy.schedule, outcome)
    if delay is None:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    return delivery.status
