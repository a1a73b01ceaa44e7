"""Recording state changes in the event log, inside the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import isoformat, utcnow
from polytask.core.db import after_commit, before_commit, require_writable
from polytask.core.statements import PreparedInsert
from polytask.domain.events import bus
from polytask.domain.events.catalog import event_type
from polytask.models import Event

_NEW_EVENTS = "polytask.new_events"
_BULK_EVENT_IDS = "polytask.bulk_event_ids"
# The workspaces of those events when every writer named them, else None.
_BULK_WORKSPACES = "polytask.bulk_event_workspaces"


def record_event(
    session: Session,
    actor: Actor | None,
    *,
    type: str,
    resource_type: str,
    resource_id: int,
    workspace_id: int | None,
    changes: dict[str, Any] | None = None,
    snapshot: dict[str, Any] | None = None,
    project_id: int | None = None,
    client_ip: str | None = None,
) -> int:
    """Append one event row; it commits or rolls back with the change it describes. Returns its id.

    `project_id` defaults to what the resource says (a project's own id, a snapshot's
    `project_id`); `client_ip` to the actor's address, else a snapshot's `client_ip`
    (authentication events written before anyone is signed in).

    `type` must be declared for `resource_type` in domain/events/catalog.py (UndeclaredEvent).
    """
    event_type(type, resource_type)
    require_writable(session)  # a read unit that finds it must record runs again as a write
    snap = snapshot or {}
    row = {
        "type": type,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "workspace_id": workspace_id,
        "project_id": project_id if project_id is not None else project_of(resource_type, resource_id, snap),
        "actor_user_id": actor.user_id if actor else None,
        "credential_kind": actor.credential_kind if actor else None,
        "credential_id": actor.credential_id if actor else None,
        "client_ip": _address(client_ip or (actor.client_ip if actor else None) or snap.get("client_ip")),
        "occurred_at": utcnow(),
        "changes": jsonable(changes or {}),
        "snapshot": jsonable(snap),
    }
    # Inserted now, through the session's connection and transaction, not as an ORM object:
    # the unit of work's flush of one more object cost more than the row (docs/performance.md).
    event_id = _INSERT_EVENT.insert(session, row)
    track_inserted_event_ids(session, [event_id], workspace_ids=None if workspace_id is None else {workspace_id})
    return event_id


# The columns of an event row that its writers give (the id aside): record_event here, the
# bulk writer (domain/tasks/created.py) with the id it reserved in front.
EVENT_COLUMNS = (
    "type",
    "resource_type",
    "resource_id",
    "workspace_id",
    "project_id",
    "actor_user_id",
    "credential_kind",
    "credential_id",
    "client_ip",
    "occurred_at",
    "changes",
    "snapshot",
)
_INSERT_EVENT = PreparedInsert(cast(Table, Event.__table__), EVENT_COLUMNS)


# Resources that belong to one project; their events show in its activity.
PROJECT_RESOURCES = frozenset(
    {
        "project",
        "task",
        "section",
        "comment",
        "view",
        "custom_field",
        "time_entry",
        "expense",
        "risk",
        "file",
        "discussion",
        "document",
    }
)


def project_of(resource_type: str, resource_id: int, snapshot: dict[str, Any]) -> int | None:
    """The project an event belongs to, as far as its resource and snapshot tell."""
    if resource_type == "project":
        return resource_id
    if resource_type not in PROJECT_RESOURCES:
        return None
    value = snapshot.get("project_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _address(value: object) -> str | None:
    return value[:64] if isinstance(value, str) and value else None


def track_new_events(session: Session, events: list[Event]) -> None:
    """Queue webhook deliveries for these events at commit, and announce them once committed."""
    session.info.setdefault(_NEW_EVENTS, []).extend(events)
    before_commit(session, _fan_out)
    after_commit(session, _publish_committed(session))


def track_inserted_event_ids(session: Session, event_ids: list[int], *, workspace_ids: set[int] | None = None) -> None:
    """The same for rows a bulk writer inserted without `record_event` (loaded in chunks at commit).

    A writer that knows the events' workspaces passes them: deciding whether any webhook
    listens then needs no look-up of the events themselves.
    """
    session.info.setdefault(_BULK_EVENT_IDS, []).extend(event_ids)
    known: set[int] | None = session.info.get(_BULK_WORKSPACES, set())
    if known is not None:
        session.info[_BULK_WORKSPACES] = None if workspace_ids is None else known | workspace_ids
    before_commit(session, _fan_out)
    after_commit(session, _publish_committed(session))


class FanOut(Protocol):
    """Work that a unit's new events call for in its transaction, just before it commits.

    It gets the events recorded through `record_event`, the ids of rows a bulk writer
    inserted, and those rows' workspaces when every writer named them (else None); it
    returns how many outbox rows it queued.
    """

    def __call__(
        self, session: Session, events: list[Event], written: list[int], workspaces: set[int] | None
    ) -> int: ...


_FAN_OUTS: list[FanOut] = []


def fan_out_to(hook: FanOut) -> None:
    """Run `hook` before every commit that recorded events (once, however often it is given).

    A hook, rather than an import: the packages that act on events (webhooks) sit above this
    one, which every resource uses; domain/__init__.py plugs them in.
    """
    if hook not in _FAN_OUTS:
        _FAN_OUTS.append(hook)


def _fan_out(session: Session) -> None:
    events: list[Event] = session.info.get(_NEW_EVENTS, [])
    if events:
        session.flush()
    written: list[int] = session.info.get(_BULK_EVENT_IDS, [])
    workspaces: set[int] | None = session.info.get(_BULK_WORKSPACES)
    queued = sum(hook(session, events, written, workspaces) for hook in _FAN_OUTS)
    if queued:
        after_commit(session, bus.publish_outbox)
    # Other processes' streams and dispatchers (a no-op without a cross-process transport).
    newest = max([e.id for e in events if e.id is not None] + written, default=None)
    bus.announce(session, last_event_id=newest, outbox=queued > 0)


class _Publisher:
    """The after-commit callback of one unit; equal for the same session so it registers once."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Publisher) and other.session is self.session

    def __hash__(self) -> int:
        return id(self.session)

    def __call__(self) -> None:
        events: list[Event] = self.session.info.pop(_NEW_EVENTS, [])
        ids = [e.id for e in events if e.id is not None] + self.session.info.pop(_BULK_EVENT_IDS, [])
        self.session.info.pop(_BULK_WORKSPACES, None)
        if ids:
            bus.publish(sorted(ids))


def _publish_committed(session: Session) -> _Publisher:
    return _Publisher(session)


def jsonable(value: Any) -> Any:
    """Dates and datetimes as ISO strings so snapshots fit a JSON column."""
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def snapshot_of(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: jsonable(getattr(obj, f)) for f in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Changed fields as {field: {"from": old, "to": new}}."""
    return {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}


def record_update(
    session: Session,
    actor: Actor | None,
    *,
    resource_type: str,
    resource_id: int,
    workspace_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
    project_id: int | None = None,
) -> dict[str, Any]:
    """Record `<resource>.updated` with the changed fields, if any changed; returns the changes."""
    changes = diff(before, after)
    if changes:
        session.flush()
        record_event(
            session,
            actor,
            type=f"{resource_type}.updated",
            resource_type=resource_type,
            resource_id=resource_id,
            workspace_id=workspace_id,
            changes=changes,
            snapshot=after,
            project_id=project_id,
        )
    return changes
