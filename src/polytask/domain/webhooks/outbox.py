"""The delivery outbox: turning committed events into one delivery row per subscribed endpoint.

Runs inside the transaction that records the events (a before-commit callback of the unit of
work), so a delivery exists exactly when its event does: nothing is announced that rolled
back, and nothing committed is lost if the process dies before sending.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from polytask.core.clock import isoformat, utcnow
from polytask.core.errors import ValidationFailed
from polytask.core.ids import render_id
from polytask.core.jsontext import dumps
from polytask.core.statements import Prepared
from polytask.domain.events import bus
from polytask.domain.events.catalog import PING_EVENT, matches
from polytask.models import (
    Comment,
    Event,
    Project,
    PrunedEventCount,
    Task,
    TaskList,
    User,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    Workspace,
)

# Snapshot fields holding ids, rendered in the native prefixed form; `*_by_id` loses `_id`.
_ID_FIELDS = {
    "project_id": "project",
    "workspace_id": "workspace",
    "section_id": "section",
    "parent_id": "task",
    "task_id": "task",
    "user_id": "user",
    "author_id": "user",
    "created_by_id": "user",
    "completed_by_id": "user",
    "invited_by_id": "user",
    "owner_id": "user",
    "head_user_id": "user",
    "source_project_id": "project",
}
_ID_LISTS = {"assignee_ids": "user", "dependencies": "task", "project_ids": "project"}
_KINDS = {"task", "project", "section", "comment", "workspace", "user", "invite", "webhook"}


def subscribed(patterns: list[Any], event_type: str) -> bool:
    """Exact name, `<resource>.*` or `*`; audit-only events (catalog.py) reach no webhook."""
    return matches(patterns, event_type)


def render_resource(kind: str, pk: int, snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as a payload object: `id` and `name` first, ids in their prefixed form."""
    out: dict[str, Any] = {"id": render_id(kind, pk) if kind in _KINDS else f"{kind}_{pk}", "name": None}
    for key, value in snapshot.items():
        if key in _ID_FIELDS:
            name = key[:-3] if key.endswith("_by_id") else key
            out[name] = render_id(_ID_FIELDS[key], value) if isinstance(value, int) else value
        elif key in _ID_LISTS and isinstance(value, list):
            out[key] = [render_id(_ID_LISTS[key], v) if isinstance(v, int) else v for v in value]
        else:
            out[key] = value
    if out["name"] is None:
        # Every object carries a `name`; some resources have none of their own.
        label = snapshot.get("title") or snapshot.get("email") or snapshot.get("url") or snapshot.get("body") or ""
        out["name"] = str(label)[:80]
    return out


class PayloadContext:
    """Names of parents, looked up once per batch (or taken from the batch's own events)."""

    def __init__(self, session: Session, events: list[Event]) -> None:
        self.session = session
        self.names: dict[tuple[str, int], str | None] = {}
        for e in events:
            if e.resource_type in ("project", "task", "workspace") and "name" in e.snapshot:
                self.names[(e.resource_type, e.resource_id)] = e.snapshot["name"]

    def ref(self, kind: str, pk: int | None) -> dict[str, Any] | None:
        if pk is None:
            return None
        key = (kind, pk)
        if key not in self.names:
            if kind == "project":
                name = self.session.scalar(select(Project.name).where(Project.id == pk))
            elif kind == "task":
                name = self.session.scalar(select(Task.name).where(Task.id == pk))
            elif kind == "user":
                name = self.session.scalar(select(User.name).where(User.id == pk))
            elif kind == "list":
                name = self.session.scalar(select(TaskList.name).where(TaskList.id == pk))
            else:
                name = self.session.scalar(select(Workspace.name).where(Workspace.id == pk))
            self.names[key] = name
        return {"id": render_id(kind, pk) if kind in _KINDS else f"{kind}_{pk}", "name": self.names[key]}

    def comment_task(self, event: Event) -> int | None:
        task_id = event.snapshot.get("task_id")
        if isinstance(task_id, int):
            return task_id
        return self.session.scalar(select(Comment.task_id).where(Comment.id == event.resource_id))

    def task_project(self, task_id: int | None) -> int | None:
        if task_id is None:
            return None
        project_id: int | None = self.session.scalar(select(Task.project_id).where(Task.id == task_id))
        return project_id


def project_of(ctx: PayloadContext, event: Event) -> int | None:
    """The project an event belongs to, for endpoints filtered by project."""
    snap = event.snapshot
    if event.resource_type == "project":
        return event.resource_id
    if event.resource_type in ("task", "section"):
        pid = snap.get("project_id")
        # Events whose snapshot is not the task itself (task.email_linked) carry it on the row.
        return pid if isinstance(pid, int) else event.project_id
    if event.resource_type == "comment":
        return ctx.task_project(ctx.comment_task(event))
    if event.resource_type in ("time_entry", "expense", "risk"):
        return event.project_id
    if event.resource_type in ("view", "custom_field"):
        return event.project_id  # null for a workspace-wide custom field
    return None


def event_data(ctx: PayloadContext, event: Event) -> dict[str, Any]:
    """`data`: the resource under its type's name, plus its parent (a task's project, ...)."""
    kind = event.resource_type
    data: dict[str, Any] = {kind: render_resource(kind, event.resource_id, event.snapshot)}
    if kind in ("task", "list") and "name" not in event.snapshot:
        # An event about something done to a task or list (an email linked, a task added)
        # records what was done; the object's own name is read, as for a parent's.
        current = ctx.ref(kind, event.resource_id)
        if current is not None and current["name"] is not None:
            data[kind]["name"] = current["name"]
    if kind in ("task", "section"):
        data["project"] = ctx.ref("project", project_of(ctx, event))
    elif kind in ("time_entry", "expense", "risk", "file", "discussion") or (
        kind == "document" and event.project_id is not None
    ):
        data["project"] = ctx.ref("project", event.project_id)
    elif kind == "comment":
        task_id = ctx.comment_task(event)
        data["task"] = ctx.ref("task", task_id)
        data["project"] = ctx.ref("project", ctx.task_project(task_id))
    elif kind == "member" and isinstance(event.snapshot.get("user_id"), int):
        user = ctx.ref("user", event.snapshot["user_id"])
        data["user"] = user
        if user is not None and not data[kind]["name"]:
            data[kind]["name"] = user["name"]
    if kind != "workspace" and event.workspace_id is not None:
        data["workspace"] = ctx.ref("workspace", event.workspace_id)
    return data


def sequence_of(session: Session, event: Event) -> int:
    """The event's position among its resource's events: 1, 2, 3 ... (receivers reorder by it).

    Events removed by retention still count (pruned_event_counts), so numbers never go back."""
    pruned = (
        select(PrunedEventCount.pruned)
        .where(
            PrunedEventCount.resource_type == event.resource_type,
            PrunedEventCount.resource_id == event.resource_id,
        )
        .scalar_subquery()
    )
    kept = (
        select(func.count())
        .select_from(Event)
        .where(
            Event.resource_type == event.resource_type,
            Event.resource_id == event.resource_id,
            Event.id <= event.id,
        )
        .scalar_subquery()
    )
    return int(session.scalar(select(kept + func.coalesce(pruned, 0))) or 0)


def encode(payload: dict[str, Any]) -> str:
    return dumps(payload).decode()


_ANY_ACTIVE_HOOK = Prepared(
    select(Webhook.id)
    .where(Webhook.workspace_id.in_(bindparam("ids", expanding=True)), Webhook.active.is_(True))
    .limit(1),
    expanding="ids",
)


def enqueue_deliveries(session: Session, events: list[Event]) -> int:
    """One pending delivery per (event, active endpoint subscribed to it); returns how many."""
    workspace_ids = {e.workspace_id for e in events if e.workspace_id is not None}
    if not workspace_ids:
        return 0
    # Most workspaces have no active endpoint: one prepared look says so before the ORM runs.
    if not _ANY_ACTIVE_HOOK.rows(session, {"ids": sorted(workspace_ids)}):
        return 0
    hooks: dict[int, list[Webhook]] = defaultdict(list)
    for hook in session.scalars(
        select(Webhook).where(Webhook.workspace_id.in_(workspace_ids), Webhook.active.is_(True)).order_by(Webhook.id)
    ):
        hooks[hook.workspace_id].append(hook)
    if not hooks:
        return 0
    ctx = PayloadContext(session, events)
    now = utcnow()
    count = 0
    for event in events:
        candidates = [h for h in hooks.get(event.workspace_id or 0, []) if subscribed(h.events, event.type)]
        if not candidates:
            continue
        project_id = project_of(ctx, event)
        targets = [
            h
            for h in candidates
            if (h.project_id is None or h.project_id == project_id)
            # An endpoint is not told about itself (its own creation, update or disabling).
            and not (event.resource_type == "webhook" and event.resource_id == h.id)
        ]
        if not targets:
            continue
        common = {
            "event": event.type,
            "timestamp": isoformat(event.occurred_at),
            "sequence": sequence_of(session, event),
            "data": event_data(ctx, event),
        }
        if event.changes:
            common["changes"] = event.changes
        for hook in targets:
            message_id = f"msg_{event.id}_{hook.id}"
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id,
                    message_id=message_id,
                    event_id=event.id,
                    event_type=event.type,
                    body=encode({"id": message_id, **common}),
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            count += 1
    return count


def queue_deliveries(session: Session, events: list[Event], written: list[int], workspaces: set[int] | None) -> int:
    """The outbox's part in every commit that recorded events (domain/events/service.py `fan_out_to`):
    deliveries for the new events, and for the rows a bulk writer inserted, loaded in chunks
    and only when an active endpoint listens in their workspaces."""
    queued = enqueue_deliveries(session, events) if events else 0
    if not written or not _webhooks_listen(session, written, workspaces):
        return queued  # no active endpoint in those workspaces: nothing to load or queue
    for start in range(0, len(written), 1000):
        chunk = list(session.scalars(select(Event).where(Event.id.in_(written[start : start + 1000]))))
        queued += enqueue_deliveries(session, chunk)
        for event in chunk:
            session.expunge(event)
    return queued


def _webhooks_listen(session: Session, event_ids: list[int], known: set[int] | None) -> bool:
    """Whether any active webhook belongs to a workspace of these events (one cheap query
    per 1,000 ids, instead of loading every event of a bulk write)."""
    if known is not None:
        return bool(known) and bool(_ANY_ACTIVE_HOOK.rows(session, {"ids": sorted(known)}))
    for start in range(0, len(event_ids), 1000):
        in_workspaces = select(Event.workspace_id).where(Event.id.in_(event_ids[start : start + 1000])).distinct()
        found = session.scalar(
            select(Webhook.id).where(Webhook.active.is_(True), Webhook.workspace_id.in_(in_workspaces)).limit(1)
        )
        if found is not None:
            return True
    return False


def enqueue_ping(session: Session, hook: Webhook) -> WebhookDelivery:
    """A `webhook.ping` delivery for this endpoint, due now."""
    now = utcnow()
    message_id = f"msg_ping_{secrets.token_hex(8)}"
    workspace_name = session.scalar(select(Workspace.name).where(Workspace.id == hook.workspace_id))
    payload = {
        "id": message_id,
        "event": PING_EVENT,
        "timestamp": isoformat(now),
        "sequence": 1,
        "data": {
            "webhook": {"id": render_id("webhook", hook.id), "name": hook.description or hook.url, "url": hook.url},
            "workspace": {"id": render_id("workspace", hook.workspace_id), "name": workspace_name},
        },
    }
    delivery = WebhookDelivery(
        webhook_id=hook.id,
        message_id=message_id,
        event_id=None,
        event_type=PING_EVENT,
        body=encode(payload),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def enqueue_message(session: Session, *, webhook_id: int, workspace_id: int, body: dict[str, Any]) -> WebhookDelivery:
    """A delivery of `body` (an automation's send_webhook) to one endpoint of the workspace, due
    now: signed, retried and logged like every delivery. A 422 when the endpoint is gone."""
    hook = session.scalar(select(Webhook).where(Webhook.id == webhook_id, Webhook.workspace_id == workspace_id))
    if hook is None:
        raise ValidationFailed.field("webhook_id", "is not a webhook of this workspace", webhook_id)
    now = utcnow()
    message_id = f"msg_auto_{secrets.token_hex(8)}"
    delivery = WebhookDelivery(
        webhook_id=hook.id,
        message_id=message_id,
        event_id=None,
        event_type=str(body.get("event", "automation.webhook")),
        body=encode({"id": message_id, "sequence": 1, **body}),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    bus.outbox_changed(session)
    return delivery


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """The outbox as GET /metrics shows it."""

    pending: int  # deliveries waiting to be sent, retries included
    retrying: int  # of those, deliveries already tried at least once
    attempts: int  # attempts ever made, by every process (the attempt ids only grow)


_OUTBOX_STATS = select(
    select(func.count()).where(WebhookDelivery.status == "pending").scalar_subquery(),
    select(func.count()).where(WebhookDelivery.status == "pending", WebhookDelivery.attempts > 0).scalar_subquery(),
    select(func.coalesce(func.max(WebhookAttempt.id), 0)).scalar_subquery(),
)


def outbox_stats(session: Session) -> OutboxStats:
    """Depth of the webhook outbox and attempts made, in one statement."""
    pending, retrying, attempts = session.execute(_OUTBOX_STATS).one()
    return OutboxStats(int(pending), int(retrying), int(attempts))
