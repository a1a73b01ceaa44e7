"""A JSON body that cannot be read is the documented 422 on every operation that takes one.

JSON that does not parse (`{"name": "x",`) and bytes that are not UTF-8 text at all are the
same mistake for a client: FastAPI reported the first as a 422 json_invalid but the second as an
undocumented 400 ("There was an error parsing the body"). Both are now a 422 VALIDATION_ERROR
naming `body`, in the surface's error shape (docs/compat/native.md, "Malformed bodies").
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.factories.people import make_person

MALFORMED = {
    "truncated": b'{"name": "x",',
    "not utf-8": b'{"name": "\xff\xfe caf\xe9"}',
    "not utf-8, no quotes": b"\x80\x81\x82",
}
JSON = {"content-type": "application/json"}


def _body_operations(client: httpx.Client) -> list[tuple[str, str, dict[str, Any]]]:
    """The JSON-body operations of the native document and of TaskFlow's own."""
    docs = [client.get(url).json() for url in ("/openapi.json", "/api/openapi.json")]
    return [
        (method.upper(), path, op)
        for doc in docs
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "application/json" in op.get("requestBody", {}).get("content", {})
    ]


@pytest.mark.parametrize("body", list(MALFORMED.values()), ids=list(MALFORMED))
def test_every_json_operation_answers_a_malformed_body_with_its_documented_422(
    client: httpx.Client, db: Database, body: bytes
) -> None:
    alice = make_person(db)
    operations = _body_operations(client)
    assert len(operations) > 40
    assert ("POST", "/api/auth/login") in {(method, path) for method, path, _ in operations}
    for method, path, op in operations:
        assert "422" in op["responses"], f"{method} {path} does not document its 422"
        url = re.sub(r"\{[^}]+\}", "1", path)
        # `client` checks each answer against the operation's documented responses and schemas.
        r = client.request(method, url, content=body, headers={**alice.headers, **JSON})
        assert r.status_code == 422, f"{method} {path}: {r.status_code} {r.text}"
        if path.startswith("/v1/"):
            error = r.json()["error"]
            assert error["code"] == "VALIDATION_ERROR", (method, path)
            assert error["details"]["field"] == "body", (method, path)
            assert error["message"].startswith("Malformed JSON"), (method, path)
        else:  # TaskFlow's /api/auth/login
            assert r.json()["data"]["error_code"] == "VALIDATION_ERROR", (method, path)
            assert "body" in r.json()["data"]["errors"], (method, path)


def test_a_body_that_is_not_utf8_names_the_reason(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = client.post(
        f"/v1/workspaces/{alice.workspace}/projects", content=b'{"name": "\xff"}', headers={**alice.headers, **JSON}
    )
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "Malformed JSON: the body is not UTF-8 text"
    assert r.json()["error"]["details"] == {
        "field": "body",
        "issue": "Malformed JSON: the body is not UTF-8 text",
        "errors": [{"field": "body", "issue": "Malformed JSON: the body is not UTF-8 text"}],
    }
    assert client.get(f"/v1/workspaces/{alice.workspace}/projects", headers=alice.headers).json()["data"] == []


def test_a_form_body_that_cannot_be_read_is_not_renamed(client: httpx.Client) -> None:
    # The OAuth token endpoint reads forms; its documented errors are RFC 6749's 400s.
    r = client.post(
        "/oauth/token",
        content=b"--x\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code in (400, 401)
