"""Digits that are not ASCII in ids, limits and references: Python's str.isdigit() is true of
"³" (and int() then refuses it), which made a path like /v1/projects/³/tasks/task_1 a 500.
Found by schemathesis; now each is the ordinary answer for something that is not a number."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from polytask.core.ids import parse_id
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task

NOT_ASCII = ["³", "task_³", "¹²", "٣", "task_٣", "1²"]


def test_parse_id_takes_ascii_digits_only() -> None:
    for value in NOT_ASCII:
        assert parse_id("task", value) is None, value
    assert parse_id("task", "task_12") == 12


def test_such_ids_in_paths_are_404s(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    for value in NOT_ASCII:
        for path in (
            f"/v1/projects/{value}/tasks/{task}",
            f"/v1/tasks/{value}",
            f"/v1/projects/{project}/tasks/{value}",
        ):
            r = client.get(path, headers=alice.headers)
            assert r.status_code == 404, (path, r.text)


def test_such_numbers_in_parameters_are_422s(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    for params in ({"limit": "³"}, {"after": "event_³"}):
        r = client.get("/v1/events", params=params, headers=alice.headers)
        assert r.status_code == 422, (params, r.text)
    r = client.get(
        f"/v1/workspaces/{alice.workspace}/audit-log", params={"resource_id": "task_³"}, headers=alice.headers
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == "resource_id"


def test_such_an_index_in_a_batch_reference_names_nothing(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    operations = [
        {"method": "GET", "path": "/tasks"},
        {"method": "GET", "path": "/tasks/$0.data.³.id"},
    ]
    r = client.post("/v1/batch", json={"atomic": False, "operations": operations}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"][1]["status"] == 422
