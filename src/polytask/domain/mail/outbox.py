"""The mail outbox: messages written in the caller's transaction, sent after it commits.

`queue_mail` adds a rendered message (templates.py) to the session; nothing leaves the
process until the unit of work commits, and a rollback takes the message with it. After the
commit, the senders of this process are woken (worker/mailer.py); other processes find the
message at their next poll (POLYTASK_MAIL_POLL_SECONDS). Delivery (delivery.py) leases rows
like the webhook dispatcher does, so several workers never send one message at once.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from polytask.core.clock import utcnow
from polytask.core.db import after_commit
from polytask.core.errors import Conflict, NotFound
from polytask.core.pagination import PageRequest
from polytask.core.query.fields import Field, Ref, Registry
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.mail.templates import Rendered
from polytask.models import MailAttempt, MailMessage

STATUSES = ("pending", "sent", "failed")

_listeners: set[Callable[[], None]] = set()
_lock = threading.Lock()


def subscribe(wake: Callable[[], None]) -> None:
    """Call `wake()` (from any thread) after each commit that queued mail in this process."""
    with _lock:
        _listeners.add(wake)


def unsubscribe(wake: Callable[[], None]) -> None:
    with _lock:
        _listeners.discard(wake)


def _wake_senders() -> None:
    with _lock:
        listeners = list(_listeners)
    for wake in listeners:
        wake()


def message_id_for(sender: str) -> str:
    """A new Message-ID in the sender's domain."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "polytask.localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


def queue_mail(session: Session, *, to: str, message: Rendered, sender: str) -> MailMessage:
    """Put a message for `to` in the outbox, in the caller's transaction."""
    row = MailMessage(
        kind=message.kind,
        to_address=to,
        subject=message.subject,
        text_body=message.text,
        html_body=message.html,
        message_id=message_id_for(sender),
        status="pending",
        attempts=0,
    )
    session.add(row)
    session.flush()
    after_commit(session, _wake_senders)
    return row


# --- what the operator sees and does (`polytask mail ...`, /metrics) ---------------------------------

MAIL_LIST: ListSpec[MailMessage] = ListSpec(
    "mail", Registry.of("mail", [Field("id", Ref("mail"), expr=MailMessage.id)]), MailMessage.id
)
PAGE_SIZE = 500


def iter_mail(session: Session, *, status: str | None = None, kind: str | None = None) -> Iterator[MailMessage]:
    """Every message in the outbox, oldest first, read a page at a time."""
    base = select(MailMessage)
    if status is not None:
        base = base.where(MailMessage.status == status)
    if kind is not None:
        base = base.where(MailMessage.kind == kind)
    cursor: str | None = ""
    while cursor is not None:
        page = run_list(
            session, MAIL_LIST, actor=None, base=base, page=PageRequest(PAGE_SIZE, 0, want_total=False, cursor=cursor)
        )
        yield from page.items
        cursor = page.next_cursor


def get_mail(session: Session, mail_id: int) -> tuple[MailMessage, list[MailAttempt]]:
    """One message and its attempts, oldest first."""
    row = session.get(MailMessage, mail_id)
    if row is None:
        raise NotFound.of("mail", mail_id)
    attempts = list(
        session.scalars(select(MailAttempt).where(MailAttempt.mail_id == mail_id).order_by(MailAttempt.number))
    )
    return row, attempts


def retry_mail(session: Session, mail_id: int) -> bool:
    """Put one failed message back to pending, due now, with a fresh retry schedule (its past
    attempts stay in its log); False when it was pending already (left as it is). A sent
    message is a conflict."""
    row = session.get(MailMessage, mail_id)
    if row is None:
        raise NotFound.of("mail", mail_id)
    if row.status == "sent":
        raise Conflict(f"Mail {mail_id} was sent: there is nothing to retry", {"status": row.status})
    return _back_to_pending(session, MailMessage.id == mail_id) == 1


def retry_failed_mail(session: Session) -> int:
    """Put every failed message back to pending, due now; how many."""
    return _back_to_pending(session, MailMessage.status == "failed")


def _back_to_pending(session: Session, where: ColumnElement[bool]) -> int:
    result = session.execute(
        update(MailMessage)
        .where(where, MailMessage.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=utcnow(), claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    changed = int(getattr(result, "rowcount", 0) or 0)
    if changed:
        after_commit(session, _wake_senders)
    return changed


def purge_sent_mail(session: Session, *, sent_before: datetime, dry_run: bool = False) -> int:
    """Delete the messages the relay took before `sent_before`, with their attempt logs (or,
    with `dry_run`, only count them). Pending and failed mail is never purged."""
    old = (MailMessage.status == "sent", MailMessage.sent_at < sent_before)
    if dry_run:
        return int(session.scalar(select(func.count()).where(*old)) or 0)
    doomed = select(MailMessage.id).where(*old)
    session.execute(
        delete(MailAttempt).where(MailAttempt.mail_id.in_(doomed)).execution_options(synchronize_session=False)
    )
    result = session.execute(delete(MailMessage).where(*old).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class MailStats:
    pending: int
    retrying: int
    failed: int
    attempts: int


_STATS = select(
    select(func.count()).where(MailMessage.status == "pending").scalar_subquery(),
    select(func.count()).where(MailMessage.status == "pending", MailMessage.attempts > 0).scalar_subquery(),
    select(func.count()).where(MailMessage.status == "failed").scalar_subquery(),
    select(func.coalesce(func.max(MailAttempt.id), 0)).scalar_subquery(),
)


def mail_stats(session: Session) -> MailStats:
    """Depth of the mail outbox, given-up messages and attempts made, in one statement."""
    pending, retrying, failed, attempts = session.execute(_STATS).one()
    return MailStats(int(pending), int(retrying), int(failed), int(attempts))
