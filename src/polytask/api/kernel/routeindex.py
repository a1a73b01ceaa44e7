"""Route matching by the path's first two segments, instead of trying every route in turn.

The router tries its routes one after another until one matches, and an included router
tries each of its own: with a few hundred routes over four surfaces, finding
`GET /v1/tasks/{id}` cost about as much as answering it (a 404 tried them all, twice). This
index keeps the router and its rules and only shortens the list it walks: at start-up it
notes, for every top-level route or included router, the templates of its paths (their
length and literal segments); a request is then matched against the entries that have a
template its path fits (or its trailing-slash twin, where the router redirects), in their
registration order, by the same router code. The subset always holds every entry that
could match, in the same order, so the first match, 405s, redirects and the 404 are the
ones the full list gives (tests/api/test_route_index.py compares both on every route).

Subsets are kept per path shape (its segments, each a literal some route names or "any"),
at most 4,096 of them: a client inventing paths costs a fresh subset, never unbounded memory.
"""

from __future__ import annotations

import copy

from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount, Router
from starlette.types import Receive, Scope, Send

_ANY = None  # a request segment that no template names literally
Key = tuple[str | None, ...]
_MAX_KEYS = 4096


class _Template:
    """A path template as its length and literal segments; `open` when it matches longer
    paths too (a mount's subtree, a `{name:path}` parameter)."""

    __slots__ = ("literals", "open", "size")

    def __init__(self, path: str, *, mount: bool = False) -> None:
        parts = path.rstrip("/").split("/")[1:] if mount else path.split("/")[1:]
        self.size = len(parts)
        self.open = mount or any(":path}" in part for part in parts)
        self.literals = {i: part for i, part in enumerate(parts) if "{" not in part}

    def may_match(self, key: Key) -> bool:
        if len(key) != self.size and not (self.open and len(key) >= self.size):
            return False
        return all(key[i] == literal for i, literal in self.literals.items() if i < len(key))


def _templates(route: BaseRoute) -> list[_Template] | None:
    """The path templates an entry of the top-level list can match, or None if unknown."""
    mount = isinstance(route, Mount)
    contexts = getattr(route, "effective_route_contexts", None)
    if callable(contexts):
        out: list[_Template] = []
        for context in contexts():
            path = getattr(context, "path", "") or getattr(getattr(context, "starlette_route", None), "path", "")
            if not isinstance(path, str) or not path.startswith("/"):
                return None
            out.append(_Template(path))
        return out
    path = getattr(route, "path", None)
    if isinstance(path, str) and (path.startswith("/") or (mount and path == "")):
        return [_Template(path or "/", mount=mount)]
    return None


def _context_template(context: object) -> _Template | None:
    path = getattr(context, "path", "") or getattr(getattr(context, "starlette_route", None), "path", "")
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    return _Template(path, mount=isinstance(getattr(context, "starlette_route", None), Mount))


def _narrowed(route: BaseRoute, keys: tuple[Key, Key]) -> BaseRoute:
    """An included router as a copy that tries only its routes the keys fit, else `route`.

    FastAPI matches an included router's request by walking every route it holds, twice
    (once to find the router, once to pick its route): for `/v1` that walk cost as much as
    the rest of routing. The copy keeps FastAPI's code and its order, and only holds fewer
    candidates: those whose template the path (or its trailing-slash twin) fits, and nested
    included routers narrowed the same way. Should the router's routes change after
    start-up, FastAPI's own version check makes the copy walk its full list again.
    """
    candidates = getattr(route, "effective_candidates", None)
    original = getattr(route, "original_router", None)
    version = getattr(original, "_get_routes_version", None)
    if not callable(candidates) or not callable(version) or not hasattr(route, "_effective_candidates"):
        return route
    kept: list[object] = []
    for candidate in candidates():
        if callable(getattr(candidate, "effective_candidates", None)):
            inner = _narrowed(candidate, keys)
            if inner is candidate or getattr(inner, "_effective_candidates", None):
                kept.append(inner)
            continue
        template = _context_template(candidate)
        if template is None or template.may_match(keys[0]) or template.may_match(keys[1]):
            kept.append(candidate)
    narrowed = copy.copy(route)
    narrowed._effective_candidates = kept
    narrowed._effective_candidates_version = version()  # type: ignore[attr-defined]
    return narrowed


class _Entry:
    __slots__ = ("route", "templates")

    def __init__(self, route: BaseRoute) -> None:
        self.route = route
        self.templates = _templates(route)  # None: a candidate for every request

    def may_match(self, key: Key) -> bool:
        return self.templates is None or any(t.may_match(key) for t in self.templates)


class RouteIndex:
    """Installed as the app router's dispatch: picks the router copy whose routes can match."""

    def __init__(self, router: Router) -> None:
        self._router = router
        self._full = router.middleware_stack
        self._build()

    def _build(self) -> None:
        routes = self._router.routes
        self._size = len(routes)
        self._entries = [_Entry(route) for route in routes]
        self._literals = {literal for e in self._entries for t in e.templates or () for literal in t.literals.values()}
        self._routers: dict[tuple[Key, Key], Router] = {}

    def _key(self, path: str) -> Key:
        known = self._literals
        return tuple(part if part in known else _ANY for part in path.split("/")[1:])

    def _keys(self, path: str) -> tuple[Key, Key]:
        """The path's key and that of its trailing-slash twin (the router redirects to it)."""
        twin = path[:-1] if path.endswith("/") else path + "/"
        return self._key(path), self._key(twin)

    def candidates(self, path: str) -> list[BaseRoute]:
        """The entries a request for `path` is matched against, included routers narrowed."""
        keys = self._keys(path)
        return [_narrowed(e.route, keys) for e in self._entries if e.may_match(keys[0]) or e.may_match(keys[1])]

    def _router_for(self, path: str) -> Router:
        if len(self._router.routes) != self._size:
            self._build()  # a route added after start-up (app.get(...) on a built app)
        keys = self._keys(path)
        router = self._routers.get(keys)
        if router is None:
            router = copy.copy(self._router)
            router.routes = self.candidates(path)
            if len(self._routers) >= _MAX_KEYS:
                self._routers.clear()  # shapes of paths clients invent: start again, bounded
            self._routers[keys] = router
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
        await self._router_for(path).app(scope, receive, send)


def index_routes(app: FastAPI) -> RouteIndex:
    """Route the app's requests through a RouteIndex (call once, after every route is added)."""
    router = app.router
    index = RouteIndex(router)
    router.middleware_stack = index
    return index
