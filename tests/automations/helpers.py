"""Automations over HTTP, and the runner driven one pass at a time (worker/automations.py)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import AutomationRun
from polytask.worker.automations import run_due
from tests.factories.people import Person


def make_automation(client: httpx.Client, owner: Person, path: str | None = None, **body: Any) -> dict[str, Any]:
    r = client.post(path or f"/v1/workspaces/{owner.workspace}/automations", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def drain(db: Database, settings: Settings, *, passes: int = 50) -> int:
    """Run passes until one finds nothing due (bounded: a loop that never ends fails)."""
    total = 0
    for _ in range(passes):
        done = run_due(db, settings)
        if done == 0:
            return total
        total += done
    raise AssertionError(f"runs still due after {passes} passes")


def runs(db: Database) -> list[AutomationRun]:
    with db.unit_of_work(readonly=True) as session:
        found = list(session.scalars(select(AutomationRun).order_by(AutomationRun.id)))
        session.expunge_all()
        return found


def comments_of(client: httpx.Client, owner: Person, task: str) -> list[str]:
    r = client.get(f"/v1/tasks/{task}/comments", headers=owner.headers)
    assert r.status_code == 200, r.text
    return [c["attributes"]["body"] for c in r.json()["data"]]


def assignees_of(client: httpx.Client, owner: Person, task: str) -> list[str]:
    r = client.get(f"/v1/tasks/{task}", headers=owner.headers)
    assert r.status_code == 200, r.text
    return list(r.json()["data"]["attributes"]["assignee_ids"])
