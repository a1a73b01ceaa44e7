"""Ids above the largest key a row can have (PostgreSQL `integer` columns: 2^31 - 1) name
nothing: a 404 in a path and a 422 in a body or filter, on both databases. On PostgreSQL
comparing such a number with a key column is an error, so they were 500s there (found by
schemathesis: DELETE /v1/projects/project_1/views/09807439498)."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from polytask.core.ids import MAX_KEY, parse_id
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task

WIDE = MAX_KEY + 1


def test_parse_id_refuses_keys_no_row_can_have() -> None:
    assert parse_id("task", f"task_{MAX_KEY}") == MAX_KEY
    assert parse_id("task", f"task_{WIDE}") is None
    assert parse_id("view", WIDE) is None
    # The event log and webhook deliveries have 64-bit keys.
    assert parse_id("event", f"event_{WIDE}") == WIDE
    assert parse_id("webhook_delivery", WIDE) == WIDE


def test_wide_ids_in_paths_are_404s(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    for method, path in [
        ("GET", f"/v1/tasks/task_{WIDE}"),
        ("GET", f"/v1/projects/{project}/tasks/{WIDE}"),
        ("DELETE", f"/v1/projects/{project}/views/0{WIDE * 4}"),
        ("GET", f"/v1/projects/project_{WIDE}"),
        ("GET", f"/v1/tasks/{task}/comments/comment_{WIDE}"),
        ("GET", f"/v1/webhooks/webhook_{WIDE}/deliveries"),
    ]:
        r = client.request(method, path, headers=alice.headers)
        assert r.status_code == 404, (method, path, r.text)


def test_wide_ids_in_bodies_and_filters_are_422s(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    r = client.patch(f"/v1/tasks/{task}", json={"section_id": f"section_{WIDE}"}, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == "section_id"
    r = client.get("/v1/tasks", params={"project_id": f"project_{WIDE}"}, headers=alice.headers)
    assert r.status_code == 422, r.text
    r = client.get(f"/v1/workspaces/{alice.workspace}/audit-log", params={"resource_id": WIDE}, headers=alice.headers)
    assert r.status_code == 422, r.text
    # A wide event cursor is fine: the event log's keys are 64-bit.
    r = client.get("/v1/events", params={"after": f"event_{WIDE}"}, headers=alice.headers)
    assert r.status_code == 200, r.text
