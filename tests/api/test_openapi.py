"""/openapi.json: complete, documented, and structurally sound (no extra validator dependency)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from jsonschema import Draft202012Validator

from polytask.api.app import create_app
from polytask.api.surfaces import surface_for
from polytask.core.db import Database
from polytask.core.settings import Settings

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
ERROR_STATUSES = ("401", "403", "404", "422")
# Served, but deliberately not operations of the API: the document itself and the docs UI.
# The docs machinery (the Authorize button's OAuth redirect page included) and Prometheus's
# scrape endpoint, which is for the operator's monitoring, not for API clients (docs/operations.md).
NOT_IN_SCHEMA = {"/openapi.json", "/docs", "/redoc", "/docs/assets", "/docs/oauth2-redirect", "/metrics"}
# Bodies whose routers (sections.py, comments.py, members.py) do not pass Body(examples=...)
# yet. Only ever shrink this set; a new route without an example fails.
AWAITING_EXAMPLES: set[str] = set()
# Operations with two successes, each documented with its own schema, and why.
TWO_SUCCESSES = {
    "POST /v1/workspaces/{workspace_id}/imports": ("202", "200"),  # the queued job; a dry run's report
}


@pytest.fixture(scope="module")
def doc(base_url: str) -> dict[str, Any]:
    r = httpx.get(f"{base_url}/openapi.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = r.json()
    return document


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method, path, op


def resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref (one level is all FastAPI emits for these objects)."""
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def validator(doc: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": doc.get("components", {})})


def test_version_and_info(doc: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    assert doc["info"]["title"]
    assert doc["info"]["version"]
    assert "Bearer" in doc["info"]["description"]


def test_every_route_of_the_app_is_documented(doc: dict[str, Any], settings: Settings, db: Database) -> None:
    """Built from the same factory as the served app, so a new router cannot be forgotten."""
    app = create_app(settings, db)
    seen_hidden: set[str] = set()
    served: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        path = route.path
        assert path is not None
        if getattr(route.endpoint, "_polytask_refuses_methods", False):
            continue  # a 405 for the methods a literal path does not serve (app.py)
        if not getattr(route, "include_in_schema", True) or route.methods is None:
            surface = surface_for(path)
            # A surface with a document of its own (Taskforce, TaskFlow) is documented there
            # (tests/architecture/test_taskforce_openapi.py, tests/api/taskflow/test_openapi.py).
            if surface is None or surface.openapi_url is None:
                seen_hidden.add(path)
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            served.add((method.lower(), path))
    documented = {(m, p) for m, p, _ in operations(doc) if m != "head"}
    assert served - documented == set(), "routes missing from /openapi.json"
    assert documented - served == set(), "documented operations that the app does not serve"
    assert seen_hidden == NOT_IN_SCHEMA, "only the docs machinery may be hidden from the schema"


def test_structural_invariants(doc: dict[str, Any]) -> None:
    components = doc.get("components", {})
    for ref in set(refs(doc)):
        resolve(doc, {"$ref": ref})  # raises KeyError when dangling
    for name, schema in components.get("schemas", {}).items():
        assert isinstance(schema, dict), name
        Draft202012Validator.check_schema(schema)
    op_ids = [op.get("operationId") for _, _, op in operations(doc)]
    assert all(op_ids), "every operation has an operationId"
    assert len(op_ids) == len(set(op_ids)), "operationIds are unique"
    for method, path, op in operations(doc):
        where = f"{method.upper()} {path}"
        assert path.startswith("/"), where
        assert "//" not in path, where
        templated = set(re.findall(r"\{([^}]+)\}", path))
        params = [resolve(doc, p) for p in op.get("parameters", [])]
        path_params = {p["name"] for p in params if p["in"] == "path"}
        assert path_params == templated, f"{where}: path parameters {path_params} vs template {templated}"
        for p in params:
            assert p["in"] in ("path", "query", "header", "cookie"), where
            assert "schema" in p, f"{where}: parameter {p['name']} has no schema"
            Draft202012Validator.check_schema(p["schema"])
            if p["in"] == "path":
                assert p.get("required") is True, f"{where}: path parameter {p['name']} must be required"
                for example in p["schema"].get("examples", []):
                    assert not list(validator(doc, p["schema"]).iter_errors(example)), (where, example)
        names = [(p["name"], p["in"]) for p in params]
        assert len(names) == len(set(names)), f"{where}: duplicate parameters"
        assert op["responses"], where
        for status, response in op["responses"].items():
            assert re.fullmatch(r"[1-5](\d\d|XX)|default", status), f"{where}: status {status}"
            assert resolve(doc, response).get("description"), f"{where} {status}: no description"
        if "requestBody" in op:
            assert method in ("post", "put", "patch"), f"{where}: a body on a {method}"


def test_v1_operations_are_documented(doc: dict[str, Any]) -> None:
    error_ref = "#/components/schemas/ErrorDocument"
    assert error_ref.rsplit("/", 1)[1] in doc["components"]["schemas"]
    v1 = [(m, p, op) for m, p, op in operations(doc) if p.startswith("/v1/")]
    assert len(v1) >= 50
    problems: list[str] = []
    for method, path, op in v1:
        where = f"{method.upper()} {path}"
        if not op.get("summary") or not op.get("description"):
            problems.append(f"{where}: needs a summary and a description")
        if not op.get("tags"):
            problems.append(f"{where}: has no tag")
        responses = op["responses"]
        for status in ERROR_STATUSES:
            schema = responses.get(status, {}).get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") != error_ref:
                problems.append(f"{where}: {status} is not documented with the error schema")
        success = [s for s in responses if s.startswith("2")]
        if where in TWO_SUCCESSES and tuple(success) == TWO_SUCCESSES[where]:
            for status in success:
                schema = resolve(doc, responses[status]).get("content", {}).get("application/json", {}).get("schema")
                if not schema or not set(resolve(doc, schema).get("properties", {})) & {"data", "meta"}:
                    problems.append(f"{where}: the {status} response has no JSON:API document schema")
            continue
        if len(success) != 1:
            problems.append(f"{where}: expected exactly one 2xx response, got {success}")
            continue
        ok = resolve(doc, responses[success[0]])
        content = ok.get("content", {})
        if "Content-Disposition" in ok.get("headers", {}):
            continue  # a file to save (an export), described by its own schema, not a JSON:API document
        if success[0] == "204":
            if content:
                problems.append(f"{where}: a 204 must not document a body")
            continue
        if "text/event-stream" in content:
            continue  # Server-Sent Events: a stream, described in the operation's text
        if "text/calendar" in content:
            continue  # an iCalendar feed (RFC 5545), described in the operation's text
        schema = content.get("application/json", {}).get("schema")
        if not schema or not resolve(doc, schema).get("properties", {}).get("data"):
            problems.append(f"{where}: the {success[0]} response has no JSON:API document schema")
    assert problems == [], "\n".join(problems)


def _body_examples(op: dict[str, Any]) -> list[Any]:
    media = op["requestBody"]["content"].get("application/json", {})
    found: list[Any] = []
    if "example" in media:
        found.append(media["example"])
    found += [e.get("value") for e in media.get("examples", {}).values()]
    found += media.get("schema", {}).get("examples", [])
    return found


def test_request_bodies_have_valid_examples(doc: dict[str, Any]) -> None:
    problems: list[str] = []
    for method, path, op in operations(doc):
        if "requestBody" not in op:
            continue
        where = f"{method.upper()} {path}"
        media = op["requestBody"]["content"].get("application/json")
        upload = op["requestBody"]["content"].get("multipart/form-data", {}).get("schema", {})
        if media is None and upload.get("properties", {}).get("file", {}).get("format") == "binary":
            continue  # a file upload (`@accepts_upload`): its fields are described, its tests send files
        if media is None or "schema" not in media:
            problems.append(f"{where}: the body is not described as JSON with a schema")
            continue
        examples = _body_examples(op)
        if not examples and where not in AWAITING_EXAMPLES:
            problems.append(f"{where}: the request body has no example")
        for example in examples:
            for error in validator(doc, media["schema"]).iter_errors(example):
                problems.append(f"{where}: example does not match its schema: {error.message}")
    assert problems == [], "\n".join(problems)


def test_error_schema_is_the_spec_shape(doc: dict[str, Any]) -> None:
    """Exactly the spec's five fields, all required; its own examples make a valid document."""
    schemas = doc["components"]["schemas"]
    body = {k: v["examples"][0] for k, v in schemas["ErrorBody"]["properties"].items()}
    assert not list(validator(doc, {"$ref": "#/components/schemas/ErrorDocument"}).iter_errors({"error": body}))
    assert set(body) == {"code", "message", "details", "request_id", "timestamp"}
    assert set(schemas["ErrorBody"]["required"]) == set(body)
    assert schemas["ErrorDocument"]["required"] == ["error"]
