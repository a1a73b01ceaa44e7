"""The `polytask` command line: serve, migrate, worker, users, api-keys, oauth-clients, events, mail, files, dev."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from polytask.cli.admin import add_key_commands, add_user_commands
from polytask.cli.backup import add_backup_commands
from polytask.cli.events import events_app
from polytask.cli.files import files_app
from polytask.cli.mail import mail_app
from polytask.core.db import Database
from polytask.core.logs import configure_logging
from polytask.core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from polytask.models import User

app = typer.Typer(help="Polytask: a self-hosted work-management server.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
dev_app = typer.Typer(help="Developer tools (seeding data for benchmarks).", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="api-keys")
oauth_app = typer.Typer(help="Manage OAuth 2.0 clients.", no_args_is_help=True)
app.add_typer(oauth_app, name="oauth-clients")
app.add_typer(dev_app, name="dev")
app.add_typer(events_app, name="events")
app.add_typer(mail_app, name="mail")
app.add_typer(files_app, name="files")
add_user_commands(users_app)
add_key_commands(keys_app)
add_backup_commands(app)


def _database() -> Database:
    settings = get_settings()
    return Database(
        settings.effective_database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        sqlite_mmap_bytes=settings.sqlite_mmap_mb * 1024 * 1024,
    )


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Apply the database migrations to the configured database."""
    from polytask.core.migrate import upgrade

    upgrade(get_settings().effective_database_url)
    typer.echo("Database is up to date.")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default POLYTASK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default POLYTASK_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default POLYTASK_WORKERS).")] = None,
) -> None:
    """Migrate the database if needed, create the first admin on an empty one, and serve the API."""
    import uvicorn

    from polytask.core.migrate import upgrade
    from polytask.core.signing import signing_key
    from polytask.domain.api_keys.service import create_api_key
    from polytask.domain.users.service import bootstrap_admin, first_admin_username

    settings = get_settings()
    log_config = configure_logging(settings.log_level, settings.log_format)
    upgrade(settings.effective_database_url)
    # Made now (when POLYTASK_SECRET_KEY is unset) rather than at the first sign-in, so that the
    # home is complete from the first start and `polytask backup` carries the key.
    signing_key(settings)
    workers = workers or settings.workers
    if workers > 1 and not settings.redis_url:
        typer.echo(
            f"WARNING: {workers} worker processes but no POLYTASK_REDIS_URL: each process counts rate limits, "
            f"monthly quotas and requests in flight on its own, so clients get up to {workers}x the configured "
            "limits. Set POLYTASK_REDIS_URL.",
            err=True,
        )
    host = host or settings.host
    port = port or settings.port
    db = _database()
    with db.unit_of_work() as session:
        boot = bootstrap_admin(session, email=settings.admin_email)
        secret = None
        if boot is not None:
            secret = create_api_key(session, None, user=boot[0], name="bootstrap").secret
        admin = boot[0].username if boot is not None else first_admin_username(session)
    db.dispose()
    # The command as it was started (`.venv/bin/polytask` under `make run`), so the hint runs as printed.
    cli = sys.argv[0] if Path(sys.argv[0]).name == "polytask" else "polytask"
    how = (
        f"`{cli} api-keys create --user {admin}` prints a new key, "
        f"`{cli} users reset-password {admin}` a new password (docs/operations.md)."
    )
    if boot is not None and secret is not None:
        typer.echo(f"Created the admin user '{boot[0].username}' <{boot[0].email}> with password: {boot[1]}")
        typer.echo(f"API key: {secret}")
        typer.echo(f"Shown once. Later: {how}")
    elif admin is not None:
        typer.echo(f"Existing database; the admin is '{admin}'. Lost the key? {how}")
    typer.echo(f"API docs: http://{host}:{port}/docs")
    uvicorn.run(
        "polytask.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        log_config=log_config,
        # The access log is api/middleware.py's (route templates, no query strings).
        access_log=False,
        # Open event streams never finish on their own; cut them after this on shutdown.
        timeout_graceful_shutdown=10,
    )


@app.command()
def worker() -> None:
    """Deliver webhooks, send mail, run imports and automations and delete unused file blobs
    until SIGINT/SIGTERM. Run any number of these beside servers started with
    POLYTASK_WEBHOOK_DISPATCHER=false; they never send a delivery or a message twice at once,
    nor run an automation twice for one trigger."""
    import asyncio
    import signal

    from polytask.domain.events import transport
    from polytask.worker.automations import AutomationRunner
    from polytask.worker.dispatcher import Dispatcher
    from polytask.worker.importer import Importer
    from polytask.worker.mailer import Mailer
    from polytask.worker.reaper import Reaper

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    db = _database()
    event_bus = transport.start(settings, db.url)  # servers' commits wake this worker at once
    dispatcher = Dispatcher(db, settings)
    mailer = Mailer(db, settings)
    reaper = Reaper(db, settings)
    importer = Importer(db, settings)
    automations = AutomationRunner(db, settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await dispatcher.start()
        await mailer.start()
        await reaper.start()
        await importer.start()
        await automations.start()
        relay = f"through {settings.smtp_host}:{settings.smtp_port}" if mailer.configured else "kept in the outbox"
        typer.echo(f"Delivering webhooks as {dispatcher.name}; mail {relay}")
        await stop.wait()
        await automations.stop()
        await importer.stop()
        await reaper.stop()
        await mailer.stop()
        await dispatcher.stop()

    try:
        asyncio.run(main())
    finally:
        event_bus.stop()
        db.dispose()


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Email address (unique).")],
    username: Annotated[str | None, typer.Option(help="Username (default: from the email).")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: Annotated[str | None, typer.Option(help="Password (for interactive logins).")] = None,
    role: Annotated[str, typer.Option(help="Global role: admin, manager or user.")] = "user",
) -> None:
    """Create a user and their personal workspace; prints the user's id."""
    from pydantic import ValidationError

    from polytask.core.errors import DomainError
    from polytask.domain.users.schemas import UserCreate
    from polytask.domain.users.service import create_user

    try:
        data = UserCreate.model_validate(
            {"email": email, "username": username, "name": name, "password": password, "role": role}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    db = _database()
    try:
        with db.unit_of_work() as session:
            user = create_user(session, None, data=data)
            user_id = user.id
    except DomainError as exc:
        raise _fail(exc.message) from None
    finally:
        db.dispose()
    typer.echo(f"user_{user_id}")


@keys_app.command("create")
def api_keys_create(
    user: Annotated[str, typer.Option(help="The key's user, by email or username.")],
    workspace: Annotated[str | None, typer.Option(help="Bind the key to this workspace id.")] = None,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
    scopes: Annotated[
        list[str] | None, typer.Option(help="Scopes, space- or comma-separated; may be repeated. Default: all.")
    ] = None,
    expires_at: Annotated[
        str | None, typer.Option(help="Expiry as an ISO 8601 datetime (UTC if no offset). Default: never.")
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(help="A rate-limit plan (POLYTASK_RATE_PLANS); 'default': the surface's (the default)."),
    ] = None,
) -> None:
    """Create an API key; the key alone is printed on the last line."""
    from polytask.core.errors import DomainError
    from polytask.core.ids import parse_id
    from polytask.core.rateplans import check_plan
    from polytask.domain.api_keys.service import create_api_key, normalize_scopes, parse_expiry
    from polytask.domain.users.service import find_user_by_login

    try:
        expiry = parse_expiry(expires_at)
        rate_plan = check_plan(get_settings(), plan)
    except DomainError as exc:
        raise _fail(exc.message) from None
    workspace_id = None
    if workspace is not None:
        workspace_id = parse_id("workspace", workspace)
        if workspace_id is None:
            raise _fail(f"not a workspace id: {workspace}")
    db = _database()
    try:
        with db.unit_of_work() as session:
            owner = find_user_by_login(session, user)
            if owner is None:
                raise _fail(f"no user with email or username '{user}'")
            issued = create_api_key(
                session,
                None,
                user=owner,
                workspace_id=workspace_id,
                name=name,
                scopes=normalize_scopes(scopes or []) or None,
                expires_at=expiry,
                rate_plan=rate_plan,
            )
            secret = issued.secret
    except DomainError as exc:
        raise _fail(exc.message) from None
    finally:
        db.dispose()
    typer.echo(secret)


@keys_app.command("set-plan")
def api_keys_set_plan(
    key: Annotated[str, typer.Argument(help="The key's id (key_42 or 42).")],
    plan: Annotated[str, typer.Argument(help="A configured rate-limit plan, or 'default' for the surface's.")],
) -> None:
    """Put an existing API key on a rate-limit plan (takes effect with the key's next request)."""
    from polytask.core.errors import DomainError
    from polytask.core.ids import parse_id, render_id
    from polytask.core.rateplans import DEFAULT, check_plan
    from polytask.domain.api_keys.service import set_api_key_plan

    key_id = parse_id("api_key", key)
    if key_id is None:
        raise _fail(f"not an API key id: {key}")
    db = _database()
    try:
        rate_plan = check_plan(get_settings(), plan)
        with db.unit_of_work() as session:
            set_api_key_plan(session, None, key_id=key_id, rate_plan=rate_plan)
    except DomainError as exc:
        raise _fail(exc.message) from None
    finally:
        db.dispose()
    typer.echo(f"{render_id('api_key', key_id)}: {rate_plan or DEFAULT}")


@dev_app.command("seed")
def dev_seed(
    projects: Annotated[int, typer.Option(min=1, help="Projects to create (at least 1).")] = 10,
    tasks: Annotated[int, typer.Option(min=0, help="Tasks to create, spread over the projects.")] = 1000,
    users: Annotated[int, typer.Option(min=1, help="Users to create (members of one shared workspace).")] = 5,
    force: Annotated[
        bool, typer.Option("--force", help="Seed even a database that already holds projects or people.")
    ] = False,
) -> None:
    """Fill an empty database with a workspace of generated data (a progress bar on stderr);
    prints an API key for it on the last line."""
    import sys

    from sqlalchemy.engine import make_url

    from polytask.cli.seed import holdings, seed
    from polytask.core.migrate import upgrade

    upgrade(get_settings().effective_database_url)
    db = _database()
    try:
        people, existing = holdings(db)
        # A fresh server holds its first admin and nothing else.
        if (existing or people > 1) and not force:
            raise _fail(
                f"the database at {make_url(db.url).render_as_string(hide_password=True)} already holds data "
                f"({people} users, {existing} projects); seeding adds generated people, projects and tasks "
                "to it. Use an empty database (POLYTASK_HOME, POLYTASK_DATABASE_URL), or pass --force."
            )
        with typer.progressbar(length=tasks, label="Seeding tasks", file=sys.stderr) as bar:
            key = seed(db, projects=projects, tasks=tasks, users=users, echo=typer.echo, advance=bar.update)
    finally:
        db.dispose()
    typer.echo(key)


@dev_app.command("seed-scale")
def dev_seed_scale(
    workspaces: Annotated[int, typer.Option(min=1, help="Workspaces to create.")] = 10,
    projects: Annotated[int, typer.Option(min=1, help="Projects, spread over the workspaces.")] = 1000,
    big: Annotated[int, typer.Option(min=1, help="Tasks in the first project.")] = 100_000,
    tasks: Annotated[int, typer.Option(min=1, help="Tasks in all.")] = 1_000_000,
    users: Annotated[int, typer.Option(min=1, help="Members of every workspace (besides the owner).")] = 5,
) -> None:
    """The query benchmark's data set. Prints `key project_id user_id` on the last line."""
    from polytask.cli.seed import seed_scale

    if projects < 2 and tasks > big:
        raise _fail("--tasks beyond --big needs at least two projects")
    if big > tasks or big < 1:
        raise _fail("--big must be between 1 and --tasks")
    db = _database()
    try:
        key, project_id, user_id = seed_scale(
            db, workspaces=workspaces, projects=projects, big=big, tasks=tasks, users=users, echo=typer.echo
        )
    finally:
        db.dispose()
    typer.echo(f"{key} project_{project_id} user_{user_id}")


if __name__ == "__main__":
    app()


def _oauth_owner(session: Session, owner: str | None) -> User:
    """The user named by --owner, else the first admin."""
    from sqlalchemy import select

    from polytask.domain.users.service import find_user_by_login
    from polytask.models import User

    if owner is not None:
        user = find_user_by_login(session, owner)
        if user is None:
            raise _fail(f"no user with email or username '{owner}'")
        return user
    admin = session.scalar(select(User).where(User.role == "admin", User.is_active.is_(True)).order_by(User.id))
    if admin is None:
        raise _fail("no admin user yet: pass --owner, or start the server once to create the admin")
    return admin


@oauth_app.command("create")
def oauth_clients_create(
    name: Annotated[str, typer.Option(help="The name users see on the consent page.")],
    redirect_uri: Annotated[
        list[str] | None, typer.Option("--redirect-uri", help="An exact redirect URI; may be repeated.")
    ] = None,
    public: Annotated[bool, typer.Option("--public", help="A public client: no secret, PKCE S256 required.")] = False,
    scopes: Annotated[
        str | None,
        typer.Option(help='Allowed scopes, space- or comma-separated, e.g. "tasks:read tasks:write". Default: all.'),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="The owning user, by email or username. Default: the admin.")
    ] = None,
) -> None:
    """Register an OAuth client; prints `client_id: ...` and, for a confidential client, `client_secret: ...`."""
    from pydantic import ValidationError

    from polytask.core.actor import system_actor
    from polytask.core.errors import DomainError
    from polytask.domain.api_keys.service import normalize_scopes
    from polytask.domain.oauth.clients import register_client
    from polytask.domain.oauth.schemas import OAuthClientCreate

    db = _database()
    try:
        with db.unit_of_work() as session:
            user = _oauth_owner(session, owner)
            data = OAuthClientCreate(
                name=name,
                redirect_uris=redirect_uri or [],
                public=public,
                scopes=normalize_scopes([scopes]) if scopes is not None else None,
            )
            registered = register_client(session, system_actor(user.id, user.role), data=data)
            client_id, secret = registered.client.client_id, registered.secret
    except DomainError as exc:
        raise _fail(exc.message) from None
    except ValidationError as exc:  # e.g. an empty name
        first = exc.errors()[0]
        raise _fail(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    finally:
        db.dispose()
    typer.echo(f"client_id: {client_id}")
    if secret is not None:
        typer.echo(f"client_secret: {secret}")


@oauth_app.command("list")
def oauth_clients_list() -> None:
    """Every registered client: client_id, public/confidential, name, redirect URIs."""
    from sqlalchemy import select

    from polytask.models import OAuthClient

    db = _database()
    try:
        with db.unit_of_work(readonly=True) as session:
            for c in session.scalars(select(OAuthClient).order_by(OAuthClient.id)):
                kind = "public" if c.is_public else "confidential"
                typer.echo(f"{c.client_id}\t{kind}\t{c.name}\t{' '.join(c.redirect_uris)}")
    finally:
        db.dispose()


@oauth_app.command("set-plan")
def oauth_clients_set_plan(
    client_id: Annotated[str, typer.Argument(help="The client's client_id.")],
    plan: Annotated[str, typer.Argument(help="A configured rate-limit plan, or 'default' for the surface's.")],
) -> None:
    """Put a client's access tokens on a rate-limit plan (takes effect with each token's next request)."""
    from polytask.core.errors import DomainError
    from polytask.core.rateplans import DEFAULT, check_plan
    from polytask.domain.oauth.clients import find_client, set_client_plan

    db = _database()
    try:
        rate_plan = check_plan(get_settings(), plan)
        with db.unit_of_work() as session:
            client = find_client(session, client_id)
            if client is None:
                raise _fail(f"no OAuth client '{client_id}'")
            set_client_plan(session, None, client=client, rate_plan=rate_plan)
    except DomainError as exc:
        raise _fail(exc.message) from None
    finally:
        db.dispose()
    typer.echo(f"{client_id}: {rate_plan or DEFAULT}")


@oauth_app.command("delete")
def oauth_clients_delete(client_id: Annotated[str, typer.Argument(help="The client's client_id.")]) -> None:
    """Delete a client; its tokens stop working at once."""
    from polytask.core.actor import system_actor
    from polytask.domain.oauth.clients import delete_client, find_client

    db = _database()
    try:
        with db.unit_of_work() as session:
            client = find_client(session, client_id)
            if client is None:
                raise _fail(f"no OAuth client '{client_id}'")
            delete_client(session, system_actor(client.owner_id), client_pk=client.id)
    finally:
        db.dispose()
    typer.echo(f"deleted {client_id}")
