"""Fixtures for the TaskFlow surface and browser sessions.

The session cookie is not `Secure` on plain HTTP from a loopback client (the default `auto`
rule, docs/security.md), so Python's cookie jars (requests, httpx) send it back to the suite's
servers on 127.0.0.1; `plain_url` serves the same app and database on a server of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.factories.people import Person, make_person

PASSWORD = "correct horse battery"
Serve = Callable[[ASGIApp], AbstractContextManager[str]]


@contextmanager
def served(serve_app: Serve, settings: Settings, db: Database, **changes: Any) -> Iterator[str]:
    """The app with these settings changed, served on loopback."""
    with serve_app(create_app(settings.model_copy(update=changes), db)) as url:
        yield url


@pytest.fixture(scope="module")
def plain_url(serve_app: Serve, settings: Settings, db: Database) -> Iterator[str]:
    with served(serve_app, settings, db) as url:
        yield url


def checked_client(url: str, check: Callable[[httpx.Response], None], **kwargs: Any) -> httpx.Client:
    """An httpx client (its own cookie jar) whose every response is checked against its
    surface's document (TaskFlow's /api/openapi.json, strictly, for the /api paths)."""
    return httpx.Client(base_url=url, event_hooks={"response": [check]}, timeout=30, **kwargs)


@pytest.fixture
def web(plain_url: str, check_response: Callable[[httpx.Response], None]) -> Iterator[httpx.Client]:
    with checked_client(plain_url, check_response) as c:
        yield c


@pytest.fixture
def alice(db: Database) -> Person:
    return make_person(db, name="Alice", email="alice@taskflow.com", password=PASSWORD, department="Management")


def log_in(c: httpx.Client, login: str, password: str = PASSWORD, **kwargs: Any) -> httpx.Response:
    return c.post("/api/auth/login", json={"username": login, "password": password}, **kwargs)


@pytest.fixture
def signed_in(
    base_url: str, check_response: Callable[[httpx.Response], None], db: Database
) -> Iterator[Callable[..., tuple[Person, httpx.Client]]]:
    """Makes a person with a TaskFlow role and a checked client signed in as them (session cookie)."""
    clients: list[httpx.Client] = []

    def make(username: str, role: str = "user", **kwargs: Any) -> tuple[Person, httpx.Client]:
        person = make_person(db, email=f"{username}@taskflow.com", password=PASSWORD, role=role, **kwargs)
        c = checked_client(base_url, check_response)
        clients.append(c)
        r = log_in(c, username)
        assert r.status_code == 200, r.text
        return person, c

    yield make
    for c in clients:
        c.close()
