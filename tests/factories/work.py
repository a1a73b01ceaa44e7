"""Projects and tasks, created over HTTP as a client would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories.people import Person


def make_project(client: httpx.Client, owner: Person, *, workspace: str | None = None, **fields: Any) -> str:
    body = {"name": "A project", **fields}
    r = client.post(f"/v1/workspaces/{workspace or owner.workspace}/projects", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["data"]["id"])


def make_task(client: httpx.Client, owner: Person, project: str, **fields: Any) -> dict[str, Any]:
    body = {"name": "A task", **fields}
    r = client.post(f"/v1/projects/{project}/tasks", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data
