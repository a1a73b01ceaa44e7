"""`polytask dev seed`: its numbers checked, a progress bar, and no seeding over real data
unless forced; run as a subprocess against the test database."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import Project, Task, User
from tests.cli.test_cli import KEY, bearer, failed, ok, polytask
from tests.factories.people import make_person

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(settings: Settings, db: Database, tmp_path: Path) -> Run:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return polytask(*args, database_url=settings.effective_database_url, home=tmp_path)

    return run


def counts(db: Database) -> tuple[int, int, int]:
    with db.unit_of_work(readonly=True) as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(model)) or 0) for model in (User, Project, Task)
        )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--tasks", "-5"), "--tasks"),
        (("--projects", "0"), "--projects"),
        (("--users", "0"), "--users"),
        (("--tasks", "many"), "--tasks"),
    ],
)
def test_numbers_are_checked(cli: Run, db: Database, args: tuple[str, ...], option: str) -> None:
    result = cli("dev", "seed", *args)
    assert result.returncode == 2
    assert f"Invalid value for '{option}'" in result.stderr
    assert counts(db) == (0, 0, 0)


def test_seeds_an_empty_database_and_refuses_one_with_data(cli: Run, client: httpx.Client, db: Database) -> None:
    make_person(db, email="admin@example.com", role="admin")  # what a first `polytask serve` leaves
    result = cli("dev", "seed", "--projects", "2", "--tasks", "31", "--users", "3")
    key = ok(result)
    assert KEY.match(key)
    assert "Seeding tasks" in result.stderr  # the progress bar (its label alone when not a terminal)
    assert "seeded workspace_" in result.stdout
    assert counts(db) == (4, 2, 31)
    assert client.get("/v1/me", headers=bearer(key)).status_code == 200

    message = failed(cli("dev", "seed", "--projects", "1", "--tasks", "5"))
    assert "already holds data (4 users, 2 projects)" in message
    assert "--force" in message
    assert counts(db) == (4, 2, 31)

    ok(cli("dev", "seed", "--projects", "1", "--tasks", "5", "--users", "1", "--force"))
    assert counts(db) == (5, 3, 36)
