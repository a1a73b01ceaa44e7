"""The blob deletion outbox: blobs whose rows are gone, deleted from the store after the commit.

Rows of stored_files go in many ways: a file or document deleted, or by cascade with their
task, discussion, project or workspace. A trigger (migration 0020) writes each deleted row's
storage key to blob_deletions in the same transaction, so a rollback keeps both and a commit
queues the blob; nothing outside the database needs to know how the row went. After a commit
that deleted something this process's reaper is woken (worker/reaper.py), and every reaper
also polls; a pass leases due rows, deletes their blobs (idempotent), and removes the rows,
or retries later with a backoff.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from polytask.core.clock import utcnow
from polytask.core.db import after_commit
from polytask.models import BlobDeletion, Event, StoredFile

LEASE = timedelta(minutes=5)
_BACKOFF_SECONDS = (30, 120, 600, 3600, 6 * 3600)

_listeners: set[Callable[[], None]] = set()
_lock = threading.Lock()


def subscribe(wake: Callable[[], None]) -> None:
    """Call `wake()` (from any thread) after each commit in this process that deleted files."""
    with _lock:
        _listeners.add(wake)


def unsubscribe(wake: Callable[[], None]) -> None:
    with _lock:
        _listeners.discard(wake)


def _wake_reapers() -> None:
    with _lock:
        listeners = list(_listeners)
    for wake in listeners:
        wake()


def wake_after_commit(session: Session) -> None:
    """Wake this process's reaper once the unit commits (never after a rollback)."""
    after_commit(session, _wake_reapers)


def wake_on_deletions(session: Session, events: list[Event], written: list[int], workspaces: set[int] | None) -> int:
    """The events hook (domain/__init__.py): a commit that recorded a deletion (a task, a
    project, a workspace, ... whose files went by cascade) or bulk events wakes the reaper."""
    if written or any(e.type.endswith(".deleted") for e in events):
        wake_after_commit(session)
    return 0


@dataclass(frozen=True, slots=True)
class DueBlob:
    id: int
    storage_key: str
    attempts: int


def claim_blob_deletions(session: Session, *, limit: int = 100) -> list[DueBlob]:
    """Lease up to `limit` due rows (another reaper skips them until the lease ends)."""
    now = utcnow()
    query = (
        select(BlobDeletion.id, BlobDeletion.storage_key, BlobDeletion.attempts)
        .where(or_(BlobDeletion.next_attempt_at.is_(None), BlobDeletion.next_attempt_at <= now))
        .order_by(BlobDeletion.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = [DueBlob(row.id, row.storage_key, row.attempts) for row in session.execute(query)]
    if due:
        session.execute(
            update(BlobDeletion).where(BlobDeletion.id.in_([d.id for d in due])).values(next_attempt_at=now + LEASE)
        )
    return due


def finish_blob_deletions(session: Session, *, deleted: list[int], failed: dict[int, tuple[int, str]]) -> None:
    """Drop the rows whose blobs are gone; the failed ones wait (attempts so far, error)."""
    if deleted:
        session.execute(delete(BlobDeletion).where(BlobDeletion.id.in_(deleted)))
    now = utcnow()
    for row_id, (attempts, error) in failed.items():
        wait = _BACKOFF_SECONDS[min(attempts, len(_BACKOFF_SECONDS) - 1)]
        session.execute(
            update(BlobDeletion)
            .where(BlobDeletion.id == row_id)
            .values(attempts=attempts + 1, next_attempt_at=now + timedelta(seconds=wait), last_error=error[:500])
        )


def pending_blob_deletions(session: Session) -> int:
    """How many blobs wait for deletion (metrics, tests)."""
    return int(session.scalar(select(func.count()).select_from(BlobDeletion)) or 0)


def named_keys(session: Session, keys: list[str]) -> set[str]:
    """Those of `keys` a file's row names (the orphan sweep keeps them)."""
    if not keys:
        return set()
    return set(session.scalars(select(StoredFile.storage_key).where(StoredFile.storage_key.in_(keys))))
