"""The outbox itself: retries after the relay was down (one pass of the sender at a time, no
waiting on clocks), giving up, a relay that insists on TLS, no relay at all (mail kept,
`polytask mail list|show` shows it), and the outbox in /metrics."""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select, update

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import MailAttempt, MailMessage
from polytask.worker.mailer import Mailer
from tests.api.test_observability import scrape
from tests.cli.test_cli import polytask
from tests.factories.people import make_person
from tests.mail.conftest import Deliver, token_in
from tests.mail.smtpd import SmtpServer, free_port


def _invite(client: httpx.Client, db: Database, *emails: str) -> list[str]:
    owner = make_person(db)
    r = client.post(f"/v1/workspaces/{owner.workspace}/invites", json={"emails": list(emails)}, headers=owner.headers)
    assert r.status_code == 201, r.text
    return [item["attributes"]["token"] for item in r.json()["data"]]


def _rows(db: Database) -> list[MailMessage]:
    with db.unit_of_work(readonly=True) as session:
        rows = list(session.scalars(select(MailMessage).order_by(MailMessage.id)))
        session.expunge_all()
        return rows


def _attempts(db: Database) -> list[MailAttempt]:
    with db.unit_of_work(readonly=True) as session:
        rows = list(session.scalars(select(MailAttempt).order_by(MailAttempt.id)))
        session.expunge_all()
        return rows


def test_mail_queued_while_the_relay_is_down_is_sent_when_it_is_back(
    client: httpx.Client, db: Database, smtp: SmtpServer, deliver: Deliver
) -> None:
    [token] = _invite(client, db, "later@example.com")
    nothing_listens = free_port()
    # A zero delay: the retry is due at once, so the next pass takes it (no waiting in the test).
    [failed] = deliver(smtp_port=nothing_listens, mail_retry_schedule="0,0")
    assert failed.status == "pending"
    assert failed.outcome.error is not None
    [row] = _rows(db)
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 1, None)
    assert row.last_error
    assert "SMTPConnect" in row.last_error
    assert smtp.inbox.messages == []

    [sent] = deliver(mail_retry_schedule="0,0")
    assert sent.status == "sent"
    [mail] = smtp.inbox.to("later@example.com")
    assert token_in(mail.part("plain")) == token
    [row] = _rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    first, second = _attempts(db)
    assert (first.number, second.number) == (1, 2)
    assert first.error
    assert not first.reply
    assert second.reply
    assert "Message accepted" in second.reply
    assert second.error is None
    assert deliver() == []


def test_a_message_is_given_up_after_its_last_retry(
    client: httpx.Client, db: Database, smtp: SmtpServer, deliver: Deliver
) -> None:
    _invite(client, db, "never@example.com")
    down = free_port()
    assert [s.status for s in deliver(smtp_port=down, mail_retry_schedule="0")] == ["pending"]
    assert [s.status for s in deliver(smtp_port=down, mail_retry_schedule="0")] == ["failed"]
    assert deliver(mail_retry_schedule="0") == []  # failed mail is not sent again
    [row] = _rows(db)
    assert (row.status, row.attempts) == ("failed", 2)
    assert len(_attempts(db)) == 2
    assert scrape(client)[("polytask_mail_failed", frozenset())] == 1


def test_starttls_is_required_never_skipped(
    client: httpx.Client, db: Database, settings: Settings, tmp_path: Path
) -> None:
    """A relay that offers no STARTTLS gets nothing when the setting asks for it."""
    _invite(client, db, "careful@example.com")
    plain = SmtpServer(tmp_path, plain=True).start()
    try:
        tuned = settings.model_copy(update={**plain.settings(), "smtp_security": "starttls"})
        [attempt] = asyncio.run(Mailer(db, tuned, name="test-mailer").deliver_due())
        assert attempt.status == "pending"
        assert attempt.outcome.error is not None
        assert plain.inbox.messages == []
        # Told that plain text is fine (a relay on loopback), it goes.
        tuned = settings.model_copy(update={**plain.settings(), "mail_retry_schedule": "0"})
        with db.unit_of_work() as session:
            session.execute(MailMessage.__table__.update().values(next_attempt_at=MailMessage.created_at))
        [attempt] = asyncio.run(Mailer(db, tuned, name="test-mailer").deliver_due())
        assert attempt.status == "sent"
        assert [m.recipients for m in plain.inbox.messages] == [["careful@example.com"]]
        assert not plain.inbox.messages[0].tls
    finally:
        plain.stop()


def test_without_a_relay_mail_is_kept_and_the_cli_shows_it(
    client: httpx.Client, db: Database, settings: Settings, tmp_path: Path
) -> None:
    [token] = _invite(client, db, "offline@example.com")
    samples = scrape(client)
    assert samples[("polytask_mail_outbox_pending", frozenset())] == 1
    assert samples[("polytask_mail_attempts_total", frozenset())] == 0

    unconfigured = settings.model_copy(update={"smtp_host": None})
    assert asyncio.run(Mailer(db, unconfigured).deliver_due()) == []
    [row] = _rows(db)
    assert (row.status, row.attempts) == ("pending", 0)

    url = settings.effective_database_url
    listed = polytask("mail", "list", database_url=url, home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    header, line = listed.stdout.strip().splitlines()
    assert header.split("\t") == ["id", "status", "attempts", "queued", "to", "subject"]
    fields = line.split("\t")
    assert (fields[0], fields[1], fields[2], fields[4]) == (str(row.id), "pending", "0", "offline@example.com")
    assert polytask("mail", "list", "--status", "sent", database_url=url, home=tmp_path).stdout.strip().count("\n") == 0

    shown = polytask("mail", "show", str(row.id), database_url=url, home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "to: offline@example.com" in shown.stdout
    assert "status: pending" in shown.stdout
    assert token_in(shown.stdout) == token  # the operator can pass the invite on by hand
    html = polytask("mail", "show", str(row.id), "--html", database_url=url, home=tmp_path)
    assert re.search(r"<html>.*</html>", html.stdout, re.S)
    for bad in ("nope", "0", "999999"):
        refused = polytask("mail", "show", bad, database_url=url, home=tmp_path)
        assert (refused.returncode, refused.stderr[:6]) == (1, "error:"), refused.stderr
    assert polytask("mail", "list", "--status", "lost", database_url=url, home=tmp_path).returncode == 1


def _cli(settings: Settings, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return polytask("mail", *args, database_url=settings.effective_database_url, home=tmp_path)

    return run


def _usage_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert words in result.stderr, result.stderr


def test_failed_mail_is_put_back_by_the_cli_and_then_sent(
    client: httpx.Client, db: Database, settings: Settings, tmp_path: Path, smtp: SmtpServer, deliver: Deliver
) -> None:
    mail = _cli(settings, tmp_path)
    _invite(client, db, "first@example.com", "second@example.com")
    down = free_port()
    assert [s.status for s in deliver(smtp_port=down, mail_retry_schedule="0")] == ["pending"] * 2
    assert [s.status for s in deliver(smtp_port=down, mail_retry_schedule="0")] == ["failed"] * 2
    first, second = _rows(db)

    _usage_error(mail("retry"), "exactly one of --id N and --all-failed")
    _usage_error(mail("retry", "--id", str(first.id), "--all-failed"), "exactly one")
    _usage_error(mail("retry", "--id", "nope"), "not a message id")
    unknown = mail("retry", "--id", "999999")
    assert (unknown.returncode, unknown.stderr[:6]) == (1, "error:"), unknown.stderr
    assert [r.status for r in _rows(db)] == ["failed", "failed"], "refused calls change nothing"

    put_back = mail("retry", "--id", str(first.id))
    assert put_back.returncode == 0, put_back.stderr
    assert put_back.stdout.strip() == f"mail {first.id}: back to pending"
    assert [(r.status, r.attempts) for r in _rows(db)] == [("pending", 0), ("failed", 2)]
    assert [s.status for s in deliver(mail_retry_schedule="0")] == ["sent"]
    assert [m.recipients for m in smtp.inbox.messages] == [["first@example.com"]]
    sent_again = mail("retry", "--id", str(first.id))
    assert sent_again.returncode == 1
    assert "was sent" in sent_again.stderr

    everything = mail("retry", "--all-failed")
    assert everything.stdout.strip() == "1 failed message back to pending", everything.stderr
    assert [s.status for s in deliver(mail_retry_schedule="0")] == ["sent"]
    assert [m.recipients for m in smtp.inbox.messages] == [["first@example.com"], ["second@example.com"]]
    # The log keeps every attempt, numbered on across the retry.
    assert [a.number for a in _attempts(db) if a.mail_id == second.id] == [1, 2, 3]
    assert mail("retry", "--all-failed").stdout.strip() == "0 failed messages back to pending"

    _invite(client, db, "waiting@example.com")
    waiting = _rows(db)[-1]
    assert mail("retry", "--id", str(waiting.id)).stdout.strip() == f"mail {waiting.id}: already pending"


def test_sent_mail_is_purged_by_the_cli(
    client: httpx.Client, db: Database, settings: Settings, tmp_path: Path, smtp: SmtpServer, deliver: Deliver
) -> None:
    mail = _cli(settings, tmp_path)
    _invite(client, db, "old1@example.com", "old2@example.com", "recent@example.com")
    assert [s.status for s in deliver()] == ["sent"] * 3
    _invite(client, db, "pending@example.com")
    old1, old2, recent, pending = _rows(db)
    long_ago = utcnow() - timedelta(days=10)
    with db.unit_of_work() as session:
        session.execute(update(MailMessage).where(MailMessage.id.in_([old1.id, old2.id])).values(sent_at=long_ago))
        # Pending mail is never purged, however old.
        session.execute(update(MailMessage).where(MailMessage.id == pending.id).values(created_at=long_ago))

    _usage_error(mail("purge"), "exactly one of --sent-before DATE and --older-than DAYS")
    _usage_error(mail("purge", "--sent-before", "2026-01-01", "--older-than", "3"), "exactly one")
    _usage_error(mail("purge", "--sent-before", "last tuesday"), "--sent-before must be a date")
    _usage_error(mail("purge", "--older-than", "-1"), "--older-than")

    counted = mail("purge", "--older-than", "7", "--dry-run")
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.startswith("would purge 2 sent messages sent before "), counted.stdout
    assert len(_rows(db)) == 4, "a dry run deletes nothing"

    cutoff = (utcnow() - timedelta(days=5)).date().isoformat()
    purged = mail("purge", "--sent-before", cutoff)
    assert purged.stdout.strip() == f"purged 2 sent messages sent before {cutoff}T00:00:00Z", purged.stderr
    assert [r.id for r in _rows(db)] == [recent.id, pending.id]
    assert {a.mail_id for a in _attempts(db)} == {recent.id}, "their attempt logs went with them"

    assert mail("purge", "--older-than", "0").stdout.startswith("purged 1 sent message sent before ")
    assert [(r.id, r.status) for r in _rows(db)] == [(pending.id, "pending")]
