"""Every /v1 list declares its query parameters in /openapi.json, and the handler agrees both ways.

The list operations are read from the document (a GET whose answer is a `...ListDocument`,
and the changes feed), so a new list is covered without editing this file. Each documented
parameter is sent alone, with a value taken from the document (its example, else its enum or
type), and must be a 200; the list controls a handler does not document, and a made-up name,
must be a 422. So a client generated from the document sees every filter, sort and paging
parameter the handler takes, and none it refuses.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.api.v1.test_isolation import World, build_world, fill
from tests.factories.people import make_person

PAGING = {"limit", "offset", "page", "per_page", "cursor", "total"}
# List controls some handlers read and others refuse; `fields` is taken by every list and
# documented by none (api/v1/params.py list_parameters says why), so it is no probe.
CONTROLS = ("sort", "filter", "search", "view", "include")
MADE_UP = "made_up_parameter"
ID_VALUE = re.compile(r"^([a-z_]+)_\d+$")
# Admin-only lists, read with a server admin's credential.
SERVER_ADMIN = {"/v1/audit-log", "/v1/admin/users", "/v1/admin/users/{user_id}/api-keys"}


def list_operations(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, GET operation) of every /v1 list: its 200 is a `...ListDocument`, or the changes feed."""
    found = []
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None or not path.startswith("/v1/"):
            continue
        schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("$ref", "").endswith("ListDocument") or path == "/v1/events":
            found.append((path, op))
    return found


def query_parameters(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}


def value_for(parameter: dict[str, Any], world: World) -> str:
    """A valid value of a documented parameter, from its example (an id of the world where it
    names one), else from its schema."""
    schema = parameter["schema"]
    if "example" in parameter:
        value = parameter["example"]
    elif "enum" in schema:
        value = schema["enum"][0]
    else:
        value = {"boolean": True, "integer": 1, "number": 1}.get(schema["type"])
        assert value is not None, f"{parameter['name']}: no example to send"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    named = ID_VALUE.match(text)
    if named and named.group(1) in world.ids:
        return world.ids[named.group(1)]
    return text


@pytest.fixture(scope="module")
def doc(base_url: str) -> dict[str, Any]:
    r = httpx.get(f"{base_url}/openapi.json")
    assert r.status_code == 200
    document: dict[str, Any] = r.json()
    return document


@pytest.fixture
def world(client: httpx.Client, db: Database) -> World:
    return build_world(client, db, "Lists")


def test_every_list_documents_its_paging(doc: dict[str, Any]) -> None:
    """The changes feed pages by `after` and `limit`; every other list by the six paging parameters."""
    operations = list_operations(doc)
    assert len(operations) >= 24, [p for p, _ in operations]
    for path, op in operations:
        documented = set(query_parameters(op))
        expected = {"after", "limit"} if path == "/v1/events" else PAGING
        assert expected <= documented, f"GET {path} leaves out {sorted(expected - documented)}"
        for name, parameter in query_parameters(op).items():
            assert parameter.get("description"), f"GET {path}: {name} has no description"
            assert parameter["schema"].get("type"), f"GET {path}: {name} has no type"
        if "sort" in documented or "filter" in documented:
            assert {"sort", "filter"} <= documented, f"GET {path}: sort and filter come together"


def test_filtered_lists_document_sort_and_their_fields(doc: dict[str, Any]) -> None:
    """A list that runs a filter tree names its fields: the tasks list its statuses, and the
    nested lists leave out the field their path gives."""
    ops = dict(list_operations(doc))
    tasks = query_parameters(ops["/v1/tasks"])
    assert {"sort", "filter", "search", "view", "include", "status", "project_id"} <= set(tasks)
    assert "completed" in tasks["status"]["schema"]["enum"]
    assert set(tasks["include"]["schema"]["items"]["enum"]) >= {"project", "assignees"}
    assert "project_id" not in query_parameters(ops["/v1/projects/{project_id}/tasks"])
    assert "workspace_id" not in query_parameters(ops["/v1/workspaces/{workspace_id}/projects"])
    assert "workspace_id" in query_parameters(ops["/v1/projects"])
    assert "view" not in query_parameters(ops["/v1/projects"])
    invites = query_parameters(ops["/v1/workspaces/{workspace_id}/invites"])
    assert invites["status"]["schema"]["enum"] == ["pending", "accepted", "revoked"]
    assert "sort" not in invites


def test_documented_parameters_are_taken_and_others_refused(
    client: httpx.Client, db: Database, doc: dict[str, Any], world: World
) -> None:
    admin = make_person(db, role="admin")
    wrong: list[str] = []
    for path, op in list_operations(doc):
        url = fill(path, world.ids)
        headers = admin.headers if path in SERVER_ADMIN else world.owner.headers
        documented = query_parameters(op)
        for name, parameter in documented.items():
            value = value_for(parameter, world)
            r = client.get(url, params={name: value}, headers=headers)
            if r.status_code != 200:
                wrong.append(f"GET {path}?{name}={value}: {r.status_code} {r.text[:200]}")
        for name in (*CONTROLS, MADE_UP):
            if name in documented:
                continue
            r = client.get(url, params={name: "x"}, headers=headers)
            if r.status_code != 422:
                wrong.append(f"GET {path}?{name}=x (not documented): {r.status_code}, not 422")
    assert not wrong, "\n".join(wrong)


def test_the_probe_values_come_from_the_document() -> None:
    """Ids in examples become the world's own; other examples, enums and types are sent as given."""
    world = World(owner=None, teammate=None, ids={"project": "project_77"})  # type: ignore[arg-type]
    assert value_for({"name": "p", "schema": {"type": "string"}, "example": "project_1"}, world) == "project_77"
    assert value_for({"name": "s", "schema": {"type": "string", "enum": ["a", "b"]}}, world) == "a"
    assert value_for({"name": "t", "schema": {"type": "boolean"}}, world) == "true"
    assert value_for({"name": "i", "schema": {"type": "array"}, "example": ["x", "y"]}, world) == "x,y"
    assert value_for({"name": "d", "schema": {"type": "string"}, "example": "2024-01-31"}, world) == "2024-01-31"
