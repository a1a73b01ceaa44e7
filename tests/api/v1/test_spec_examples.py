"""The Taskade docs' own requests, replayed in order over HTTP (fixtures/spec_examples.json).

Each response must have the spec's "Consistent Response Format" (a JSON:API document whose
resources have a type-prefixed `id`, `type`, `attributes` and well-formed `relationships`,
with `included` exactly when `include=` was asked for) or its error format.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from polytask.core.db import Database
from tests.factories.people import make_person
from tests.openapi_check import OpenAPIChecker

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "spec_examples.json").read_text())
PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)(?::([a-z]+))?\}")
PREFIXED_ID = re.compile(r"^([a-z]+)_(\d+)$")
ERROR_KEYS = {"code", "message", "details", "request_id", "timestamp"}


def substitute(value: Any, saved: dict[str, str]) -> Any:
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            name, prefix = match.group(1), match.group(2)
            assert name in saved, f"placeholder {{{name}}} is used before a step saves it"
            found = saved[name]
            return f"{prefix}_{found.rsplit('_', 1)[1]}" if prefix else found

        return PLACEHOLDER.sub(one, value)
    if isinstance(value, list):
        return [substitute(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, saved) for k, v in value.items()}
    return value


def pick(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def check_identifier(ident: Any, where: str) -> None:
    assert isinstance(ident, dict), f"{where}: {ident!r}"
    assert set(ident) == {"id", "type"}, f"{where}: {ident!r}"
    match = PREFIXED_ID.match(ident["id"])
    assert match is not None, f"{where}: id {ident['id']!r} is not a prefixed id"
    assert match.group(1) == ident["type"], f"{where}: id {ident['id']!r} lacks its type prefix"


def check_resource(res: Any, where: str, kind: str | None = None) -> None:
    """The spec's resource object: prefixed id, type, attributes, relationships of identifiers."""
    assert isinstance(res, dict), where
    assert set(res) - {"relationships"} == {"id", "type", "attributes"}, f"{where}: keys {sorted(res)}"
    check_identifier({"id": res["id"], "type": res["type"]}, where)
    if kind is not None:
        assert res["type"] == kind, f"{where}: type {res['type']!r}, expected {kind!r}"
    assert isinstance(res["attributes"], dict), where
    for name, value in res["attributes"].items():
        if name.endswith("_id") and value is not None and name != "template_id":
            assert PREFIXED_ID.match(value), f"{where}: attribute {name}={value!r} is not a prefixed id"
    for name, rel in (res.get("relationships") or {}).items():
        assert isinstance(rel, dict), f"{where}: relationship {name}: {rel!r}"
        assert set(rel) == {"data"}, f"{where}: relationship {name}: {rel!r}"
        targets = rel["data"] if isinstance(rel["data"], list) else [rel["data"]]
        for target in targets:
            if target is not None:
                check_identifier(target, f"{where}: relationship {name}")


def check_error(r: httpx.Response, expect: dict[str, Any], where: str) -> None:
    body = r.json()
    assert set(body) == {"error"}, f"{where}: {body}"
    error = body["error"]
    assert set(error) == ERROR_KEYS, f"{where}: error keys {sorted(error)}"
    assert error["code"] == expect["code"], f"{where}: {error}"
    assert isinstance(error["message"], str), where
    assert error["message"], where
    assert isinstance(error["details"], dict), where
    assert error["request_id"] == r.headers["x-request-id"], where
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", error["timestamp"]), where
    datetime.fromisoformat(error["timestamp"].replace("Z", "+00:00"))
    for key, value in expect.get("details", {}).items():
        assert error["details"].get(key) == value, f"{where}: details {error['details']}"


def check_document(r: httpx.Response, expect: dict[str, Any], asked_include: bool, where: str) -> None:
    body = r.json()
    kind = expect.get("type")
    allowed = {"data", "included"} | ({"meta", "links"} if expect["document"] == "list" else set())
    assert set(body) <= allowed, f"{where}: top-level keys {sorted(body)}"
    assert "data" in body, where
    assert ("included" in body) == asked_include, f"{where}: 'included' must appear exactly when include= is given"
    items = body["data"] if expect["document"] in ("list", "batch") else [body["data"]]
    assert isinstance(items, list), f"{where}: data must be an array"
    for n, res in enumerate(items):
        check_resource(res, f"{where} data[{n}]", kind)
        for name in expect.get("relationships", []):
            assert name in res.get("relationships", {}), f"{where}: relationship {name!r} missing"
        if "attribute_names" in expect:
            assert set(res["attributes"]) == set(expect["attribute_names"]), f"{where}: {sorted(res['attributes'])}"
    for n, res in enumerate(body.get("included", [])):
        check_resource(res, f"{where} included[{n}]")
    if expect["document"] == "list":
        assert isinstance(body["meta"]["total"], int), where
        assert body["meta"]["total"] >= len(items), where
        assert body["links"]["self"].startswith(r.request.url.path), where
    if "attributes" in expect:
        attrs = items[0]["attributes"]
        for key, value in expect["attributes"].items():
            assert attrs.get(key) == value, f"{where}: attribute {key}={attrs.get(key)!r}, expected {value!r}"
    if "ids" in expect:
        assert sorted(i["id"] for i in items) == sorted(expect["ids"]), f"{where}: ids {[i['id'] for i in items]}"
    if "count" in expect:
        assert len(items) == expect["count"], f"{where}: {len(items)} items"
    if "included" in expect:
        got = {i["id"] for i in body.get("included", [])}
        assert set(expect["included"]) <= got, f"{where}: included {sorted(got)}"


def test_fixture_is_well_formed(openapi: OpenAPIChecker) -> None:
    steps = FIXTURES["steps"]
    assert len(steps) >= 40
    for step in steps:
        assert step["source"].split(":")[0] in ("dev", "guide", "glue"), step["source"]
        concrete = PLACEHOLDER.sub("1", step["path"])
        assert openapi.operation(step["method"], concrete) is not None, f"{step['method']} {step['path']}"
        for banned in ("webhooks", "bulk", "batch", "custom-fields"):
            assert banned not in step["path"], "those endpoints belong to other issues"
    spec_steps = [s for s in steps if not s["source"].startswith("glue")]
    assert len(spec_steps) >= 0.9 * len(steps), "the fixture is the specs' examples, not our own requests"


def test_spec_examples_replay(client: httpx.Client, db: Database, openapi: OpenAPIChecker) -> None:
    saved: dict[str, str] = {}
    headers: dict[str, dict[str, str]] = {}
    for label, fields in FIXTURES["people"].items():
        person = make_person(db, **fields)
        headers[label] = person.headers
        me = client.get("/v1/me", headers=person.headers).json()["data"]
        saved |= {
            f"{label}.id": me["id"],
            f"{label}.username": me["attributes"]["username"],
            f"{label}.email": me["attributes"]["email"],
            f"{label}.workspace": person.workspace,
        }
    checked = 0
    for n, step in enumerate(FIXTURES["steps"]):
        where = f"step {n} ({step['source']})"
        who = step.get("as", "me")
        params = substitute(step.get("params", []), saved)
        kwargs: dict[str, Any] = {"params": [tuple(p) for p in params], "headers": headers[who] if who else {}}
        if "body" in step:
            kwargs["json"] = substitute(step["body"], saved)
        r = client.request(step["method"], substitute(step["path"], saved), **kwargs)
        expect = substitute(step["expect"], saved)
        assert r.status_code == expect["status"], f"{where}: {r.status_code} {r.text[:500]}"
        assert r.headers.get("x-request-id"), where
        if expect["document"] == "none":
            assert r.content == b"", where
        elif expect["document"] == "error":
            check_error(r, expect, where)
        else:
            asked_include = any(k.split("[")[0] == "include" for k, _ in params)
            check_document(r, expect, asked_include, where)
        for name, dotted in step.get("save", {}).items():
            saved[name] = pick(r.json(), dotted)
        checked += 1
    assert checked == len(FIXTURES["steps"])
