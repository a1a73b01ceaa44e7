"""Reading docs/api/postman_collection.json: its requests as TaskFlow operations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.api.taskflow.clienttools import ROOT

COLLECTION = ROOT / "docs" / "api" / "postman_collection.json"
_PARAM = re.compile(r"^(\{\{[A-Za-z]+\}\}|\{[a-z_]+\})$")


def load(path: Path = COLLECTION) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def requests_of(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every request item, folders walked in order."""
    for item in items:
        if "item" in item:
            yield from requests_of(item["item"])
        else:
            yield item


def operation(method: str, path: str) -> str:
    """`GET /api/projects/{}`: a method and a path whose parameters (Postman's `{{projectId}}`,
    OpenAPI's `{id}`) are all written `{}`, so the two can be compared."""
    segments = ["{}" if _PARAM.match(s) else s for s in path.split("/")]
    return f"{method.upper()} {'/'.join(segments)}"


def operation_of(item: dict[str, Any]) -> str:
    url = item["request"]["url"]
    return operation(item["request"]["method"], "/" + "/".join(url["path"]))


def collection_operations(document: dict[str, Any]) -> list[str]:
    return [operation_of(item) for item in requests_of(document["item"])]


def openapi_operations(document: dict[str, Any]) -> set[str]:
    methods = {"get", "post", "put", "patch", "delete"}
    return {operation(m, p) for p, ops in document["paths"].items() for m in ops if m in methods}
