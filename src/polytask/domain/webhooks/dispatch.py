"""The database side of delivering: claiming due deliveries and recording attempts.

A claim is a lease (`claimed_by`, `claimed_until`) taken in a short transaction: on
PostgreSQL the candidate rows are locked with FOR UPDATE SKIP LOCKED so concurrent workers
pick different rows; on SQLite writers are serialised and the claim is a conditional
UPDATE that only succeeds while the row is unclaimed or its lease has expired. A worker
that dies mid-send leaves a lease that expires, and the delivery is sent again
(at-least-once; receivers deduplicate on the payload `id` / `webhook-id`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, func, or_, select, tuple_, update
from sqlalchemy.orm import Session, defer

from polytask.core.clock import as_utc, utcnow
from polytask.domain.events.service import record_event
from polytask.domain.webhooks.policy import Outcome, next_delay
from polytask.domain.webhooks.service import current_previous_secret, summary
from polytask.models import Webhook, WebhookAttempt, WebhookDelivery

BODY_EXCERPT = 2048
# A claim reads due rows in pages of CLAIM_PAGE, at most MAX_CLAIM_PAGES of them.
CLAIM_PAGE = 128
MAX_CLAIM_PAGES = 4


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


def _due_page(
    now: datetime, size: int, after: tuple[datetime, int] | None, skip: list[int], skip_locked: bool
) -> Select[int, int, datetime]:
    """Due rows in claim order (oldest first), after a position, leaving out some endpoints."""
    stmt = (
        select(WebhookDelivery.id, WebhookDelivery.webhook_id, WebhookDelivery.next_attempt_at)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(*_due_conditions(now))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(size)
    )
    if after is not None:
        stmt = stmt.where(tuple_(WebhookDelivery.next_attempt_at, WebhookDelivery.id) > tuple_(*after))
    if skip:
        stmt = stmt.where(WebhookDelivery.webhook_id.not_in(skip))
    if skip_locked:
        stmt = stmt.with_for_update(of=WebhookDelivery, skip_locked=True)
    return stmt


def claim_due(
    session: Session,
    *,
    worker: str,
    limit: int,
    busy: dict[int, int],
    per_endpoint: int,
    lease: timedelta,
    skip_locked: bool,
    reach_past_full: bool = True,
) -> list[Job]:
    """Lease up to `limit` due deliveries of active endpoints, at most `per_endpoint` in
    flight per endpoint counting the `busy` ones this worker already sends.

    Due rows are read oldest first, a page at a time, skipping endpoints at their bound, for
    at most MAX_CLAIM_PAGES pages, so the usual claim costs the same however long one
    endpoint's backlog grows. With `reach_past_full`, when that window held nothing more to
    take but there is more beyond it, one more query looks past it for the rows of endpoints
    not at their bound: a slow endpoint's backlog does not hide the others' deliveries. That
    query may walk the whole backlog, so the dispatcher asks for it a few times a second at
    most."""
    now = utcnow()
    counts = dict(busy)
    picked: list[int] = []

    def take(rows: Sequence[Row[int, int, datetime]]) -> None:
        for delivery_id, webhook_id, _at in rows:
            if len(picked) >= limit:
                return
            if counts.get(webhook_id, 0) >= per_endpoint:
                continue
            counts[webhook_id] = counts.get(webhook_id, 0) + 1
            picked.append(delivery_id)

    after: tuple[datetime, int] | None = None
    beyond = False
    for _ in range(MAX_CLAIM_PAGES):
        rows = session.execute(_due_page(now, CLAIM_PAGE, after, [], skip_locked)).all()
        take(rows)
        if len(rows) < CLAIM_PAGE or len(picked) >= limit:
            beyond = False
            break
        after = (rows[-1][2], rows[-1][0])
        beyond = True
    if beyond and reach_past_full:
        full = sorted(w for w, n in counts.items() if n >= per_endpoint)
        take(session.execute(_due_page(now, limit - len(picked), after, full, skip_locked)).all())
    if not picked:
        return []
    # One conditional UPDATE for them all: on SQLite (writers serialised) the condition is what
    # keeps a row from being leased twice; on PostgreSQL the rows are already locked by us.
    claimed = list(
        session.scalars(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(picked),
                WebhookDelivery.status == "pending",
                or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            )
            .values(claimed_by=worker, claimed_until=now + lease)
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        return []
    leased = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.body, WebhookDelivery.message_id, Webhook)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.id.in_(claimed))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
    )
    return [
        Job(
            delivery_id=delivery_id,
            webhook_id=h.id,
            url=h.url,
            body=body,
            message_id=message_id,
            secret=h.secret,
            previous_secret=current_previous_secret(h),
        )
        for delivery_id, body, message_id, h in leased
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


@dataclass(frozen=True, slots=True)
class Attempt:
    """One sent attempt to record: the claimed job, what came back, and the headers sent."""

    job: Job
    outcome: Outcome
    request_headers: dict[str, str]


def record_attempts(session: Session, *, worker: str, attempts: list[Attempt], policy: Policy) -> list[str | None]:
    """Log each attempt and move its delivery on: succeeded, retry later, or failed.

    Returns each delivery's new status, in order, or None for one that changed hands
    meanwhile (the endpoint was deleted, or the delivery was redelivered or re-leased): then
    only the attempt is logged. A batch costs a few statements, not a few per attempt.
    """
    ids = sorted({a.job.delivery_id for a in attempts})
    with session.no_autoflush:
        rows = session.scalars(
            select(WebhookDelivery).options(defer(WebhookDelivery.body)).where(WebhookDelivery.id.in_(ids))
        )
        found = {d.id: d for d in rows}
        hook_ids = sorted({d.webhook_id for d in found.values()})
        hooks = {h.id: h for h in session.scalars(select(Webhook).where(Webhook.id.in_(hook_ids)))}
        numbers: dict[int, int] = {
            delivery_id: count
            for delivery_id, count in session.execute(
                select(WebhookAttempt.delivery_id, func.count())
                .where(WebhookAttempt.delivery_id.in_(ids))
                .group_by(WebhookAttempt.delivery_id)
            )
        }
        statuses: list[str | None] = []
        for attempt in attempts:
            delivery = found.get(attempt.job.delivery_id)
            if delivery is None:
                statuses.append(None)
                continue
            numbers[delivery.id] = numbers.get(delivery.id, 0) + 1
            statuses.append(
                _apply(
                    session,
                    worker=worker,
                    delivery=delivery,
                    hook=hooks[delivery.webhook_id],
                    number=numbers[delivery.id],
                    attempt=attempt,
                    policy=policy,
                )
            )
    return statuses


def record_attempt(
    session: Session,
    *,
    worker: str,
    job: Job,
    outcome: Outcome,
    request_headers: dict[str, str],
    policy: Policy,
) -> str | None:
    """`record_attempts` for one attempt."""
    [status] = record_attempts(session, worker=worker, attempts=[Attempt(job, outcome, request_headers)], policy=policy)
    return status


def _apply(
    session: Session,
    *,
    worker: str,
    delivery: WebhookDelivery,
    hook: Webhook,
    number: int,
    attempt: Attempt,
    policy: Policy,
) -> str | None:
    outcome = attempt.outcome
    now = utcnow()
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            number=number,
            started_at=now - timedelta(milliseconds=outcome.duration_ms),
            duration_ms=outcome.duration_ms,
            request_headers=attempt.request_headers,
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
