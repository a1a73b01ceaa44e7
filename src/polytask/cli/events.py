"""`polytask events ...`: maintenance of the event log (audit log, changes feed)."""

from __future__ import annotations

from typing import Annotated

import typer

from polytask.core.db import Database
from polytask.core.settings import get_settings

events_app = typer.Typer(help="Maintain the event log (audit log, activity, changes feed).", no_args_is_help=True)


@events_app.command("prune")
def events_prune(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be removed; remove nothing.")] = False,
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Remove events older than this many days (default POLYTASK_AUDIT_RETENTION_DAYS)."),
    ] = None,
) -> None:
    """Delete events older than the retention, except those a pending webhook delivery needs;
    prints what was removed. Servers and workers also do this every hour."""
    from polytask.worker.retention import prune_expired

    settings = get_settings()
    retention = days if days is not None else settings.audit_retention_days
    if retention <= 0:
        typer.echo("Retention is off (POLYTASK_AUDIT_RETENTION_DAYS=0): nothing pruned.")
        return
    db = Database(settings.effective_database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        report = prune_expired(db, retention_days=retention, dry_run=dry_run)
    finally:
        db.dispose()
    verb = "Would prune" if dry_run else "Pruned"
    span = f" (event_{report.first_id} .. event_{report.last_id})" if report.deleted else ""
    typer.echo(f"{verb} {report.deleted} events older than {report.cutoff.isoformat()}{span}")
    for type_, count in sorted(report.by_type.items()):
        typer.echo(f"  {type_}\t{count}")
    if report.kept_for_webhooks:
        typer.echo(f"Kept {report.kept_for_webhooks} older events that pending webhook deliveries still need.")
