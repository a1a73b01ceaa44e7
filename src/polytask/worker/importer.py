"""The importer: runs queued import jobs (domain/transfer/jobs.py), a project per transaction.

Runs beside the webhook dispatcher, the mailer and the reaper: in the server process (app
lifespan) when POLYTASK_WEBHOOK_DISPATCHER is on, and in `polytask worker` processes. A
commit in this process that queued an import wakes it at once; otherwise it polls every
POLYTASK_MAIL_POLL_SECONDS. `run_next_import` is one step (tests call it directly): claim a
job with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), create each of its projects not yet
done in a transaction of its own, then finish it. A worker that dies mid-job leaves the
lease to run out; the next claim goes on from the projects already committed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket

import anyio

from polytask.core.db import Database
from polytask.core.errors import DomainError
from polytask.core.settings import Settings
from polytask.domain.transfer import jobs
from polytask.worker.background import BackgroundLoop

log = logging.getLogger("polytask.imports")


def run_next_import(db: Database, *, worker: str = "importer") -> int | None:
    """Claim one due job and run it to its end; its id, or None when none was due."""
    with db.unit_of_work() as session:
        job_id = jobs.claim_import(session, worker=worker)
    if job_id is None:
        return None
    with db.unit_of_work(readonly=True) as session:
        pending = jobs.pending_projects(session, job_id)
    if pending.actor is None or pending.attempts > jobs.MAX_ATTEMPTS:
        reason = "the account that asked for the import is gone" if pending.actor is None else "too many attempts"
        with db.unit_of_work() as session:
            jobs.finish_import(session, job_id, reason=reason)
        return job_id
    for index, doc in pending.projects:
        try:
            with db.unit_of_work() as session:
                jobs.run_project(session, pending, index, doc, worker=worker)
        except Exception as exc:  # the project is rolled back and reported, whatever went wrong
            if not isinstance(exc, DomainError):
                log.exception("import %s: project %s failed", job_id, index)
            with db.unit_of_work() as session:
                jobs.project_failed(session, pending, index, doc, exc, worker=worker)
    with db.unit_of_work() as session:
        jobs.finish_import(session, job_id)
    return job_id


class Importer(BackgroundLoop):
    task_name = "polytask-importer"

    def __init__(self, db: Database, settings: Settings, *, name: str | None = None) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        jobs.subscribe(self.wake)
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    done = await anyio.to_thread.run_sync(lambda: run_next_import(self.db, worker=self.name))
                except Exception:
                    log.exception("an import pass failed")
                    done = None
                if done is not None:
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
            jobs.unsubscribe(self.wake)
