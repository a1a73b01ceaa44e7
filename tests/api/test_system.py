"""Health, readiness, request ids, unknown routes and the offline interactive docs."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.factories.people import make_person

ERROR_KEYS = {"code", "message", "details", "request_id", "timestamp"}


def assert_native_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == ERROR_KEYS
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    assert error["request_id"] == response.headers["x-request-id"]
    datetime.fromisoformat(error["timestamp"].replace("Z", "+00:00"))
    return dict(error)


def test_healthz(client: httpx.Client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    head = client.head("/healthz")
    assert head.status_code == 200
    assert head.content == b""


def test_readyz_reports_the_database(client: httpx.Client) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["database"] == "ok"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_readyz_is_503_when_the_database_is_unreachable(
    serve_app: Callable[[ASGIApp], AbstractContextManager[str]], settings: Settings
) -> None:
    url = f"postgresql+psycopg://polytask@127.0.0.1:{_closed_port()}/polytask?connect_timeout=3"
    database = Database(url)
    try:
        with serve_app(create_app(settings, database)) as base:
            r = httpx.get(f"{base}/readyz", timeout=30)
            live = httpx.get(f"{base}/healthz")
    finally:
        database.dispose()
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"
    assert r.json()["database"] == "unreachable"
    assert r.headers["x-request-id"]
    assert live.status_code == 200, "liveness does not depend on the database"


def test_every_response_carries_a_generated_request_id(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    responses = [
        client.get("/healthz"),
        client.get("/openapi.json"),
        client.get("/v1/projects"),  # 401
        client.get("/v1/me", headers=alice.headers),
        client.get("/no/such/path"),
        client.delete("/healthz"),
        client.get("/docs"),
        client.get("/docs/assets/swagger-ui.css"),
    ]
    ids = [r.headers.get("x-request-id") for r in responses]
    assert all(ids), ids
    assert all(re.fullmatch(r"req_[0-9a-f]{16}", i or "") for i in ids), ids
    assert len(set(ids)) == len(ids), "request ids must be unique"


@pytest.mark.parametrize("incoming", ["abc-123", "trace.7f3a:span_9", "A" * 128])
def test_sane_incoming_request_id_is_echoed(client: httpx.Client, incoming: str) -> None:
    r = client.get("/v1/workspaces", headers={"X-Request-ID": incoming})
    assert r.headers["x-request-id"] == incoming
    assert_native_error(r, 401, "AUTHENTICATION_ERROR")
    assert r.json()["error"]["request_id"] == incoming
    assert client.get("/healthz", headers={"X-Request-ID": incoming}).headers["x-request-id"] == incoming


@pytest.mark.parametrize("incoming", ["has space", "A" * 129, "semi;colon", "<script>", ""])
def test_unsafe_incoming_request_id_is_replaced(client: httpx.Client, incoming: str) -> None:
    r = client.get("/v1/workspaces", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"req_[0-9a-f]{16}", r.headers["x-request-id"])
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
    assert len(r.headers.get_list("x-request-id")) == 1


def test_unknown_path_is_a_native_404(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    for path in ("/nope", "/v1/nope", "/v1/projects/project_1/nope", "/v2/projects"):
        error = assert_native_error(client.get(path, headers=alice.headers), 404, "RESOURCE_NOT_FOUND")
        assert error["details"] == {"path": path, "method": "GET"}
    assert_native_error(client.get("/docs/assets/no-such-file.js"), 404, "RESOURCE_NOT_FOUND")


def test_wrong_method_is_405_with_every_allowed_method(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    cases = {
        ("DELETE", "/healthz"): {"GET", "HEAD"},
        # HEAD wherever GET is (a GET without its body: api/middleware.py HeadMiddleware).
        ("POST", "/v1/me"): {"GET", "HEAD"},
        ("PATCH", "/v1/projects"): {"GET", "HEAD", "POST"},
        ("DELETE", "/v1/tasks"): {"GET", "HEAD", "POST"},
        ("POST", "/v1/projects/project_1"): {"GET", "HEAD", "PUT", "PATCH", "DELETE"},
        ("PUT", "/v1/workspaces/workspace_1/invites/invite_1"): {"GET", "HEAD", "DELETE"},
        # A literal path owns its methods, as OpenAPI matches paths: not a task whose id is "bulk".
        ("PUT", "/v1/tasks/bulk"): {"POST"},
        ("HEAD", "/v1/tasks/bulk"): {"POST"},
        ("GET", "/v1/projects/project_1/tasks/bulk"): {"POST"},
        ("OPTIONS", "/v1/projects/project_1/tasks/bulk"): {"POST"},
        ("GET", "/v1/workspaces/bulk/projects"): {"POST"},
        ("DELETE", "/v1/workspaces/bulk/projects"): {"POST"},
    }
    for (method, path), allowed in cases.items():
        r = client.request(method, path, headers=alice.headers)
        if method == "HEAD":
            assert r.status_code == 405, (method, path)
        else:
            error = assert_native_error(r, 405, "METHOD_NOT_ALLOWED")
            assert error["details"] == {"path": path, "method": method}
        assert {m.strip() for m in r.headers["allow"].split(",")} == allowed, (method, path)


def test_unexpected_errors_keep_the_native_shape_and_request_id(
    serve_app: Callable[[ASGIApp], AbstractContextManager[str]], settings: Settings, db: Database
) -> None:
    app = create_app(settings, db)

    @app.get("/test-only/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals")

    with serve_app(app) as base:
        r = httpx.get(f"{base}/test-only/boom")
        echoed = httpx.get(f"{base}/test-only/boom", headers={"X-Request-ID": "trace-500"})
    error = assert_native_error(r, 500, "INTERNAL_ERROR")
    assert "secret internals" not in r.text
    assert error["details"] == {}
    assert echoed.headers["x-request-id"] == "trace-500"
    assert echoed.json()["error"]["request_id"] == "trace-500"


def test_a_body_that_is_not_json_names_the_content_type(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = client.post("/v1/workspaces", content=b'{"name": "x"}', headers={**alice.headers, "Content-Type": "text/plain"})
    error = assert_native_error(r, 422, "VALIDATION_ERROR")
    assert "application/json" in str(error["message"])
    assert error["details"] == {"field": "body", "issue": error["message"], "provided_value": "text/plain"}
    assert client.get("/v1/workspaces", headers=alice.headers).json()["meta"]["total"] == 1, "nothing was created"


def _urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href|url)\s*[=:(]\s*["']?([^"' )>]+)""", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_nothing_from_another_host(client: httpx.Client, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    foreign = [u for u in re.findall(r"(?:https?:)?//[^\s\"'<>)]+", html) if urlsplit(u).hostname not in (None, "")]
    assert foreign == [], f"{page} references other hosts: {foreign}"
    urls = _urls(html)
    assets = [u for u in urls if u.startswith("/docs/assets/")]
    assert len(assets) >= 2, urls
    assert "/openapi.json" in urls or "/openapi.json" in html
    for url in urls:
        assert url.startswith("/"), f"{page} loads {url!r}, which is not on this server"
    for asset in assets:
        loaded = client.get(asset)
        assert loaded.status_code == 200, asset
        assert len(loaded.content) > 1000, asset
        if asset.endswith(".js"):
            assert "javascript" in loaded.headers["content-type"]
        if asset.endswith(".css"):
            assert loaded.headers["content-type"].startswith("text/css")


def test_swagger_ui_does_not_call_the_public_validator(client: httpx.Client) -> None:
    # Swagger UI otherwise shows a badge image fetched from validator.swagger.io.
    assert re.search(r'"validatorUrl":\s*null', client.get("/docs").text)


def test_openapi_document_is_served(client: httpx.Client) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    assert r.json()["openapi"].startswith("3.1.")
