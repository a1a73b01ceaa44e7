"""HEAD on every GET resource (RFC 9110 9.3.2): the status and headers GET would send,
Content-Length included, and no body; on every surface, through the real server stack."""

from __future__ import annotations

import base64

import httpx

from polytask.core.db import Database
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task

_SAME = ("content-type", "content-length", "etag", "cache-control", "x-ratelimit-limit")


def _same_as_get(client: httpx.Client, path: str, headers: dict[str, str]) -> httpx.Response:
    got = client.get(path, headers=headers)
    head = client.head(path, headers=headers)
    assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
    assert head.content == b""
    for name in _SAME:
        assert head.headers.get(name) == got.headers.get(name), (path, name)
    assert head.headers["x-request-id"]
    return head


def test_head_answers_as_get_without_a_body(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    for path in (
        "/v1/me",
        f"/v1/tasks/{task}",
        f"/v1/projects/{project}/tasks?limit=5",
        "/v1/tasks/task_999999",  # a 404 in the native error shape, its length announced
        "/openapi.json",
    ):
        _same_as_get(client, path, alice.headers)
    assert client.head("/v1/tasks/task_999999", headers=alice.headers).status_code == 404
    assert client.head("/v1/me").status_code == 401
    # Taskforce (HTTP Basic, XML) and TaskIP (X-Secret-Key) answer it too.
    basic = base64.b64encode(f"{alice.email}:{alice.key}".encode()).decode()
    numeric = task.rsplit("_", 1)[1]
    _same_as_get(client, f"/api/v1/tasks/{numeric}.xml", {"Authorization": f"Basic {basic}"})
    _same_as_get(client, "/api/public-v1/project", {"X-Secret-Key": alice.key})


def test_the_allow_header_names_head_with_get(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = client.delete("/v1/me", headers=alice.headers)
    assert r.status_code == 405
    assert "HEAD" in r.headers["allow"].split(", ")
    assert "GET" in r.headers["allow"].split(", ")
    r = client.put("/v1/tasks/bulk", headers=alice.headers, json={})
    assert r.status_code == 405
    assert "HEAD" not in r.headers["allow"]
