"""`polytask users ...` and `polytask api-keys list|revoke`, run as subprocesses against the
test database, and what they change seen over HTTP on every credential path."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from polytask.core.db import Database
from polytask.core.keycache import KEYS
from polytask.core.settings import Settings
from polytask.models import Event
from tests.api.taskflow.conftest import PASSWORD, checked_client, log_in
from tests.cli.test_cli import bearer, failed, ok, polytask
from tests.factories.people import make_person
from tests.oauth.flow import register, tokens_for

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(settings: Settings, db: Database, tmp_path: Path) -> Run:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return polytask(*args, database_url=settings.effective_database_url, home=tmp_path)

    return run


@pytest.fixture
def web(base_url: str, check_response: Callable[[httpx.Response], None]) -> Iterator[httpx.Client]:
    """A client with its own cookie jar (a browser signed in to TaskFlow)."""
    with checked_client(base_url, check_response) as c:
        yield c


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    """For the form-encoded OAuth endpoints and Taskforce's Basic auth (other documents)."""
    with httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


def other_process_changed_keys() -> None:
    """The CLI is another process: the server sees its change when its verified-key cache
    entries expire (POLYTASK_API_KEY_CACHE_SECONDS, core/keycache.py). Expire them now."""
    KEYS.clear()


def events(db: Database, type_: str) -> list[Event]:
    with db.unit_of_work(readonly=True) as session:
        rows = list(session.scalars(select(Event).where(Event.type == type_).order_by(Event.id)))
        session.expunge_all()
        return rows


def rows(output: str) -> list[list[str]]:
    return [line.split("\t") for line in output.strip().splitlines()]


def test_users_list_and_show(cli: Run, db: Database) -> None:
    grace = make_person(db, email="grace@example.com", role="admin", password=PASSWORD)
    linus = make_person(db, email="linus@example.com")
    listed = rows(cli("users", "list").stdout)
    assert listed[0] == ["id", "username", "email", "role", "state"]
    assert listed[1:] == [
        [grace.id, "grace", "grace@example.com", "admin", "active"],
        [linus.id, "linus", "linus@example.com", "user", "active"],
    ]
    assert [r[0] for r in rows(cli("users", "list", "--role", "admin").stdout)[1:]] == [grace.id]
    assert rows(cli("users", "list", "--disabled").stdout)[1:] == []
    assert "--role must be one of" in failed(cli("users", "list", "--role", "emperor"))

    for ident in (linus.id, str(linus.user_id), "LINUS@example.com", "linus"):
        shown = ok_all(cli("users", "show", ident))
        assert f"id:               {linus.id}" in shown
        assert "password:         none (API keys only)" in shown
        assert "api keys:         1 live, 0 revoked" in shown
        assert f"workspace:        {linus.workspace}\towner\t" in shown
        assert linus.key not in shown
    assert "password:         set" in ok_all(cli("users", "show", "grace"))
    message = failed(cli("users", "show", "nobody@example.com"))
    assert "No user with id, email or username 'nobody@example.com'" in message


def ok_all(result: subprocess.CompletedProcess[str]) -> str:
    ok(result)
    return result.stdout


def test_set_role_is_audited_and_shown_over_http(cli: Run, client: httpx.Client, db: Database) -> None:
    make_person(db, email="root@example.com", role="admin")
    ada = make_person(db, email="ada@example.com")
    assert ok(cli("users", "set-role", "ada", "manager")) == f"{ada.id} (ada): role manager"
    other_process_changed_keys()
    assert client.get("/v1/me", headers=ada.headers).json()["data"]["attributes"]["role"] == "manager"
    [event] = events(db, "user.updated")
    assert (event.resource_id, event.actor_user_id, event.changes) == (
        ada.user_id,
        None,
        {"role": {"from": "user", "to": "manager"}},
    )
    assert "role must be one of admin, manager, user, not 'emperor'" in failed(
        cli("users", "set-role", "ada", "emperor")
    )
    assert "No user" in failed(cli("users", "set-role", "user_999", "admin"))
    assert len(events(db, "user.updated")) == 1


def test_the_last_active_admin_stays(cli: Run, db: Database) -> None:
    make_person(db, email="root@example.com", role="admin")
    for args in (("set-role", "root", "user"), ("disable", "root")):
        message = failed(cli("users", *args))
        assert "'root' is the last active admin: promote another first" in message
    make_person(db, email="second@example.com", role="admin")
    ok(cli("users", "disable", "root"))
    message = failed(cli("users", "set-role", "second", "manager"))
    assert "last active admin" in message
    assert events(db, "user.updated")[-1].changes == {"is_active": {"from": True, "to": False}}


def test_a_disabled_user_has_no_way_in(
    cli: Run, base_url: str, client: httpx.Client, http: httpx.Client, web: httpx.Client, db: Database
) -> None:
    """Password, browser session, API key, OAuth token and Taskforce Basic: all refused while
    disabled; enabling brings back the keys and tokens (the ended sessions stay ended)."""
    owner = make_person(db, email="owner@example.com")
    alice = make_person(db, email="alice@example.com", password=PASSWORD)
    app = register(client, owner)
    tokens = tokens_for(base_url, http, app, alice)
    assert log_in(web, "alice").status_code == 200
    ways_in: dict[str, Callable[[], httpx.Response]] = {
        "api key": lambda: client.get("/v1/me", headers=alice.headers),
        "oauth token": lambda: client.get("/v1/workspaces", headers=bearer(tokens["access_token"])),
        "taskforce basic": lambda: http.get("/api/v1/lists.json", auth=(alice.email, alice.key)),
    }
    for name, attempt in ways_in.items():
        assert attempt().status_code == 200, name
    assert web.get("/api/auth/me").status_code == 200

    assert ok(cli("users", "disable", "alice@example.com")) == f"{alice.id} (alice): disabled"
    other_process_changed_keys()
    for name, attempt in ways_in.items():
        assert attempt().status_code == 401, name
    assert web.get("/api/auth/me").status_code == 401
    with checked_client(base_url, client.event_hooks["response"][0]) as fresh:
        assert log_in(fresh, "alice").status_code == 401
    assert "disabled" in ok_all(cli("users", "show", "alice"))
    [disabled] = events(db, "user.updated")
    assert disabled.changes == {"is_active": {"from": True, "to": False}}

    assert ok(cli("users", "enable", "alice")) == f"{alice.id} (alice): enabled"
    other_process_changed_keys()
    for name, attempt in ways_in.items():
        assert attempt().status_code == 200, name
    assert web.get("/api/auth/me").status_code == 401  # disabling ended the session
    with checked_client(base_url, client.event_hooks["response"][0]) as fresh:
        assert log_in(fresh, "alice").status_code == 200
    assert [e.changes for e in events(db, "user.updated")][-1] == {"is_active": {"from": False, "to": True}}


def test_reset_password(cli: Run, base_url: str, client: httpx.Client, web: httpx.Client, db: Database) -> None:
    alice = make_person(db, email="alice@example.com", password=PASSWORD)
    assert log_in(web, "alice").status_code == 200
    result = cli("users", "reset-password", "alice")
    new_password = ok(result)
    assert result.stdout.splitlines()[0] == f"New password for {alice.id} (alice):"
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", new_password)
    assert web.get("/api/auth/me").status_code == 401  # the reset ended the session
    hook = client.event_hooks["response"][0]
    with checked_client(base_url, hook) as fresh:
        assert log_in(fresh, "alice").status_code == 401
        assert log_in(fresh, "alice", new_password).status_code == 200
    [event] = events(db, "user.password_reset")
    assert (event.resource_id, event.actor_user_id, event.snapshot) == (
        alice.user_id,
        None,
        {"sessions_ended": 1, "generated": True},
    )
    assert new_password not in str(event.snapshot) + str(event.changes)
    # A disabled account is enabled first, and a missing one is named.
    ok(cli("users", "disable", "alice"))
    assert "is disabled: enable it first" in failed(cli("users", "reset-password", "alice"))
    assert "No user with id, email or username 'ghost'" in failed(cli("users", "reset-password", "ghost"))
    assert len(events(db, "user.password_reset")) == 1


def test_api_keys_list_and_revoke(cli: Run, client: httpx.Client, db: Database) -> None:
    ada = make_person(db, email="ada@example.com")
    bob = make_person(db, email="bob@example.com", scopes=["users:read"], bind_workspace=True)
    listed = cli("api-keys", "list")
    table = rows(ok_all(listed))
    assert table[0] == ["id", "user", "name", "workspace", "scopes", "created", "last_used", "state"]
    assert [(r[0], r[1], r[3], r[4], r[7]) for r in table[1:]] == [
        ("key_1", "ada@example.com", "-", "all", "live"),
        ("key_2", "bob@example.com", bob.workspace, "users:read", "live"),
    ]
    for person in (ada, bob):
        secret = person.key.split("_", 2)[2]  # ptk_<prefix>_<secret>: the secret may hold "_" itself
        assert secret not in listed.stdout
        assert person.key not in listed.stdout
    assert [r[0] for r in rows(cli("api-keys", "list", "--user", "bob").stdout)[1:]] == ["key_2"]

    assert ok(cli("api-keys", "revoke", "key_1")) == "key_1: revoked"
    assert ok(cli("api-keys", "revoke", "1")) == "key_1: was already revoked"
    other_process_changed_keys()
    assert client.get("/v1/me", headers=ada.headers).status_code == 401
    assert client.get("/v1/me", headers=bob.headers).status_code == 200
    assert rows(cli("api-keys", "list", "--user", "ada").stdout)[1][7].startswith("revoked ")
    [event] = events(db, "api_key.revoked")
    assert (event.resource_id, event.actor_user_id) == (1, None)
    assert "Api key 'key_99' was not found" in failed(cli("api-keys", "revoke", "key_99"))
    assert "not an API key id: task_1" in failed(cli("api-keys", "revoke", "task_1"))
    assert "No user" in failed(cli("api-keys", "list", "--user", "nobody"))
