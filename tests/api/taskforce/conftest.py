"""Fixtures for the Taskforce surface: a person with a Basic-auth client per format."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from polytask.core.db import Database
from tests.api.taskforce.client import FORMATS, Taskforce
from tests.factories.people import Person, make_person


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def alice(db: Database) -> Person:
    return make_person(db, name="John Doe", email="johndoe@test.com")


@pytest.fixture
def tf(base_url: str, alice: Person, fmt: str) -> Iterator[Taskforce]:
    client = Taskforce(base_url, alice, fmt)
    yield client
    client.close()
