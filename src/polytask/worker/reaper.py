"""The blob reaper: deletes from the file store the blobs whose rows are gone
(domain/files/blobs.py, the blob deletion outbox).

Runs beside the webhook dispatcher and the mailer: in the server process (app lifespan) when
POLYTASK_WEBHOOK_DISPATCHER is on, and in `polytask worker` processes. A commit in this
process that deleted files wakes it at once; otherwise it polls every
POLYTASK_MAIL_POLL_SECONDS. `reap_due` is one pass: lease due rows in a short transaction,
delete their blobs (idempotent) on a worker thread, then drop the rows or schedule a retry.
"""

from __future__ import annotations

import asyncio
import logging

import anyio

from polytask.core.db import Database
from polytask.core.files import FileStore, current_store
from polytask.core.settings import Settings
from polytask.domain.files import blobs
from polytask.worker.background import BackgroundLoop

log = logging.getLogger("polytask.files")
BATCH = 100


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
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    done = await anyio.to_thread.run_sync(lambda: reap_due(self.db, store))
                except Exception:
                    log.exception("a blob reaping pass failed")
                    done = 0
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
