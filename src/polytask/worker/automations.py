"""The automation runner: runs pending automation runs (domain/automations/runner.py) and
fires due schedules.

Runs beside the webhook dispatcher: in the server process (app lifespan) when
POLYTASK_WEBHOOK_DISPATCHER is on, and in `polytask worker` processes; any number at once
(a run is locked by the transaction that does it). Woken by every committed event of any
process (the event bus) and by this process's commits that queued runs; otherwise it polls
every POLYTASK_AUTOMATION_POLL_SECONDS. `run_due` is one pass, each run in its own unit of work.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta

import anyio

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.errors import DomainError
from polytask.core.settings import Settings
from polytask.domain.automations import runner
from polytask.domain.automations.actions import make_projects_with
from polytask.domain.events import bus
from polytask.domain.flows.projects import create_project
from polytask.worker.background import BackgroundLoop

log = logging.getLogger("polytask.automations")

# The create_project_from_template action: a project through the ordinary flow (its template
# filled in, all or nothing with the run's other actions).
make_projects_with(
    lambda session, actor, workspace_id, data: create_project(session, actor, workspace_id=workspace_id, data=data).id
)
BATCH = 50


def _describe(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        field = exc.details.get("field")
        return f"{exc.code}: {exc.message}" + (f" ({field})" if field and field not in exc.message else "")
    return f"{type(exc).__name__}: {exc}"


def run_one(db: Database, settings: Settings, run_id: int) -> str | None:
    """One run in one transaction; on an error the transaction rolls back (nothing of its
    actions stays) and the failure is counted in a second one."""
    try:
        with db.unit_of_work() as session:
            return runner.execute_run(session, run_id, mail_from=settings.mail_from)
    except Exception as exc:
        if not isinstance(exc, DomainError):
            log.exception("automation run %s failed", run_id)
        with db.unit_of_work() as session:
            return runner.record_failure(
                session, run_id, error=_describe(exc), retry_seconds=settings.automation_retry_delays
            )


def run_due(db: Database, settings: Settings, *, limit: int = BATCH) -> int:
    """One pass: fire due schedules, then run the due runs; returns how many runs were done."""
    with db.unit_of_work() as session:
        runner.fire_due_schedules(session)
    with db.unit_of_work(readonly=True) as session:
        due = runner.due_run_ids(session, limit=limit)
    done = 0
    for run_id in due:
        if run_one(db, settings, run_id) is not None:
            done += 1
    return done


# Finished runs deleted per transaction, and how often the runner prunes (the first at start).
PRUNE_BATCH = 2000
PRUNE_INTERVAL_SECONDS = 3600.0


def prune_runs_now(db: Database, settings: Settings, *, now: datetime | None = None) -> int:
    """Delete the finished runs older than POLYTASK_AUTOMATION_RUN_RETENTION_DAYS (0 keeps
    them), a batch per transaction; returns how many went."""
    days = settings.automation_run_retention_days
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    total = 0
    while True:
        with db.unit_of_work() as session:
            deleted = runner.prune_runs(session, before=cutoff, limit=PRUNE_BATCH)
        total += deleted
        if deleted < PRUNE_BATCH:
            return total


class AutomationRunner(BackgroundLoop):
    task_name = "polytask-automations"

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__()
        self.db = db
        self.settings = settings

    def _heard(self, _event_ids: list[int]) -> None:
        self.wake()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        runner.subscribe(self.wake)
        bus.subscribe(self._heard)
        try:
            prune_at = 0.0
            while not self._stop.is_set():
                self._wake.clear()
                if time.monotonic() >= prune_at:
                    prune_at = time.monotonic() + PRUNE_INTERVAL_SECONDS
                    try:
                        pruned = await anyio.to_thread.run_sync(lambda: prune_runs_now(self.db, self.settings))
                        if pruned:
                            log.info("pruned %d finished automation runs", pruned)
                    except Exception:
                        log.exception("pruning automation runs failed")
                try:
                    done = await anyio.to_thread.run_sync(lambda: run_due(self.db, self.settings))
                except Exception:
                    log.exception("an automation pass failed")
                    done = 0
                if done >= BATCH:
                    continue
                waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(self._stop.wait())]
                try:
                    await asyncio.wait(
                        waiters, timeout=self.settings.automation_poll_seconds, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    for waiter in waiters:
                        waiter.cancel()
        finally:
            bus.unsubscribe(self._heard)
            runner.unsubscribe(self.wake)
