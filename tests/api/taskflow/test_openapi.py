"""TaskFlow's own OpenAPI document (/api/openapi.json) and docs page (/api/docs).

The responses here come through the `web` client, which checks each one strictly against the
document (tests/conftest.py SurfaceCheck): the error bodies below are the document's own.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from polytask.api.app import create_app
from polytask.api.surfaces import SURFACES, TASKFLOW
from polytask.api.taskflow.policy import POLICY
from polytask.core.db import Database
from polytask.core.inputguard import DEFAULT_LIMITS
from polytask.core.settings import Settings
from tests.api.taskflow.conftest import Serve, log_in, served
from tests.factories.people import Person
from tests.openapi_check import OpenAPIChecker

DOCUMENT = "/api/openapi.json"


@pytest.fixture(scope="module")
def document(plain_url: str) -> dict[str, Any]:
    r = httpx.get(plain_url + DOCUMENT, timeout=60)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = r.json()
    return body


def _taskflow_operations(settings: Settings, db: Database) -> set[tuple[str, str]]:
    """Every (method, path) the app routes to a TaskFlow handler, its document pages aside."""
    from fastapi.routing import iter_route_contexts

    pages = {TASKFLOW.openapi_url, TASKFLOW.docs_url, f"{TASKFLOW.docs_url}/openapi.json"}
    found = set()
    for route in iter_route_contexts(create_app(settings, db).routes):
        if route.path in pages or not TASKFLOW.owns(route.path):
            continue
        if any(other.owns(route.path) for other in SURFACES[: SURFACES.index(TASKFLOW)]):
            continue  # /api/v1 (Taskforce) and /api/public-v1 (TaskIP) are inside /api
        found.update((method.lower(), route.path) for method in route.methods or ())
    return found


def test_the_surface_declares_its_document() -> None:
    assert TASKFLOW.openapi_url == DOCUMENT
    assert TASKFLOW.docs_url == "/api/docs"


def test_every_taskflow_operation_is_documented_and_nothing_else(
    document: dict[str, Any], settings: Settings, db: Database
) -> None:
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == _taskflow_operations(settings, db)
    assert documented >= {("post", "/api/auth/login"), ("post", "/api/auth/logout"), ("get", "/api/auth/me")}
    assert document["openapi"].startswith("3.1")


def test_the_native_document_no_longer_holds_taskflow(base_url: str) -> None:
    native = httpx.get(base_url + "/openapi.json", timeout=60).json()
    assert not [path for path in native["paths"] if TASKFLOW.owns(path)]
    assert "TaskFlow authentication" not in {tag.get("name") for tag in native.get("tags", [])}


def test_security_is_the_session_cookie_or_a_bearer_key(document: dict[str, Any], settings: Settings) -> None:
    schemes = document["components"]["securitySchemes"]
    assert set(schemes) == {"session", "bearer"}
    assert schemes["bearer"]["type"] == "http"
    assert schemes["bearer"]["scheme"] == "bearer"
    name, scheme = "session", schemes["session"]
    assert scheme == {
        "type": "apiKey",
        "in": "cookie",
        "name": settings.session_cookie_name,
        "description": scheme["description"],
    }
    paths = document["paths"]
    assert paths["/api/auth/login"]["post"]["security"] == []
    assert paths["/api/auth/me"]["get"]["security"] == [{name: []}, {"bearer": []}]
    assert paths["/api/auth/logout"]["post"]["security"] == [{}, {name: []}]  # with or without a session
    for path, item in paths.items():
        if not path.startswith("/api/auth/"):
            for operation in item.values():
                assert operation["security"] == [{name: []}, {"bearer": []}], path


def test_the_cookie_name_follows_the_setting(serve_app: Serve, settings: Settings, db: Database) -> None:
    with served(serve_app, settings, db, session_cookie_name="tf_sid") as url:
        scheme = httpx.get(url + DOCUMENT, timeout=60).json()["components"]["securitySchemes"]["session"]
    assert scheme["name"] == "tf_sid"


def test_every_resource_operation_is_in_the_policy_table(document: dict[str, Any]) -> None:
    """Each operation outside /api/auth is named by its policy key, which says its lowest role."""
    named = {
        operation.get("operationId"): operation
        for path, item in document["paths"].items()
        if not path.startswith("/api/auth/")
        for operation in item.values()
    }
    assert set(named) == set(POLICY)
    for key, operation in named.items():
        assert f"Lowest role: `{POLICY[key]}`." in operation["description"]
        forbidden = operation["responses"]["403"]["content"]["application/json"]["schema"]["$ref"]
        assert forbidden.endswith("/ForbiddenError")


def test_every_operation_lists_the_shared_errors(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = {"422", "429"} | ({"403", "413"} if method in ("post", "put", "delete") else set())
            if operation.get("operationId") in POLICY:
                expected.add("403")  # a role below the operation's
            assert expected <= set(responses), (method, path, sorted(responses))
            assert len({"200", "201"} & set(responses)) == 1, (method, path)
            for status, response in responses.items():
                assert "X-Request-ID" in response["headers"], (method, path, status)
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.startswith("#/components/schemas/"), ref
    assert _schema_of(document, "get", "/api/auth/me", "401") == "AuthRequiredError"
    assert _schema_of(document, "post", "/api/auth/login", "401") == "InvalidCredentialsError"
    schemas = document["components"]["schemas"]
    assert schemas["AuthRequiredError"]["properties"]["data"]["required"] == ["error_code", "redirect_url"]
    assert schemas["ValidationError"]["properties"]["data"]["required"] == ["error_code", "errors"]
    assert "Retry-After" in document["paths"]["/api/auth/login"]["post"]["responses"]["429"]["headers"]


def _schema_of(document: dict[str, Any], method: str, path: str, status: str) -> str:
    ref: str = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def _checked(checker: OpenAPIChecker, response: httpx.Response) -> None:
    """The hook already checked it; say so, and that the document has the operation."""
    assert checker.operation(response.request.method, response.request.url.path) is not None


def test_401_is_auth_required_with_the_redirect(web: httpx.Client, taskflow_openapi: OpenAPIChecker) -> None:
    r = web.get("/api/auth/me")
    assert r.status_code == 401
    data = r.json()["data"]
    assert (data["error_code"], data["redirect_url"]) == ("AUTH_REQUIRED", "/login")
    _checked(taskflow_openapi, r)


def test_422_names_the_fields(web: httpx.Client, taskflow_openapi: OpenAPIChecker) -> None:
    r = web.post("/api/auth/login", json={"username": "someone"})
    assert r.status_code == 422
    assert r.json()["data"]["errors"] == {"password": ["is required"]}
    # From the input guard: a query value it refuses (a control character), on an operation without a body.
    r = web.get("/api/auth/me", params={"x": "a\x00b"})
    assert r.status_code == 422
    assert "x" in r.json()["data"]["errors"]
    _checked(taskflow_openapi, r)


def test_413_from_the_input_guard(web: httpx.Client, taskflow_openapi: OpenAPIChecker) -> None:
    big = b'{"username": "' + b"a" * DEFAULT_LIMITS.max_body_bytes + b'", "password": "x"}'
    r = web.post("/api/auth/login", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["data"]["error_code"] == "PAYLOAD_TOO_LARGE"
    assert r.json()["data"]["limit_bytes"] == DEFAULT_LIMITS.max_body_bytes
    _checked(taskflow_openapi, r)


def test_429_after_failed_logins(web: httpx.Client, alice: Person, taskflow_openapi: OpenAPIChecker) -> None:
    statuses = [log_in(web, "alice", "wrong password").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    r = log_in(web, "alice", "wrong password")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert r.json()["data"]["error_code"] == "RATE_LIMIT_EXCEEDED"
    _checked(taskflow_openapi, r)


def test_a_body_outside_the_document_is_caught(document: dict[str, Any]) -> None:
    """The strict check fails on what the document does not allow (it is no rubber stamp)."""
    checker = OpenAPIChecker(document, strict=True, fallback="Error")
    meta = {"timestamp": "2026-01-01T00:00:00Z", "version": "1.0", "request_id": "r"}
    headers = {"X-Request-ID": "r", "Cache-Control": "no-store"}
    no_redirect = {"status": "error", "message": "m", "data": {"error_code": "AUTH_REQUIRED"}, "meta": meta}
    with pytest.raises(AssertionError, match="does not match"):
        checker.check("GET", "/api/auth/me", 401, no_redirect, headers)
    with pytest.raises(AssertionError, match="does not document"):
        checker.check("GET", "/api/auth/me", 418, no_redirect, headers)
    with pytest.raises(AssertionError, match="X-Request-ID"):
        checker.check("GET", "/api/auth/me", 401, {**no_redirect}, {"Cache-Control": "no-store"})
    checker.check(
        "GET", "/api/auth/me", 401, {**no_redirect, "data": {**no_redirect["data"], "redirect_url": "/login"}}, headers
    )


def test_the_docs_page_is_offline_and_reads_the_document(web: httpx.Client) -> None:
    r = web.get("/api/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert f"'{DOCUMENT}'" in r.text or f'"{DOCUMENT}"' in r.text
    assert "/docs/assets/" in r.text
    assert "cdn" not in r.text.lower()
    assert "https://" not in r.text.split("<body", 1)[0].lower()
    assert web.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_the_paths_of_the_spec_and_the_neighbours(web: httpx.Client, document: dict[str, Any]) -> None:
    """/api/docs/openapi.json (where taskflow-pro-api.md puts it) is the same document; Taskforce's
    /api/v1/openapi.json and /api/v1/docs stay Taskforce's, and neither shadows the other."""
    assert web.get("/api/docs/openapi.json").json() == document
    taskforce = web.get("/api/v1/openapi.json").json()
    assert taskforce["info"]["title"] != document["info"]["title"]
    assert all(path.startswith("/api/v1/") for path in taskforce["paths"])
    assert "/api/v1/openapi.json" not in taskforce["paths"]
    assert DOCUMENT not in taskforce["paths"]
    assert "Taskforce" in web.get("/api/v1/docs").text
    r = web.get("/api/openapi.yaml")  # no such document: TaskFlow's 404, checked against `Error`
    assert r.status_code == 404
    assert r.json()["data"]["error_code"] == "NOT_FOUND"
    r = web.post(DOCUMENT)
    assert r.status_code == 405


def test_reports_declare_their_files(document: dict[str, Any]) -> None:
    """The reports' 200 may be JSON, CSV or PDF, and the document says so; the suite's check
    refuses a file body whose media type an operation does not declare."""
    reports = [op for item in document["paths"].values() for op in item.values()
               if op.get("operationId", "").startswith("reports.")]  # fmt: skip
    assert len(reports) == 4
    for operation in reports:
        assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv", "application/pdf"}
        assert {p["name"] for p in operation["parameters"]} >= {"start_date", "end_date", "format"}
    checker = OpenAPIChecker(document, strict=True, fallback="Error", media_types=True)
    headers = {"content-type": "text/csv; charset=utf-8", "x-request-id": "r", "cache-control": "no-store"}
    checker.check("GET", "/api/reports/projects", 200, None, headers, json_body=False)
    with pytest.raises(AssertionError, match="does not declare"):
        checker.check("GET", "/api/projects", 200, None, headers, json_body=False)
