"""The hostile-input corpus (tests/contracts/hostile.py) against every write route of every
surface (tests/contracts/surfaces.py), on the real app and database: no response is a 5xx,
every refusal is a 4xx in the surface's own error shape naming the field where there is one,
and nothing is written (every table's row count and the event log are unchanged)."""

from __future__ import annotations

import contextlib
import re
import socket
import tempfile
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import Base
from tests.contracts.hostile import CORPUS, Case
from tests.contracts.surfaces import SURFACES, WriteRoute, write_routes
from tests.factories.people import Person, make_person
from tests.factories.work import make_project, make_task

ROUTES = write_routes(create_app(Settings(home=tempfile.mkdtemp(prefix="polytask-routes-"))))


def fingerprint(db: Database) -> tuple[int, ...]:
    """Every table's row count, in one statement."""
    tables = Base.metadata.sorted_tables
    with db.unit_of_work(readonly=True) as session:
        row = session.execute(select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables])).one()
    return tuple(int(n) for n in row)


def _world(client: httpx.Client, alice: Person) -> dict[str, str]:
    """Real objects for the path parameters, so each route gets as far as it can."""
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    section = client.post(f"/v1/projects/{project}/sections", json={"name": "S"}, headers=alice.headers)
    comment = client.post(f"/v1/tasks/{task}/comments", json={"body": "hi"}, headers=alice.headers)
    key = client.post("/v1/api-keys", json={"name": "spare"}, headers=alice.headers)
    for r in (section, comment, key):
        assert r.status_code == 201, r.text
    return {
        "workspace_id": alice.workspace,
        "project_id": project,
        "task_id": task,
        "section_id": section.json()["data"]["id"],
        "comment_id": comment.json()["data"]["id"],
        "key_id": key.json()["data"]["id"],
        "user_id": f"user_{alice.user_id}",
    }


def _path(route: WriteRoute, world: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name, converter = match.group(1), match.group(2)
        given = world.get(name, f"{_PREFIXES.get(name, name.removesuffix('_id'))}_1")
        return given.rpartition("_")[2] if converter == "int" else given

    return re.sub(r"\{(\w+)(?::(\w+))?\}", value, route.template)


_PREFIXES = {"workspace_field_id": "field", "field_id": "field"}


def _applies(case: Case, route: WriteRoute) -> bool:
    return case.always or route.reads_body


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_hostile_input_is_refused_cleanly(route: WriteRoute, base_url: str, db: Database) -> None:
    alice = make_person(db)
    with httpx.Client(base_url=base_url, timeout=60) as client:
        world = _world(client, alice)
        path = _path(route, world)
        headers = route.surface.credentials(alice)
        for case in CORPUS:
            if not _applies(case, route):
                continue
            before = fingerprint(db)
            sent: dict[str, Any] = {"headers": dict(headers)}
            if case.content_type:
                sent["headers"]["Content-Type"] = case.content_type
            if case.body:
                sent["content"] = case.body
            target = f"{path}?{case.query}" if case.query else path
            r = client.request(route.method, target, **sent)
            where = f"{case.name}: {route.method} {target[:80]} answered {r.status_code}: {r.text[:300]}"
            assert r.status_code < 500, where
            if not case.always and r.status_code < 400:
                continue  # the route read the body as its type says, or ignored a body it does not take
            assert (
                r.status_code in case.statuses
                or (
                    # RFC 6749: OAuth endpoints answer invalid_request with 400.
                    route.surface.name == "oauth" and r.status_code == 400 and 422 in case.statuses
                )
                or not case.always
            ), where  # refused for whatever reason the route gives first
            route.surface.error_shape(r)
            if case.field and route.surface.name != "oauth":
                assert case.field in r.text, where
            assert fingerprint(db) == before, f"{where}; something was written"


def _raw(base_url: str, request: bytes) -> bytes:
    """Send bytes no HTTP client library would send; the server's first line back."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=30) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)  # the server may answer (and close) before reading it all
        received = b""
        while b"\r\n" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    return received.split(b"\r\n", 1)[0]


BUILT = [s for s in SURFACES if any(r.surface is s for r in ROUTES)]


def test_every_write_route_belongs_to_a_surface() -> None:
    assert {r.surface.name for r in ROUTES} >= {"native", "taskforce", "taskflow", "oauth"}
    assert len(ROUTES) >= 90


@pytest.mark.parametrize("surface", BUILT, ids=[s.name for s in BUILT])
@pytest.mark.parametrize(
    "header",
    [b"X-Request-ID: a\rb", b"Idempotency-Key: a\nInjected: b\x00", b"Content-Type: application/json\r x"],
    ids=["bare CR", "NUL after LF", "obs-fold"],
)
def test_broken_header_values_get_a_4xx(base_url: str, surface: Any, header: bytes) -> None:
    request = (
        b"POST " + surface.prefix.encode() + b"x HTTP/1.1\r\nHost: t\r\n" + header + b"\r\nContent-Length: 0\r\n\r\n"
    )
    status_line = _raw(base_url, request)
    assert re.match(rb"HTTP/1\.1 4\d\d ", status_line), status_line


@pytest.mark.parametrize("surface", BUILT, ids=[s.name for s in BUILT])
def test_very_long_urls_get_a_4xx(base_url: str, surface: Any) -> None:
    for length in (8_000, 70_000, 1_000_000):
        target = f"{surface.prefix}tasks?q={'a' * length}".encode()
        request = b"POST " + target + b" HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}"
        status_line = _raw(base_url, request)
        assert re.match(rb"HTTP/1\.1 4\d\d ", status_line), (length, status_line)
