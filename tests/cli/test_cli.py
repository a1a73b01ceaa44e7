"""The `polytask` command-line contract, run as a subprocess against the test database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer

from polytask.cli.main import app
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import authenticate_api_key
from polytask.domain.users.service import find_user_by_login, verify_password
from tests.factories.people import make_person

POLYTASK = Path(sys.prefix) / "bin" / "polytask"
Run = Callable[..., subprocess.CompletedProcess[str]]
KEY = re.compile(r"^ptk_[0-9a-f]+_[A-Za-z0-9_-]+$")


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group of the CLI, found by walking the Typer/Click tree."""
    paths = [prefix]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        paths.extend(_command_paths(sub, (*prefix, name)))
    return paths


ALL_COMMANDS = _command_paths(typer.main.get_command(app))


def polytask(*args: str, database_url: str | None = None, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    if database_url is not None:
        env["POLYTASK_DATABASE_URL"] = database_url
    if home is not None:
        env["POLYTASK_HOME"] = str(home)
    return subprocess.run([str(POLYTASK), *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli(settings: Settings, db: Database, tmp_path: Path) -> Run:
    """Run `polytask ...` against the migrated test database."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return polytask(*args, database_url=settings.effective_database_url, home=tmp_path)

    return run


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result.stdout.strip().splitlines()[-1]


def failed(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    return result.stderr + result.stdout


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_contract_commands_exist() -> None:
    assert {("serve",), ("migrate",), ("users", "create"), ("api-keys", "create")} <= set(ALL_COMMANDS)


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "polytask")
def test_help_on_every_command(path: tuple[str, ...], tmp_path: Path) -> None:
    result = polytask(*path, "--help", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    assert "polytask " + " ".join(path) in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("path", "options"),
    [
        (("serve",), ["--host", "--port", "--workers"]),
        (("users", "create"), ["--email", "--username", "--name", "--password", "--role"]),
        (("api-keys", "create"), ["--user", "--workspace", "--name", "--scopes"]),
    ],
)
def test_help_lists_the_contract_options(path: tuple[str, ...], options: list[str], tmp_path: Path) -> None:
    out = polytask(*path, "--help", home=tmp_path).stdout
    for option in options:
        assert option in out, f"{' '.join(path)} --help does not mention {option}"


def test_migrate(cli: Run, client: httpx.Client) -> None:
    result = cli("migrate")
    assert ok(result) == "Database is up to date."
    assert client.get("/readyz").status_code == 200


def test_migrate_creates_a_fresh_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    ok(polytask("migrate", database_url=f"sqlite:///{path}", home=tmp_path))
    assert path.exists()
    # Running it again is a no-op.
    ok(polytask("migrate", database_url=f"sqlite:///{path}", home=tmp_path))


def test_users_create_then_api_key(cli: Run, client: httpx.Client, db: Database) -> None:
    user_id = ok(
        cli(
            "users",
            "create",
            "--email",
            "Grace@Example.com",
            "--username",
            "grace",
            "--name",
            "Grace Hopper",
            "--password",
            "cobol-rules-1959",
            "--role",
            "manager",
        )
    )
    assert re.fullmatch(r"user_\d+", user_id)
    result = cli("api-keys", "create", "--user", "grace")
    key = ok(result)
    assert KEY.match(key)
    me = client.get("/v1/me", headers=bearer(key))
    assert me.status_code == 200
    data = me.json()["data"]
    assert data["id"] == user_id
    assert data["attributes"]["email"] == "grace@example.com"
    assert data["attributes"]["username"] == "grace"
    assert data["attributes"]["name"] == "Grace Hopper"
    assert data["attributes"]["role"] == "manager"
    # The personal workspace exists and Grace owns it.
    workspaces = client.get("/v1/workspaces", headers=bearer(key)).json()
    assert workspaces["meta"]["total"] == 1
    ws = workspaces["data"][0]
    assert ws["attributes"]["name"] == "Grace Hopper's workspace"
    member = client.get(f"/v1/workspaces/{ws['id']}/users/{user_id}", headers=bearer(key)).json()
    assert member["data"]["attributes"]["role"] == "owner"
    with db.unit_of_work(readonly=True) as session:
        user = find_user_by_login(session, "grace@example.com")
        assert user is not None
        assert verify_password(user, "cobol-rules-1959")
        assert not verify_password(user, "wrong")


def test_users_create_minimal(cli: Run, client: httpx.Client) -> None:
    user_id = ok(cli("users", "create", "--email", "ada@example.com"))
    key = ok(cli("api-keys", "create", "--user", "ADA@example.com"))
    attrs = client.get("/v1/me", headers=bearer(key)).json()["data"]
    assert attrs["id"] == user_id
    assert attrs["attributes"]["username"] == "ada"
    assert attrs["attributes"]["role"] == "user"


def test_users_create_refuses_duplicates_and_bad_input(cli: Run, db: Database) -> None:
    make_person(db, email="linus@example.com")  # username "linus", from the email
    message = failed(cli("users", "create", "--email", "LINUS@example.com"))
    assert "already exists" in message
    assert "linus@example.com" in message
    message = failed(cli("users", "create", "--email", "other@example.com", "--username", "Linus"))
    assert "already exists" in message
    assert "username" in message
    assert "role" in failed(cli("users", "create", "--email", "x@example.com", "--role", "emperor"))
    assert "email" in failed(cli("users", "create", "--email", "not-an-email"))
    assert "password" in failed(cli("users", "create", "--email", "y@example.com", "--password", "short"))
    assert "--email" in failed(cli("users", "create"))


def _scopes(db: Database, key: str) -> frozenset[str] | None:
    with db.unit_of_work(readonly=True) as session:
        return authenticate_api_key(session, key).actor.scopes


def test_api_key_scopes(cli: Run, db: Database) -> None:
    """Scopes are stored as given (deduplicated); unknown names are refused."""
    make_person(db, email="scoped@example.com")
    cases: list[tuple[list[str], set[str] | None]] = [
        ([], None),
        (["--scopes", "projects:read tasks:write"], {"projects:read", "tasks:write"}),
        (["--scopes", "projects:read,tasks:write"], {"projects:read", "tasks:write"}),
        (
            ["--scopes", "projects:read", "--scopes", "tasks:write, users:read"],
            {"projects:read", "tasks:write", "users:read"},
        ),
        (["--scopes", "admin admin", "--scopes", "admin"], {"admin"}),
    ]
    for args, expected in cases:
        key = ok(cli("api-keys", "create", "--user", "scoped@example.com", "--name", "ci", *args))
        assert _scopes(db, key) == (frozenset(expected) if expected is not None else None), args
    message = failed(cli("api-keys", "create", "--user", "scoped@example.com", "--scopes", "tasks:read tasks:fly"))
    assert "tasks:fly" in message


def test_api_key_prints_the_key_alone_on_the_last_line(cli: Run, client: httpx.Client, db: Database) -> None:
    make_person(db, email="last@example.com")
    result = cli("api-keys", "create", "--user", "last@example.com", "--name", "deploy bot")
    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert KEY.fullmatch(lines[-1]), result.stdout
    other = ok(cli("api-keys", "create", "--user", "last@example.com"))
    assert other != lines[-1]
    assert client.get("/v1/me", headers=bearer(other)).status_code == 200


def test_api_key_bound_to_a_workspace(cli: Run, client: httpx.Client, db: Database) -> None:
    person = make_person(db, email="bound@example.com")
    personal = person.workspace
    second = client.post("/v1/workspaces", json={"name": "Second"}, headers=person.headers).json()["data"]["id"]
    key = ok(cli("api-keys", "create", "--user", "bound@example.com", "--workspace", second))
    listed = client.get("/v1/workspaces", headers=bearer(key)).json()
    assert [w["id"] for w in listed["data"]] == [second]
    assert client.get(f"/v1/workspaces/{personal}", headers=bearer(key)).status_code == 404
    # The bare number is accepted too.
    numeric = ok(cli("api-keys", "create", "--user", "bound@example.com", "--workspace", personal.split("_")[1]))
    assert [w["id"] for w in client.get("/v1/workspaces", headers=bearer(numeric)).json()["data"]] == [personal]


def test_api_key_refusals(cli: Run, db: Database) -> None:
    make_person(db, email="someone@example.com")
    foreign = make_person(db).workspace
    assert "nobody@example.com" in failed(cli("api-keys", "create", "--user", "nobody@example.com"))
    assert "not found" in failed(cli("api-keys", "create", "--user", "someone@example.com", "--workspace", foreign))
    assert "workspace_999999" in failed(
        cli("api-keys", "create", "--user", "someone@example.com", "--workspace", "workspace_999999")
    )
    assert "abc" in failed(cli("api-keys", "create", "--user", "someone@example.com", "--workspace", "abc"))
    assert "--user" in failed(cli("api-keys", "create"))


def test_api_key_expiry(cli: Run, client: httpx.Client, db: Database) -> None:
    make_person(db, email="hopper@example.com")
    key = ok(cli("api-keys", "create", "--user", "hopper@example.com", "--expires-at", "2999-01-01T00:00:00Z"))
    assert client.get("/v1/me", headers=bearer(key)).status_code == 200
    listed = client.get("/v1/api-keys", headers=bearer(key)).json()["data"]
    assert listed[-1]["attributes"]["expires_at"] == "2999-01-01T00:00:00Z"
    key = ok(cli("api-keys", "create", "--user", "hopper@example.com", "--expires-at", "2001-01-01T00:00:00"))
    assert client.get("/v1/me", headers=bearer(key)).status_code == 401
    assert "expires_at" in failed(cli("api-keys", "create", "--user", "hopper@example.com", "--expires-at", "soon"))


def test_dev_seed_scale_builds_the_query_benchmark_data(cli: Run, client: httpx.Client) -> None:
    """The data `make bench` times: the big project, its number field, and the search word."""
    key, project, user = ok(
        cli("dev", "seed-scale", "--workspaces=2", "--projects=3", "--big=30", "--tasks=40")
    ).split()
    h = bearer(key)
    assert len(client.get("/v1/workspaces", headers=h).json()["data"]) == 3  # two seeded + the personal one
    r = client.get(f"/v1/projects/{project}/tasks", params={"limit": 1, "total": "true", "cursor": ""}, headers=h)
    assert r.json()["meta"]["total"] == 30
    assert client.get("/v1/tasks", params={"limit": 1, "total": "true"}, headers=h).json()["meta"]["total"] == 40
    r = client.get("/v1/tasks", params={"search": "quokka", "limit": 100}, headers=h)
    assert len(r.json()["data"]) == 20
    fields = client.get(f"/v1/projects/{project}/custom-fields", headers=h).json()["data"]
    assert [f["attributes"]["key"] for f in fields] == ["estimate"]
    r = client.get(f"/v1/projects/{project}/tasks", params={"assignee": user}, headers=h)
    assert r.status_code == 200
    assert r.json()["data"]
    assert "--big must be" in failed(cli("dev", "seed-scale", "--big=50", "--tasks=40"))
