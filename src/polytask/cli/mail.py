"""`polytask mail list|show`: the mail outbox from the server's console.

On a server without an SMTP relay (no POLYTASK_SMTP_HOST) mail waits in the outbox, and this
is where the operator reads it (an invite's token, a reset link) to pass it on by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from polytask.cli.admin import _fail, _unit
from polytask.core.ids import storable_key

mail_app = typer.Typer(help="Read the mail outbox (what was sent, what waits, what failed).", no_args_is_help=True)

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
