"""`polytask mail list|show|retry|purge`: the mail outbox from the server's console.

On a server without an SMTP relay (no POLYTASK_SMTP_HOST) mail waits in the outbox, and this
is where the operator reads it (an invite's token, a reset link) to pass it on by hand. Mail
given up on (the relay was down through every retry, or refused it) is put back with `retry`
once the cause is fixed; sent mail is kept until `purge` deletes it.

Exit codes: 0 done, 1 refused (an unknown or sent message), 2 bad arguments.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from polytask.cli.admin import _fail, _unit
from polytask.core.ids import storable_key

mail_app = typer.Typer(
    help="The mail outbox: read it (what was sent, what waits, what failed), retry failed mail, purge sent mail.",
    no_args_is_help=True,
)

STATUSES = ("pending", "sent", "failed")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else "-"


@mail_app.command("list")
def mail_list(
    status: Annotated[str | None, typer.Option(help="Only pending, sent or failed mail.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this template: invite, task_invite, password_reset.")] = None,
) -> None:
    """Every message, oldest first: id, status, attempts, queued, to, subject (tab-separated)."""
    from polytask.domain.mail.outbox import iter_mail

    if status is not None and status not in STATUSES:
        raise _fail(f"--status must be one of {', '.join(STATUSES)}, not '{status}'")
    with _unit(readonly=True) as session:
        typer.echo("id\tstatus\tattempts\tqueued\tto\tsubject")
        for m in iter_mail(session, status=status, kind=kind):
            typer.echo(f"{m.id}\t{m.status}\t{m.attempts}\t{_when(m.created_at)}\t{m.to_address}\t{m.subject}")


@mail_app.command("show")
def mail_show(
    mail_id: Annotated[str, typer.Argument(help="The message's id, from `polytask mail list`.")],
    html: Annotated[bool, typer.Option("--html", help="Print the HTML part instead of the text part.")] = False,
) -> None:
    """One message: its headers, its attempts, and its body (kept until it is sent)."""
    from polytask.domain.mail.outbox import get_mail

    key = int(mail_id) if mail_id.isascii() and mail_id.isdigit() else 0
    if not storable_key(key):
        raise _fail(f"'{mail_id}' is not a message id (a number from `polytask mail list`)")
    with _unit(readonly=True) as session:
        m, attempts = get_mail(session, key)
        for label, value in (
            ("id", str(m.id)),
            ("kind", m.kind),
            ("to", m.to_address),
            ("subject", m.subject),
            ("message-id", m.message_id),
            ("status", m.status),
            ("attempts", str(m.attempts)),
            ("queued", _when(m.created_at)),
            ("next attempt", _when(m.next_attempt_at) if m.status == "pending" else "-"),
            ("sent", _when(m.sent_at)),
            ("last error", m.last_error or "-"),
        ):
            typer.echo(f"{label}: {value}")
        for a in attempts:
            typer.echo(f"attempt {a.number}: {_when(a.started_at)} {a.duration_ms} ms {a.reply or a.error or ''}")
        body = m.html_body if html else m.text_body
        typer.echo("")
        typer.echo(body if body is not None else "(the body is dropped once the relay has taken the message)")


def _usage(message: str) -> typer.Exit:
    """Bad arguments: `error: ...` on stderr, exit 2 (as the argument parser does)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _message_id(text: str) -> int:
    key = int(text) if text.isascii() and text.isdigit() else 0
    if not storable_key(key):
        raise _usage(f"'{text}' is not a message id (a number from `polytask mail list`)")
    return key


@mail_app.command("retry")
def mail_retry(
    mail_id: Annotated[str | None, typer.Option("--id", help="The failed message to retry.")] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Retry every failed message.")] = False,
) -> None:
    """Put failed mail back to pending, due at once with a fresh retry schedule; the senders
    (`polytask serve`, `polytask worker`) take it at their next poll. Give --id or --all-failed."""
    from polytask.domain.mail.outbox import retry_failed_mail, retry_mail

    if (mail_id is None) == (not all_failed):
        raise _usage("give exactly one of --id N and --all-failed")
    key = _message_id(mail_id) if mail_id is not None else None
    with _unit() as session:
        if key is None:
            count = retry_failed_mail(session)
            done = f"{count} failed message{'' if count == 1 else 's'} back to pending"
        else:
            done = f"mail {key}: " + ("back to pending" if retry_mail(session, key) else "already pending")
    typer.echo(done)


def _cutoff(sent_before: str | None, older_than: int | None) -> datetime:
    if (sent_before is None) == (older_than is None):
        raise _usage("give exactly one of --sent-before DATE and --older-than DAYS")
    if older_than is not None:
        from polytask.core.clock import utcnow

        return utcnow() - timedelta(days=older_than)
    assert sent_before is not None
    try:
        moment = datetime.fromisoformat(sent_before)
    except ValueError:
        raise _usage(f"--sent-before must be a date (2026-11-30) or an ISO 8601 time, not '{sent_before}'") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@mail_app.command("purge")
def mail_purge(
    sent_before: Annotated[
        str | None,
        typer.Option(help="Purge mail sent before this date (its midnight) or ISO time; UTC unless it says."),
    ] = None,
    older_than: Annotated[int | None, typer.Option(min=0, help="Purge mail sent more than this many days ago.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would be purged.")] = False,
) -> None:
    """Delete sent mail (with its attempt log) sent before a date; pending and failed mail stays.
    Give --sent-before or --older-than."""
    from polytask.domain.mail.outbox import purge_sent_mail

    cutoff = _cutoff(sent_before, older_than)
    with _unit(readonly=dry_run) as session:
        count = purge_sent_mail(session, sent_before=cutoff, dry_run=dry_run)
    noun = f"sent message{'' if count == 1 else 's'}"
    verb = "would purge" if dry_run else "purged"
    typer.echo(f"{verb} {count} {noun} sent before {_when(cutoff)}")
