"""Retries and idempotency through a loopback proxy that answers 429, 503 and drops connections
in front of the live server: a retried create never duplicates; writes without a key are not
repeated after a failure that may have reached the server; 4xx are not retried."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.clients.js.conftest import Node
from tests.clients.js.proxy import Answer, Drop, DropAfter, Proxy, Relay
from tests.factories.people import Person, make_person
from tests.factories.work import make_project

RATE_LIMITED = json.dumps(
    {"error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Slow down", "details": {}, "request_id": "req_1"}}
).encode()
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def proxy(base_url: str) -> Iterator[Proxy]:
    p = Proxy(base_url).start()
    yield p
    p.stop()


def run(node_sdk: Node, proxy: Proxy, person: Person, body: str, **context: Any) -> Any:
    """Runs `body` with `api` on the proxy (short backoff; Retry-After still honoured) and the
    context's values as `ctx`; the script sets `out`."""
    script = (
        "import { TaskadeAPI, TaskadeError, TaskadeConnectionError } from '@taskade/sdk';\n"
        f"const api = new TaskadeAPI({{ apiKey: {json.dumps(person.key)}, baseURL: '{proxy.url}/v1',\n"
        "  retryBaseDelay: 20 });\n"
        f"const ctx = {json.dumps(context)};\n"
        "let out;\n"
        f"{body}\n"
        "console.log(JSON.stringify(out));\n"
    )
    return node_sdk.result(script)


def task_names(client: httpx.Client, person: Person, project: str) -> list[str]:
    r = client.get(f"/v1/projects/{project}/tasks", params={"limit": 100}, headers=person.headers)
    assert r.status_code == 200, r.text
    return [t["attributes"]["name"] for t in r.json()["data"]]


def test_a_create_retried_after_429_and_a_lost_answer_happens_once(
    node_sdk: Node, proxy: Proxy, client: httpx.Client, db: Database
) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    # First attempt: a 429 asking for 1 s. Second: the server creates the task, the client never
    # hears. Third: relayed; the server replays the stored answer.
    proxy.script("POST", "/v1/tasks", Answer(429, {"Retry-After": "1", **JSON}, RATE_LIMITED), DropAfter(), Relay())
    out = run(
        node_sdk,
        proxy,
        alice,
        "const task = await api.tasks.create({ project_id: ctx.project, name: 'Exactly once' });\n"
        "out = { id: task.id, name: task.name, etag: task.etag };",
        project=project,
    )
    attempts = proxy.requests("POST", "/v1/tasks")
    assert [a.behaviour for a in attempts] == ["Answer", "DropAfter", "Relay"]
    keys = {a.header("idempotency-key") for a in attempts}
    assert len(keys) == 1
    assert None not in keys
    assert attempts[1].at - attempts[0].at >= 1.0, "Retry-After: 1 was not waited for"
    assert attempts[1].upstream_status == 201
    assert attempts[2].upstream_status == 201
    assert attempts[2].upstream_headers.get("idempotent-replayed") == "true"
    assert out["name"] == "Exactly once"
    assert out["etag"]
    assert task_names(client, alice, project) == ["Exactly once"]


def test_bulk_create_retried_after_a_lost_answer_creates_once(
    node_sdk: Node, proxy: Proxy, client: httpx.Client, db: Database
) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    path = f"/v1/projects/{project}/tasks/bulk"
    proxy.script("POST", path, Drop(), DropAfter(), Relay())
    out = run(
        node_sdk,
        proxy,
        alice,
        "const made = await api.bulk.createTasks(ctx.project, { tasks: [{ name: 'A' }, { name: 'B' }] });\n"
        "out = made.map((t) => t.name);",
        project=project,
    )
    assert out == ["A", "B"]
    assert len(proxy.requests("POST", path)) == 3
    assert sorted(task_names(client, alice, project)) == ["A", "B"]


def test_reads_are_retried_after_5xx_and_dropped_connections(
    node_sdk: Node, proxy: Proxy, client: httpx.Client, db: Database
) -> None:
    alice = make_person(db)
    project = make_project(client, alice, name="Kept")
    proxy.script("GET", f"/v1/projects/{project}", Answer(503, JSON, b'{"error": {}}'), Drop(), Relay())
    out = run(node_sdk, proxy, alice, "out = (await api.projects.get(ctx.project)).name;", project=project)
    assert out == "Kept"
    assert len(proxy.requests("GET", f"/v1/projects/{project}")) == 3


def test_a_write_without_a_key_is_not_repeated_after_a_lost_answer(
    node_sdk: Node, proxy: Proxy, client: httpx.Client, db: Database
) -> None:
    """Without an Idempotency-Key a POST that may have run is not sent again: the caller gets a
    connection error (and the one task the server made), never two."""
    alice = make_person(db)
    project = make_project(client, alice)
    proxy.script("POST", "/v1/tasks", DropAfter())
    out = run(
        node_sdk,
        proxy,
        alice,
        "try {\n"
        "  await api.tasks.create({ project_id: ctx.project, name: 'No key' }, { idempotencyKey: false });\n"
        "  out = 'no error';\n"
        "} catch (error) {\n"
        "  out = { connection: error instanceof TaskadeConnectionError, code: error.code };\n"
        "}",
        project=project,
    )
    assert out == {"connection": True, "code": "CONNECTION_ERROR"}
    attempts = proxy.requests("POST", "/v1/tasks")
    assert len(attempts) == 1
    assert attempts[0].header("idempotency-key") is None
    assert task_names(client, alice, project) == ["No key"]


def test_429_gives_up_after_max_retries_with_the_error(
    node_sdk: Node, proxy: Proxy, client: httpx.Client, db: Database
) -> None:
    alice = make_person(db)
    proxy.script("GET", "/v1/workspaces", *[Answer(429, {"Retry-After": "0", **JSON}, RATE_LIMITED)] * 3)
    out = run(
        node_sdk,
        proxy,
        alice,
        "try {\n"
        "  await api.workspaces.list({}, { maxRetries: 2 });\n"
        "} catch (error) {\n"
        "  out = { status: error.status, code: error.code, retryAfter: error.retryAfter,\n"
        "    error: error instanceof TaskadeError };\n"
        "}",
    )
    assert out == {"status": 429, "code": "RATE_LIMIT_EXCEEDED", "retryAfter": 0, "error": True}
    assert len(proxy.requests("GET", "/v1/workspaces")) == 3


def test_client_errors_are_not_retried(node_sdk: Node, proxy: Proxy, client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    out = run(
        node_sdk,
        proxy,
        alice,
        "try {\n"
        "  await api.post('/v1/tasks', { name: 'No project', project_id: 'project_999999' });\n"
        "} catch (error) {\n"
        "  out = { status: error.status, code: error.code, field: error.details.field,\n"
        "    requestId: !!error.requestId };\n"
        "}",
    )
    # A project you cannot see is a 404 (field undefined: JSON.stringify leaves it out).
    assert out == {"status": 404, "code": "RESOURCE_NOT_FOUND", "requestId": True}
    assert len(proxy.requests("POST", "/v1/tasks")) == 1


def test_a_409_for_a_key_still_running_is_retried_and_other_conflicts_are_not(
    node_sdk: Node, proxy: Proxy, client: httpx.Client, db: Database
) -> None:
    """The server answers 409 naming Idempotency-Key while the first attempt with that key is still
    running (src/polytask/api/idempotency.py); the client waits and asks again with the same key.
    Any other 409 is the caller's to handle."""
    alice = make_person(db)
    project = make_project(client, alice)
    running = {"error": {"code": "CONFLICT", "message": "still running", "details": {"field": "Idempotency-Key"}}}
    other = {"error": {"code": "CONFLICT", "message": "taken", "details": {"field": "name"}}}
    proxy.script("POST", "/v1/tasks", Answer(409, JSON, json.dumps(running).encode()), Relay())
    proxy.script("POST", f"/v1/projects/{project}/sections", Answer(409, JSON, json.dumps(other).encode()))
    out = run(
        node_sdk,
        proxy,
        alice,
        "const task = await api.tasks.create({ project_id: ctx.project, name: 'After the wait' });\n"
        "let conflict;\n"
        "try {\n"
        "  await api.sections.create(ctx.project, { name: 'Doing' });\n"
        "} catch (error) {\n"
        "  conflict = [error.status, error.details.field];\n"
        "}\n"
        "out = { task: task.name, conflict };",
        project=project,
    )
    assert out == {"task": "After the wait", "conflict": [409, "name"]}
    attempts = proxy.requests("POST", "/v1/tasks")
    assert len(attempts) == 2
    assert attempts[0].header("idempotency-key") == attempts[1].header("idempotency-key")
    assert len(proxy.requests("POST", f"/v1/projects/{project}/sections")) == 1
    assert task_names(client, alice, project) == ["After the wait"]
