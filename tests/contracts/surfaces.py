"""The surfaces as the shared contract tests see them: where each is mounted, how a client of
it authenticates, and what its error bodies look like. One row per surface; a new surface adds
its row here and every contract test (tests/contracts/) covers its routes."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.routing import iter_route_contexts

from tests.factories.people import Person


def _native_error(r: httpx.Response) -> None:
    error = r.json()["error"]
    assert isinstance(error["code"], str), r.text
    assert isinstance(error["message"], str), r.text


def _taskforce_error(r: httpx.Response) -> None:
    body = r.json()
    assert body["success"] is False, r.text
    assert isinstance(body["message"], str), r.text


def _taskflow_error(r: httpx.Response) -> None:
    body = r.json()
    assert body["status"] == "error", r.text
    assert isinstance(body["data"]["error_code"], str), r.text


def _oauth_error(r: httpx.Response) -> None:
    if r.headers.get("content-type", "").startswith("text/html"):  # the sign-in and consent pages
        assert "role=alert" in r.text, r.text
        return
    body = r.json()
    assert isinstance(body["error"], str), r.text
    assert isinstance(body["error_description"], str), r.text


def _bearer(person: Person) -> dict[str, str]:
    return dict(person.headers)


def _basic(person: Person) -> dict[str, str]:
    token = base64.b64encode(f"{person.email}:{person.key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _none(_person: Person) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Surface:
    name: str
    prefix: str
    credentials: Callable[[Person], dict[str, str]]
    error_shape: Callable[[httpx.Response], None]
    # Taskforce answers XML on the bare path: the contract tests use each route's `.json` form.
    route_suffix: str = ""


def _secret_key(person: Person) -> dict[str, str]:
    return {"X-Secret-Key": person.key}


def _taskip_error(r: httpx.Response) -> None:
    body = r.json()
    assert body["success"] is False, r.text
    assert body["status_code"] == r.status_code, r.text


# Longest prefix first: /api/v1 is Taskforce, /api/public-v1 TaskIP (not built yet: listed so
# that its routes are never taken for TaskFlow's), the rest of /api is TaskFlow.
SURFACES = (
    Surface("native", "/v1/", _bearer, _native_error),
    Surface("taskforce", "/api/v1/", _basic, _taskforce_error, route_suffix=".json"),
    Surface("taskip", "/api/public-v1/", _secret_key, _taskip_error),
    Surface("taskflow", "/api/", _none, _taskflow_error),
    Surface("oauth", "/oauth/", _none, _oauth_error),
)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def surface_of(path: str) -> Surface | None:
    return next((s for s in SURFACES if path.startswith(s.prefix)), None)


@dataclass(frozen=True)
class WriteRoute:
    surface: Surface
    method: str
    template: str  # "/v1/tasks/{task_id}", "/api/v1/tasks/{task_id:int}.json"
    reads_body: bool  # False: the route takes no body, and ignores one it is sent

    @property
    def id(self) -> str:
        return f"{self.method} {self.template}"


def write_routes(app: Any) -> list[WriteRoute]:
    """Every write operation the app serves, on every surface (one per method and path)."""
    found: list[WriteRoute] = []
    for route in iter_route_contexts(app.routes):
        surface = surface_of(route.path)
        methods = (route.methods or set()) & WRITE_METHODS
        if not methods:
            continue
        if surface is None:
            raise AssertionError(f"{route.path} belongs to no surface: add its row to SURFACES")
        if not route.path.endswith(surface.route_suffix):
            continue
        dependant = getattr(route, "dependant", None)
        # FastAPI routes read a body when they declare one; the others (Taskforce, OAuth) read it themselves.
        reads_body = dependant is None or bool(dependant.body_params) or surface.name != "native"
        found.extend(WriteRoute(surface, method, route.path, reads_body) for method in sorted(methods))
    return found
