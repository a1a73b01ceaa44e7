"""Reading the event log: the changes feed and the live stream, limited to what the actor may see.

Members see their workspaces' events about tasks, projects, sections, comments, saved views,
custom fields, members, invites and the workspace; `webhook.*` and `list.*` events only
owners and admins (the people whose webhooks receive them: a Taskforce list is its owner's and
its collaborators', not every member's). Events about users, API keys and OAuth clients
(personal, not a workspace's) are never in the feed. Every public event type of the catalogue
is of one of these resources (tests/webhooks/test_event_feed.py holds it so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.changes.access import MANAGER_RESOURCES, MEMBER_RESOURCES, visible_events
from polytask.domain.events.catalog import check_pattern
from polytask.domain.events.service import PROJECT_RESOURCES
from polytask.domain.projects.service import get_project_for
from polytask.domain.webhooks.outbox import PayloadContext, event_data
from polytask.domain.workspaces.access import membership_for
from polytask.models import Event

# What `types` may name: the catalogue's public events of the resources the feed shows.
FEED_RESOURCES = (*MEMBER_RESOURCES, *MANAGER_RESOURCES)
# A project's events: its own and those of what lives in it (a workspace-wide field has none),
# as the event log decides it (events/service.py).
_PROJECT_RESOURCES = sorted(PROJECT_RESOURCES)


@dataclass(frozen=True, slots=True)
class FeedFilter:
    workspace_id: int | None = None
    project_id: int | None = None
    types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedItem:
    event: Event
    data: dict[str, Any]


def _feed_items(session: Session, events: list[Event]) -> list[FeedItem]:
    ctx = PayloadContext(session, events)
    return [FeedItem(e, event_data(ctx, e)) for e in events]


# Oldest first (by id, which grows with time): a reader resumes after the last id it saw.
FEED_LIST = ListSpec(
    "event", Registry.of("event", [Field("id", Ref("event"), expr=Event.id)]), Event.id, load=_feed_items
)


def parse_types(raw: str | None) -> tuple[str, ...]:
    """`task.*,project.created` -> patterns; unknown names are a 422 on `types`."""
    if not raw:
        return ()
    out: list[str] = []
    for part in raw.split(","):
        name = part.strip()
        if not name:
            continue
        try:
            out.append(check_pattern(name, resources=FEED_RESOURCES))
        except ValueError:
            raise ValidationFailed.field("types", "use exact event names, '<resource>.*' or '*'", name) from None
    return tuple(out)


def check_filter(session: Session, actor: Actor, flt: FeedFilter) -> None:
    """NotFound for a workspace or project filter the actor cannot see."""
    if flt.workspace_id is not None:
        membership_for(session, actor, flt.workspace_id)
    if flt.project_id is not None:
        get_project_for(session, actor, flt.project_id)


def _of_project(project_id: int) -> ColumnElement[bool]:
    """The project's own events and those of its tasks, sections, comments, views and fields, by
    the project recorded on the event (events.project_id, indexed), so a comment's event stays
    with the project its task was in when it was written."""
    return and_(Event.project_id == project_id, Event.resource_type.in_(_PROJECT_RESOURCES))


def _of_types(types: tuple[str, ...]) -> ColumnElement[bool] | None:
    if not types or "*" in types:
        return None
    conditions: list[ColumnElement[bool]] = []
    for name in types:
        if name.endswith(".*"):
            conditions.append(Event.type.startswith(name[:-1], autoescape=True))
        else:
            conditions.append(Event.type == name)
    return or_(*conditions)


def list_events_for(
    session: Session, actor: Actor, *, after: int, limit: int, flt: FeedFilter, check: bool = True
) -> list[FeedItem]:
    """Up to `limit` visible events with ids above `after`, oldest first, with payload data.

    `check=False` skips the filter's NotFound checks (a stream checks once, when it opens;
    later reads still show only what the actor can see).
    """
    if check:
        check_filter(session, actor, flt)
    stmt = select(Event).where(Event.id > after, visible_events(actor))
    if flt.workspace_id is not None:
        stmt = stmt.where(Event.workspace_id == flt.workspace_id)
    if flt.project_id is not None:
        stmt = stmt.where(_of_project(flt.project_id))
    typed = _of_types(flt.types)
    if typed is not None:
        stmt = stmt.where(typed)
    page = PageRequest(limit=limit, offset=0, want_total=False)
    return run_list(session, FEED_LIST, actor=actor, base=stmt, page=page).items


def latest_event_id(session: Session) -> int:
    """The newest event id (0 for an empty log): where a stream without a cursor starts."""
    return int(session.scalar(select(func.max(Event.id))) or 0)


# An activity feed (TaskIP's dashboard and project activity): newest first, by type and time.
ACTIVITY_FEED: ListSpec[Event] = ListSpec(
    "activity event",
    Registry.of(
        "activity event",
        [
            Field("id", Ref("event"), expr=Event.id),
            Field("type", Text(), expr=Event.type),
            Field("resource_type", Text(), expr=Event.resource_type),
            Field("occurred_at", Moment(), expr=Event.occurred_at),
        ],
    ),
    Event.id,
    default_sort=(SortKey("id", descending=True),),
)


def list_activity_for(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    project_id: int | None,
    page: PageRequest,
    tree: Node | None = None,
) -> PageResult[Event]:
    """The events a member of the workspace sees (those of one project when given), newest
    first, filtered by the query engine (`type`, `occurred_at`)."""
    check_filter(session, actor, FeedFilter(workspace_id=workspace_id, project_id=project_id))
    base = select(Event).where(Event.workspace_id == workspace_id, visible_events(actor))
    if project_id is not None:
        base = base.where(_of_project(project_id))
    return run_list(session, ACTIVITY_FEED, actor=actor, base=base, page=page, tree=tree)
