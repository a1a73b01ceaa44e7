"""Validate live responses against an OpenAPI 3.1 document: the app's own /openapi.json, or
a surface's (the Taskforce client checks /api/v1/openapi.json, strictly).

The native resources' schemas are closed and list every attribute as required. A request
with sparse fieldsets (`fields=a,b`, `fields[task]=a,b`) is checked against the same
document narrowed to what it asked for: the schemas marked `x-resource-type: <type>` keep
only the named attributes and relationships, still required and still closed, so a field
asked for and missing, or one not asked for and present, fails the check either way."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx
from jsonschema import Draft202012Validator


class OpenAPIChecker:
    """`strict`: a JSON body must be documented as JSON, the response's required headers must
    be there, and a response of a path or method the document does not have must be an error
    matching `fallback` (a schema of the document's components, e.g. the error envelope).
    `strict_prefix`: strict for the paths under it only (the native surface's in /openapi.json,
    which also holds other surfaces' operations). `media_types`: a body that is not JSON (a CSV,
    a PDF) must have its media type among the documented response's `content` (or under a
    declared range: `image/*`, or `*/*` for a download of any stored file)."""

    def __init__(
        self,
        document: dict[str, Any],
        *,
        strict: bool = False,
        fallback: str | None = None,
        strict_prefix: str | None = None,
        media_types: bool = False,
    ) -> None:
        self.document = document
        self.media_types = media_types
        self.strict = strict
        self.strict_prefix = strict_prefix
        self.fallback = fallback
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
        response.read()
        sparse = sparse_fields(request.url.params.multi_items())
        self.check(
            request.method,
            request.url.path,
            response.status_code,
            response.json,
            response.headers,
            has_body=bool(response.content),
            json_body="json" in response.headers.get("content-type", ""),
            sparse=sparse,
        )

    def check(
        self,
        method: str,
        path: str,
        status_code: int,
        payload: Any,
        headers: Mapping[str, str],
        *,
        has_body: bool = True,
        json_body: bool = True,
        sparse: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        """Check one response, given as its parsed JSON `payload` (or an XML one read into the same
        values), or a callable giving it, called only when there is a schema to check. `sparse`:
        the request's fieldsets by resource type ("" for the bare `fields=`, the primary type's)."""
        where = f"{method} {path} {status_code}"
        strict = self.strict or (self.strict_prefix is not None and path.startswith(self.strict_prefix))
        op = self.operation(method, path)
        if op is None:
            if strict and json_body and has_body:  # a HEAD answer has the headers, not the body
                if status_code < 400 or self.fallback is None:
                    raise AssertionError(f"{where}: not a documented operation")
                self._validate(
                    f"fallback:{self.fallback}", {"$ref": f"#/components/schemas/{self.fallback}"}, payload, where
                )
            return  # not a documented route (docs assets, unknown paths)
        status = str(status_code)
        responses = op["responses"]
        spec = responses.get(status) or responses.get(f"{status[0]}XX") or responses.get("default")
        if spec is None:
            raise AssertionError(
                f"{where}, which its OpenAPI operation does not document "
                f"(documented: {sorted(responses)}); body: {_text(payload)}"
            )
        if strict:
            for name, header in spec.get("headers", {}).items():
                header = self._resolve(header)
                if header.get("required") and name.lower() not in {h.lower() for h in headers}:
                    raise AssertionError(f"{where}: the required header {name} is missing")
        if self.media_types and has_body and not json_body:
            media = headers.get("content-type", "").split(";")[0].strip()
            declared = spec.get("content", {})
            if media not in declared and "*/*" not in declared and f"{media.split('/')[0]}/*" not in declared:
                raise AssertionError(f"{where}: a {media or 'untyped'} body, which the document does not declare")
            return  # declared; no JSON schema applies to it
        content = spec.get("content", {}).get("application/json")
        if content is None or not has_body:
            if strict and json_body and has_body:
                raise AssertionError(f"{where}: a JSON body, but the document shows none for this status")
            return
        schema = content.get("schema")
        if not schema:
            if strict:
                raise AssertionError(f"{where}: the document gives no schema for this JSON body")
            return
        self._validate(
            f"{op.get('operationId')}:{status}", schema, payload, where, sparse if status[0] == "2" else None
        )

    def _validate(
        self,
        key: str,
        schema: dict[str, Any],
        payload: Any,
        where: str,
        sparse: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        if callable(payload):
            payload = payload()
        fields = _by_type(sparse, payload) if sparse else {}
        validator = self._narrowed(key, schema, fields) if fields else self._validator(key, schema)
        errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            raise AssertionError(
                f"{where} does not match its OpenAPI schema at "
                f"{'/'.join(map(str, first.path)) or '(root)'}: {first.message}"
            )
        self.checked += 1

    def _narrowed(self, key: str, schema: dict[str, Any], fields: dict[str, frozenset[str]]) -> Draft202012Validator:
        """The validator for `schema` with each resource type's schemas cut to the asked fields."""
        cache_key = f"{key}|" + ";".join(f"{k}={','.join(sorted(v))}" for k, v in sorted(fields.items()))
        if cache_key in self._validators:
            return self._validators[cache_key]
        components = dict(self.components)
        narrowed = dict(components.get("schemas", {}))
        for name, component in narrowed.items():
            kind = component.get("x-resource-type") if isinstance(component, dict) else None
            if kind not in fields:
                continue
            wanted = fields[kind]
            properties = component.get("properties", {})
            if "attributes" in properties:
                # The resource object: `relationships` is there exactly when one is asked for.
                rels = _ref_name(properties.get("relationships", {}))
                if rels is None or not wanted & set(narrowed[rels].get("properties", {})):
                    narrowed[name] = {
                        **component,
                        "properties": {k: v for k, v in properties.items() if k != "relationships"},
                        "required": [k for k in component.get("required", []) if k != "relationships"],
                    }
                continue
            narrowed[name] = {
                **component,
                "properties": {k: v for k, v in properties.items() if k in wanted},
                "required": [k for k in component.get("required", []) if k in wanted],
            }
        components["schemas"] = narrowed
        self._validators[cache_key] = Draft202012Validator({**schema, "components": components})
        return self._validators[cache_key]

    def _resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        ref = item.get("$ref")
        if not isinstance(ref, str):
            return item
        _hash, _components, kind, name = ref.split("/")
        return self.components[kind][name]  # type: ignore[no-any-return]


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def sparse_fields(params: Any) -> dict[str, frozenset[str]]:
    """`fields=` ("" key: the primary type) and `fields[type]=`, as the native surface reads them.
    A saved view (`view=`) brings its own fieldsets, which the request does not show: "?" says
    so, and each type is then held to the fields its first object in the document has."""
    out: dict[str, frozenset[str]] = {}
    params = list(params)
    views = any(key == "view" for key, _ in params)
    seen_fields = False
    for key, value in params:
        if key == "fields":
            kind = ""
        elif key.startswith("fields[") and key.endswith("]"):
            kind = key[7:-1]
        else:
            continue
        names = frozenset(n.strip() for n in value.split(",") if n.strip())
        out[kind] = out.get(kind, frozenset()) | names
        seen_fields = True
    if views and not seen_fields:
        out["?"] = frozenset()
    return out


def _by_type(sparse: Mapping[str, frozenset[str]], payload: Any) -> dict[str, frozenset[str]]:
    """Resolve the bare `fields=` to the type of the document's primary data, and "?" (a saved
    view's fieldsets) to the names the first object of each type has."""
    fields = {k: v for k, v in sparse.items() if k not in ("", "?")}
    if not isinstance(payload, dict):
        return fields
    data = payload.get("data")
    primary = data if isinstance(data, list) else [data]
    included = payload.get("included")
    objects = [o for o in [*primary, *(included if isinstance(included, list) else [])] if isinstance(o, dict)]
    first = primary[0] if primary and isinstance(primary[0], dict) else None
    if "" in sparse and first is not None and isinstance(first.get("type"), str):
        kind = first["type"]
        fields[kind] = fields.get(kind, frozenset()) | sparse[""]
    if "?" in sparse:
        for obj in objects:
            kind = obj.get("type")
            if isinstance(kind, str) and kind not in fields:
                fields[kind] = frozenset(obj.get("attributes") or ()) | frozenset(obj.get("relationships") or ())
    return fields


def _text(payload: Any) -> str:
    try:
        return str(payload() if callable(payload) else payload)[:500]
    except ValueError:
        return "(not JSON)"
