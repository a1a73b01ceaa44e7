"""`polytask files sweep`: delete the blobs no file names, by hand.

A blob is stored before its row commits; a process killed in between leaves a blob nothing
names, and an upload cut short by a dying process leaves its spool file. The reaper sweeps
both every POLYTASK_BLOB_SWEEP_HOURS (worker/reaper.py); this is the same sweep on demand,
with `--dry-run` to see first what it would delete.

Exit codes: 0 done, 1 the store or the database failed, 2 bad arguments.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from polytask.cli.admin import _fail

files_app = typer.Typer(help="The file store: sweep away blobs no file names.", no_args_is_help=True)


@files_app.command("sweep")
def files_sweep(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be deleted; delete nothing.")] = False,
    older_than_hours: Annotated[
        float,
        typer.Option(min=1.0, max=87_600.0, help="Only blobs and spool files older than this many hours (at least 1)."),
    ] = 1.0,
) -> None:
    """Delete the blobs older than --older-than-hours that no file, document or attachment
    names, and upload spool files as old. Prints each orphan's key (with --dry-run), then a
    summary line. Safe while servers run."""
    from polytask.core.db import Database
    from polytask.core.files import store_for
    from polytask.core.settings import get_settings
    from polytask.worker.reaper import sweep_orphans

    settings = get_settings()
    db = Database(settings.effective_database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        swept = sweep_orphans(db, store_for(settings), grace=timedelta(hours=older_than_hours), dry_run=dry_run)
    except Exception as exc:  # the store or the database: said plainly, exit 1
        raise _fail(f"the sweep failed: {type(exc).__name__}: {exc}") from None
    finally:
        db.dispose()
    if dry_run:
        for key in swept.orphans:
            typer.echo(key)
    verb = "would delete" if dry_run else "deleted"
    typer.echo(
        f"{verb} {len(swept.orphans)} orphan blob(s) and {swept.spool_files} spool file(s); "
        f"kept {swept.named} blob(s) named by files"
    )
