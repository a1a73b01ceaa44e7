"""Webhook endpoints of a workspace: create, list, read, change, delete, test, deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import as_utc, utcnow
from polytask.core.errors import Conflict, NotFound, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query.fields import Field, Ref, Registry
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events import bus
from polytask.domain.events.payloads import WebhookSnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.webhooks import signing, ssrf
from polytask.domain.webhooks.access import WEBHOOKS
from polytask.domain.webhooks.outbox import enqueue_ping
from polytask.domain.webhooks.schemas import WebhookCreate, WebhookUpdate
from polytask.domain.workspaces.access import default_workspace_id, membership_for, require_manager
from polytask.models import Project, Webhook, WebhookAttempt, WebhookDelivery

# What the event log records about an endpoint; never its secrets.
WEBHOOK_FIELDS = tuple(WebhookSnapshot.model_fields)  # what its events carry (events/payloads.py)


@dataclass(frozen=True, slots=True)
class Issued:
    """An endpoint and, when it was generated just now, its secret (shown once)."""

    webhook: Webhook
    secret: str | None


@dataclass(frozen=True, slots=True)
class DeliveryLog:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def _check_secret(secret: str) -> None:
    if not signing.valid_whsec(secret):
        raise ValidationFailed.field("secret", "a whsec_ secret must be base64 of at least 16 bytes")


def _check_project(session: Session, workspace_id: int, project_id: int | None) -> None:
    if project_id is None:
        return
    found = session.scalar(select(Project.id).where(Project.id == project_id, Project.workspace_id == workspace_id))
    if found is None:
        raise ValidationFailed.field("project_id", "is not a project of the webhook's workspace", project_id)


def _manage(session: Session, actor: Actor, workspace_id: int) -> None:
    require_manager(membership_for(session, actor, workspace_id))


def create_webhook(session: Session, actor: Actor, *, data: WebhookCreate, allow_private: bool) -> Issued:
    """Register an endpoint; without `secret` a `whsec_` one is generated and returned once."""
    workspace_id = data.workspace_id or actor.workspace_id or default_workspace_id(session, actor.user_id)
    if workspace_id is None:
        raise ValidationFailed.field("workspace_id", "is required")
    _manage(session, actor, workspace_id)
    ssrf.check_target(data.url, allow_private=allow_private)
    _check_project(session, workspace_id, data.project_id)
    generated = None
    if data.secret is None:
        generated = signing.generate_secret()
    else:
        _check_secret(data.secret)
    hook = Webhook(
        workspace_id=workspace_id,
        project_id=data.project_id,
        created_by_id=actor.user_id,
        url=data.url,
        events=data.events,
        description=data.description,
        secret=data.secret or generated,
        active=data.active,
    )
    session.add(hook)
    session.flush()
    record_event(
        session,
        actor,
        type="webhook.created",
        resource_type="webhook",
        resource_id=hook.id,
        workspace_id=workspace_id,
        snapshot=snapshot_of(hook, WEBHOOK_FIELDS),
    )
    return Issued(hook, generated)


def get_webhook_for(session: Session, actor: Actor, webhook_id: int) -> Webhook:
    """The endpoint, or NotFound when it is missing or in a workspace you can't see."""
    return WEBHOOKS.get_for(session, actor, webhook_id)[0]


def list_webhooks_for(
    session: Session, actor: Actor, *, workspace_id: int | None, page: PageRequest
) -> PageResult[Webhook]:
    """Endpoints of the workspaces you own or administer (optionally one of them)."""
    if workspace_id is not None:
        _manage(session, actor, workspace_id)
    base = select(Webhook).where(WEBHOOKS.visible(actor))
    if workspace_id is not None:
        base = base.where(Webhook.workspace_id == workspace_id)
    return run_list(session, WEBHOOK_LIST, actor=actor, base=base, page=page)


def update_webhook(
    session: Session,
    actor: Actor,
    *,
    webhook_id: int,
    data: WebhookUpdate,
    allow_private: bool,
    secret_overlap: timedelta,
) -> Issued:
    """Change the given fields. A new secret (given or `rotate_secret`) starts a rotation:
    the previous secret keeps signing alongside it for the overlap period."""
    hook = get_webhook_for(session, actor, webhook_id)
    before = snapshot_of(hook, WEBHOOK_FIELDS)
    given = data.model_fields_set
    for field in ("url", "events", "active", "description"):
        if field in given and getattr(data, field) is None:
            raise ValidationFailed.field(field, "cannot be null")
    if data.url is not None:
        ssrf.check_target(data.url, allow_private=allow_private)
        hook.url = data.url
    if data.events is not None:
        hook.events = data.events
    if "project_id" in given:
        _check_project(session, hook.workspace_id, data.project_id)
        hook.project_id = data.project_id
    if data.description is not None:
        hook.description = data.description
    if data.active is not None:
        hook.active = data.active
        if data.active:
            hook.disabled_reason = None
            hook.failing_since = None
    generated = None
    if data.secret is not None and data.rotate_secret:
        raise ValidationFailed.field("rotate_secret", "give either a new secret or rotate_secret, not both")
    new_secret = data.secret
    if data.rotate_secret:
        new_secret = generated = signing.generate_secret()
    if new_secret is not None:
        _check_secret(new_secret)
        if secret_overlap > timedelta(0):
            hook.previous_secret = hook.secret
            hook.previous_secret_expires_at = utcnow() + secret_overlap
        else:
            hook.previous_secret = None
            hook.previous_secret_expires_at = None
        hook.secret = new_secret
    hook.updated_at = utcnow()
    changes = record_update(
        session,
        actor,
        resource_type="webhook",
        resource_id=hook.id,
        workspace_id=hook.workspace_id,
        before=before,
        after=snapshot_of(hook, WEBHOOK_FIELDS),
    )
    if new_secret is not None and not changes:
        record_event(
            session,
            actor,
            type="webhook.updated",
            resource_type="webhook",
            resource_id=hook.id,
            workspace_id=hook.workspace_id,
            changes={"secret": "rotated"},
            snapshot=snapshot_of(hook, WEBHOOK_FIELDS),
        )
    return Issued(hook, generated)


def delete_webhook(session: Session, actor: Actor, *, webhook_id: int) -> None:
    """Remove an endpoint with its pending deliveries and delivery log."""
    hook = get_webhook_for(session, actor, webhook_id)
    snapshot = snapshot_of(hook, WEBHOOK_FIELDS)
    workspace_id = hook.workspace_id
    session.delete(hook)
    session.flush()
    record_event(
        session,
        actor,
        type="webhook.deleted",
        resource_type="webhook",
        resource_id=webhook_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )


def _require_active(hook: Webhook) -> None:
    if not hook.active:
        raise Conflict(
            "This webhook is disabled; set active to true first",
            {"field": "active", "disabled_reason": hook.disabled_reason},
        )


def send_test(session: Session, actor: Actor, *, webhook_id: int) -> WebhookDelivery:
    """Queue a `webhook.ping` delivery to the endpoint; it goes out within moments."""
    hook = get_webhook_for(session, actor, webhook_id)
    _require_active(hook)
    delivery = enqueue_ping(session, hook)
    bus.outbox_changed(session)
    return delivery


def list_deliveries(session: Session, actor: Actor, *, webhook_id: int, page: PageRequest) -> PageResult[DeliveryLog]:
    """The endpoint's deliveries, newest first, each with its attempts."""
    get_webhook_for(session, actor, webhook_id)
    base = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    return run_list(session, DELIVERY_LIST, actor=actor, base=base, page=page)


def _with_attempts(session: Session, deliveries: list[WebhookDelivery]) -> list[DeliveryLog]:
    by_delivery: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
    if deliveries:
        for attempt in session.scalars(
            select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(by_delivery))).order_by(WebhookAttempt.id)
        ):
            by_delivery[attempt.delivery_id].append(attempt)
    return [DeliveryLog(d, by_delivery[d.id]) for d in deliveries]


# Endpoints in creation order; an endpoint's deliveries newest first. Neither takes filters.
WEBHOOK_LIST: ListSpec[Webhook] = ListSpec(
    "webhook", Registry.of("webhook", [Field("id", Ref("webhook"), expr=Webhook.id)]), Webhook.id
)
DELIVERY_LIST = ListSpec(
    "webhook delivery",
    Registry.of("webhook delivery", [Field("id", Ref("webhook_delivery"), expr=WebhookDelivery.id)]),
    WebhookDelivery.id,
    default_sort=(SortKey("id", descending=True),),
    load=_with_attempts,
)


def get_delivery_for(session: Session, actor: Actor, *, webhook_id: int, delivery_id: int) -> DeliveryLog:
    get_webhook_for(session, actor, webhook_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != webhook_id:
        raise NotFound.of("webhook_delivery", delivery_id)
    return _with_attempts(session, [delivery])[0]


def redeliver(session: Session, actor: Actor, *, webhook_id: int, delivery_id: int) -> DeliveryLog:
    """Send a delivery again, same id and body, with a fresh retry schedule."""
    log = get_delivery_for(session, actor, webhook_id=webhook_id, delivery_id=delivery_id)
    hook = session.get(Webhook, webhook_id)
    assert hook is not None
    _require_active(hook)
    delivery = log.delivery
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.claimed_by = None
    delivery.claimed_until = None
    session.flush()
    bus.outbox_changed(session)
    return log


def current_previous_secret(hook: Webhook) -> str | None:
    """The previous secret while its overlap lasts."""
    expires = as_utc(hook.previous_secret_expires_at)
    if hook.previous_secret and expires is not None and expires > utcnow():
        return hook.previous_secret
    return None


def summary(hook: Webhook) -> dict[str, Any]:
    return snapshot_of(hook, WEBHOOK_FIELDS)
