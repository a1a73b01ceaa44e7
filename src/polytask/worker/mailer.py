"""The mail sender: takes due messages from the outbox and hands them to the SMTP relay.

Runs beside the webhook dispatcher: in the server process (app lifespan) when
POLYTASK_WEBHOOK_DISPATCHER is on, and in `polytask worker` processes. A pass
(`deliver_due`) leases a few due messages in one short transaction, sends each through
aiosmtplib (STARTTLS required unless told otherwise, AUTH when a user is set), and records
each attempt: sent (the bodies are dropped), retried on the schedule of
POLYTASK_MAIL_RETRY_SCHEDULE, or failed once it runs out or the relay refuses the message
for good (5xx to the recipient or the data). Without POLYTASK_SMTP_HOST nothing is claimed:
mail waits in the outbox, where `polytask mail list` shows it.

A commit that queued mail in this process wakes the sender at once (domain/mail/outbox.py);
other processes' mail is found by polling (POLYTASK_MAIL_POLL_SECONDS).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from polytask import __version__
from polytask.core.clock import as_utc
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.mail import outbox
from polytask.domain.mail.delivery import (
    MailJob,
    MailOutcome,
    claim_due_mail,
    has_due_mail,
    record_mail_attempt,
)
from polytask.worker.background import BackgroundLoop

log = logging.getLogger("polytask.mail")

# Messages leased per pass; they are sent one after another, so the lease covers all of them.
BATCH = 10
LEASE_MARGIN_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Sent:
    """What one pass did with one message."""

    job: MailJob
    outcome: MailOutcome
    status: str | None


def build_message(job: MailJob, sender: str) -> EmailMessage:
    """The MIME message: a text part and its HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = job.to
    message["Subject"] = job.subject
    message["Message-ID"] = job.message_id
    created = as_utc(job.created_at)
    assert created is not None
    message["Date"] = format_datetime(created)
    message["X-Mailer"] = f"Polytask/{__version__}"
    message.set_content(job.text)
    message.add_alternative(job.html, subtype="html")
    return message


def _permanent(exc: Exception) -> bool:
    """A refusal no retry can fix: the recipient or the message itself, with a 5xx."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return 500 <= exc.code < 600
    return False


class Mailer(BackgroundLoop):
    """Sends the outbox's mail from one process; several may run against the same database."""

    task_name = "polytask-mailer"

    def __init__(self, db: Database, settings: Settings, *, name: str | None = None) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}:mail"
        self._lease = timedelta(seconds=settings.smtp_timeout_seconds * BATCH + LEASE_MARGIN_SECONDS)

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    # --- one pass -----------------------------------------------------------------------------

    async def deliver_due(self, limit: int = BATCH) -> list[Sent]:
        """Lease up to `limit` due messages, send them, record each attempt; what happened."""
        if not self.configured:
            return []
        jobs = await asyncio.to_thread(self._claim, limit)
        done: list[Sent] = []
        for job in jobs:
            outcome = await self.send(job)
            try:
                status = await asyncio.to_thread(self._record, job, outcome)
            except Exception:
                # Its lease expires and the message is sent again (same Message-ID).
                log.exception("recording mail %s failed", job.mail_id)
                continue
            log.info(
                "mail %s to %s: %s (%s)", job.mail_id, job.to, outcome.reply or outcome.error, status or "changed hands"
            )
            done.append(Sent(job, outcome, status))
        return done

    def _claim(self, limit: int) -> list[MailJob]:
        with self.db.unit_of_work(readonly=True) as session:
            if not has_due_mail(session):
                return []
        with self.db.unit_of_work() as session:
            return claim_due_mail(
                session, worker=self.name, limit=limit, lease=self._lease, skip_locked=not self.db.is_sqlite
            )

    def _record(self, job: MailJob, outcome: MailOutcome) -> str | None:
        with self.db.unit_of_work() as session:
            return record_mail_attempt(
                session, worker=self.name, job=job, outcome=outcome, schedule=self.settings.mail_retry_delays
            )

    async def send(self, job: MailJob) -> MailOutcome:
        """One SMTP conversation for one message."""
        s = self.settings
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            _errors, reply = await aiosmtplib.send(
                build_message(job, s.mail_from),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                use_tls=s.smtp_security == "tls",
                # True: STARTTLS is required (a relay that does not offer it is an error, never
                # a silent fall back to plain text); False only when told "none".
                start_tls=s.smtp_security == "starttls",
                validate_certs=s.smtp_validate_certs,
                timeout=s.smtp_timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as exc:
            return MailOutcome(elapsed(), error=f"{type(exc).__name__}: {exc}"[:500], permanent=_permanent(exc))
        except Exception as exc:  # never lose the attempt's record to an unexpected error
            log.exception("sending mail %s failed", job.mail_id)
            return MailOutcome(elapsed(), error=f"internal error: {type(exc).__name__}")
        return MailOutcome(elapsed(), reply=reply or "accepted")

    # --- running ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Pass after pass until stopped; idle between them until woken or the poll interval."""
        self._loop = asyncio.get_running_loop()
        if not self.configured:
            log.warning("no SMTP relay configured (POLYTASK_SMTP_HOST): mail stays in the outbox (polytask mail list)")
            await self._stop.wait()
            return
        outbox.subscribe(self.wake)
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    done = await self.deliver_due()
                except Exception:
                    log.exception("a mail pass failed")
                    done = []
                if len(done) >= BATCH:
                    continue  # more may be due
                await self._idle()
        finally:
            outbox.unsubscribe(self.wake)

    async def _idle(self) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(self._stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=self.settings.mail_poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
