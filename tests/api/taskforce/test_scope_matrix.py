"""Scope x route matrix for the Taskforce surface: every route, in every format suffix, with a
key lacking its scope gets the surface's 403 naming the scope; with the scope, it gets past it.

The routes are read from the application itself (they are not in /openapi.json), so a new
Taskforce route is in the matrix as soon as it exists."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.scopes import SCOPES
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import create_api_key
from polytask.models import User
from tests.api.taskforce.client import Taskforce, basic, checked
from tests.factories.people import Person, make_person

# Routes that need no credential at all (sign-up has its own switch; see test_protocol.py).
PUBLIC = {("POST", "/api/v1/user"), ("POST", "/api/v1/user.json"), ("POST", "/api/v1/user.xml")}


def taskforce_routes(settings: Settings, db: Database) -> list[tuple[str, str, str | None]]:
    app = create_app(settings, db)
    routes = []
    for route in iter_route_contexts(app.routes):
        if (route.name or "").startswith("taskforce."):
            scope = getattr(route.endpoint, "required_scope", None)
            for method in sorted(route.methods or ()):
                routes.append((method, route.path, scope))
    return routes


def key_for(db: Database, person: Person, scopes: list[str]) -> dict[str, str]:
    with db.unit_of_work() as session:
        user = session.get(User, person.user_id)
        assert user is not None
        return basic(person.email, create_api_key(session, None, user=user, scopes=scopes).secret)


def fill(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(ids[m.group(1)]), path)


def test_every_taskforce_route_declares_a_scope(settings: Settings, db: Database) -> None:
    routes = taskforce_routes(settings, db)
    assert len(routes) > 60  # 28 endpoints, each with and without .json / .xml
    for method, path, scope in routes:
        if (method, path) in PUBLIC:
            assert scope is None
            continue
        assert scope in SCOPES, f"{method} {path} checks no scope"
        expected = "read" if method == "GET" else "write"
        assert scope.endswith(f":{expected}"), f"{method} {path}: {scope}"


def test_scope_by_route_matrix(base_url: str, settings: Settings, db: Database) -> None:
    owner = make_person(db)
    tf = Taskforce(base_url, owner, "json")
    flagship = tf.get("/lists")["lists"][0]["id"]
    ids = {
        "list_id": tf.post("/lists", {"name": "Matrix"})["list_id"],
        "task_id": tf.post("/tasks", {"name": "matrix task", "list_id": flagship})["task_id"],
    }
    tf.close()
    routes = [r for r in taskforce_routes(settings, db) if (r[0], r[1]) not in PUBLIC]
    problems: list[str] = []
    with checked(base_url) as c:
        for method, path, scope in routes:
            assert scope is not None
            # A key with a scope of another resource (users:read for task routes and back).
            other = "users:read" if not scope.startswith("users:") else "tasks:write"
            r = c.request(method, fill(path, ids), headers=key_for(db, owner, [other]))
            body = r.json() if path.endswith(".json") else None
            if r.status_code != 403 or (body is not None and body.get("details", {}).get("required_scope") != scope):
                problems.append(f"{method} {path} without {scope}: {r.status_code} {r.text[:200]}")
            elif body is None and scope not in r.text:
                problems.append(f"{method} {path} without {scope}: the 403 does not name it: {r.text[:200]}")
        # With exactly the scope, never that 403 (deletes last, so the objects exist until then).
        for method, path, scope in sorted(routes, key=lambda r: r[1].split(".")[0].endswith("/delete")):
            assert scope is not None
            r = c.request(method, fill(path, ids), headers=key_for(db, owner, [scope]))
            if r.status_code in (401, 403):
                problems.append(f"{method} {path} with {scope}: {r.status_code} {r.text[:200]}")
    assert problems == [], "\n".join(problems)
