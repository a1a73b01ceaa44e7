"""The off-request side of API-usage accounting: a thread that adds a process's counts
(domain/usage/recorder.py) to the api_usage buckets every POLYTASK_API_USAGE_FLUSH_SECONDS,
and once more when the process stops; and the periodic retention pass.

A clean stop (SIGTERM, Ctrl-C: the app's lifespan shutdown) flushes what was counted last; a
process killed outright (kill -9, OOM) loses at most its last interval's counts.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.usage.recorder import UsageRecorder
from polytask.domain.usage.service import UsagePruned, flush_usage, prune_usage

log = logging.getLogger("polytask.usage")

# How often the retention pass runs beside the webhook dispatcher (the first run is at start).
PRUNE_INTERVAL_SECONDS = 3600.0
# Counts kept for a later flush while the database refuses them, at most (per process).
MAX_HELD = 100_000


def flush_now(db: Database, recorder: UsageRecorder) -> int:
    """Write everything counted so far (in one transaction); returns the rows written. On a
    failure the counts go back to the recorder for the next flush, and the error is raised."""
    counts = recorder.take()
    if not counts:
        return 0
    try:
        with db.unit_of_work() as session:
            return flush_usage(session, counts)
    except Exception:
        if recorder.pending() + len(counts) <= MAX_HELD:
            recorder.give_back(counts)
        raise


class UsageFlusher:
    """A daemon thread flushing one recorder every `interval` seconds until stopped."""

    def __init__(self, db: Database, recorder: UsageRecorder, interval: float) -> None:
        self.db = db
        self.recorder = recorder
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="polytask-api-usage", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._flush()

    def _flush(self) -> None:
        try:
            flush_now(self.db, self.recorder)
        except Exception:
            log.exception("writing API usage failed; kept for the next flush")

    def stop(self) -> None:
        """Stop the thread, then flush what is left (the shutdown's last word)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(self.interval, 10.0))
            self._thread = None
        self._flush()


def prune_usage_now(db: Database, settings: Settings, *, now: float | None = None) -> UsagePruned:
    """One retention pass over the api_usage buckets (in one transaction)."""
    with db.unit_of_work() as session:
        return prune_usage(
            session,
            now=time.time() if now is None else now,
            minute_hours=settings.api_usage_minute_retention_hours,
            hour_days=settings.api_usage_hour_retention_days,
            day_days=settings.api_usage_day_retention_days,
        )


async def prune_usage_periodically(db: Database, settings: Settings, interval: float = PRUNE_INTERVAL_SECONDS) -> None:
    """Prune now and then every `interval` seconds until cancelled."""
    while True:
        try:
            report = await asyncio.to_thread(prune_usage_now, db, settings)
            if report.total:
                log.info("pruned %s API-usage buckets", report.deleted)
        except Exception:
            log.exception("pruning API usage failed")
        await asyncio.sleep(interval)
