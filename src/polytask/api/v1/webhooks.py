"""/v1/webhooks: endpoints that receive signed event deliveries (docs/webhooks.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import outputs
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import PAGING, list_parameters, one, page_request, query_parameter, reject_unknown
from polytask.api.v1.paths import DeliveryId, WebhookId
from polytask.api.v1.render import Resource, ident, resource, rid, ts
from polytask.api.v1.schemas import ERROR_RESPONSES, documents
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.ids import parse_id
from polytask.domain.webhooks import service
from polytask.domain.webhooks.schemas import WebhookCreate, WebhookUpdate

router = unit_router(tags=["Webhooks"], responses=ERROR_RESPONSES)


# --- documents ---------------------------------------------------------------------------------


_, WebhookDocument, WebhookListDocument = documents(outputs.WEBHOOK)
_, DeliveryDocument, DeliveryListDocument = documents(outputs.WEBHOOK_DELIVERY)


def _webhook(h: Any, secret: str | None = None) -> Resource:
    attrs: dict[str, Any] = {
        "url": h.url,
        "events": list(h.events),
        "workspace_id": rid("workspace", h.workspace_id),
        "project_id": rid("project", h.project_id),
        "description": h.description,
        "active": h.active,
        "disabled_reason": h.disabled_reason,
        "secret_rotation_ends_at": ts(h.previous_secret_expires_at) if service.current_previous_secret(h) else None,
        "failing_since": ts(h.failing_since),
        "created_by": rid("user", h.created_by_id),
        "created_at": ts(h.created_at),
        "updated_at": ts(h.updated_at),
    }
    if secret is not None:
        attrs["secret"] = secret
    return resource("webhook", h.id, attrs, {"workspace": ident("workspace", h.workspace_id)})


def _delivery(log: service.DeliveryLog) -> Resource:
    d = log.delivery
    return resource(
        "webhook_delivery",
        d.id,
        {
            "message_id": d.message_id,
            "event": d.event_type,
            "event_id": rid("event", d.event_id),
            "status": d.status,
            "attempts": d.attempts,
            "next_attempt_at": ts(d.next_attempt_at) if d.status == "pending" else None,
            "last_status_code": d.last_status_code,
            "last_error": d.last_error,
            "created_at": ts(d.created_at),
            "delivered_at": ts(d.delivered_at),
            "request_body": d.body,
            "attempt_log": [
                {
                    "number": a.number,
                    "started_at": ts(a.started_at),
                    "duration_ms": a.duration_ms,
                    "request_headers": a.request_headers,
                    "response_status": a.response_status,
                    "response_headers": a.response_headers,
                    "response_body": a.response_body,
                    "error": a.error,
                }
                for a in log.attempts
            ],
        },
        {"webhook": ident("webhook", d.webhook_id)},
    )


EXAMPLE_CREATE: dict[str, Any] = {
    "url": "https://your-app.com/webhooks/taskade",
    "events": ["task.created", "task.updated", "task.completed", "project.created"],
    "secret": "your_webhook_secret",
    "active": True,
}
EXAMPLE_UPDATE: dict[str, Any] = {"events": ["task.*"], "description": "Task changes for the dashboard"}


# --- routes ------------------------------------------------------------------------------------


@router.get(
    "/webhooks",
    response_model=WebhookListDocument,
    openapi_extra=list_parameters(
        extra=[query_parameter("workspace_id", {"type": "string"}, "Only this workspace's webhooks.", "workspace_1")]
    ),
)
@transactional("webhooks:read")
def list_webhooks(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> JSONAPIResponse:
    """Webhooks of the workspaces you own or administer; filter with `workspace_id`."""
    params = request.query_params
    reject_unknown(params, PAGING | {"workspace_id"})
    workspace_id = None
    raw = one(params, "workspace_id")
    if raw is not None:
        workspace_id = parse_id("workspace", raw)
        if workspace_id is None:
            raise ValidationFailed.field("workspace_id", "must be a workspace id", raw)
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_webhooks_for(session, actor, workspace_id=workspace_id, page=page)
    return list_document(request, result, [_webhook(h) for h in result.items])


@router.post("/webhooks", response_model=WebhookDocument, status_code=201)
@transactional("webhooks:write")
def create_webhook(
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: WebhookCreate = Body(examples=[EXAMPLE_CREATE]),
) -> JSONAPIResponse:
    """Register an endpoint for events: exact names (the `events` enum), `task.*` or `*`, optionally for one project.
    Without `secret` a `whsec_` secret is generated and returned in `secret`, once. Owners and
    admins of the workspace only."""
    issued = service.create_webhook(session, actor, data=data, allow_private=settings.webhook_allow_private)
    return created(_webhook(issued.webhook, issued.secret), f"/v1/webhooks/webhook_{issued.webhook.id}")


@router.get("/webhooks/{webhook_id}", response_model=WebhookDocument)
@transactional("webhooks:read")
def get_webhook(webhook_id: WebhookId, session: Session, actor: Actor) -> JSONAPIResponse:
    """One webhook (never its secret)."""
    return document(_webhook(service.get_webhook_for(session, actor, webhook_id)))


@router.put("/webhooks/{webhook_id}", response_model=WebhookDocument)
@router.patch("/webhooks/{webhook_id}", response_model=WebhookDocument)
@transactional("webhooks:write")
def update_webhook(
    webhook_id: WebhookId,
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: WebhookUpdate = Body(examples=[EXAMPLE_UPDATE]),
) -> JSONAPIResponse:
    """Change the given fields (PUT and PATCH alike). `active: true` re-enables a disabled
    endpoint. A new `secret`, or `rotate_secret: true`, starts a rotation: both secrets sign
    deliveries until `secret_rotation_ends_at`."""
    issued = service.update_webhook(
        session,
        actor,
        webhook_id=webhook_id,
        data=data,
        allow_private=settings.webhook_allow_private,
        secret_overlap=timedelta(hours=settings.webhook_secret_overlap_hours),
    )
    return document(_webhook(issued.webhook, issued.secret))


@router.delete("/webhooks/{webhook_id}", status_code=204)
@transactional("webhooks:write")
def delete_webhook(webhook_id: WebhookId, session: Session, actor: Actor) -> Response:
    """Delete a webhook with its pending deliveries and delivery log."""
    service.delete_webhook(session, actor, webhook_id=webhook_id)
    return no_content()


@router.post("/webhooks/{webhook_id}/test", response_model=DeliveryDocument, status_code=202)
@transactional("webhooks:write")
def test_webhook(webhook_id: WebhookId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Send a `webhook.ping` event; the delivery (and later its result) shows in the deliveries log."""
    delivery = service.send_test(session, actor, webhook_id=webhook_id)
    return document(_delivery(service.DeliveryLog(delivery, [])), status_code=202)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=DeliveryListDocument, openapi_extra=list_parameters())
@transactional("webhooks:read")
def list_deliveries(
    request: Request, webhook_id: WebhookId, session: Session, actor: Actor, settings: SettingsDep
) -> JSONAPIResponse:
    """Deliveries, newest first: the body sent and every attempt's request headers, response
    status, headers and body excerpt, duration and error."""
    reject_unknown(request.query_params, PAGING)
    page = page_request(request.query_params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_deliveries(session, actor, webhook_id=webhook_id, page=page)
    return list_document(request, result, [_delivery(d) for d in result.items])


@router.get("/webhooks/{webhook_id}/deliveries/{delivery_id}", response_model=DeliveryDocument)
@transactional("webhooks:read")
def get_delivery(webhook_id: WebhookId, delivery_id: DeliveryId, session: Session, actor: Actor) -> JSONAPIResponse:
    """One delivery with its attempts."""
    return document(_delivery(service.get_delivery_for(session, actor, webhook_id=webhook_id, delivery_id=delivery_id)))


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryDocument, status_code=202
)
@transactional("webhooks:write")
def redeliver(webhook_id: WebhookId, delivery_id: DeliveryId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Send a delivery again: same `id` and body, new signatures, a fresh retry schedule."""
    log = service.redeliver(session, actor, webhook_id=webhook_id, delivery_id=delivery_id)
    return document(_delivery(log), status_code=202)
