"""Route matching by the path's first two segments, instead of trying every route in turn.

The router tries its routes one after another until one matches, and an included router
tries each of its own: with a few hundred routes over four surfaces, finding
`GET /v1/tasks/{id}` cost about as much as answering it (a 404 tried them all, twice). This
index keeps the router and its rules and only shortens the list it walks: at start-up it
notes, for every top-level route or included router, the first two segments its paths can
start with (a literal, or any value where the template has a parameter); a request is then
matched against the entries that can match it, in their registration order, by the same
router code. The subset always holds every entry that could match, in the same order, so
the first match, 405s, trailing-slash redirects and the 404 are the ones the full list
gives (tests/api/test_route_index.py compares both on every route).

Subsets are kept per pair of known literals (a segment no route names counts as "any"), so
their number is bounded by the routes, never by what clients send.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount, Router
from starlette.types import Receive, Scope, Send

_ANY = None  # a template segment with a parameter, or a request segment no route names
Pattern = tuple[str | None, str | None]


def _pattern(path: str, *, prefix_only: bool = False) -> Pattern:
    """The first two segments of a path template; a parameter (or a mount's subtree) matches any."""
    parts = path.split("/")[1:3]
    segments: list[str | None] = []
    for part in parts:
        segments.append(None if (not part or "{" in part) else part)
    while len(segments) < 2:
        segments.append(_ANY)
    if prefix_only and len(parts) < 2:
        # A mount at /docs matches /docs/anything: its second segment is free.
        segments[1] = _ANY
    return segments[0], segments[1]


def _leaf_paths(route: BaseRoute) -> list[str] | None:
    """The full path templates an entry of the top-level list can match, or None if unknown."""
    contexts = getattr(route, "effective_route_contexts", None)
    if callable(contexts):
        paths: list[str] = []
        for context in contexts():
            path = getattr(context, "path", "") or getattr(getattr(context, "starlette_route", None), "path", "")
            if not isinstance(path, str) or not path.startswith("/"):
                return None
            paths.append(path)
        return paths
    path = getattr(route, "path", None)
    if isinstance(path, str) and path.startswith("/"):
        return [path]
    return None


class _Entry:
    __slots__ = ("patterns", "route")

    def __init__(self, route: BaseRoute) -> None:
        self.route = route
        paths = _leaf_paths(route)
        mount = isinstance(route, Mount)
        # Unknown shape: a candidate for every request.
        self.patterns: list[Pattern] = (
            [(_ANY, _ANY)] if paths is None else [_pattern(p, prefix_only=mount) for p in paths]
        )

    def may_match(self, first: str | None, second: str | None) -> bool:
        return any((p0 is None or p0 == first) and (p1 is None or p1 == second) for p0, p1 in self.patterns)


class RouteIndex:
    """Installed as the app router's dispatch: picks the router copy whose routes can match."""

    def __init__(self, router: Router) -> None:
        self._router = router
        self._full = router.middleware_stack
        self._entries = [_Entry(route) for route in router.routes]
        self._first = {p[0] for e in self._entries for p in e.patterns if p[0] is not None}
        self._second = {p[1] for e in self._entries for p in e.patterns if p[1] is not None}
        self._routers: dict[Pattern, Router] = {}

    def candidates(self, path: str) -> list[BaseRoute]:
        first, second = self._key(path)
        return [e.route for e in self._entries if e.may_match(first, second)]

    def _key(self, path: str) -> Pattern:
        parts = path.split("/", 3)
        first = parts[1] if len(parts) > 1 else ""
        second = parts[2] if len(parts) > 2 else ""
        return (first if first in self._first else _ANY, second if second in self._second else _ANY)

    def _router_for(self, key: Pattern) -> Router:
        router = self._routers.get(key)
        if router is None:
            router = copy.copy(self._router)
            router.routes = [e.route for e in self._entries if e.may_match(*key)]
            self._routers[key] = router
        return router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._full(scope, receive, send)
            return
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        # Names resolve against every route (request.url_for), whichever subset matched.
        scope.setdefault("router", self._router)
        await self._router_for(self._key(path)).app(scope, receive, send)


def index_routes(app: FastAPI) -> RouteIndex:
    """Route the app's requests through a RouteIndex (call once, after every route is added)."""
    router = app.router
    index = RouteIndex(router)
    router.middleware_stack = index
    return index


def entries(index: RouteIndex) -> Iterable[Any]:
    return index._entries
