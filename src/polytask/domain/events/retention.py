"""Retention of the event log: deleting events older than POLYTASK_AUDIT_RETENTION_DAYS.

Ids only ever grow (AUTOINCREMENT on SQLite, a sequence on PostgreSQL), so a pruned range
simply disappears from the changes feed and the stream: a cursor from before it reads on
from the oldest event kept. Never pruned: an event a pending webhook delivery was queued
for (the delivery is still being retried). Each resource's pruned events are counted, so
webhook `sequence` numbers go on from where they were.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from polytask.models import Event, PrunedEventCount, WebhookDelivery


@dataclass
class PruneReport:
    """What a prune removed (or, dry, would remove)."""

    cutoff: datetime
    deleted: int = 0
    first_id: int | None = None
    last_id: int | None = None
    by_type: Counter[str] = field(default_factory=Counter)
    # Old enough, but a pending webhook delivery still needs them.
    kept_for_webhooks: int = 0

    def add(self, other: PruneReport) -> None:
        self.deleted += other.deleted
        if other.first_id is not None:
            self.first_id = other.first_id if self.first_id is None else min(self.first_id, other.first_id)
        if other.last_id is not None:
            self.last_id = other.last_id if self.last_id is None else max(self.last_id, other.last_id)
        self.by_type.update(other.by_type)


def cutoff_for(now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


def _needed_by_webhooks() -> Any:
    return select(WebhookDelivery.event_id).where(
        WebhookDelivery.status == "pending", WebhookDelivery.event_id.is_not(None)
    )


def _expired(cutoff: datetime) -> ColumnElement[bool]:
    return and_(Event.occurred_at < cutoff, Event.id.not_in(_needed_by_webhooks()))


def preview(session: Session, *, cutoff: datetime) -> PruneReport:
    """What pruning at `cutoff` would remove, without removing anything."""
    report = PruneReport(cutoff)
    for type_, count, low, high in session.execute(
        select(Event.type, func.count(), func.min(Event.id), func.max(Event.id))
        .where(_expired(cutoff))
        .group_by(Event.type)
    ):
        report.add(PruneReport(cutoff, int(count), int(low), int(high), Counter({type_: int(count)})))
    report.kept_for_webhooks = kept_for_webhooks(session, cutoff=cutoff)
    return report


def kept_for_webhooks(session: Session, *, cutoff: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.occurred_at < cutoff, Event.id.in_(_needed_by_webhooks()))
        )
        or 0
    )


def oldest_expired(cutoff: datetime, limit: int) -> Any:
    """The ids of up to `limit` of the oldest expired events (prune_batch)."""
    return select(Event.id).where(_expired(cutoff)).order_by(Event.occurred_at, Event.id).limit(limit)


def prune_batch(session: Session, *, cutoff: datetime, limit: int) -> PruneReport:
    """Delete up to `limit` of the oldest expired events (one short transaction's worth).

    Oldest by time, then id: in that order SQLite walks the index on `occurred_at` from its
    start and stops at the cutoff. Ordered by id alone it read the whole events table in id
    order looking for old ones (100,000 events: 68 MB of the file mapped into the server at
    every start and every hour, with nothing to delete); PostgreSQL used the index either way."""
    ids = oldest_expired(cutoff, limit)
    rows = session.execute(
        delete(Event)
        .where(Event.id.in_(ids.scalar_subquery()))
        .returning(Event.id, Event.type, Event.resource_type, Event.resource_id)
        .execution_options(synchronize_session=False)
    ).all()
    report = PruneReport(cutoff)
    if not rows:
        return report
    # Only rows this statement deleted are returned, so concurrent pruners never count twice.
    report.deleted = len(rows)
    report.first_id = min(r[0] for r in rows)
    report.last_id = max(r[0] for r in rows)
    report.by_type.update(r[1] for r in rows)
    per_resource = Counter((r[2], r[3]) for r in rows)
    _count_pruned(session, per_resource)
    return report


def _count_pruned(session: Session, per_resource: Counter[tuple[str, int]]) -> None:
    values = [{"resource_type": kind, "resource_id": pk, "pruned": n} for (kind, pk), n in sorted(per_resource.items())]
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PrunedEventCount)
    upsert = stmt.on_conflict_do_update(
        index_elements=["resource_type", "resource_id"],
        set_={"pruned": PrunedEventCount.pruned + stmt.excluded.pruned},
    )
    session.execute(upsert, values)
