"""`polytask backup` and `polytask restore`: one archive with the database, the signing key and
the data directory's files (core/backup.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from polytask.core.backup import BackupError, create_backup, restore_backup
from polytask.core.settings import get_settings


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def add_backup_commands(app: typer.Typer) -> None:
    """Register `backup` and `restore` on the top-level command."""

    @app.command()
    def backup(
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Archive to write (default: ./polytask-backup-<UTC time>.tar.gz)."),
        ] = None,
    ) -> None:
        """Back up the database (consistent while the server runs), the secret key and the data
        directory's files into one .tar.gz (mode 0600); prints its path on the last line."""
        settings = get_settings()
        if output is None:
            output = Path(f"polytask-backup-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.tar.gz")
        try:
            result = create_backup(settings, output)
        except BackupError as exc:
            raise _fail(str(exc)) from None
        typer.echo(f"{result.engine} database at revision {result.revision}, {len(result.files)} file(s) of the home")
        if not result.secret_in_archive:
            typer.echo(
                "note: no secret_key file in the home (POLYTASK_SECRET_KEY is set, or none was made yet): "
                "keep the key with the archive yourself",
                err=True,
            )
        if settings.storage == "s3":
            typer.echo(
                f"note: stored files are in the S3 bucket {settings.s3_bucket!r}, not in the archive: "
                "back the bucket up on its own, after this (docs/deploy.md, Backups)",
                err=True,
            )
        typer.echo(str(result.path))

    @app.command()
    def restore(
        archive: Annotated[Path, typer.Argument(help="An archive made by `polytask backup`.", exists=True)],
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite a database and secret key that already exist.")
        ] = False,
    ) -> None:
        """Restore an archive into the configured home and database (stop the server first), then
        migrate to this release's schema. Refuses a database that holds data unless --force."""
        try:
            manifest = restore_backup(get_settings(), archive, force=force)
        except BackupError as exc:
            raise _fail(str(exc)) from None
        typer.echo(
            f"Restored the {manifest['engine']} database and {len(manifest['files'])} file(s) "  # type: ignore[arg-type]
            f"from a backup of {manifest['created_at']}; migrated to head."
        )
