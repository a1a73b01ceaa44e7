"""Fixtures for the TaskIP surface (/api/public-v1): a client that sends a person's key as
`X-Secret-Key`, every response checked against TaskIP's own document."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.factories.people import Person, make_person

BASE = "/api/public-v1"


def key_of(person: Person) -> dict[str, str]:
    return {"X-Secret-Key": person.key}


@pytest.fixture
def owner(db: Database) -> Person:
    return make_person(db, name="Olive Owner", email="olive@example.com")


@pytest.fixture
def stranger(db: Database) -> Person:
    return make_person(db, name="Sam Stranger", email="sam@example.com")


def new_project(client: httpx.Client, person: Person, **fields: Any) -> dict[str, Any]:
    r = client.post(f"{BASE}/project", json={"name": "Website", **fields}, headers=key_of(person))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def new_task(client: httpx.Client, person: Person, project_uuid: str, **fields: Any) -> dict[str, Any]:
    r = client.post(f"{BASE}/project/{project_uuid}/task", json={"title": "Do it", **fields}, headers=key_of(person))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def new_container(client: httpx.Client, person: Person, project_uuid: str, **fields: Any) -> dict[str, Any]:
    body = fields if "title" in fields else {"name": "To do", **fields}
    r = client.post(f"{BASE}/project/{project_uuid}/container", json=body, headers=key_of(person))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data
