"""The blob reaper: deletes from the file store the blobs whose rows are gone
(domain/files/blobs.py, the blob deletion outbox), and now and then the blobs no row ever
named (`sweep_orphans`).

A file is stored before its row is committed (domain/files/service.py), and a rollback
deletes the blob again; a process that dies in between (kill -9, a power cut) leaves a blob
that nothing names. Every POLYTASK_BLOB_SWEEP_HOURS the reaper lists the store's blobs older
than SWEEP_GRACE, deletes those no stored_files row names, and deletes upload spool files of
the same age (left by a process that died mid-upload). `polytask files sweep` does the same
by hand (`--dry-run` lists instead).

Runs beside the webhook dispatcher and the mailer: in the server process (app lifespan) when
POLYTASK_WEBHOOK_DISPATCHER is on, and in `polytask worker` processes. A commit in this
process that deleted files wakes it at once; otherwise it polls every
POLYTASK_MAIL_POLL_SECONDS. `reap_due` is one pass: lease due rows in a short transaction,
delete their blobs (idempotent) on a worker thread, then drop the rows or schedule a retry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import anyio

from polytask.core.db import Database
from polytask.core.files import FileStore, current_store
from polytask.core.settings import Settings
from polytask.domain.files import blobs
from polytask.worker.background import BackgroundLoop

log = logging.getLogger("polytask.files")
BATCH = 100
# A blob younger than this is never swept: its row may still be on its way to a commit.
SWEEP_GRACE = timedelta(hours=1)
# Keys looked up in the database at a time.
_SWEEP_BATCH = 500


def reap_due(db: Database, store: FileStore, *, limit: int = BATCH) -> int:
    """One pass; returns how many blobs were deleted."""
    with db.unit_of_work() as session:
        due = blobs.claim_blob_deletions(session, limit=limit)
    if not due:
        return 0
    deleted: list[int] = []
    failed: dict[int, tuple[int, str]] = {}
    for item in due:
        try:
            store.delete(item.storage_key)
        except Exception as exc:  # kept for a retry, whatever the store said
            log.warning("deleting blob %s failed: %s", item.storage_key, exc)
            failed[item.id] = (item.attempts, f"{type(exc).__name__}: {exc}")
        else:
            deleted.append(item.id)
    with db.unit_of_work() as session:
        blobs.finish_blob_deletions(session, deleted=deleted, failed=failed)
    return len(deleted)


@dataclass
class Swept:
    """What a sweep found: blobs no row names (deleted, unless a dry run), blobs kept because
    a row names them, and upload spool files left behind (deleted, unless a dry run)."""

    orphans: list[str] = field(default_factory=list)
    named: int = 0
    spool_files: int = 0


def sweep_orphans(
    db: Database,
    store: FileStore,
    *,
    grace: timedelta = SWEEP_GRACE,
    dry_run: bool = False,
    clock: Callable[[], float] = time.time,
) -> Swept:
    """Delete the blobs older than `grace` that no file's row names, and the spool files of
    the same age; with `dry_run`, only find them. Safe beside running servers: a blob is
    named by its row within the transaction that stored it, long before `grace` is over."""
    cutoff = clock() - grace.total_seconds()
    swept = Swept()
    batch: list[str] = []

    def settle() -> None:
        with db.unit_of_work(readonly=True) as session:
            named = blobs.named_keys(session, batch)
        swept.named += len(named)
        for key in batch:
            if key in named:
                continue
            if not dry_run:
                store.delete(key)
            swept.orphans.append(key)
        batch.clear()

    for key in store.keys_before(cutoff):
        batch.append(key)
        if len(batch) >= _SWEEP_BATCH:
            settle()
    if batch:
        settle()
    spool = store.tmp_dir
    for path in spool.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                if not dry_run:
                    path.unlink()
                swept.spool_files += 1
        except FileNotFoundError:  # an upload finished meanwhile
            continue
    if swept.orphans or swept.spool_files:
        log.info(
            "%s %d orphan blob(s) and %d spool file(s) older than %s (%d blob(s) named by files)",
            "found" if dry_run else "deleted",
            len(swept.orphans),
            swept.spool_files,
            grace,
            swept.named,
        )
    return swept


class Reaper(BackgroundLoop):
    task_name = "polytask-reaper"

    def __init__(self, db: Database, settings: Settings, store: FileStore | None = None) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.store = store

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        store = self.store or current_store()
        blobs.subscribe(self.wake)
        # The first sweep an hour after start (at most), then every POLYTASK_BLOB_SWEEP_HOURS.
        every = self.settings.blob_sweep_hours * 3600
        next_sweep = time.monotonic() + min(every, SWEEP_GRACE.total_seconds())
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    done = await anyio.to_thread.run_sync(lambda: reap_due(self.db, store))
                except Exception:
                    log.exception("a blob reaping pass failed")
                    done = 0
                if every > 0 and time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + every
                    try:
                        await anyio.to_thread.run_sync(lambda: sweep_orphans(self.db, store))
                    except Exception:
                        log.exception("an orphan blob sweep failed")
                if done >= BATCH:
                    continue
                waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(self._stop.wait())]
                try:
                    await asyncio.wait(
                        waiters, timeout=self.settings.mail_poll_seconds * 6, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    for waiter in waiters:
                        waiter.cancel()
        finally:
            blobs.unsubscribe(self.wake)
