"""Recording state changes in the event log, inside the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import isoformat
from polytask.models import Event


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
) -> Event:
    """Append one event row; it commits or rolls back with the change it describes."""
    event = Event(
        type=type,
        resource_type=resource_type,
        resource_id=resource_id,
        workspace_id=workspace_id,
        actor_user_id=actor.user_id if actor else None,
        credential_kind=actor.credential_kind if actor else None,
        credential_id=actor.credential_id if actor else None,
        changes=jsonable(changes or {}),
        snapshot=jsonable(snapshot or {}),
    )
    session.add(event)
    return event


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
    actor: Actor,
    *,
    resource_type: str,
    resource_id: int,
    workspace_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
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
        )
    return changes
