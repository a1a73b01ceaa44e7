"""Booleans and numbers in request bodies are JSON's own types, as the OpenAPI document says
(core/jsontypes.py): 0, 1 or "true" is not a boolean, true or "5" is not a number. Each is a
422 naming the field, and nothing changes; what the document allows (5 for a float, 5.0 for
an integer) still goes through."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task

WRONG_TYPES = [
    # (what, method, path template, body, field)
    ("task position false", "PATCH", "/v1/tasks/{task}", {"position": False}, "position"),
    ("task progress as text", "PATCH", "/v1/tasks/{task}", {"progress": "50"}, "progress"),
    ("task progress true", "PATCH", "/v1/tasks/{task}", {"progress": True}, "progress"),
    ("task hours as text", "PATCH", "/v1/tasks/{task}", {"estimated_hours": "2.5"}, "estimated_hours"),
    ("section position true", "PATCH", "/v1/projects/{project}/sections/{section}", {"position": True}, "position"),
    (
        "field required 1",
        "POST",
        "/v1/projects/{project}/custom-fields",
        {"name": "F", "type": "text", "required": 1},
        "required",
    ),
    (
        "field position false",
        "POST",
        "/v1/workspaces/{workspace}/custom-fields",
        {"name": "F", "type": "text", "position": False},
        "position",
    ),
    (
        "oauth client public 0",
        "POST",
        "/v1/oauth/clients",
        {"name": "x", "redirect_uris": ["https://app.example.com/cb"], "public": 0},
        "public",
    ),
    (
        "webhook active 'yes'",
        "POST",
        "/v1/webhooks",
        {"url": "https://93.184.216.34/in", "events": ["*"], "active": "yes"},
        "active",
    ),
    ("project due date 0", "PATCH", "/v1/projects/{project}", {"due_date": 0}, "due_date"),
    ("project start date as a number", "POST", "/v1/projects", {"name": "P", "start_date": 20240131}, "start_date"),
    ("project start date as digits", "POST", "/v1/projects", {"name": "P", "start_date": "20240131"}, "start_date"),
    ("project due date as the text 0", "PATCH", "/v1/projects/{project}", {"due_date": "0"}, "due_date"),
    (
        "allowlist entry true",
        "PATCH",
        "/v1/workspaces/{workspace}",
        {"security": {"ip_whitelisting": [True]}},
        "security.ip_whitelisting[0]",
    ),
    (
        "allowlist entry as a number",
        "PATCH",
        "/v1/workspaces/{workspace}",
        {"security": {"ip_whitelisting": [167772160]}},
        "security.ip_whitelisting[0]",
    ),
    ("batch atomic 0", "POST", "/v1/batch", {"atomic": 0, "operations": [{"method": "GET", "path": "/me"}]}, "atomic"),
    ("bulk dry_run 1", "POST", "/v1/tasks/bulk", {"dry_run": 1, "operations": []}, "dry_run"),
    (
        "key grace period as text",
        "POST",
        "/v1/api-keys/{key}/rotate",
        {"grace_period_seconds": "60"},
        "grace_period_seconds",
    ),
]


@pytest.fixture
def world(client: httpx.Client, db: Database) -> dict[str, Any]:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    r = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=alice.headers)
    [key] = client.get("/v1/api-keys", headers=alice.headers).json()["data"]
    return {
        "person": alice,
        "workspace": alice.workspace,
        "project": project,
        "task": task,
        "section": r.json()["data"]["id"],
        "key": key["id"],
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "field"), [w[1:] for w in WRONG_TYPES], ids=[w[0] for w in WRONG_TYPES]
)
def test_a_value_of_the_wrong_json_type_is_a_422_naming_it(
    client: httpx.Client, world: dict[str, Any], method: str, path: str, body: dict[str, Any], field: str
) -> None:
    headers = world["person"].headers
    before = client.get(f"/v1/tasks/{world['task']}", headers=headers).json()
    r = client.request(method, path.format(**world), json=body, headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert r.json()["error"]["details"]["field"] == field
    after = client.get(f"/v1/tasks/{world['task']}", headers=headers)
    assert after.status_code == 200  # the key was not rotated
    assert after.json()["data"] == before["data"]


def test_numbers_json_schema_allows_still_go_through(client: httpx.Client, world: dict[str, Any]) -> None:
    headers = world["person"].headers
    r = client.patch(
        f"/v1/tasks/{world['task']}", json={"position": 3, "progress": 40.0, "estimated_hours": 2}, headers=headers
    )
    assert r.status_code == 200, r.text
    attributes = r.json()["data"]["attributes"]
    assert (attributes["position"], attributes["progress"], attributes["estimated_hours"]) == (3.0, 40, 2.0)


# Update fields that may be left out but not set to null (the service's "cannot be null").
NOT_NULL = [
    ("PATCH", "/v1/projects/{project}", "ProjectUpdate", ["name", "description", "type", "status"]),
    ("PATCH", "/v1/projects/{project}/sections/{section}", "SectionUpdate", ["name", "position"]),
    (
        "PATCH",
        "/v1/tasks/{task}",
        "TaskUpdate",
        ["name", "description", "status", "progress", "position", "project_id"],
    ),
    ("PATCH", "/v1/webhooks/{webhook}", "WebhookUpdate", ["url", "events", "active", "description"]),
    ("PATCH", "/v1/projects/{project}/views/{view}", "ViewUpdate", ["name", "layout"]),
]


@pytest.mark.parametrize(("method", "path", "model", "fields"), NOT_NULL, ids=[n[2] for n in NOT_NULL])
def test_a_field_that_refuses_null_is_not_documented_as_nullable(
    client: httpx.Client, world: dict[str, Any], method: str, path: str, model: str, fields: list[str]
) -> None:
    headers = world["person"].headers
    world = {**world, "webhook": _webhook(client, headers), "view": _view(client, world["project"], headers)}
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    properties = schemas[model]["properties"]
    for field in fields:
        assert "null" not in json.dumps(properties[field]), (model, field, properties[field])
        r = client.request(method, path.format(**world), json={field: None}, headers=headers)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["error"]["details"] == {"field": field, "issue": "cannot be null"}
    # Fields that do take null (to clear them) are still documented so.
    if model == "TaskUpdate":
        assert {"type": "null"} in properties["due_date"]["anyOf"]


def _webhook(client: httpx.Client, headers: dict[str, str]) -> str:
    r = client.post("/v1/webhooks", json={"url": "https://93.184.216.34/in", "events": ["*"]}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["data"]["id"])


def _view(client: httpx.Client, project: str, headers: dict[str, str]) -> str:
    r = client.post(f"/v1/projects/{project}/views", json={"name": "Mine"}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["data"]["id"])


def test_an_id_the_document_accepts_is_one_the_server_can_parse(client: httpx.Client) -> None:
    from jsonschema import Draft202012Validator

    from polytask.core.ids import PREFIXES, id_json_schema, parse_id

    for kind, prefixes in PREFIXES.items():
        validator = Draft202012Validator(id_json_schema(kind))
        for value in ["0", "00", f"{prefixes[0]}_0", 0, "1", "0012", f"{prefixes[-1]}_7", 7]:
            assert validator.is_valid(value) == (parse_id(kind, value) is not None), (kind, value)
