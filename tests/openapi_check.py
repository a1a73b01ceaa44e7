"""Validate live responses against the app's own OpenAPI 3.1 document."""

from __future__ import annotations

import re
from typing import Any

import httpx
from jsonschema import Draft202012Validator


class OpenAPIChecker:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.components = document.get("components", {})
        self._routes: list[tuple[re.Pattern[str], int, dict[str, Any]]] = []
        for template, item in document["paths"].items():
            literal_parts = re.split(r"\{[^/]+?\}", template)
            pattern = "^" + "[^/]+".join(re.escape(part) for part in literal_parts) + "$"
            literal = sum(1 for seg in template.split("/") if seg and not seg.startswith("{"))
            self._routes.append((re.compile(pattern), literal, item))
        self._validators: dict[str, Draft202012Validator] = {}
        self.checked = 0

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        # Literal segments beat parameters, as OpenAPI matches paths: /v1/tasks/bulk is its own
        # path (PUT there is an undocumented method), not /v1/tasks/{task_id}.
        matches = [(literal, item) for pattern, literal, item in self._routes if pattern.match(path)]
        if not matches:
            return None
        best = max(literal for literal, _ in matches)
        for literal, item in matches:
            op = item.get(method.lower()) if literal == best else None
            if op is not None:
                return op  # type: ignore[no-any-return]
        return None

    def _validator(self, key: str, schema: dict[str, Any]) -> Draft202012Validator:
        if key not in self._validators:
            # Local "#/components/..." references resolve against this root.
            self._validators[key] = Draft202012Validator({**schema, "components": self.components})
        return self._validators[key]

    def check_response(self, response: httpx.Response) -> None:
        request = response.request
        op = self.operation(request.method, request.url.path)
        if op is None:
            return  # not a documented route (docs assets, unknown paths)
        response.read()
        status = str(response.status_code)
        responses = op["responses"]
        spec = responses.get(status) or responses.get(f"{status[0]}XX") or responses.get("default")
        if spec is None:
            raise AssertionError(
                f"{request.method} {request.url.path} answered {status}, which its OpenAPI operation "
                f"does not document (documented: {sorted(responses)}); body: {response.text[:500]}"
            )
        content = spec.get("content", {}).get("application/json")
        if content is None or not response.content:
            return
        schema = content.get("schema")
        if not schema:
            return
        key = f"{op.get('operationId')}:{status}"
        errors = sorted(self._validator(key, schema).iter_errors(response.json()), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            raise AssertionError(
                f"{request.method} {request.url.path} {status} does not match its OpenAPI schema at "
                f"{'/'.join(map(str, first.path)) or '(root)'}: {first.message}"
            )
        self.checked += 1
