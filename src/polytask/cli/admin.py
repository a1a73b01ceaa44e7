"""`polytask users list|show|set-role|disable|enable|reset-password` and `polytask api-keys
list|revoke`: administration from the server's console. The operator acts as no user (the
events' actor is empty), every change is an audited event, and nothing secret is printed
except the one new password asked for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from polytask.core.db import Database
from polytask.core.errors import DomainError
from polytask.core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ROLES = ("admin", "manager", "user")
USER_ARG = typer.Argument(help="The user: user_42, 42, an email or a username.")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


@contextmanager
def _unit(*, readonly: bool = False) -> Iterator[Session]:
    """One unit of work on the configured database; a DomainError becomes `error: ...`, exit 1."""
    settings = get_settings()
    db = Database(
        settings.effective_database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        sqlite_mmap_bytes=settings.sqlite_mmap_mb * 1024 * 1024,
    )
    try:
        with db.unit_of_work(readonly=readonly) as session:
            yield session
    except DomainError as exc:
        raise _fail(exc.message) from None
    finally:
        db.dispose()


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else "-"


def add_user_commands(users: typer.Typer) -> None:
    """Register the administration commands on `polytask users`."""

    @users.command("list")
    def users_list(
        role: Annotated[str | None, typer.Option(help="Only this global role: admin, manager or user.")] = None,
        disabled: Annotated[
            bool | None, typer.Option("--disabled/--active", help="Only disabled, or only active, accounts.")
        ] = None,
    ) -> None:
        """Every account, oldest first: id, username, email, role, state (tab-separated)."""
        from polytask.domain.users.admin import iter_accounts

        if role is not None and role not in ROLES:
            raise _fail(f"--role must be one of {', '.join(ROLES)}, not '{role}'")
        with _unit(readonly=True) as session:
            typer.echo("id\tusername\temail\trole\tstate")
            active = None if disabled is None else not disabled
            for user in iter_accounts(session, role=role, active=active):
                state = "active" if user.is_active else "disabled"
                typer.echo(f"user_{user.id}\t{user.username}\t{user.email}\t{user.role}\t{state}")

    @users.command("show")
    def users_show(user: Annotated[str, USER_ARG]) -> None:
        """One account: its fields, workspaces, API keys and live browser sessions."""
        from polytask.domain.users.admin import account_facts, find_account

        with _unit(readonly=True) as session:
            facts = account_facts(session, find_account(session, user))
            u = facts.user
            lines = [
                ("id", f"user_{u.id}"),
                ("username", u.username),
                ("email", u.email),
                ("name", u.name),
                ("role", u.role),
                ("state", "active" if u.is_active else "disabled"),
                ("password", "set" if facts.has_password else "none (API keys only)"),
                ("created", _when(facts.created_at)),
                ("api keys", f"{facts.live_keys} live, {facts.revoked_keys} revoked"),
                ("browser sessions", f"{facts.live_sessions} live"),
            ]
            for ws_id, ws_name, ws_role in facts.memberships:
                lines.append(("workspace", f"workspace_{ws_id}\t{ws_role}\t{ws_name}"))
        for label, value in lines:
            typer.echo(f"{label + ':':<18}{value}")

    def change(ident: str, done: str, *, role: str | None = None, is_active: bool | None = None) -> None:
        """One account change as the operator; prints `user_<id> (<username>): <done>`."""
        from polytask.domain.users.admin import find_account
        from polytask.domain.users.service import update_user

        with _unit() as session:
            account = find_account(session, ident)
            update_user(session, None, account, role=role, is_active=is_active)
            label = f"user_{account.id} ({account.username})"
        typer.echo(f"{label}: {done}")

    @users.command("set-role")
    def users_set_role(
        user: Annotated[str, USER_ARG],
        role: Annotated[str, typer.Argument(help="The new global role: admin, manager or user.")],
    ) -> None:
        """Change an account's server-wide role (the last active admin cannot be demoted)."""
        if role not in ROLES:
            raise _fail(f"role must be one of {', '.join(ROLES)}, not '{role}'")
        change(user, f"role {role}", role=role)

    @users.command("disable")
    def users_disable(user: Annotated[str, USER_ARG]) -> None:
        """Disable an account: its password, browser sessions, API keys, OAuth tokens and HTTP
        Basic logins stop working (its sessions are ended; its keys come back with `enable`)."""
        change(user, "disabled", is_active=False)

    @users.command("enable")
    def users_enable(user: Annotated[str, USER_ARG]) -> None:
        """Enable a disabled account again (its unrevoked API keys and tokens work again)."""
        change(user, "enabled", is_active=True)

    @users.command("reset-password")
    def users_reset_password(user: Annotated[str, USER_ARG]) -> None:
        """Give an account a new generated password, printed alone on the last line; its
        browser sessions are ended."""
        from polytask.domain.users.admin import find_account
        from polytask.domain.users.service import reset_password

        with _unit() as session:
            account = find_account(session, user)
            password = reset_password(session, None, account)
            label = f"user_{account.id} ({account.username})"
        typer.echo(f"New password for {label}:")
        typer.echo(password)


def add_key_commands(keys: typer.Typer) -> None:
    """Register the administration commands on `polytask api-keys`."""

    @keys.command("list")
    def api_keys_list(
        user: Annotated[str | None, typer.Option(help="Only this user's keys (id, email or username).")] = None,
    ) -> None:
        """Every API key, oldest first: id, user, name, workspace, scopes, created, last used,
        state (tab-separated). Secrets are never stored, so never shown."""
        from polytask.core.clock import as_utc, utcnow
        from polytask.domain.api_keys.service import iter_all_api_keys
        from polytask.domain.users.admin import find_account
        from polytask.models import User

        with _unit(readonly=True) as session:
            owner_id = find_account(session, user).id if user is not None else None
            typer.echo("id\tuser\tname\tworkspace\tscopes\tcreated\tlast_used\tstate")
            now = utcnow()
            logins: dict[int, str] = {}
            for key in iter_all_api_keys(session, user_id=owner_id):
                if key.user_id not in logins:
                    owner = session.get(User, key.user_id)
                    logins[key.user_id] = owner.email if owner is not None else f"user_{key.user_id}"
                expires = as_utc(key.expires_at)
                if key.revoked_at is not None:
                    state = f"revoked {_when(key.revoked_at)}"
                elif expires is not None and expires <= now:
                    state = f"expired {_when(expires)}"
                else:
                    state = "live" if expires is None else f"live until {_when(expires)}"
                workspace = f"workspace_{key.workspace_id}" if key.workspace_id is not None else "-"
                scopes = ",".join(key.scopes) if key.scopes else "all"
                typer.echo(
                    f"key_{key.id}\t{logins[key.user_id]}\t{key.name or '-'}\t{workspace}\t{scopes}\t"
                    f"{_when(key.created_at)}\t{_when(key.last_used_at)}\t{state}"
                )

    @keys.command("revoke")
    def api_keys_revoke(key: Annotated[str, typer.Argument(help="The key's id (key_42 or 42).")]) -> None:
        """Revoke any user's API key; it stops working at once (other servers: within
        POLYTASK_API_KEY_CACHE_SECONDS)."""
        from polytask.core.ids import parse_id, render_id
        from polytask.domain.api_keys.service import revoke_any_api_key

        key_id = parse_id("api_key", key.strip())
        if key_id is None:
            raise _fail(f"not an API key id: {key}")
        with _unit() as session:
            changed = revoke_any_api_key(session, None, key_id=key_id)
        typer.echo(f"{render_id('api_key', key_id)}: {'revoked' if changed else 'was already revoked'}")
