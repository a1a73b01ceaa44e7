"""Periodic pruning of the event log, run beside the webhook dispatcher (in the server
process or in `polytask worker`), and by `polytask events prune`."""

from __future__ import annotations

import asyncio
import logging

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.domain.events.retention import PruneReport, cutoff_for, kept_for_webhooks, preview, prune_batch

log = logging.getLogger("polytask.retention")

# Events deleted per transaction: short enough that SQLite writers barely wait.
BATCH = 2000
# How often the dispatcher's loop prunes (the first run is at start).
INTERVAL_SECONDS = 3600.0


def prune_expired(db: Database, *, retention_days: int, dry_run: bool = False, batch: int = BATCH) -> PruneReport:
    """Delete every event older than the retention (in batches, one transaction each)."""
    cutoff = cutoff_for(utcnow(), retention_days)
    if dry_run:
        with db.unit_of_work(readonly=True) as session:
            return preview(session, cutoff=cutoff)
    report = PruneReport(cutoff)
    while True:
        with db.unit_of_work() as session:
            step = prune_batch(session, cutoff=cutoff, limit=batch)
        report.add(step)
        if step.deleted < batch:
            break
    with db.unit_of_work(readonly=True) as session:
        report.kept_for_webhooks = kept_for_webhooks(session, cutoff=cutoff)
    return report


async def prune_periodically(db: Database, retention_days: int, interval: float = INTERVAL_SECONDS) -> None:
    """Prune now and then every `interval` seconds until cancelled; 0 days keeps everything."""
    if retention_days <= 0:
        return
    while True:
        try:
            report = await asyncio.to_thread(prune_expired, db, retention_days=retention_days)
            if report.deleted:
                log.info(
                    "pruned %d events (ids %s..%s) older than %s",
                    report.deleted,
                    report.first_id,
                    report.last_id,
                    report.cutoff.isoformat(),
                )
        except Exception:
            log.exception("pruning the event log failed")
        await asyncio.sleep(interval)
