"""Calendar feeds: the due dates of your tasks, or of one project's, at a secret iCalendar URL
(`GET /v1/ical/<token>.ics`, no other credential) that you make, rotate and delete here
(docs/compat/native.md, "Calendar feeds")."""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from fastapi import Body, Request
from limits import RateLimitItemPerHour
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import in_unit
from polytask.api.ratelimit import SharedWindows
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, page_request, reject_unknown, shape
from polytask.api.v1.paths import CalendarFeedId, ProjectId
from polytask.api.v1.schemas import ERROR_RESPONSES, CalendarFeedDocument, CalendarFeedListDocument
from polytask.core import ical
from polytask.core.actor import Actor
from polytask.core.errors import RateLimitExceeded
from polytask.core.ids import render_id
from polytask.core.pagination import parse_sort
from polytask.core.settings import Settings
from polytask.domain.calendars import feed as reading
from polytask.domain.calendars import service
from polytask.domain.calendars.schemas import FeedCreate

router = unit_router(tags=["Calendar feeds"], responses=ERROR_RESPONSES)

ICAL_MEDIA_TYPE = "text/calendar; charset=utf-8"
# Calendar apps poll; a feed may be kept this long before asking again.
FEED_MAX_AGE = 300
# Fetches of one feed URL per hour, whoever asks (besides the per-address limit of every
# request without a credential): calendar apps poll every few minutes at most, and a URL that
# leaked into a page or a loop cannot make the server run its query more often than this.
FEED_PER_HOUR = 60
_FEED_WINDOW = RateLimitItemPerHour(FEED_PER_HOUR)
_EXAMPLE = {"name": "My due dates"}


def _url(settings: Settings, token: str) -> str:
    return f"{settings.link_base}/v1/ical/{token}.ics"


def _issued(settings: Settings, issued: service.IssuedFeed) -> JSONAPIResponse:
    feed = issued.feed
    body = resources.calendar_feed(feed, _url(settings, issued.token))
    return created(body, f"/v1/calendar-feeds/{render_id('calendar_feed', feed.id)}")


def _list(request: Request, session: Session, actor: Actor, settings: Settings, project_id: int | None) -> Response:
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST, forbidden={"project_id"} if project_id else ())
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_feeds_for(
        session, actor, project_id=project_id, page=page, sort=parse_sort(params.get("sort"), None), tree=tree
    )
    shp = shape(params, "calendar_feed", {})
    return list_document(request, result, [resources.calendar_feed(f) for f in result.items], shape=shp)


@router.get(
    "/me/calendar-feeds",
    response_model=CalendarFeedListDocument,
    openapi_extra=list_parameters(service.FEED_REGISTRY),
)
@transactional("tasks:read")
def list_my_feeds(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """Your calendar feeds, of both kinds, oldest first (never a URL: it is shown once)."""
    return _list(request, session, actor, settings, None)


@router.post("/me/calendar-feeds", response_model=CalendarFeedDocument, status_code=201)
@transactional("tasks:write")
def create_my_feed(
    session: Session, actor: Actor, settings: SettingsDep, data: FeedCreate = Body(examples=[_EXAMPLE])
) -> JSONAPIResponse:
    """A feed of the due dates of the tasks assigned to you, in every workspace you can see
    when a calendar reads it; `url` is shown once."""
    return _issued(settings, service.create_my_feed(session, actor, data=data))


@router.get(
    "/projects/{project_id}/calendar-feeds",
    response_model=CalendarFeedListDocument,
    openapi_extra=list_parameters(service.FEED_REGISTRY, path=("project_id",)),
)
@transactional("tasks:read")
def list_project_feeds(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """Your calendar feeds of this project."""
    return _list(request, session, actor, settings, project_id)


@router.post("/projects/{project_id}/calendar-feeds", response_model=CalendarFeedDocument, status_code=201)
@transactional("tasks:write")
def create_project_feed(
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: FeedCreate = Body(examples=[{"name": "Launch plan"}]),
) -> JSONAPIResponse:
    """A feed of the project's due dates, read with your access (it stops when you lose the
    project); `url` is shown once."""
    return _issued(settings, service.create_project_feed(session, actor, project_id=project_id, data=data))


@router.get("/calendar-feeds/{feed_id}", response_model=CalendarFeedDocument)
@transactional("tasks:read")
def get_feed(request: Request, feed_id: CalendarFeedId, session: Session, actor: Actor) -> JSONAPIResponse:
    """One of your calendar feeds (without its URL)."""
    reject_unknown(request.query_params, {"fields"})
    found = service.get_feed_for(session, actor, feed_id)
    return document(resources.calendar_feed(found), shape=shape(request.query_params, "calendar_feed", {}))


@router.post("/calendar-feeds/{feed_id}/rotate", response_model=CalendarFeedDocument, status_code=201)
@transactional("tasks:write")
def rotate_feed(feed_id: CalendarFeedId, session: Session, actor: Actor, settings: SettingsDep) -> JSONAPIResponse:
    """A new secret URL for the feed (shown once); the old one answers 404 from now on."""
    return _issued(settings, service.rotate_feed(session, actor, feed_id))


@router.delete("/calendar-feeds/{feed_id}", status_code=204)
@transactional("tasks:write")
def delete_feed(feed_id: CalendarFeedId, session: Session, actor: Actor) -> Response:
    """Delete the feed; its URL answers 404 from now on."""
    service.delete_feed(session, actor, feed_id)
    return no_content()


_FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "An iCalendar (RFC 5545) document", "content": {"text/calendar": {}}},
    **{k: v for k, v in ERROR_RESPONSES.items() if k in (404, 429)},
}


def _windows(request: Request, settings: Settings) -> SharedWindows:
    """One per app: counters in Redis when configured (shared by every process), else in memory."""
    windows: SharedWindows | None = getattr(request.app.state, "calendar_feed_windows", None)
    if windows is None:
        windows = SharedWindows(f"async+{settings.redis_url}" if settings.redis_url else "async+memory://")
        request.app.state.calendar_feed_windows = windows
    return windows


async def _count_fetch(request: Request, settings: Settings, token: str) -> None:
    """RateLimitExceeded past FEED_PER_HOUR fetches of this URL in the hour."""
    bucket = hashlib.sha256(token.encode()).hexdigest()[:32]  # never the token itself
    allowed, _, reset = await _windows(request, settings).hit(_FEED_WINDOW, "calendar-feed", bucket)
    if not allowed:
        wait = max(1, math.ceil(reset - time.time()))
        raise RateLimitExceeded(
            f"This calendar feed was fetched more than {FEED_PER_HOUR} times this hour; try again later",
            {"retry_after": wait, "limit": FEED_PER_HOUR},
        )


def _events(settings: Settings, content: reading.FeedContent) -> list[ical.Event]:
    base = settings.link_base
    return [
        ical.Event(
            uid=f"{render_id('task', t.id)}@polytask",
            summary=t.name,
            start=t.due_date,
            stamp=t.updated_at,
            description="\n".join(
                part
                for part in (
                    t.description,
                    f"Project: {t.project_name}",
                    f"Status: {t.status}" + (f", priority: {t.priority}" if t.priority else ""),
                )
                if part
            ),
            url=f"{base}/v1/tasks/{render_id('task', t.id)}",
            categories=(t.project_name,),
        )
        for t in content.tasks
    ]


@router.get(
    "/ical/{token}.ics",
    response_class=Response,
    responses=_FEED_RESPONSES,
    openapi_extra={"security": []},
)
async def calendar_feed(request: Request, token: str) -> Response:
    """A calendar feed: the due dates of open tasks (from 90 days ago on, at most 1,000, soonest
    first) as iCalendar; no credential but the secret in the URL. An unknown, rotated or
    deleted token is a 404, and so is a feed whose owner lost access to its project or was
    deactivated. At most 60 fetches of one URL an hour (429), besides the per-address limit of
    every request without a credential."""
    settings: Settings = request.app.state.settings
    client_ip = request.client.host if request.client else None

    def work(session: Session) -> reading.FeedContent:
        return reading.read_feed(session, token, client_ip=client_ip)

    await _count_fetch(request, settings, token)
    content = await in_unit(request, work, readonly=True)
    body = "".join(ical.calendar(content.name, _events(settings, content))).encode()
    return Response(
        body,
        media_type=ICAL_MEDIA_TYPE,
        headers={"Cache-Control": f"private, max-age={FEED_MAX_AGE}", "Referrer-Policy": "no-referrer"},
    )
