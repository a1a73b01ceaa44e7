"""The surface's OpenAPI document as served: where it is, what it holds, and that it is used.

Every response of the Taskforce client is validated against it (client.py); the tests here
check the document itself and its docs page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from polytask.api.taskforce.openapi import build_document
from polytask.api.taskforce.router import router
from tests.api.taskforce.client import DOCUMENT, Taskforce, taskforce_checker

EXAMPLES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "fixtures" / "spec_examples.json").read_text())[
    "examples"
]


def _document(base_url: str) -> dict[str, Any]:
    r = httpx.get(base_url + DOCUMENT)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    data: dict[str, Any] = r.json()
    return data


def test_the_document_is_served_and_built_from_the_routes(base_url: str) -> None:
    document = _document(base_url)
    assert document["openapi"] == "3.1.0"
    assert document == json.loads(json.dumps(build_document(router)))


def test_it_documents_every_spec_operation_with_the_spec_parameters(base_url: str) -> None:
    paths = _document(base_url)["paths"]
    for example in EXAMPLES:
        path = f"/api/v1{example['path']}.json"
        operation = paths[path][example["method"].lower()]
        if example["params"]:
            for media in ("application/json", "application/x-www-form-urlencoded"):
                properties = operation["requestBody"]["content"][media]["schema"]["properties"]
                assert set(example["params"]) <= set(properties), f"{path} {media}"
    assert sum(len(item) for item in paths.values()) == len(EXAMPLES) == 28


def test_schemas_are_valid_and_closed(base_url: str) -> None:
    schemas = _document(base_url)["components"]["schemas"]
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        if name == "JsonValue":  # what an ignored JSON parameter may hold
            continue
        assert schema["type"] == "object", name
        assert schema["additionalProperties"] is False, name
        assert set(schema.get("required", [])) <= set(schema["properties"]), name
        if name not in ("ErrorDetails", "Done"):
            assert schema["required"], name


def test_security_is_http_basic_except_for_sign_up(base_url: str) -> None:
    document = _document(base_url)
    assert document["components"]["securitySchemes"]["basic"] == {
        "type": "http",
        "scheme": "basic",
        "description": document["components"]["securitySchemes"]["basic"]["description"],
    }
    assert document["security"] == [{"basic": []}]
    public = [
        (method, path) for path, item in document["paths"].items() for method, op in item.items() if "security" in op
    ]
    assert public == [("post", "/api/v1/user.json")]
    assert document["paths"]["/api/v1/user.json"]["post"]["security"] == []


def test_taskforce_stays_out_of_the_native_document(base_url: str) -> None:
    native = httpx.get(f"{base_url}/openapi.json", timeout=60).json()
    assert not [path for path in native["paths"] if path.startswith("/api/v1")]


def test_the_docs_page_loads_nothing_from_another_host(base_url: str) -> None:
    r = httpx.get(f"{base_url}/api/v1/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "'/api/v1/openapi.json'" in r.text or '"/api/v1/openapi.json"' in r.text
    assert "/docs/assets/swagger-ui-bundle.js" in r.text
    assert "cdn." not in r.text
    assert "https://" not in r.text
    assert httpx.get(f"{base_url}/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_the_client_checks_what_it_receives(base_url: str, tf: Taskforce) -> None:
    checker = taskforce_checker(base_url)
    before = checker.checked
    tf.get("/tasks/count")
    tf.get("/tasks/999999", expect=404)
    assert checker.checked == before + 2
