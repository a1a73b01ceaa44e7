"""The route index (api/kernel/routeindex.py) shortens the list of routes a request is matched
against; it must never change which route answers, nor the 404, 405 or redirect."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Match

from polytask.api.app import create_app
from polytask.api.kernel.routeindex import RouteIndex
from polytask.core.db import Database
from polytask.core.settings import Settings

Serve = Callable[[FastAPI], AbstractContextManager[str]]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _scope(method: str, path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "path_params": {},
    }


def _leaf(route: BaseRoute, method: str, path: str) -> int:
    """The route that answers inside an included router (whose narrowed copy is another object)."""
    pick = getattr(route, "_match", None)
    if not callable(pick):
        return id(route)
    _found, _, inner, _ = pick(_scope(method, path))
    return -1 if inner is None else _leaf(inner, method, path)


def _first_match(routes: Sequence[BaseRoute], method: str, path: str) -> tuple[Match, int | None]:
    """What the router would pick: the first full match, else the first partial one, down
    to the route inside an included router."""
    partial: int | None = None
    for route in routes:
        match, _ = route.matches(_scope(method, path))
        if match == Match.FULL:
            return Match.FULL, _leaf(route, method, path)
        if match == Match.PARTIAL and partial is None:
            partial = _leaf(route, method, path)
    return (Match.PARTIAL, partial) if partial is not None else (Match.NONE, None)


def _samples(index: RouteIndex) -> Iterator[str]:
    """Concrete paths for every route template, near misses, and paths no route names."""
    for entry in index._entries:
        paths = getattr(entry.route, "effective_route_contexts", None)
        templates = [c.path for c in paths()] if callable(paths) else [getattr(entry.route, "path", "/")]
        for template in templates:
            concrete = re.sub(r"\{[^}]+\}", "1", template)
            yield concrete
            yield concrete + "/"
            yield concrete + "/extra"
            yield re.sub(r"\{[^}]+\}", "task_7", template)
    yield from ("/", "/v1", "/v1/", "/nothing", "/v1/nothing/here", "/api", "/api/v1", "/api/v2/x", "/docs/x/y")


def test_the_index_picks_what_the_full_list_picks(settings: Settings, db: Database) -> None:
    app = create_app(settings, db)
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    routes = list(app.router.routes)
    checked = 0
    for path in set(_samples(index)):
        candidates = index.candidates(path)
        for method in METHODS:
            assert _first_match(candidates, method, path) == _first_match(routes, method, path), (method, path)
            checked += 1
    assert checked > 1000
    # It really shortens the list: a task read meets a handful of entries, not all of them,
    # and inside /v1's router a handful of its routes.
    assert len(index.candidates("/v1/tasks/task_1")) < len(routes) // 3

    def sizes(found: Sequence[BaseRoute]) -> list[int]:
        return [len(list(r.effective_route_contexts())) for r in found if hasattr(r, "_match")]

    inner, whole = sizes(index.candidates("/v1/tasks/task_1")), sizes(routes)
    assert inner
    assert max(inner) < max(whole) // 10, (inner, whole)


@pytest.fixture(scope="module")
def unindexed_url(serve_app: Serve, settings: Settings, db: Database) -> Iterator[str]:
    app = create_app(settings, db)
    app.router.middleware_stack = app.router.app  # every route in turn, as without the index
    with serve_app(app) as url:
        yield url


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/tasks/task_1"),
        ("GET", "/v1/no-such-thing"),
        ("DELETE", "/v1/me"),
        ("PUT", "/healthz"),
        ("GET", "/healthz/"),
        ("GET", "/v1/tasks/"),
        ("GET", "/api/v1/tasks.json"),
        ("GET", "/api/v1/tasks/1.xml"),
        ("PATCH", "/api/v1/tasks/1.json"),
        ("GET", "/api/nothing"),
        ("GET", "/api/public-v1/projects"),
        ("POST", "/oauth/token"),
        ("GET", "/openapi.json"),
        ("GET", "/%E2%9C%93/x"),
    ],
)
def test_answers_are_those_of_the_full_list(base_url: str, unindexed_url: str, method: str, path: str) -> None:
    with httpx.Client(timeout=30, follow_redirects=False) as c:
        a = c.request(method, base_url + path)
        b = c.request(method, unindexed_url + path)
    assert a.status_code == b.status_code, (path, a.text, b.text)
    assert a.headers.get("allow") == b.headers.get("allow")
    assert a.headers.get("location", "").replace(base_url, "") == b.headers.get("location", "").replace(
        unindexed_url, ""
    )
    if a.headers.get("content-type", "").startswith("application/json") and a.status_code != 200:
        strip = ("request_id", "timestamp", "meta")

        def clean(body: Any) -> Any:
            if isinstance(body, dict):
                return {k: clean(v) for k, v in body.items() if k not in strip}
            return body

        assert clean(a.json()) == clean(b.json())
