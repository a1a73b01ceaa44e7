"""Routes read their parameters by a plan made at start-up (api/kernel/routes.py) instead of
FastAPI's per-request solver. The plan must give every request the answer FastAPI's own
handler gives: the same values, the same 422 (down to each error's `loc` and message), the
same 404 for a malformed id, the same 401. This serves one app with the plans and one
without, sends both the same requests for every planned route, and compares the answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from polytask.api.app import create_app
from polytask.api.kernel.routes import UnitRoute, _plan, fastapi_handlers
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.taskforce.client import basic
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task

Serve = Callable[[FastAPI], AbstractContextManager[str]]

# Whatever varies between two answers to the same request.
_VOLATILE = ("request_id", "timestamp", "meta", "last_used_at", "updated_at", "seen_at", "viewed_at", "exported_at")


def _routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(full path template, route) for every API route the app serves."""
    for entry in app.router.routes:
        contexts = getattr(entry, "effective_route_contexts", None)
        if callable(contexts):
            for context in contexts():
                if isinstance(context.original_route, APIRoute):
                    yield context.path, context.original_route
        elif isinstance(entry, APIRoute):
            yield entry.path, entry


@pytest.fixture(scope="module")
def plain_url(serve_app: Serve, settings: Settings, db: Database) -> Iterator[str]:
    """The same app with FastAPI's own handler on every route."""
    with fastapi_handlers():
        app = create_app(settings, db)
        for entry in app.router.routes:  # build each route's handler while the plans are off
            contexts = getattr(entry, "effective_route_contexts", None)
            if callable(contexts):
                list(contexts())
    with serve_app(app) as url:
        yield url


def _clean(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _clean(v) for k, v in body.items() if k not in _VOLATILE}
    if isinstance(body, list):
        return [_clean(v) for v in body]
    return body


def _answer(r: httpx.Response, base: str, name: bytes = b"") -> tuple[int, str | None, Any]:
    text = r.text.replace(base, "BASE")  # links name the server that answered
    if name:
        text = text.replace(name.decode(), "NAME")
    if "json" in r.headers.get("content-type", ""):
        body: Any = _clean(json.loads(text))
    else:
        # XML and the like: drop the volatile elements' contents.
        body = re.sub(r"<(request-id|timestamp|last-used-at|updated-at)>[^<]*<", "<\\1><", text)
    return r.status_code, r.headers.get("allow"), body


def test_every_route_that_can_has_a_plan(settings: Settings, db: Database) -> None:
    app = create_app(settings, db)
    routes = list(_routes(app))
    # Every API operation; only the documentation pages the app adds itself are plain routes.
    plain = [path for path, route in routes if not isinstance(route, UnitRoute)]
    assert all(not route.include_in_schema for _, route in routes if not isinstance(route, UnitRoute)), plain
    assert len(plain) < 12, plain  # documents and docs pages: two or three per surface
    planned = {(path, m) for path, route in routes if _plan(route) for m in route.methods}
    # The reads the bench measures are among them, on every surface.
    for wanted in (
        ("/v1/tasks/{task_id}", "GET"),
        ("/v1/projects/{project_id}/tasks", "GET"),
        ("/v1/tasks", "GET"),
        ("/api/v1/tasks/{task_id:int}.json", "GET"),
        ("/api/projects", "GET"),
        ("/api/public-v1/project/{uuid}/task", "GET"),
    ):
        assert wanted in planned, wanted
    # Native ids in paths are read by their own check (exact_path_value), the rest by pydantic;
    # test_planned_routes_answer_as_fastapi_does compares both ways with good and bad ids.
    exact = {
        (path, p.alias)
        for path, route in routes
        if (plan := _plan(route)) is not None
        for p in plan.params
        if p.exact is not None
    }
    assert ("/v1/tasks/{task_id}", "task_id") in exact
    assert ("/v1/projects/{project_id}/tasks", "project_id") in exact
    assert not any(path.startswith("/api/") for path, _ in exact)  # Taskforce's ids are plain ints


def _concrete(template: str, ids: dict[str, str], bad: bool) -> str:
    def fill(match: re.Match[str]) -> str:
        name, _, convertor = match.group(1).partition(":")
        if bad:
            return "12345678" if convertor == "int" else "nope_zz"
        if convertor == "int":
            return ids.get(name, "1").rsplit("_", 1)[-1]
        return ids.get(name, "1")

    return re.sub(r"\{([^}]+)\}", fill, template)


@pytest.fixture
def world(client: httpx.Client, db: Database) -> tuple[Person, dict[str, str]]:
    alice, bob = make_person(db, name="Alice"), make_person(db, name="Bob")
    join(db, alice, bob)
    project = make_project(client, alice)
    task = make_task(client, alice, project, name="T", assignee_ids=[bob.id], labels=["x"])
    r = client.post(f"/v1/projects/{project}/sections", json={"name": "S"}, headers=alice.headers)
    assert r.status_code == 201, r.text
    ids = {
        "workspace_id": alice.workspace,
        "project_id": project,
        "task_id": task["id"],
        "section_id": r.json()["data"]["id"],
        "user_id": bob.id,
        "id": project.rsplit("_", 1)[-1],
    }
    return alice, ids


# Answers that differ from one call to the next whoever handles them: counters of the
# requests served, the change stream, which stays open, and task analytics, counted as of
# the current minute (two calls may straddle one).
_NOT_COMPARED = {
    "/metrics",
    "/v1/events/stream",
    "/v1/workspaces/{workspace_id}/analytics",
    "/v1/projects/{project_id}/analytics",
}

QUERIES = (
    "",
    "?limit=abc",
    "?limit=0&page=-2",
    "?page=2&limit=1",
    "?include=assignees",
    "?sort=nope",
    "?x=1",
    "?per_page=abc&page=1.5",
    "?per_page=500",
    "?status=bogus&priority=high",
    "?start_date=notadate&end_date=2024-01-01",
    "?format=xml&currency=EUR",
    "?active=maybe&role=admin",
)


def test_planned_routes_answer_as_fastapi_does(
    settings: Settings, db: Database, base_url: str, plain_url: str, world: tuple[Person, dict[str, str]]
) -> None:
    alice, ids = world
    app = create_app(settings, db)
    compared = 0
    with httpx.Client(timeout=30, follow_redirects=False) as c:
        for template, route in _routes(app):
            if _plan(route) is None or "GET" not in route.methods or template in _NOT_COMPARED:
                continue
            if template.startswith("/api/v1/"):
                auth = basic(alice.email, alice.key)
            else:
                auth = {"Authorization": f"Bearer {alice.key}"}
            for bad in (False, True):
                path = _concrete(template, ids, bad)
                for query in QUERIES:
                    for headers in (auth, {}):
                        a = c.get(base_url + path + query, headers=headers)
                        b = c.get(plain_url + path + query, headers=headers)
                        assert _answer(a, base_url) == _answer(b, plain_url), (
                            path + query,
                            bool(headers),
                            a.text[:300],
                            b.text[:300],
                        )
                        compared += 1
    assert compared > 500


# Bodies a client gets wrong, each with its Content-Type (None: the header is not sent).
# NAME becomes a name of its own in each request: a body that both servers accept creates
# two rows, and the second must not be refused only because the first took its name.
BODIES: tuple[tuple[bytes, str | None], ...] = (
    (b"", None),
    (b"", "application/json"),
    (b"{", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json; charset=utf-8"),
    (b'{"name": 5, "status": [], "priority": {}}', "application/json"),
    (b'{"name": "NAME"}', None),
    (b'{"name": "NAME"}', "text/plain"),
    (b'{"name": "NAME"}', "application/vnd.api+json"),
    (b'{"name": "\xff"}', "application/json"),
    (b"name=x", "application/x-www-form-urlencoded"),
    (b"{}", "application/json"),
)


def test_planned_bodies_answer_as_fastapi_does(
    settings: Settings, db: Database, base_url: str, plain_url: str, world: tuple[Person, dict[str, str]]
) -> None:
    alice, ids = world
    app = create_app(settings, db)
    compared = 0
    with httpx.Client(timeout=30, follow_redirects=False) as c:
        for template, route in _routes(app):
            plan = _plan(route)
            if plan is None or plan.body is None or template.endswith("/rotate"):
                continue  # (rotating the caller's own key would end the comparison)
            auth = {"Authorization": f"Bearer {alice.key}"}
            path = _concrete(template, ids, bad=False)
            for method in sorted(route.methods):
                for content, kind in BODIES:
                    headers = {**auth, **({"Content-Type": kind} if kind else {})}
                    mine, theirs = f"a{compared}".encode(), f"b{compared}".encode()
                    a = c.request(method, base_url + path, content=content.replace(b"NAME", mine), headers=headers)
                    b = c.request(method, plain_url + path, content=content.replace(b"NAME", theirs), headers=headers)
                    compared += 1
                    if a.is_success and b.is_success:
                        continue  # a write that went through twice: its two answers name two rows
                    assert _answer(a, base_url, mine) == _answer(b, plain_url, theirs), (method, path, content, kind)
    assert compared > 300
