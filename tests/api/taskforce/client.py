"""A Taskforce client for tests: HTTP Basic, form posts, and both document formats read back."""

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

FORMATS = ("json", "xml")
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


def basic(login: str, key: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Taskforce:
    """Calls /api/v1 as `person`, in one format (`.json`, or `.xml`/no suffix for XML)."""

    def __init__(self, base_url: str, person: Person | None, fmt: str = "json", *, suffix: str | None = None) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
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
