"""A Taskforce client for tests: HTTP Basic, form posts, and both document formats read back.

Every response it receives is checked against the surface's OpenAPI document
(/api/v1/openapi.json), strictly: a JSON response as it is, an XML one (bare path or `.xml`)
read back into the same values and checked against the operation's `.json` form, so the
document is proven for both formats. `checked(base_url)` is a plain httpx client with the
same check, for tests that send requests of their own.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from xml.etree.ElementTree import Element, fromstring

import httpx
from starlette.types import ASGIApp

from tests.factories.people import Person
from tests.openapi_check import OpenAPIChecker

FORMATS = ("json", "xml")
PREFIX = "/api/v1"
DOCUMENT = f"{PREFIX}/openapi.json"
_CHECKERS: dict[str, OpenAPIChecker] = {}
# The `serve_app` fixture: serves an app of a test's own (other settings) on loopback.
Serve = Callable[[ASGIApp], AbstractContextManager[str]]


def from_xml(element: Element) -> Any:
    """Undo the Rails-style typed XML into the same values the JSON carries."""
    kind = element.get("type")
    if element.get("nil") == "true":
        return None
    if kind == "array":
        return [from_xml(child) for child in element]
    if kind == "integer":
        return int(element.text or "0")
    if kind == "boolean":
        return element.text == "true"
    if len(element):
        return {child.tag.replace("-", "_"): from_xml(child) for child in element}
    return element.text or ""


def parse(response: httpx.Response, fmt: str) -> dict[str, Any]:
    if fmt == "json":
        assert response.headers["content-type"].startswith("application/json"), response.text
        data: dict[str, Any] = response.json()
        return data
    assert response.headers["content-type"].startswith("application/xml"), response.text
    root = fromstring(response.content)
    assert root.tag == "response"
    parsed: dict[str, Any] = from_xml(root) if len(root) else {}
    return parsed


def taskforce_checker(base_url: str) -> OpenAPIChecker:
    """The document served by the app at `base_url`, fetched once."""
    if base_url not in _CHECKERS:
        document = httpx.get(base_url + DOCUMENT, timeout=60).json()
        # Responses outside the document's operations (unknown paths, 405s) must still be
        # the surface's error envelope.
        _CHECKERS[base_url] = OpenAPIChecker(document, strict=True, fallback="Error")
    return _CHECKERS[base_url]


def json_path(path: str) -> str:
    """The `.json` form of a Taskforce path, which the document describes."""
    if path.endswith(".json"):
        return path
    return path.removesuffix(".xml") + ".json"


def check_taskforce(response: httpx.Response) -> None:
    """Check one /api/v1 response against the surface's document, whatever its format."""
    path = response.request.url.path
    if not path.startswith(PREFIX) or path.startswith(DOCUMENT):
        return
    response.read()
    checker = taskforce_checker(str(response.request.url.copy_with(path="/", query=None)).rstrip("/"))
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("application/xml"):
        root = fromstring(response.content)
        assert root.tag == "response", response.text
        payload: Any = from_xml(root) if len(root) else {}
    else:
        assert content_type.startswith("application/json"), f"{path}: {content_type}: {response.text[:300]}"
        payload = response.json()
    checker.check(response.request.method, json_path(path), response.status_code, payload, response.headers)


def checked(base_url: str) -> httpx.Client:
    """A plain client whose /api/v1 responses are checked like the Taskforce client's."""
    return httpx.Client(base_url=base_url, timeout=30, event_hooks={"response": [check_taskforce]})


def checked_get(url: str, **kwargs: Any) -> httpx.Response:
    """httpx.get, with the response checked against the document."""
    with httpx.Client(timeout=30, event_hooks={"response": [check_taskforce]}) as client:
        return client.get(url, **kwargs)


def checked_post(url: str, **kwargs: Any) -> httpx.Response:
    """httpx.post, with the response checked against the document."""
    with httpx.Client(timeout=30, event_hooks={"response": [check_taskforce]}) as client:
        return client.post(url, **kwargs)


def basic(login: str, key: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Taskforce:
    """Calls /api/v1 as `person`, in one format (`.json`, or `.xml`/no suffix for XML)."""

    def __init__(self, base_url: str, person: Person | None, fmt: str = "json", *, suffix: str | None = None) -> None:
        self.http = checked(base_url)
        self.fmt = fmt
        self.suffix = suffix if suffix is not None else f".{fmt}"
        self.headers = basic(person.email, person.key) if person else {}

    def url(self, path: str) -> str:
        return f"/api/v1{path}{self.suffix}"

    def get(self, path: str, expect: int = 200) -> dict[str, Any]:
        r = self.http.get(self.url(path), headers=self.headers)
        assert r.status_code == expect, r.text
        return parse(r, self.fmt)

    def post(self, path: str, data: Any = None, expect: int = 200, *, as_json: bool = False) -> dict[str, Any]:
        if as_json:
            r = self.http.post(
                self.url(path),
                content=json.dumps(data or {}),
                headers={**self.headers, "Content-Type": "application/json"},
            )
        else:
            r = self.http.post(self.url(path), data=data or {}, headers=self.headers)
        assert r.status_code == expect, r.text
        return parse(r, self.fmt)

    def close(self) -> None:
        self.http.close()
