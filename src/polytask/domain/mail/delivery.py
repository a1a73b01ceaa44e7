"""The database side of sending mail: leasing due messages and recording attempts.

Like webhook deliveries (domain/webhooks/dispatch.py): a claim is a lease (`claimed_by`,
`claimed_until`) taken in a short transaction; on PostgreSQL the rows are locked with
FOR UPDATE SKIP LOCKED so concurrent workers take different ones, on SQLite (writers
serialised) a conditional UPDATE takes only unleased rows. A worker that dies mid-send
leaves a lease that expires, and the message is sent again (at least once; its Message-ID
stays the same).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from polytask.core.clock import utcnow
from polytask.models import MailAttempt, MailMessage


@dataclass(frozen=True, slots=True)
class MailJob:
    """A leased message with everything sending it needs."""

    mail_id: int
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MailOutcome:
    """How one SMTP conversation ended: the relay's reply, or an error (not sent)."""

    duration_ms: int
    reply: str | None = None
    error: str | None = None
    # A permanent refusal (5xx to the recipient or the message): retrying cannot help.
    permanent: bool = False

    @property
    def sent(self) -> bool:
        return self.error is None


def _due(now: datetime) -> tuple[Any, ...]:
    return (
        MailMessage.status == "pending",
        MailMessage.next_attempt_at <= now,
        or_(MailMessage.claimed_until.is_(None), MailMessage.claimed_until < now),
    )


def has_due_mail(session: Session) -> bool:
    """Whether any message is due: a cheap read before taking write locks to claim."""
    return session.scalar(select(MailMessage.id).where(*_due(utcnow())).limit(1)) is not None


def claim_due_mail(session: Session, *, worker: str, limit: int, lease: timedelta, skip_locked: bool) -> list[MailJob]:
    """Lease up to `limit` due messages, oldest first."""
    now = utcnow()
    stmt = select(MailMessage.id).where(*_due(now)).order_by(MailMessage.next_attempt_at, MailMessage.id).limit(limit)
    if skip_locked:
        stmt = stmt.with_for_update(skip_locked=True)
    picked = list(session.scalars(stmt))
    if not picked:
        return []
    claimed = list(
        session.scalars(
            update(MailMessage)
            .where(MailMessage.id.in_(picked), *_due(now))
            .values(claimed_by=worker, claimed_until=now + lease)
            .returning(MailMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        return []
    rows = session.execute(
        select(
            MailMessage.id,
            MailMessage.to_address,
            MailMessage.subject,
            MailMessage.text_body,
            MailMessage.html_body,
            MailMessage.message_id,
            MailMessage.created_at,
        )
        .where(MailMessage.id.in_(claimed))
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
    )
    return [
        MailJob(mail_id, to, subject, text or "", html or "", message_id, created_at)
        for mail_id, to, subject, text, html, message_id, created_at in rows
    ]


def retry_delay(attempts_made: int, schedule: list[float]) -> float | None:
    """Seconds until the next try after `attempts_made` failed attempts (+/-20% jitter); None: give up."""
    if attempts_made > len(schedule):
        return None
    return schedule[attempts_made - 1] * random.uniform(0.8, 1.2)


def record_mail_attempt(
    session: Session, *, worker: str, job: MailJob, outcome: MailOutcome, schedule: list[float]
) -> str | None:
    """Log the attempt and move the message on: sent, retry later, or failed. Returns the new
    status, or None when the message changed hands meanwhile (only the attempt is logged)."""
    row = session.get(MailMessage, job.mail_id, with_for_update=True)
    if row is None:
        return None
    now = utcnow()
    number = (session.scalar(select(func.count()).where(MailAttempt.mail_id == row.id)) or 0) + 1
    session.add(
        MailAttempt(
            mail_id=row.id,
            number=number,
            started_at=now - timedelta(milliseconds=outcome.duration_ms),
            duration_ms=outcome.duration_ms,
            reply=outcome.reply[:500] if outcome.reply else None,
            error=outcome.error[:500] if outcome.error else None,
        )
    )
    if row.status != "pending" or row.claimed_by != worker:
        return None
    row.claimed_by = None
    row.claimed_until = None
    row.attempts += 1
    row.last_error = outcome.error[:500] if outcome.error else None
    if outcome.sent:
        row.status = "sent"
        row.sent_at = now
        # The bodies may hold a single-use token: once the relay has the message, the
        # database need not keep it.
        row.text_body = None
        row.html_body = None
        return row.status
    delay = None if outcome.permanent else retry_delay(row.attempts, schedule)
    if delay is None:
        row.status = "failed"
    else:
        row.next_attempt_at = now + timedelta(seconds=delay)
    return row.status
