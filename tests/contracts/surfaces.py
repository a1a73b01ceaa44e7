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

from polytask.api.surfaces import SURFACES as DECLARED
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


def _secret_key(person: Person) -> dict[str, str]:
    return {"X-Secret-Key": person.key}


def _taskip_error(r: httpx.Response) -> None:
    body = r.json()
    assert body["success"] is False, r.text
    assert body["status_code"] == r.status_code, r.text


@dataclass(frozen=True)
class Surface:
    """A declared surface (api/surfaces.py) with what a test client needs to speak it."""

    name: str
    prefix: str
    credentials: Callable[[Person], dict[str, str]]
    error_shape: Callable[[httpx.Response], None]
    # Taskforce answers XML on the bare path: the contract tests use each route's `.json` form.
    route_suffix: str = ""


# How a client of each surface authenticates and reads its errors: test knowledge, keyed by
# the declared names, so a new surface fails here until its client is described.
_CLIENTS: dict[str, tuple[Callable[[Person], dict[str, str]], Callable[[httpx.Response], None], str]] = {
    "native": (_bearer, _native_error, ""),
    "taskforce": (_basic, _taskforce_error, ".json"),
    "taskip": (_secret_key, _taskip_error, ""),
    "taskflow": (_none, _taskflow_error, ""),
    "oauth": (_none, _oauth_error, ""),
}


def _described(declared: Any) -> Surface:
    if declared.name not in _CLIENTS:
        raise AssertionError(f"surface {declared.name!r} has no test client in tests/contracts/surfaces.py")
    credentials, error_shape, suffix = _CLIENTS[declared.name]
    return Surface(declared.name, declared.prefix + "/", credentials, error_shape, suffix)


# In the app's own order (longer prefixes first).
SURFACES = tuple(_described(declared) for declared in DECLARED)

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
