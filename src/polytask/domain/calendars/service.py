"""Calendar feeds, managed by their owner: a feed of the tasks assigned to you, or of one
project's tasks, each at a secret URL whose token is shown once (only its SHA-256 digest is
stored, as for API keys); rotating replaces the token (the old URL stops at once), deleting
ends the feed. Audit events calendar_feed.created / rotated / deleted."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import NotFound
from polytask.core.ids import storable_key
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Choice, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.calendars.schemas import FeedCreate
from polytask.domain.events.service import record_event, snapshot_of
from polytask.domain.projects.access import PROJECTS
from polytask.models import CalendarFeed

KINDS = ("user", "project")
TOKEN_PREFIX = "cal_"
# The event snapshot (payloads.py CalendarFeedSnapshot), never the token or its digest.
FEED_FIELDS = ("kind", "name", "user_id", "project_id", "workspace_id")

FEED_REGISTRY = Registry.of(
    "calendar_feed",
    [
        Field("id", Ref("calendar_feed"), expr=CalendarFeed.id),
        Field("kind", Choice(KINDS), expr=CalendarFeed.kind),
        Field("name", Text(caseless=True), expr=CalendarFeed.name),
        Field("project_id", Ref("project"), expr=CalendarFeed.project_id),
        Field("workspace_id", Ref("workspace"), expr=CalendarFeed.workspace_id),
        Field("created_at", Moment(), expr=CalendarFeed.created_at),
        Field("rotated_at", Moment(), expr=CalendarFeed.rotated_at),
    ],
)
FEED_LIST: ListSpec[CalendarFeed] = ListSpec("calendar_feed", FEED_REGISTRY, CalendarFeed.id)


@dataclass(frozen=True, slots=True)
class IssuedFeed:
    """A feed with its token, which exists only in this answer."""

    feed: CalendarFeed
    token: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _record(session: Session, actor: Actor, feed: CalendarFeed, type: str) -> None:
    record_event(
        session,
        actor,
        type=type,
        resource_type="calendar_feed",
        resource_id=feed.id,
        workspace_id=feed.workspace_id,
        project_id=feed.project_id,
        snapshot=snapshot_of(feed, FEED_FIELDS),
    )


def _issue(session: Session, actor: Actor, feed: CalendarFeed) -> IssuedFeed:
    token = _new_token()
    feed.token_hash = digest(token)
    session.add(feed)
    session.flush()
    _record(session, actor, feed, "calendar_feed.created")
    return IssuedFeed(feed, token)


def create_my_feed(session: Session, actor: Actor, *, data: FeedCreate) -> IssuedFeed:
    """A feed of the due dates of the tasks assigned to the caller, in every workspace they see
    when it is read (a workspace-bound credential makes a feed held to that workspace)."""
    feed = CalendarFeed(user_id=actor.user_id, kind="user", workspace_id=actor.workspace_id, name=data.name)
    return _issue(session, actor, feed)


def create_project_feed(session: Session, actor: Actor, *, project_id: int, data: FeedCreate) -> IssuedFeed:
    """A feed of one project's due dates, read with the caller's access (404: a project the
    caller cannot see)."""
    project, _ = PROJECTS.get_for(session, actor, project_id)
    feed = CalendarFeed(
        user_id=actor.user_id,
        kind="project",
        project_id=project.id,
        workspace_id=project.workspace_id,
        name=data.name,
    )
    return _issue(session, actor, feed)


def _own(actor: Actor) -> ColumnElement[bool]:
    """The caller's own feeds (a workspace-bound credential: those held to its workspace)."""
    mine = CalendarFeed.user_id == actor.user_id
    return mine if actor.workspace_id is None else and_(mine, CalendarFeed.workspace_id == actor.workspace_id)


def list_feeds_for(
    session: Session,
    actor: Actor,
    *,
    project_id: int | None = None,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
) -> PageResult[CalendarFeed]:
    """The caller's feeds, oldest first (one project's when `project_id` is given: 404 for a
    project the caller cannot see); never a token."""
    base = select(CalendarFeed).where(_own(actor))
    if project_id is not None:
        PROJECTS.get_for(session, actor, project_id)
        base = base.where(CalendarFeed.project_id == project_id)
    return run_list(session, FEED_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def get_feed_for(session: Session, actor: Actor, feed_id: int) -> CalendarFeed:
    """One of the caller's feeds; anyone else's, or a missing one, is NotFound."""
    feed = (
        session.scalar(select(CalendarFeed).where(CalendarFeed.id == feed_id, _own(actor)))
        if storable_key(feed_id)
        else None
    )
    if feed is None:
        raise NotFound.of("calendar_feed", feed_id)
    return feed


def rotate_feed(session: Session, actor: Actor, feed_id: int) -> IssuedFeed:
    """A new token for the feed; the old URL stops working at once."""
    feed = get_feed_for(session, actor, feed_id)
    token = _new_token()
    feed.token_hash = digest(token)
    feed.rotated_at = utcnow()
    session.flush()
    _record(session, actor, feed, "calendar_feed.rotated")
    return IssuedFeed(feed, token)


def delete_feed(session: Session, actor: Actor, feed_id: int) -> None:
    """End the feed: its URL answers 404 from now on."""
    feed = get_feed_for(session, actor, feed_id)
    _record(session, actor, feed, "calendar_feed.deleted")
    session.delete(feed)
    session.flush()
