"""/v1/events: the event log as a changes feed (JSON:API) and a Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import outputs
from polytask.api.v1.documents import JSONAPIResponse
from polytask.api.v1.outputs import resource_model
from polytask.api.v1.params import one, query_parameter, reject_unknown
from polytask.api.v1.render import Resource, resource, rid, ts
from polytask.api.v1.schemas import ERROR_RESPONSES
from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.core.errors import ValidationFailed
from polytask.core.ids import parse_id, render_id
from polytask.core.jsontext import dumps
from polytask.core.settings import Settings
from polytask.domain.changes import feed
from polytask.domain.events import bus

router = unit_router(tags=["Events"], responses=ERROR_RESPONSES)

FILTERS = frozenset({"workspace_id", "project_id", "types"})
STREAM_BATCH = 100
_CLOSED = ConfigDict(extra="forbid")


EventResource: Any = resource_model(outputs.FEED_EVENT)

_FILTER_PARAMETERS = [
    query_parameter("workspace_id", {"type": "string"}, "Only this workspace's events.", "workspace_1"),
    query_parameter("project_id", {"type": "string"}, "Only events of this project and what lives in it.", "project_1"),
    query_parameter(
        "types", {"type": "string"}, "Comma-separated event types: exact names, `<resource>.*` or `*`.", "task.*"
    ),
]
_AFTER = query_parameter("after", {"type": "string"}, "An event id (`event_42`); `0` or empty: from the start.", "0")
FEED_PARAMETERS = [
    _AFTER,
    query_parameter("limit", {"type": "integer", "minimum": 1}, "Page size (capped at the maximum).", 1),
    *_FILTER_PARAMETERS,
]


class FeedMeta(BaseModel):
    model_config = _CLOSED
    after: int = Field(description="The cursor this page started after.")
    last_id: int = Field(description="Pass as `after` to continue; equal to `after` when nothing was new.")
    has_more: bool


class FeedLinks(BaseModel):
    model_config = _CLOSED
    self: str
    next: str


class EventFeedDocument(BaseModel):
    model_config = _CLOSED

    data: list[EventResource]
    meta: FeedMeta
    links: FeedLinks


def _event(item: feed.FeedItem) -> Resource:
    e = item.event
    return resource(
        "event",
        e.id,
        {
            "type": e.type,
            "occurred_at": ts(e.occurred_at),
            "workspace_id": rid("workspace", e.workspace_id),
            "resource_type": e.resource_type,
            "resource_id": item.data.get(e.resource_type, {}).get("id"),
            "actor_id": rid("user", e.actor_user_id),
            "credential_kind": e.credential_kind,
            "changes": e.changes or None,
            "data": item.data,
        },
    )


def _cursor(raw: str | None, field: str) -> int | None:
    if raw is None or raw.strip() in ("", "0"):
        return 0 if raw is not None else None
    pk = parse_id("event", raw)
    if pk is None:
        raise ValidationFailed.field(field, "must be an event id such as 'event_42' (or 0)", raw)
    return pk


def _filter(request: Request) -> feed.FeedFilter:
    params = request.query_params
    workspace_id = project_id = None
    raw = one(params, "workspace_id")
    if raw is not None and (workspace_id := parse_id("workspace", raw)) is None:
        raise ValidationFailed.field("workspace_id", "must be a workspace id", raw)
    raw = one(params, "project_id")
    if raw is not None and (project_id := parse_id("project", raw)) is None:
        raise ValidationFailed.field("project_id", "must be a project id", raw)
    return feed.FeedFilter(
        workspace_id=workspace_id, project_id=project_id, types=feed.parse_types(one(params, "types"))
    )


def _limit(request: Request, settings: Settings) -> int:
    raw = one(request.query_params, "limit")
    if raw is None:
        return settings.default_page_size
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValidationFailed.field("limit", "must be a positive integer", raw)
    return min(int(raw), settings.max_page_size)


@router.get("/events", response_model=EventFeedDocument, openapi_extra={"parameters": FEED_PARAMETERS})
@transactional("workspaces:read")
def list_events(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> JSONAPIResponse:
    """Changes feed: events after `after` (an event id; 0 = from the start), oldest first.
    Filter by `workspace_id`, `project_id`, `types` (`task.*,project.created`). Only events
    of workspaces you can see; `webhook.*` for owners and admins."""
    reject_unknown(request.query_params, FILTERS | {"after", "limit"})
    after = _cursor(one(request.query_params, "after"), "after") or 0
    limit = _limit(request, settings)
    flt = _filter(request)
    items = feed.list_events_for(session, actor, after=after, limit=limit, flt=flt)
    last = items[-1].event.id if items else after
    keep = [(k, v) for k, v in request.query_params.multi_items() if k not in ("after", "limit")]
    link = request.url.path + "?" + urlencode([*keep, ("after", str(last)), ("limit", str(limit))])
    return JSONAPIResponse(
        {
            "data": [_event(i) for i in items],
            "meta": {"after": after, "last_id": last, "has_more": len(items) == limit},
            "links": {
                "self": str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
                "next": link,
            },
        }
    )


@router.get(
    "/events/stream",
    response_class=StreamingResponse,
    responses={200: {"description": "`text/event-stream`", "content": {"text/event-stream": {}}}},
    openapi_extra={"parameters": [_AFTER, *_FILTER_PARAMETERS]},
)
@transactional("workspaces:read")
def stream_events(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """Server-Sent Events: one `event` per change (`id` = event id, `event` = type, `data` =
    the feed's resource), same filters and visibility as `GET /v1/events`. Resume with the
    `Last-Event-ID` header (or `after`); without either the stream starts with new events.
    A comment line is sent after `POLYTASK_EVENTS_HEARTBEAT_SECONDS` of silence."""
    reject_unknown(request.query_params, FILTERS | {"after"})
    flt = _filter(request)
    feed.check_filter(session, actor, flt)
    after = _cursor(request.headers.get("last-event-id"), "Last-Event-ID")
    if after is None:
        after = _cursor(one(request.query_params, "after"), "after")
    if after is None:
        after = feed.latest_event_id(session)
    db: Database = request.app.state.db
    return StreamingResponse(
        _sse(request, db, actor, flt, after, settings.events_heartbeat_seconds, settings.events_poll_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _sse(
    request: Request, db: Database, actor: Actor, flt: feed.FeedFilter, after: int, heartbeat: float, poll: float
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def on_events(_ids: list[int]) -> None:
        loop.call_soon_threadsafe(wake.set)

    def fetch(cursor: int) -> list[feed.FeedItem]:
        with db.unit_of_work(readonly=True) as session:
            return feed.list_events_for(session, actor, after=cursor, limit=STREAM_BATCH, flt=flt, check=False)

    bus.subscribe(on_events)
    try:
        yield b"retry: 2000\n\n"
        quiet_since = time.monotonic()
        while not await request.is_disconnected():
            wake.clear()
            items = await anyio.to_thread.run_sync(fetch, after)
            for item in items:
                after = item.event.id
                body = dumps(_event(item)).decode()
                yield f"id: {render_id('event', after)}\nevent: {item.event.type}\ndata: {body}\n\n".encode()
            if items:
                quiet_since = time.monotonic()
                if len(items) == STREAM_BATCH:
                    continue
            # Commits wake us (this process's, and others' through the event bus transport);
            # the poll is the safety net for a lost hint or memory mode with several processes.
            wait = min(poll, max(heartbeat - (time.monotonic() - quiet_since), 0.01))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=wait)
            if time.monotonic() - quiet_since >= heartbeat:
                yield b": heartbeat\n\n"
                quiet_since = time.monotonic()
    finally:
        bus.unsubscribe(on_events)
